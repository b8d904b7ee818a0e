// VRRP (RFC 5798 / RFC 3768): the advert codec, the router state machine, transports, VIP actions.
export { decodeVrrpPacket, encodeVrrpPacket, VRRP_MULTICAST_V4, VRRP_MULTICAST_V6, VRRP_PROTOCOL } from './packet.js'
export type { VrrpAddressing, VrrpAuth, VrrpDecodeResult, VrrpDropReason, VrrpPacket } from './packet.js'
export { VrrpRouter } from './router.js'
export type { VrrpAdvertEvent, VrrpDropEvent, VrrpHealthChange, VrrpHealthSource, VrrpHealthState, VrrpPriorityEvent, VrrpRouterEvents, VrrpRouterOptions, VrrpRouterSnapshot, VrrpSplitBrainEvent, VrrpSplitBrainHealedEvent, VrrpState, VrrpStateEvent, VrrpTrack, VrrpTransitionEvent, VrrpWarningEvent } from './types.js'
export type { VrrpInbound, VrrpTransport } from './transport.js'
export { MemoryTransport, MemoryVrrpSegment } from './memory-transport.js'
export type { MemoryVrrpSegmentOptions } from './memory-transport.js'
export { UdpTransport, VRRP_UDP_PORT } from './udp-transport.js'
export type { UdpTransportOptions } from './udp-transport.js'
export { MemoryVipActions } from './vip-actions.js'
export type { VipActionRecord, VipActions, VipContext } from './vip-actions.js'
export { parseKeepalivedConf, readKeepalivedConf } from './parse-keepalived-conf.js'
export type { ParseKeepalivedOptions } from './parse-keepalived-conf.js'
export type {
  KeepalivedCheck,
  KeepalivedCheckCommon,
  KeepalivedConfig,
  KeepalivedDnsCheck,
  KeepalivedGlobalDefs,
  KeepalivedHttpCheck,
  KeepalivedLocation,
  KeepalivedMiscCheck,
  KeepalivedRealServer,
  KeepalivedTcpCheck,
  KeepalivedTrackRef,
  KeepalivedUnicastPeer,
  KeepalivedUnused,
  KeepalivedVip,
  KeepalivedVirtualServer,
  KeepalivedVrrpInstance,
  KeepalivedVrrpScript,
  KeepalivedWarning,
} from './keepalived-config.js'
export { KEEPALIVED_MAX_INCLUDE_DEPTH } from './keepalived-syntax.js'
export type { KeepalivedFiles, KeepalivedStatement, KeepalivedWord } from './keepalived-syntax.js'
export { nodeKeepalivedFiles } from './node-files.js'
export { splitKeepalivedCommand, vrrpRouterOptionsFromKeepalived } from './keepalived-options.js'
export type { KeepalivedHostFields, KeepalivedInstanceMapping, KeepalivedRouterFields, KeepalivedScriptTarget, KeepalivedTrackTarget, KeepalivedVipAssignment } from './keepalived-options.js'
export { lintVrrp, VRRP_LINT_EXPLANATIONS } from './lint-vrrp.js'
export type { VrrpLintFinding, VrrpLintRouter, VrrpLintRule } from './lint-vrrp.js'
