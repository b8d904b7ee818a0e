/**
 * The vocabulary of a zone update, shared by the store, its journal and the RFC 2136 front end:
 * the four RFC 2136 §2.5 operations, the four §2.4 prerequisites, and the store's error.
 */
import { DnsHaError } from '../util/errors.js'
import type { ZoneRecord } from '../zone/zone.js'

/**
 * One change (RFC 2136 §2.5): add an RR, delete one RR (owner, type and rdata; the TTL is
 * ignored), delete an RRset, delete every RRset of a name.
 */
export type RecordChange =
  | { op: 'add'; record: ZoneRecord }
  | { op: 'delete'; record: ZoneRecord }
  | { op: 'delete-rrset'; name: string; type: string }
  | { op: 'delete-name'; name: string }

/**
 * One prerequisite (RFC 2136 §2.4): an RRset exists (value-dependent when `records` is given:
 * the RRset is exactly those records), an RRset does not exist, a name has at least one RR, a
 * name has none.
 */
export type Prerequisite =
  | { kind: 'rrset-exists'; name: string; type: string; records?: ZoneRecord[] }
  | { kind: 'rrset-absent'; name: string; type: string }
  | { kind: 'name-in-use'; name: string }
  | { kind: 'name-absent'; name: string }

/** The codes of {@link ZoneStoreError}. */
export type ZoneStoreErrorCode =
  | 'ERR_RECORDS_CONFLICT'
  | 'ERR_RECORDS_PREREQ'
  | 'ERR_RECORDS_INVALID'
  | 'ERR_RECORDS_NOTZONE'
  | 'ERR_RECORDS_UNKNOWN_ZONE'

/**
 * Why the store refused an update; nothing was changed. `ERR_RECORDS_CONFLICT`: `ifSerial`
 * differs (`details.serial` is the current serial; HTTP 409). `ERR_RECORDS_PREREQ`: a
 * prerequisite failed (`details.rcode`: YXDOMAIN, NXDOMAIN, YXRRSET or NXRRSET).
 * `ERR_RECORDS_INVALID`: the zone would break (CNAME and other data, no SOA, no apex NS, ...;
 * `details.findings` when checkZone found it; HTTP 422). `ERR_RECORDS_NOTZONE`: a name outside
 * the zone (rcode NOTZONE). `ERR_RECORDS_UNKNOWN_ZONE`: no such zone in the store (HTTP 404,
 * rcode NOTAUTH).
 */
export class ZoneStoreError extends DnsHaError {
  declare readonly code: ZoneStoreErrorCode
  constructor(code: ZoneStoreErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { details })
    this.name = 'ZoneStoreError'
  }
}
