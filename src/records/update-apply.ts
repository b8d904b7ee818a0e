/**
 * Applying an update to a zone, all or nothing: {@link checkPrerequisites} against the zone as
 * served, then {@link applyChanges} to a copy, which the store validates before it is journaled
 * and swapped in. The served zone is never touched.
 *
 * Two modes. `strict` (the store's API): deleting the SOA or the last apex NS is an error.
 * `rfc2136` (UPDATE messages): those changes, and adds that would put a CNAME beside other data,
 * are silently skipped, as RFC 2136 §3.4.2.2–3.4.2.4 and BIND do. Either way the changes that
 * took effect are returned, and only those are journaled, so a replay does the same.
 */
import { canonicalName, isAbsolute, isSubdomain } from '../packet/names.js'
import { typeKey } from '../packet/types.js'
import type { ZoneDifference } from '../transfer/zone-diff.js'
import { isApexSoa, recordKey } from '../transfer/zone-diff.js'
import { formatRecord } from '../zone/format.js'
import { parseRecord } from '../zone/parse.js'
import type { ZoneRecord } from '../zone/zone.js'
import { sameData, Zone } from '../zone/zone.js'
import type { Prerequisite, RecordChange } from './update-types.js'
import { ZoneStoreError } from './update-types.js'

/** How {@link applyChanges} treats changes RFC 2136 ignores. */
export type ApplyMode = 'strict' | 'rfc2136'

/** Throws `ERR_RECORDS_PREREQ` (with the RFC 2136 rcode) or `ERR_RECORDS_NOTZONE` for the first prerequisite not met. */
export function checkPrerequisites(zone: Zone, prerequisites: readonly Prerequisite[]): void {
  for (const p of prerequisites) {
    inZone(zone, p.name)
    const fail = (rcode: string, why: string): never => {
      throw new ZoneStoreError('ERR_RECORDS_PREREQ', `prerequisite failed: ${why}`, { rcode, prerequisite: p })
    }
    switch (p.kind) {
      case 'rrset-exists': {
        const set = zone.rrset(p.name, p.type)
        if (set === undefined) fail('NXRRSET', `${p.name} has no ${p.type} RRset`)
        if (p.records !== undefined) {
          const wanted = p.records.map(normalizeRecord)
          const same = wanted.length > 0 && set!.records.every((r) => wanted.some((w) => sameRecord(r, w))) && wanted.every((w) => set!.records.some((r) => sameRecord(r, w)))
          if (!same) fail('NXRRSET', `${p.name} ${p.type} RRset differs`)
        }
        break
      }
      case 'rrset-absent':
        if (zone.rrset(p.name, p.type) !== undefined) fail('YXRRSET', `${p.name} has a ${p.type} RRset`)
        break
      case 'name-in-use':
        if ((zone.get(p.name)?.rrsets.size ?? 0) === 0) fail('NXDOMAIN', `${p.name} has no records`)
        break
      case 'name-absent':
        if ((zone.get(p.name)?.rrsets.size ?? 0) > 0) fail('YXDOMAIN', `${p.name} has records`)
        break
      default:
        throw new ZoneStoreError('ERR_RECORDS_INVALID', `unknown prerequisite kind ${JSON.stringify((p as { kind?: unknown }).kind)}`)
    }
  }
}

/**
 * A copy of `zone` with `changes` applied, the changes that took effect (records normalized), and
 * the records the copy lost and gained (apex SOA aside), which the store hands to the IXFR journal
 * so it need not compare the whole zone after each update.
 */
