// checkTouched: the errors of the names an update touched (plus the apex, its NS targets and the
// delegations above them) are exactly what checkZone of the whole zone reports for those names,
// and every other name's errors are unchanged by the update. Checked over random edits of a zone
// with a delegation, glue, CNAMEs and apex NS targets in and below the zone.
import { describe, expect, it } from 'vitest'
import { applyChanges } from '../../src/records/update-apply.js'
import { checkTouched, findingKey, findingName } from '../../src/records/update-check.js'
import type { RecordChange } from '../../src/records/update-types.js'
import { checkZone } from '../../src/zone/check.js'
import type { Zone } from '../../src/zone/zone.js'
import { exampleZone, rr } from './helpers.js'

const ZONE = `$ORIGIN example.com.
$TTL 300
@        IN SOA ns1 hostmaster 10 3600 600 86400 300
@        IN NS  ns1
@        IN NS  ns.sub
sub      IN NS  ns.sub
ns.sub   IN A   192.0.2.53
ns1      IN A   192.0.2.1
www      IN A   192.0.2.10
alias    IN CNAME www
`

const NAMES = ['ns1', 'ns.sub', 'sub', 'www', 'alias', 'a.sub', 'x', '@'].map((n) => (n === '@' ? 'example.com.' : `${n}.example.com.`))
const RECORDS = [
  (n: string) => rr(`${n} 300 IN A 192.0.2.7`),
  (n: string) => rr(`${n} 300 IN CNAME www.example.com.`),
  (n: string) => rr(`${n} 300 IN CNAME ns1.example.com.`),
  (n: string) => rr(`${n} 300 IN NS ns1.example.com.`),
  (n: string) => rr(`${n} 300 IN AAAA 2001:db8::1`),
  (n: string) => rr(`${n} 300 IN TXT "t"`),
  (n: string) => rr(`${n} 300 IN SOA ns1.example.com. h.example.com. 1 2 3 4 5`),
]

/** A small deterministic generator (the same edits each run). */
function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32)
}

function errorKeys(zone: Zone): string[] {
  return checkZone(zone).findings.filter((f) => f.severity === 'error').map(findingKey).sort()
}

describe('checkTouched', () => {
  it('gives exactly the whole-zone errors of the touched names; the other names keep theirs', () => {
    const next = prng(15)
    const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)]!
    let zone = exampleZone(ZONE)
    let withErrors = 0
    for (let step = 0; step < 400; step++) {
      const changes: RecordChange[] = Array.from({ length: 1 + Math.floor(next() * 3) }, () => {
        const name = pick(NAMES)
        const r = next()
        if (r < 0.5) return { op: 'add', record: pick(RECORDS)(name) }
        if (r < 0.7) return { op: 'delete', record: pick(RECORDS)(name) }
        if (r < 0.9) return { op: 'delete-rrset', name, type: pick(['A', 'CNAME', 'NS', 'TXT']) }
        return { op: 'delete-name', name }
      })
      // rfc2136 mode skips what strict mode refuses (deleting the SOA or apex NS), so every step applies.
      const { zone: after, difference } = applyChanges(zone, changes, 'rfc2136')
      const { errors, names } = checkTouched(after, difference)
      const whole = errorKeys(after)
      expect(errors.map(findingKey).sort()).toEqual(whole.filter((k) => names.has(findingName(k))))
      expect(whole.filter((k) => !names.has(findingName(k)))).toEqual(errorKeys(zone).filter((k) => !names.has(findingName(k))))
      if (whole.length > 0) withErrors++
      // Keep going from zones with errors too, but come back to a sound one now and then.
      zone = next() < 0.1 ? exampleZone(ZONE) : after
    }
    // The edits did reach broken zones (CNAME beside data, apex NS target without address...).
    expect(withErrors).toBeGreaterThan(50)
  })
})
