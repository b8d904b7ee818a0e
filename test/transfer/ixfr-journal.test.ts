import { describe, expect, it } from 'vitest'
import { IxfrJournal } from '../../src/transfer/index.js'
import type { IxfrJournalEntry } from '../../src/transfer/index.js'
import type { ZoneRecord } from '../../src/zone/zone.js'

const soa = (serial: number): ZoneRecord => ({ name: 'example.', type: 'SOA', class: 'IN', ttl: 300, data: { mname: 'ns.example.', rname: 'h.example.', serial, refresh: 1, retry: 1, expire: 1, minimum: 1 } })
const a = (name: string): ZoneRecord => ({ name: `${name}.example.`, type: 'A', class: 'IN', ttl: 300, data: '192.0.2.1' })
const step = (from: number, to: number, added: ZoneRecord[] = [a(`s${to}`)]): IxfrJournalEntry => ({ fromSerial: from, toSerial: to, fromSoa: soa(from), toSoa: soa(to), deleted: [], added })

describe('IxfrJournal', () => {
  it('answers the chain from a serial to the newest, [] when current, undefined when it does not reach back', () => {
    const j = new IxfrJournal()
    j.add('z', step(1, 2))
    j.add('z', step(2, 3))
    expect(j.since('z', 1)!.map((e) => e.toSerial)).toEqual([2, 3])
    expect(j.since('z', 2)!.map((e) => e.toSerial)).toEqual([3])
    expect(j.since('z', 3)).toEqual([])
    expect(j.since('z', 0)).toBeUndefined()
    expect(j.since('other', 1)).toBeUndefined()
  })

  it('keeps at most maxEntries, dropping the oldest', () => {
    const j = new IxfrJournal({ maxEntries: 2 })
    for (let s = 1; s <= 4; s++) j.add('z', step(s, s + 1))
    expect(j.since('z', 2)).toBeUndefined()
    expect(j.since('z', 3)!.map((e) => e.toSerial)).toEqual([4, 5])
    expect(j.snapshot().zones).toEqual([{ zone: 'z', entries: 2, bytes: expect.any(Number), oldestSerial: 3, newestSerial: 5 }])
  })

  it('keeps at most maxBytes, dropping the oldest; an entry larger than the bound alone is not kept', () => {
    const big = Array.from({ length: 50 }, (_, i) => a(`host-${i}`))
    const j = new IxfrJournal({ maxBytes: 3000 })
    j.add('z', step(1, 2, big))
    j.add('z', step(2, 3, big))
    expect(j.since('z', 1)).toBeUndefined()
    expect(j.since('z', 2)).toHaveLength(1)
    j.add('z', step(3, 4, [...big, ...big, ...big]))
    expect(j.since('z', 3)).toBeUndefined()
    expect(j.snapshot().zones[0]!.entries).toBe(0)
  })

  it('starts afresh on a change that does not follow the last one, and forgets a zone on clear()', () => {
    const j = new IxfrJournal()
    j.add('z', step(1, 2))
    j.add('z', step(5, 6))
    expect(j.since('z', 1)).toBeUndefined()
    expect(j.since('z', 5)).toHaveLength(1)
    j.clear('z')
    expect(j.since('z', 5)).toBeUndefined()
  })

  it('rejects bounds that are not non-negative integers', () => {
    expect(() => new IxfrJournal({ maxEntries: -1 })).toThrow(/maxEntries/)
    expect(() => new IxfrJournal({ maxBytes: 1.5 })).toThrow(/maxBytes/)
  })
})

describe('IxfrJournal byte estimate', () => {
  const bytesOf = (records: ZoneRecord[]) => {
    const j = new IxfrJournal()
    j.add('z', step(1, 2, records))
    return j.snapshot().zones[0]!.bytes
  }
  const rr = (type: string, data: unknown): ZoneRecord => ({ name: 'x.example.', type, class: 'IN', ttl: 1, data })

  it('counts owner, 12 fixed bytes and the RDATA text: strings, arrays and objects summed', () => {
    expect(bytesOf([rr('A', '192.0.2.1')])).toBe(10 + 12 + 9)
    expect(bytesOf([rr('TXT', ['ab', 'cde'])])).toBe(10 + 12 + 5)
    expect(bytesOf([rr('MX', { preference: 10, exchange: 'mail.example.' })])).toBe(10 + 12 + 4 + 13)
    expect(bytesOf([rr('A', '192.0.2.1'), rr('A', '192.0.2.22')])).toBe(31 + 32)
  })

  it('keeps an entry exactly maxBytes large', () => {
    const records = [rr('A', '192.0.2.1')]
    const j = new IxfrJournal({ maxBytes: bytesOf(records) })
    j.add('z', step(1, 2, records))
    expect(j.since('z', 1)).toHaveLength(1)
  })
})
