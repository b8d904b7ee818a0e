export { HEALTH_DEFAULTS, HealthProber } from './prober.js'
export type { HealthProberOptions } from './prober.js'
export type {
  CheckContext,
  CheckOutcome,
  HealthCheck,
  HealthProberChange,
  HealthProberEvents,
  HealthProberSnapshot,
  HealthResultEvent,
  HealthTargetSnapshot,
  HealthTransitionEvent,
  HealthVerdict,
  InitialState,
  OverrideMode,
  TargetOptions,
} from './types.js'
export { memberTarget } from './member-target.js'
export { serialLag } from './serial-arithmetic.js'
export { answerAddresses, answerText } from './answer-text.js'
export { dnsCheck } from './dns-check.js'
export type { DnsCheckOptions, DnsCheckServer, DnsExpectation } from './dns-check.js'
export { soaSerialCheck } from './soa-serial-check.js'
export type { SerialReference, SoaSerialCheckOptions } from './soa-serial-check.js'
export { tcpCheck } from './tcp-check.js'
export type { TcpCheckOptions } from './tcp-check.js'
export { udpCheck } from './udp-check.js'
export type { UdpCheckOptions } from './udp-check.js'
export { httpCheck } from './http-check.js'
export type { HttpCheckOptions } from './http-check.js'
export { fnCheck } from './fn-check.js'
export type { FnCheckResult } from './fn-check.js'
export { scriptCheck } from './script-check.js'
export type { ScriptCheckOptions } from './script-check.js'
export { nodeProcessRunner } from './node-process.js'
export type { ProcessExit, ProcessRunner } from './node-process.js'
export { allOf, anyOf } from './composite.js'
