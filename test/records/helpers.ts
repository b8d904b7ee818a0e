import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseZone } from '../../src/zone/parse.js'
import type { Zone, ZoneRecord } from '../../src/zone/zone.js'
import { parseRecordLine } from '../../src/records/update-apply.js'

export const ZONE_TEXT = `$ORIGIN example.com.
$TTL 300
@        IN SOA ns1 hostmaster 10 3600 600 86400 300
@        IN NS  ns1
@        IN NS  ns2
ns1      IN A   192.0.2.1
ns2      IN A   192.0.2.2
www      IN A   192.0.2.10
www      IN A   192.0.2.11
mail     IN MX  10 mx
mx       IN A   192.0.2.25
alias    IN CNAME www
counter  IN TXT   "0"
`

export function exampleZone(text = ZONE_TEXT): Zone {
  return parseZone(text, { origin: 'example.com.', fileName: 'db.example' })
}

/** A record from one master-file line. */
export function rr(line: string): ZoneRecord {
  return parseRecordLine(line)
}

/** The zone's records as sorted master-file lines, serial left out of the SOA. */
export function lines(zone: Zone, owner?: string): string[] {
  const out: string[] = []
  for (const r of zone.eachRecord()) {
    if (owner !== undefined && r.name.toLowerCase() !== owner.toLowerCase()) continue
    if (r.type === 'SOA') continue
    out.push(`${r.name.toLowerCase()} ${r.ttl} ${r.type} ${JSON.stringify(r.data)}`)
  }
  return out.sort()
}

export function tempDir(prefix = 'dns-ha-records-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}
