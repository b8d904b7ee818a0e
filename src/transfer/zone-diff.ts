/**
 * {@link diffZones}: what changed between two versions of a zone, as the records an IXFR step
 * deletes and adds (RFC 1995 §4). Records are compared by owner (case-insensitive), type, TTL and
 * wire RDATA, so a TTL change is a deletion plus an addition, as BIND's ixfr-from-differences
 * writes it. The SOA is left out: an IXFR step carries the old and new SOA itself.
 */
import dnsPacket from 'dns-packet'
import { canonicalName } from '../packet/names.js'
import type { Zone, ZoneRecord } from '../zone/zone.js'

/** The records one change deletes and adds (SOA excluded). */
export interface ZoneDifference {
  deleted: ZoneRecord[]
  added: ZoneRecord[]
}

/** Differences already known to whoever made `to` from `from` (the record store's updates). */
const known = new WeakMap<Zone, { from: Zone; difference: ZoneDifference }>()

/**
 * Records that `to` is `from` with `difference` applied (SOA excluded), so {@link diffZones}
 * of the two returns it without comparing every record: the record store knows what an update
 * changed, and a zone of many records would otherwise be compared whole after each one.
 */
export function rememberDifference(from: Zone, to: Zone, difference: ZoneDifference): void {
  known.set(to, { from, difference })
}

/** The difference `from` → `to` (two versions of the same zone). */
export function diffZones(from: Zone, to: Zone): ZoneDifference {
  const remembered = known.get(to)
  if (remembered !== undefined && remembered.from === from) {
    return { deleted: [...remembered.difference.deleted], added: [...remembered.difference.added] }
  }
  const apex = canonicalName(from.origin)
  const old = new Map<string, ZoneRecord>()
  for (const record of from.eachRecord()) {
    if (isApexSoa(record, apex)) continue
    old.set(recordKey(record), record)
  }
  const added: ZoneRecord[] = []
  for (const record of to.eachRecord()) {
    if (isApexSoa(record, apex)) continue
    const key = recordKey(record)
    if (old.has(key)) old.delete(key)
    else added.push(record)
  }
  return { deleted: [...old.values()], added }
}

/** The identity of a record for comparison: owner, type, TTL, class and wire RDATA. */
export function recordKey(record: ZoneRecord): string {
  const type = String(record.type).toUpperCase()
  let rdata: string
  try {
    const codec = (dnsPacket as unknown as { record(t: string): { encode(d: unknown): Buffer } }).record(type)
    rdata = codec.encode(record.data).toString('latin1')
  } catch {
    // Not encodable here (the encoder will refuse it too): compare by its structure instead.
    rdata = JSON.stringify(record.data)
  }
  return `${canonicalName(record.name)}\0${type}\0${record.class}\0${record.ttl}\0${rdata}`
}

/** True for the zone's own SOA record. */
export function isApexSoa(record: ZoneRecord, apex: string): boolean {
  return record.type === 'SOA' && canonicalName(record.name) === apex
}
