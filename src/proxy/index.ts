export type { ProxyMemberOptions, ProxyMode, UdpProxyPoolOptions } from './options.js'
export type { MemberPicker, PickedMember } from './member-picker.js'
export { parseNginxStream, parseNginxTime } from './parse-nginx-stream.js'
export type { NginxIgnoredDirective, NginxListen, NginxStreamConfig, NginxStreamServer, ParseNginxStreamOptions } from './parse-nginx-stream.js'
