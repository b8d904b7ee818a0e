/**
 * The records module: the journaled zone store and RFC 2136 dynamic updates.
 */
export { ZoneStore, ZoneStoreError } from './zone-store.js'
export type {
  ZoneStoreOptions, UpdateOptions, UpdateResult, ZoneUpdatedEvent, ZoneRejectedEvent, JournalRecovery, ZoneStoreEvents,
  ZoneStoreSnapshot, RecordChange, Prerequisite, SerialPolicy, ZoneStoreErrorCode,
} from './zone-store.js'
export type { ApplyMode } from './update-apply.js'
export { nextSerial } from './update-serial.js'
export type { StoreFiles, AppendFile } from './node-files.js'
export { nodeStoreFiles } from './node-files.js'
