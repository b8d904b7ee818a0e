/**
 * The transfer module: zone replication (AXFR, IXFR, NOTIFY, TSIG streams). Secondary side:
 * {@link SecondaryZone}, {@link transferIn}.
 */
export { SecondaryZone, SECONDARY_TIMER_DEFAULTS } from './secondary-zone.js'
export type { SecondaryExpiredEvent, SecondaryFailedEvent, SecondaryPrimary, SecondarySink, SecondaryState, SecondaryTimerLimits, SecondaryTransferredEvent, SecondaryUpToDateEvent, SecondaryZoneEvents, SecondaryZoneOptions, SecondaryZoneSnapshot } from './secondary-zone.js'
export { transferIn, TRANSFER_IN_DEFAULTS } from './transfer-in.js'
export type { TransferInOptions, TransferInResult } from './transfer-in.js'
export type { TransferFailureCode } from './transfer-failure.js'
export { nodeTransferFiles } from './node-files.js'
export type { TransferFiles } from './node-files.js'
