// applyChanges reads the records of an update's changes with one parse; the result must be what
// reading them one by one gives (duplicates, mixed types, deletes), and refusals come in the
// order of the changes.
import { describe, expect, it } from 'vitest'
import { applyChanges } from '../../src/records/update-apply.js'
import type { RecordChange } from '../../src/records/update-types.js'
import type { Zone } from '../../src/zone/zone.js'
import { exampleZone, lines, rr } from './helpers.js'

const CHANGES: RecordChange[] = [
  { op: 'add', record: rr('a.example.com. 300 IN A 192.0.2.50') },
  { op: 'add', record: rr('a.example.com. 300 IN A 192.0.2.50') },
  { op: 'add', record: rr('A.example.com. 600 IN A 192.0.2.51') },
  { op: 'add', record: rr('t.example.com. 300 IN TXT "two words" "x\\"y"') },
  { op: 'add', record: rr('example.com. 300 IN MX 5 mx.example.com.') },
  { op: 'add', record: rr('v6.example.com. 300 IN AAAA 2001:db8::1') },
  { op: 'delete', record: rr('www.example.com. 300 IN A 192.0.2.10') },
  { op: 'delete', record: rr('a.example.com. 1 IN A 192.0.2.50') },
  { op: 'add', record: { name: 'raw.example.com.', type: 'A', ttl: 60, class: 'IN', data: '192.0.2.9' } },
]

/** The changes applied one call at a time (each record read on its own): the zone and what took effect. */
function oneByOne(zone: Zone, changes: RecordChange[]): { zone: Zone; applied: RecordChange[] } {
  const applied: RecordChange[] = []
  for (const change of changes) {
    const step = applyChanges(zone, [change], 'strict')
    zone = step.zone
    applied.push(...step.applied)
  }
  return { zone, applied }
}

describe('applyChanges: the records of many changes read at once', () => {
  it('gives the zone and the applied records that one change at a time gives', () => {
    const together = applyChanges(exampleZone(), CHANGES, 'strict')
    expect(lines(together.zone)).toEqual(lines(oneByOne(exampleZone(), CHANGES).zone))
    expect(together.applied).toEqual(oneByOne(exampleZone(), CHANGES).applied)
    expect(together.applied).toHaveLength(CHANGES.length)
    expect(lines(together.zone, 'a.example.com.')).toEqual(['a.example.com. 600 A "192.0.2.51"'])
  })

  it('refuses in the order of the changes: an earlier name outside the zone before a later bad record', () => {
    const changes: RecordChange[] = [
      { op: 'add', record: rr('ok.example.com. 300 IN A 192.0.2.1') },
      { op: 'add', record: rr('x.example.org. 300 IN A 192.0.2.2') },
      { op: 'add', record: { name: 'bad.example.com.', type: 'A', ttl: 300, class: 'IN', data: 'not-an-address' } },
    ]
    expect(() => applyChanges(exampleZone(), changes, 'strict')).toThrow(expect.objectContaining({ code: 'ERR_RECORDS_NOTZONE' }))
    expect(() => applyChanges(exampleZone(), [changes[0]!, changes[2]!], 'strict')).toThrow(expect.objectContaining({ code: 'ERR_RECORDS_INVALID' }))
  })
})
