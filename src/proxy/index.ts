export type { ProxyMemberOptions, ProxyMode, UdpProxyPoolOptions } from './options.js'
export { UdpProxyPool } from './udp-proxy-pool.js'
export type { ProxyListenOptions, ProxyTrackOptions, UdpProxyPoolCounters, UdpProxyPoolEvents, UdpProxyPoolSnapshot } from './udp-proxy-pool.js'
export type { ProxyMemberSnapshot } from './proxy-member.js'
