/**
 * {@link zoneRecordFromWire}: a record as dns-packet decodes it, in the zone model's shape:
 * absolute names (dns-packet drops the trailing dot, the zone keeps it) in the owner and in
 * every rdata field that is a name, SSHFP fingerprints in lower case, and no `flush` bit, so a
 * record from the wire equals (`sameData`) the same record read from a zone file.
 */
import { absolute, absoluteNames } from '../zone/wire-rdata.js'
import type { ZoneRecord } from '../zone/zone.js'

/** One decoded answer record as a {@link ZoneRecord}. */
export function zoneRecordFromWire(record: { name: string; type: string; class?: string; ttl?: number; data?: unknown }): ZoneRecord {
  return { name: absolute(record.name), type: record.type, class: record.class ?? 'IN', ttl: record.ttl ?? 0, data: absoluteNames(record.type, record.data) }
}
