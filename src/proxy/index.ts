export type { ProxyMemberOptions, ProxyMode, UdpProxyPoolOptions } from './options.js'
