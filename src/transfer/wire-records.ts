/**
 * {@link zoneRecordFromWire}: a record as dns-packet decodes it, in the zone model's shape:
 * absolute names (dns-packet drops the trailing dot, the zone keeps it) in the owner and in
 * every rdata field that is a name, SSHFP fingerprints in lower case, and no `flush` bit, so a
 * record from the wire equals (`sameData`) the same record read from a zone file.
 */
import type { ZoneRecord } from '../zone/zone.js'

/** The rdata fields that hold names, per dns-packet type (`''`: the rdata is the name). */
const NAME_FIELDS: Readonly<Record<string, readonly string[]>> = {
  NS: [''],
  CNAME: [''],
  PTR: [''],
  DNAME: [''],
  SOA: ['mname', 'rname'],
  MX: ['exchange'],
  SRV: ['target'],
  NAPTR: ['replacement'],
  RRSIG: ['signersName'],
  NSEC: ['nextDomain'],
  RP: ['mbox', 'txt'],
}

/** One decoded answer record as a {@link ZoneRecord}. */
export function zoneRecordFromWire(record: { name: string; type: string; class?: string; ttl?: number; data?: unknown }): ZoneRecord {
  const fields = NAME_FIELDS[record.type]
  let data = record.data
  if (fields !== undefined) {
    if (fields[0] === '') data = absolute(String(data))
    else {
      const copy = { ...(data as Record<string, unknown>) }
      for (const f of fields) if (typeof copy[f] === 'string') copy[f] = absolute(copy[f] as string)
      data = copy
    }
  }
  // dns-packet reads an SSHFP fingerprint as upper-case hex; the zone parser keeps it lower case.
  if (record.type === 'SSHFP' && typeof (data as { fingerprint?: unknown })?.fingerprint === 'string') {
    data = { ...(data as object), fingerprint: (data as { fingerprint: string }).fingerprint.toLowerCase() }
  }
  return { name: absolute(record.name), type: record.type, class: record.class ?? 'IN', ttl: record.ttl ?? 0, data }
}

function absolute(name: string): string {
  if (name === '' || name === '.') return '.'
  return name.endsWith('.') ? name : name + '.'
}
