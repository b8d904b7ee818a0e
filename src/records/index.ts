/**
 * The records module: the journaled zone store and RFC 2136 dynamic updates.
 */
export { ZoneStore, ZoneStoreError } from './zone-store.js'
export type { ZoneStoreOptions, UpdateOptions, UpdateResult, ZoneUpdatedEvent, ZoneRejectedEvent, JournalRecovery, ZoneStoreEvents, ZoneStoreSnapshot } from './zone-store.js'
export type { RecordChange, Prerequisite, SerialPolicy, ZoneStoreErrorCode } from './zone-store.js'
export type { ApplyMode } from './update-apply.js'
export { nextSerial } from './update-serial.js'
export type { StoreFiles, AppendFile } from './node-files.js'
export { nodeStoreFiles } from './node-files.js'
export { UpdateResponder } from './update-responder.js'
export type { UpdateResponderOptions, UpdateResponderSnapshot } from './update-responder.js'
export type { UpdateGrant } from './update-policy.js'
export { updateAllowed } from './update-policy.js'
export { readUpdateMessage } from './update-message.js'
export type { UpdateMessage, UpdateMessageError } from './update-message.js'
