/**
 * What the HTTP API needs of a record store: the shape `ZoneStore` offers, written out so the
 * admin code (and a test double) depends on the contract rather than on the store's file.
 */
import type { Zone, ZoneRecord } from '../zone/zone.js'

/** One change in an update, as RFC 2136 has them (see `ZoneStore.update`). */
export type AdminRecordChange =
  | { op: 'add'; record: ZoneRecord }
  | { op: 'delete'; record: ZoneRecord }
  | { op: 'delete-rrset'; name: string; type: string }
  | { op: 'delete-name'; name: string }

/** What an accepted update or import returns. */
export interface AdminUpdateResult {
  origin: string
  previousSerial: number
  serial: number
  changes: AdminRecordChange[]
}

/** A store's plain-data state, as `ZoneStore.snapshot()` gives it. */
export interface AdminStoreSnapshot {
  zones: { origin: string; serial: number; records: number; journalEntries: number }[]
  updates: number
  rejected: number
}

/**
 * The store the admin API edits: `ZoneStore` satisfies it. Errors are `DnsHaError`s with the
 * store's codes (`ERR_RECORDS_CONFLICT` with `details.serial`, `ERR_RECORDS_PREREQ`,
 * `ERR_RECORDS_INVALID`, `ERR_RECORDS_NOTZONE`, `ERR_RECORDS_UNKNOWN_ZONE`), which the API maps
 * to HTTP statuses.
 */
export interface AdminStore {
  origins(): string[]
  zone(origin: string): Zone
  serial(origin: string): number
  update(origin: string, changes: AdminRecordChange[], options?: { ifSerial?: number; source?: string }): Promise<AdminUpdateResult>
  replaceZone(origin: string, zone: Zone, options?: { ifSerial?: number; source?: string }): Promise<AdminUpdateResult>
  snapshot(): AdminStoreSnapshot
}

/** A bearer token the API accepts, its name (recorded as the edit's source) and what it may do. */
export interface AdminToken {
  token: string
  /** Who holds it: edits are recorded with source `api:<name>`. */
  name: string
  /** `read`: the GET routes; `write`: every route. */
  access: 'read' | 'write'
}

/**
 * What `GET /metrics` on the admin listener serves: a `DnsHaMetrics` from `createMetrics`
 * (dns-ha/metrics) satisfies it. Written out here so the records module does not depend on the
 * metrics module (which sits above it).
 */
export interface AdminMetrics {
  /** The Prometheus text format's content type (`text/plain; version=0.0.4; ...`). */
  readonly contentType: string
  /** The metrics in the Prometheus text format. */
  text(): Promise<string>
}
