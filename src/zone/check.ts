/**
 * `checkZone`: the semantic checks named-checkzone makes after loading, each finding placed
 * at the file, line and column of the record concerned.
 */
import { canonicalName } from '../packet/names.js'
import { parseTtl } from './rdata-parse.js'
import { classNumber } from '../packet/types.js'
import type { Zone, ZoneRecord } from './zone.js'

/** One problem found by {@link checkZone}. */
export interface ZoneFinding {
  /** `'error'` makes named-checkzone refuse the zone; `'warning'` does not. */
  severity: 'error' | 'warning'
  /** Stable code: `no-soa`, `no-apex-ns`, `cname-and-other-data`, ... */
  code: string
  /** The owner name concerned. */
  name: string
  message: string
  file: string
  line: number
  column: number
}

/** The result of {@link checkZone}: `ok` when no finding is an error. */
export interface ZoneCheckResult {
  ok: boolean
  findings: ZoneFinding[]
}

/**
 * Checks a zone like named-checkzone: SOA and apex NS present, CNAME alone at its name,
 * no out-of-zone data, NS/MX/SRV not pointing at a CNAME, address records for in-zone name
 * servers (glue), one TTL per RRset. Severities follow named-checkzone's verdict: `error`
 * where it refuses the zone, `warning` where it only reports.
 *
 * @example
 * const { ok, findings } = checkZone(parseZone(text, { origin: 'example.com.', fileName: 'db.example' }))
 * for (const f of findings) console.log(`${f.file}:${f.line}:${f.column}: ${f.message}`)
 */
export function checkZone(zone: Zone): ZoneCheckResult {
  const findings: ZoneFinding[] = []
  const add = (severity: ZoneFinding['severity'], code: string, record: ZoneRecord | undefined, name: string, message: string): void => {
    const pos = record === undefined ? undefined : zone.positionOf(record)
    findings.push({ severity, code, name, message, file: pos?.file ?? '<zone>', line: pos?.line ?? 0, column: pos?.column ?? 0 })
  }
  const apex = zone.get(zone.origin)
  const first = zone.eachRecord().next().value as ZoneRecord | undefined
  const soaSet = apex?.rrsets.get('SOA')
  if (soaSet === undefined) {
    add('error', 'no-soa', first, zone.origin, `${zone.origin}: has 0 SOA records: not a zone (a zone needs exactly one SOA at its apex)`)
  } else if (soaSet.records.length > 1) {
    add('error', 'multiple-soa', soaSet.records[1], zone.origin, `${zone.origin}: multiple SOA records`)
  }
  const apexNs = apex?.rrsets.get('NS')
  if (apexNs === undefined) {
    add('error', 'no-apex-ns', soaSet?.records[0] ?? first, zone.origin, `${zone.origin}: has no NS records`)
  }
  for (const node of zone.nodes()) {
    if (node.rrsets.size === 0) continue
    const inZone = zone.contains(node.name)
    for (const set of node.rrsets.values()) {
      const r0 = set.records[0] as ZoneRecord
      if (!inZone) {
        for (const r of set.records) add('warning', 'out-of-zone', r, node.name, `${node.name}: ignoring out-of-zone data (${node.name} is not in ${zone.origin})`)
        continue
      }
      if (set.type === 'SOA' && canonicalName(node.name) !== canonicalName(zone.origin)) {
        add('error', 'soa-not-at-apex', r0, node.name, `${node.name}: SOA record not at top of zone`)
      }
      if (set.records.some((r) => r.ttl !== set.records[0]?.ttl)) {
        const odd = set.records.find((r) => r.ttl !== r0.ttl) as ZoneRecord
        add('warning', 'ttl-mismatch', odd, node.name, `${node.name}/${set.type}: TTL ${odd.ttl} differs from ${r0.ttl} of the RRset: BIND uses one TTL for the RRset`)
      }
      if (set.records.some((r) => classNumber(r.class) !== classNumber(zone.class))) {
        add('error', 'class-mismatch', r0, node.name, `${node.name}: class differs from the zone's ${zone.class}`)
      }
    }
    if (!inZone) continue
    const cname = node.rrsets.get('CNAME')
    if (cname !== undefined) {
      if (cname.records.length > 1) add('error', 'multiple-cname', cname.records[1], node.name, `${node.name}: more than one CNAME record`)
      for (const set of node.rrsets.values()) {
        if (set.type === 'CNAME' || set.type === 'RRSIG' || set.type === 'NSEC' || set.type === 'KEY') continue
        add('error', 'cname-and-other-data', cname.records[0], node.name, `${node.name}: CNAME and other data (${set.type})`)
        break
      }
    }
    const first0 = [...node.rrsets.values()][0]?.records[0]
    if (first0 !== undefined && looksLikeMisplacedField(node.name, zone.origin)) {
      add('warning', 'owner-looks-like-field', first0, node.name,
        `${node.name}: owner's first label looks like a TTL or class: a line starting in column 0 names an owner; indent it to use the previous owner`)
    }
  }
  // NS, MX and SRV targets. named-checkzone refuses a zone only for its apex NS (pointing at a
  // CNAME, or at an in-zone name with no address that is not below a delegation); the same
  // problems at a delegation, in MX or in SRV it reports and loads the zone: warnings here.
  const apexKey = canonicalName(zone.origin)
  for (const record of zone.eachRecord()) {
    if (!zone.contains(record.name)) continue
    const type = record.type
    if (type !== 'NS' && type !== 'MX' && type !== 'SRV') continue
    const target: unknown = type === 'NS' ? record.data : type === 'MX' ? record.data?.exchange : record.data?.target
    if (typeof target !== 'string' || !zone.contains(target) || target === '.') continue
    const atApex = type === 'NS' && canonicalName(record.name) === apexKey
    // BIND checks no name below another zone cut, and for MX and SRV none below one at all.
    const ownerCut = zone.delegationAbove(record.name)?.name
    if (ownerCut !== undefined && !(type === 'NS' && canonicalName(ownerCut) === canonicalName(record.name))) continue
    const severity = atApex ? 'error' : 'warning'
    const code = type.toLowerCase()
    if (zone.rrset(target, 'CNAME') !== undefined) {
      add(severity, `${code}-is-cname`, record, record.name, `${record.name}/${type} '${target}' is a CNAME (illegal)`)
      continue
    }
    const cut = zone.delegationAbove(target)?.name
    if (zone.rrset(target, 'A') !== undefined || zone.rrset(target, 'AAAA') !== undefined) continue
    if (cut === undefined) {
      add(severity, `${code}-no-address`, record, record.name, `${record.name}/${type} '${target}': has no address records (A or AAAA)`)
    } else if (type === 'NS' && !atApex) {
      // Glue: required below the delegation's own cut, sibling glue under another one.
      const required = canonicalName(cut) === canonicalName(record.name)
      add('warning', 'ns-no-address', record, record.name,
        `${record.name}/NS '${target}': missing ${required ? 'required' : 'sibling'} glue: has no address records (A or AAAA)`)
    }
    // An apex NS, MX or SRV target below a delegation is the child's to answer for.
  }
  return { ok: !findings.some((f) => f.severity === 'error'), findings }
}

function looksLikeMisplacedField(name: string, origin: string): boolean {
  if (canonicalName(name) === canonicalName(origin)) return false
  const label = name.slice(0, name.indexOf('.'))
  if (label === '') return false
  // Pure digits are ordinary owners (reverse zones); `1D`, `2h`, `IN`, `CH` are not.
  return (/[a-z]/i.test(label) && parseTtl(label) !== undefined) || classNumber(label) !== undefined
}