export function applyChanges(zone: Zone, changes: readonly RecordChange[], mode: ApplyMode): { zone: Zone; applied: RecordChange[]; difference: ZoneDifference } {
  const apex = canonicalName(zone.origin)
  const edits = new TrackedEdits(copyZone(zone), apex)
  const copy = edits.zone
  const applied: RecordChange[] = []
  for (const change of changes) {
    switch (change?.op) {
      case 'add': {
        const record = normalizeRecord(change.record)
        inZone(copy, record.name)
        if (mode === 'rfc2136' && cnameConflict(copy, record)) continue
        addRecord(edits, record, apex)
        applied.push({ op: 'add', record })
        break
      }
      case 'delete': {
        const record = normalizeRecord(change.record)
        inZone(copy, record.name)
        const atApex = canonicalName(record.name) === apex
        if (atApex && record.type === 'SOA') {
          if (mode === 'rfc2136') continue
          throw new ZoneStoreError('ERR_RECORDS_INVALID', `the SOA record of ${zone.origin} cannot be deleted`)
        }
        const set = copy.rrset(record.name, record.type)
        const found = set?.records.find((r) => sameRecord(r, record))
        if (found === undefined) continue
        if (atApex && record.type === 'NS' && set!.records.length === 1) {
          if (mode === 'rfc2136') continue
          throw new ZoneStoreError('ERR_RECORDS_INVALID', `the last NS record of ${zone.origin} cannot be deleted`)
        }
        edits.remove(found)
        applied.push({ op: 'delete', record })
        break
      }
      case 'delete-rrset': {
        const { name, type } = change
        inZone(copy, name)
        if (typeKey(type) === undefined) throw new ZoneStoreError('ERR_RECORDS_INVALID', `unknown type ${JSON.stringify(type)}`)
        if (canonicalName(name) === apex && (typeKey(type) === 'SOA' || typeKey(type) === 'NS')) {
          if (mode === 'rfc2136') continue
          throw new ZoneStoreError('ERR_RECORDS_INVALID', `the ${typeKey(type)} RRset of ${zone.origin} cannot be deleted`)
        }
        const set = copy.rrset(name, type)
        if (set === undefined) continue
        for (const r of [...set.records]) edits.remove(r)
        applied.push({ op: 'delete-rrset', name, type })
        break
      }
      case 'delete-name': {
        const { name } = change
        inZone(copy, name)
        const node = copy.get(name)
        if (node === undefined || node.rrsets.size === 0) continue
        const atApex = canonicalName(name) === apex
        for (const set of [...node.rrsets.values()]) {
          // RFC 2136 §3.4.2.3: at the apex, SOA and NS stay.
          if (atApex && (set.type === 'SOA' || set.type === 'NS')) continue
          for (const r of [...set.records]) edits.remove(r)
        }
        applied.push({ op: 'delete-name', name })
        break
      }
      default:
        throw new ZoneStoreError('ERR_RECORDS_INVALID', `unknown change op ${JSON.stringify((change as { op?: unknown })?.op)}`)
    }
  }
  return { zone: copy, applied, difference: edits.difference() }
}

/**
 * Edits to a zone that also keep the net difference from where they started, by record identity
 * as diffZones compares them (owner, type, class, TTL, RDATA): a record removed and then added
 * back is no difference. The apex SOA is left out, as in diffZones.
 */
class TrackedEdits {
  readonly #deleted = new Map<string, ZoneRecord>()
  readonly #added = new Map<string, ZoneRecord>()

  constructor(readonly zone: Zone, readonly apex: string) {}

