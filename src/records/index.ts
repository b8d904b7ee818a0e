/**
 * Record management: the HTTP API and admin page over a record store.
 */
export { serveAdmin, DEFAULT_MAX_BODY_BYTES } from './admin-server.js'
export type { AdminOptions, AdminServer } from './admin-server.js'
export type { AdminStore, AdminToken, AdminRecordChange, AdminUpdateResult, AdminStoreSnapshot } from './admin-store.js'
export type { ApiRecord, RecordPage } from './admin-records.js'
export type { SecondaryState, ZoneReplication } from './admin-replication.js'
