/**
 * Records as the HTTP API shows and takes them: presentation text for the rdata (what an
 * operator types into a zone file), read back through the zone parser so the API accepts
 * exactly what a master file would, with the parser's own messages.
 */
import { canonicalName, canonicalSortKey } from '../packet/names.js'
import { typeNumber } from '../packet/types.js'
import { DnsHaError, isDnsHaError } from '../util/errors.js'
import { formatRdata } from '../zone/format.js'
import { parseRecord } from '../zone/parse.js'
import type { Zone, ZoneRecord } from '../zone/zone.js'

/**
 * A record in the API's JSON: `name` absolute (`www.example.com.`) or relative to the zone
 * (`www`, `@`), `type` a mnemonic, `ttl` seconds (optional: the SOA record's TTL when absent),
 * `data` the rdata in master-file text (`10 mail.example.com.`).
 */
export interface ApiRecord {
  name: string
  type: string
  ttl?: number
  data: string
}

/** A page of records and the cursor of the next page (absent on the last page). */
export interface RecordPage {
  records: Required<ApiRecord>[]
  total: number
  next?: string
}

/** The filters and bounds of a records listing. */
export interface RecordQuery {
  /** Exact owner name (absolute or relative to the zone). */
  name?: string
  /** Type mnemonic. */
  type?: string
  /** Case-insensitive text that the owner name or the rdata contains. */
  search?: string
  cursor?: string
  limit: number
}

/** The largest page a listing returns. */
export const MAX_PAGE = 1000

/** A record of a zone as the API shows it. */
export function apiRecord(record: ZoneRecord): Required<ApiRecord> {
  return { name: record.name, type: record.type, ttl: record.ttl, data: formatRdata(record) }
}

/**
 * Reads an API record into a zone record for `zone`, through the zone parser (one master-file
 * line), so every check the parser makes applies. Throws `ERR_RECORDS_BAD_RECORD` for a
 * malformed body, the parser's `ZoneSyntaxError` (with line and column of that one line) for
 * bad rdata.
 */
export function toZoneRecord(input: unknown, zone: Zone, defaultTtl: number): ZoneRecord {
  if (typeof input !== 'object' || input === null) throw badRecord('a record must be an object { name, type, ttl?, data }')
  const r = input as Record<string, unknown>
  const name = r['name']
  const type = r['type']
  const data = r['data']
  const ttl = r['ttl'] ?? defaultTtl
  if (typeof name !== 'string' || name === '' || /[\s;()"]/.test(name) || name.startsWith('$')) {
    throw badRecord(`name must be a domain name without spaces: ${JSON.stringify(name)}`)
  }
  if (typeof type !== 'string' || !/^[A-Za-z][A-Za-z0-9-]*$/.test(type) || typeNumber(type) === undefined) {
    throw badRecord(`unknown type: ${JSON.stringify(type)}`)
  }
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > 0x7fffffff) {
    throw badRecord(`ttl must be an integer from 0 to 2147483647: ${JSON.stringify(ttl)}`)
  }
  if (typeof data !== 'string' || /[\r\n]/.test(data)) throw badRecord('data must be the rdata as one line of master-file text')
  const line = `${name} ${ttl} ${zone.class} ${type.toUpperCase()} ${data}\n`
  // One record read on its own (no zone built per request); no record, or more, is a syntax error.
  return parseRecord(line, zone.origin, { fileName: 'record', class: zone.class })
}

/** The records of `zone` that match `query`, in a stable order (canonical owner, type, rdata). */
export function pageRecords(zone: Zone, query: RecordQuery): RecordPage {
  const name = query.name === undefined || query.name === '' ? undefined : canonicalName(absolute(query.name, zone.origin))
  const type = query.type === undefined || query.type === '' ? undefined : query.type.toUpperCase()
  const search = query.search === undefined || query.search === '' ? undefined : query.search.toLowerCase()
  const rows: { key: string; record: Required<ApiRecord> }[] = []
  for (const record of zone.eachRecord()) {
    if (name !== undefined && canonicalName(record.name) !== name) continue
    if (type !== undefined && record.type !== type) continue
    const shown = apiRecord(record)
    if (search !== undefined && !shown.name.toLowerCase().includes(search) && !shown.data.toLowerCase().includes(search)) continue
    rows.push({ key: sortKey(record, shown.data), record: shown })
  }
  rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  const after = query.cursor === undefined || query.cursor === '' ? undefined : decodeCursor(query.cursor)
  let start = 0
  if (after !== undefined) {
    // The first row after the cursor's key: a cursor stays valid across edits (no row is
    // skipped or repeated because an earlier one was added or deleted).
    let lo = 0
    let hi = rows.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (rows[mid]!.key <= after) lo = mid + 1
      else hi = mid
    }
    start = lo
  }
  const slice = rows.slice(start, start + query.limit)
  const page: RecordPage = { records: slice.map((r) => r.record), total: rows.length }
  if (start + query.limit < rows.length) page.next = encodeCursor(slice[slice.length - 1]!.key)
  return page
}

/** `name` made absolute against `origin` (`@` is the origin). */
export function absolute(name: string, origin: string): string {
  if (name === '@') return origin
  if (name.endsWith('.')) return name
  return origin === '.' ? `${name}.` : `${name}.${origin}`
}

// ---- helpers -------------------------------------------------------------------------------

function sortKey(record: ZoneRecord, data: string): string {
  // SOA first at its name, as in a zone file and Zone.eachRecord; then by type number.
  const type = record.type === 'SOA' ? '0000' : (typeNumber(record.type) ?? 0).toString(16).padStart(5, '0')
  return `${canonicalSortKey(record.name)}\u0001${type}\u0001${data}`
}

function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url')
}

function decodeCursor(cursor: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new DnsHaError('ERR_RECORDS_BAD_REQUEST', `bad cursor: ${cursor}`)
  return Buffer.from(cursor, 'base64url').toString('utf8')
}

function badRecord(message: string): DnsHaError {
  return new DnsHaError('ERR_RECORDS_BAD_RECORD', message)
}

/** True for the errors `toZoneRecord` throws for bad input (as opposed to a bug). */
export function isRecordInputError(e: unknown): boolean {
  return isDnsHaError(e, 'ERR_RECORDS_BAD_RECORD') || isDnsHaError(e, 'ERR_ZONE_SYNTAX') || isDnsHaError(e, 'ERR_ZONE_LIMIT') || isDnsHaError(e, 'ERR_ZONE_ORIGIN')
}