  add(record: ZoneRecord): void {
    const had = this.zone.rrset(record.name, record.type)?.records.some((r) => sameData(r.data, record.data)) === true
    this.zone.add(record)
    if (had || isApexSoa(record, this.apex)) return
    const key = recordKey(record)
    if (!this.#deleted.delete(key)) this.#added.set(key, record)
  }

  /** Removes `record` as found in the zone (so the difference holds the zone's own copy, TTL included). */
  remove(record: ZoneRecord): void {
    if (!this.zone.remove(record) || isApexSoa(record, this.apex)) return
    const key = recordKey(record)
    if (!this.#added.delete(key)) this.#deleted.set(key, record)
  }

  difference(): ZoneDifference {
    return { deleted: [...this.#deleted.values()], added: [...this.#added.values()] }
  }
}

/**
 * A new zone object with the same records (record objects are shared: they are never mutated),
 * by {@link Zone.clone}: copying the zone's tables costs a fraction of adding every record anew.
 */
export function copyZone(zone: Zone): Zone {
  return zone.clone()
}

/**
 * The record as the zone parser reads its master-file line: one shape whatever the source
 * (API JSON, UPDATE wire, journal), and bad data refused as `ERR_RECORDS_INVALID`.
 */
export function normalizeRecord(record: ZoneRecord): ZoneRecord {
  return parseRecordLine(formatRecordLine(record))
}

/** The master-file line of a record from any source, refusing bad data as `ERR_RECORDS_INVALID`. */
function formatRecordLine(record: ZoneRecord): string {
  if (record === null || typeof record !== 'object' || typeof record.name !== 'string' || typeof record.type !== 'string') {
    throw new ZoneStoreError('ERR_RECORDS_INVALID', 'a record needs a name and a type')
  }
  if (!isAbsolute(record.name)) throw new ZoneStoreError('ERR_RECORDS_INVALID', `record name must be absolute: ${record.name}`)
  const ttl = record.ttl ?? 0
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 0x7fffffff) throw new ZoneStoreError('ERR_RECORDS_INVALID', `bad TTL ${String(record.ttl)} for ${record.name}`)
  let line: string
  try {
    line = formatRecord({ ...record, class: record.class ?? 'IN', ttl })
  } catch (error) {
    throw new ZoneStoreError('ERR_RECORDS_INVALID', `bad ${record.type} record for ${record.name}: ${(error as Error).message}`)
  }
  return line
}

/**
 * One master-file line (absolute owner, TTL, class, type, rdata) as a record, read by
 * {@link parseRecord} (no zone is built for it: an update reads one per record it carries).
 */
export function parseRecordLine(line: string): ZoneRecord {
  try {
    return parseRecord(line, '.')
  } catch (error) {
    throw new ZoneStoreError('ERR_RECORDS_INVALID', `bad record ${JSON.stringify(line)}: ${(error as Error).message}`)
  }
}

function inZone(zone: Zone, name: unknown): void {
  if (typeof name !== 'string' || !isAbsolute(name)) throw new ZoneStoreError('ERR_RECORDS_INVALID', `name must be absolute: ${String(name)}`)
  if (!isSubdomain(name, zone.origin)) throw new ZoneStoreError('ERR_RECORDS_NOTZONE', `${name} is not in zone ${zone.origin}`, { name })
}

function sameRecord(a: ZoneRecord, b: ZoneRecord): boolean {
  return typeKey(a.type) === typeKey(b.type) && canonicalName(a.name) === canonicalName(b.name) && sameData(a.data, b.data)
}

/** RFC 2136 §3.4.2.2: a CNAME is not added beside other data, nor other data beside a CNAME. */
function cnameConflict(zone: Zone, record: ZoneRecord): boolean {
  const node = zone.get(record.name)
  if (node === undefined) return false
  const dnssec = (t: string): boolean => t === 'RRSIG' || t === 'NSEC' || t === 'NSEC3' || t === 'KEY'
  if (record.type === 'CNAME') return [...node.rrsets.keys()].some((t) => t !== 'CNAME' && !dnssec(t))
  return !dnssec(record.type) && node.rrsets.has('CNAME')
}

/**
 * Adds as RFC 2136 §3.4.2.2 says: an SOA or CNAME replaces the one there, a duplicate is not
 * added twice, and the RRset takes the new record's TTL (one TTL per RRset, as BIND keeps it).
 */
function addRecord(edits: TrackedEdits, record: ZoneRecord, apex: string): void {
  const key = typeKey(record.type)
  const set = edits.zone.rrset(record.name, record.type)
  if (set !== undefined && (key === 'CNAME' || (key === 'SOA' && canonicalName(record.name) === apex))) {
    for (const r of [...set.records]) edits.remove(r)
    edits.add(record)
    return
  }
  if (set !== undefined) {
    const others = set.records.filter((r) => !sameData(r.data, record.data))
    for (const r of [...set.records]) edits.remove(r)
    for (const r of others) edits.add(r.ttl === record.ttl ? r : { ...r, ttl: record.ttl })
  }
  edits.add(record)
}
