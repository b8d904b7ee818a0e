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
export { TransferPrimary, nsTargets } from './transfer-primary.js'
export type { PrimaryTransferOptions, TransferOutEvent, TransferPrimaryEvents, TransferPrimarySnapshot, TransferRefusedEvent } from './transfer-primary.js'
export { TransferAcl } from './transfer-acl.js'
export type { TransferAclEntry, TransferRequester } from './transfer-acl.js'
export { IxfrJournal } from './ixfr-journal.js'
export type { IxfrJournalEntry, IxfrJournalOptions, IxfrJournalSnapshot } from './ixfr-journal.js'
export { diffZones, recordKey } from './zone-diff.js'
export type { ZoneDifference } from './zone-diff.js'
export { axfrMessages, axfrRecords, ixfrRecords, transferMessages, DEFAULT_TRANSFER_MESSAGE_SIZE } from './axfr-out.js'
export { RecordStreamEncoder } from './record-stream-encoder.js'
export type { TransferHead, TransferTally } from './axfr-out.js'
export { NotifySender } from './notify-out.js'
export type { NotifyAckedEvent, NotifyFailedEvent, NotifyReporter, NotifyRetryOptions, NotifySentEvent, NotifyTarget } from './notify-out.js'
