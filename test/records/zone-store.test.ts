import { readFileSync, writeFileSync, appendFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FakeClock } from '../../src/testing/index.js'
import { ZoneStore } from '../../src/records/zone-store.js'
import type { ZoneStoreOptions } from '../../src/records/zone-store.js'
import { checkZone } from '../../src/zone/check.js'
import { exampleZone, lines, rr, tempDir } from './helpers.js'

let dir: string
let cleanup: () => void
const open = (extra: Partial<ZoneStoreOptions> = {}): Promise<ZoneStore> => ZoneStore.open({ dir, zones: [exampleZone()], fsync: false, ...extra })

beforeEach(() => {
  ;({ dir, cleanup } = tempDir())
})
afterEach(() => cleanup())

describe('ZoneStore.update: RecordChange operations', () => {
  it('adds a record, advances the serial, serves a new zone object', async () => {
    const store = await open()
    const before = store.zone('example.com.')
    const updated: unknown[] = []
    store.on('updated', (e) => updated.push(e))
    const result = await store.update('example.com.', [{ op: 'add', record: rr('new.example.com. 60 IN A 192.0.2.99') }], { source: 'test' })
    expect(result).toMatchObject({ origin: 'example.com.', previousSerial: 10, serial: 11 })
    expect(store.serial('example.com.')).toBe(11)
    expect(store.zone('example.com.')).not.toBe(before)
    expect(before.rrset('new.example.com.', 'A')).toBeUndefined()
    expect(lines(store.zone('example.com.'), 'new.example.com.')).toEqual(['new.example.com. 60 A "192.0.2.99"'])
    expect(updated).toMatchObject([{ origin: 'example.com.', previousSerial: 10, serial: 11, source: 'test' }])
    await store.close()
  })

  it('an added record takes over the RRset TTL; a duplicate is not added twice', async () => {
    const store = await open()
    await store.update('example.com.', [{ op: 'add', record: rr('www.example.com. 900 IN A 192.0.2.10') }])
    expect(lines(store.zone('example.com.'), 'www.example.com.')).toEqual(['www.example.com. 900 A "192.0.2.10"', 'www.example.com. 900 A "192.0.2.11"'])
    await store.close()
  })

  it('deletes one record (TTL ignored), an RRset, and every RRset of a name', async () => {
    const store = await open()
    await store.update('example.com.', [{ op: 'delete', record: rr('www.example.com. 1 IN A 192.0.2.10') }])
    expect(lines(store.zone('example.com.'), 'www.example.com.')).toEqual(['www.example.com. 300 A "192.0.2.11"'])
    await store.update('example.com.', [{ op: 'add', record: rr('mx.example.com. 300 IN TXT "hello"') }, { op: 'delete-rrset', name: 'mx.example.com.', type: 'TXT' }])
    expect(lines(store.zone('example.com.'), 'mx.example.com.')).toEqual(['mx.example.com. 300 A "192.0.2.25"'])
    await store.update('example.com.', [{ op: 'delete', record: rr('mail.example.com. 300 IN MX 10 mx.example.com.') }, { op: 'delete-name', name: 'alias.example.com.' }])
    expect(lines(store.zone('example.com.'), 'alias.example.com.')).toEqual([])
    expect(lines(store.zone('example.com.'), 'mail.example.com.')).toEqual([])
    expect(store.serial('example.com.')).toBe(13)
    await store.close()
  })

  it('a change that does nothing keeps the serial and writes no journal entry', async () => {
    const store = await open()
    const r = await store.update('example.com.', [{ op: 'delete', record: rr('nothere.example.com. 1 IN A 192.0.2.1') }])
    expect(r).toMatchObject({ serial: 10, previousSerial: 10, changes: [] })
    expect(statSync(join(dir, 'example.com.journal')).size).toBe(0)
    await store.close()
  })

  it('delete-name at the apex keeps SOA and NS', async () => {
    const store = await open()
    await store.update('example.com.', [{ op: 'add', record: rr('example.com. 300 IN TXT "v=spf1 -all"') }])
    await store.update('example.com.', [{ op: 'delete-name', name: 'example.com.' }])
    const apex = store.zone('example.com.').get('example.com.')!
    expect([...apex.rrsets.keys()].sort()).toEqual(['NS', 'SOA'])
    await store.close()
  })
})

describe('ZoneStore.update: refusals change nothing', () => {
  const cases: [string, Parameters<ZoneStore['update']>[1], string][] = [
    ['CNAME beside other data', [{ op: 'add', record: rr('www.example.com. 300 IN CNAME mx.example.com.') }], 'ERR_RECORDS_INVALID'],
    ['data beside a CNAME', [{ op: 'add', record: rr('alias.example.com. 300 IN A 192.0.2.1') }], 'ERR_RECORDS_INVALID'],
    ['deleting the SOA', [{ op: 'delete-rrset', name: 'example.com.', type: 'SOA' }], 'ERR_RECORDS_INVALID'],
    ['deleting the apex NS RRset', [{ op: 'delete-rrset', name: 'example.com.', type: 'NS' }], 'ERR_RECORDS_INVALID'],
    ['deleting the last apex NS', [{ op: 'delete', record: rr('example.com. 300 IN NS ns1.example.com.') }, { op: 'delete', record: rr('example.com. 300 IN NS ns2.example.com.') }], 'ERR_RECORDS_INVALID'],
    ['an apex NS without address (glue)', [{ op: 'add', record: rr('example.com. 300 IN NS ns3.example.com.') }], 'ERR_RECORDS_INVALID'],
    ['a name outside the zone', [{ op: 'add', record: rr('www.example.org. 300 IN A 192.0.2.1') }], 'ERR_RECORDS_NOTZONE'],
    ['a relative name', [{ op: 'delete-name', name: 'www' }], 'ERR_RECORDS_INVALID'],
    ['bad rdata', [{ op: 'add', record: { name: 'x.example.com.', type: 'A', class: 'IN', ttl: 1, data: 'not-an-address' } }], 'ERR_RECORDS_INVALID'],
    ['an unknown op', [{ op: 'frobnicate' } as never], 'ERR_RECORDS_INVALID'],
    ['a good change then a bad one', [{ op: 'add', record: rr('ok.example.com. 300 IN A 192.0.2.7') }, { op: 'add', record: rr('ok.example.com. 300 IN CNAME www.example.com.') }], 'ERR_RECORDS_INVALID'],
  ]
  for (const [what, changes, code] of cases) {
    it(`refuses ${what} (${code})`, async () => {
      const store = await open()
      const before = store.zone('example.com.')
      const rejected: { code: string }[] = []
      store.on('rejected', (e) => rejected.push(e))
      await expect(store.update('example.com.', changes)).rejects.toMatchObject({ code })
      expect(store.zone('example.com.')).toBe(before)
      expect(store.serial('example.com.')).toBe(10)
      expect(rejected).toMatchObject([{ code }])
      expect(statSync(join(dir, 'example.com.journal')).size).toBe(0)
      expect(store.snapshot()).toMatchObject({ updates: 0, rejected: 1 })
      await store.close()
    })
  }

  it('an unknown zone is ERR_RECORDS_UNKNOWN_ZONE', async () => {
    const store = await open()
    await expect(store.update('example.org.', [])).rejects.toMatchObject({ code: 'ERR_RECORDS_UNKNOWN_ZONE' })
    expect(() => store.zone('example.org.')).toThrow(/no zone/)
    await store.close()
  })

  it('ifSerial: a stale serial is ERR_RECORDS_CONFLICT with the current serial, the right one passes', async () => {
    const store = await open()
    await expect(store.update('example.com.', [{ op: 'delete-name', name: 'www.example.com.' }], { ifSerial: 9 })).rejects.toMatchObject({
      code: 'ERR_RECORDS_CONFLICT', details: { serial: 10 },
    })
    expect(store.zone('example.com.').rrset('www.example.com.', 'A')).toBeDefined()
    await expect(store.update('example.com.', [{ op: 'delete-name', name: 'www.example.com.' }], { ifSerial: 10 })).resolves.toMatchObject({ serial: 11 })
    await store.close()
  })
})

describe('ZoneStore.update: prerequisites', () => {
  const cases: [string, Parameters<ZoneStore['update']>[2], string | undefined][] = [
    ['rrset-exists, present', { prerequisites: [{ kind: 'rrset-exists', name: 'www.example.com.', type: 'A' }] }, undefined],
    ['rrset-exists, absent', { prerequisites: [{ kind: 'rrset-exists', name: 'www.example.com.', type: 'TXT' }] }, 'NXRRSET'],
    ['rrset-exists by value, equal (any order, any TTL)', { prerequisites: [{ kind: 'rrset-exists', name: 'WWW.example.com.', type: 'A', records: [rr('www.example.com. 1 IN A 192.0.2.11'), rr('www.example.com. 1 IN A 192.0.2.10')] }] }, undefined],
    ['rrset-exists by value, a subset', { prerequisites: [{ kind: 'rrset-exists', name: 'www.example.com.', type: 'A', records: [rr('www.example.com. 1 IN A 192.0.2.10')] }] }, 'NXRRSET'],
    ['rrset-absent, absent', { prerequisites: [{ kind: 'rrset-absent', name: 'www.example.com.', type: 'TXT' }] }, undefined],
    ['rrset-absent, present', { prerequisites: [{ kind: 'rrset-absent', name: 'www.example.com.', type: 'A' }] }, 'YXRRSET'],
    ['name-in-use, in use', { prerequisites: [{ kind: 'name-in-use', name: 'mail.example.com.' }] }, undefined],
    ['name-in-use, unused', { prerequisites: [{ kind: 'name-in-use', name: 'nothere.example.com.' }] }, 'NXDOMAIN'],
    ['name-absent, unused', { prerequisites: [{ kind: 'name-absent', name: 'nothere.example.com.' }] }, undefined],
    ['name-absent, in use', { prerequisites: [{ kind: 'name-absent', name: 'www.example.com.' }] }, 'YXDOMAIN'],
  ]
  for (const [what, options, rcode] of cases) {
    it(`${what}: ${rcode ?? 'applies'}`, async () => {
      const store = await open()
      const p = store.update('example.com.', [{ op: 'add', record: rr('added.example.com. 300 IN A 192.0.2.50') }], options)
      if (rcode === undefined) {
        await expect(p).resolves.toMatchObject({ serial: 11 })
        expect(store.zone('example.com.').rrset('added.example.com.', 'A')).toBeDefined()
      } else {
        await expect(p).rejects.toMatchObject({ code: 'ERR_RECORDS_PREREQ', details: { rcode } })
        expect(store.zone('example.com.').rrset('added.example.com.', 'A')).toBeUndefined()
        expect(store.serial('example.com.')).toBe(10)
      }
      await store.close()
    })
  }
  it('a prerequisite outside the zone is ERR_RECORDS_NOTZONE', async () => {
    const store = await open()
    await expect(store.update('example.com.', [], { prerequisites: [{ kind: 'name-in-use', name: 'example.org.' }] })).rejects.toMatchObject({ code: 'ERR_RECORDS_NOTZONE' })
    await store.close()
  })
})

describe('ZoneStore: serial policies', () => {
  it('unixtime takes the clock, then +1 within the same second', async () => {
    const clock = new FakeClock({ now: 1_700_000_000_000 })
    const store = await open({ serialPolicy: 'unixtime', clock })
    await store.update('example.com.', [{ op: 'add', record: rr('a.example.com. 300 IN A 192.0.2.1') }])
    expect(store.serial('example.com.')).toBe(1_700_000_000)
    await store.update('example.com.', [{ op: 'add', record: rr('b.example.com. 300 IN A 192.0.2.1') }])
    expect(store.serial('example.com.')).toBe(1_700_000_001)
    await store.close()
  })
  it('date gives YYYYMMDD00, then nn+1, never backwards', async () => {
    const clock = new FakeClock({ now: Date.UTC(2026, 11, 3, 12) })
    const store = await open({ serialPolicy: 'date', clock })
    await store.update('example.com.', [{ op: 'add', record: rr('a.example.com. 300 IN A 192.0.2.1') }])
    expect(store.serial('example.com.')).toBe(2026120300)
    await store.update('example.com.', [{ op: 'add', record: rr('b.example.com. 300 IN A 192.0.2.1') }])
    expect(store.serial('example.com.')).toBe(2026120301)
    await store.close()
  })
  it('an added SOA with a serial further ahead wins; one behind is replaced by the policy', async () => {
    const store = await open()
    await store.update('example.com.', [{ op: 'add', record: rr('example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 500 3600 600 86400 60') }])
    expect(store.serial('example.com.')).toBe(500)
    expect(store.zone('example.com.').soa!.data.minimum).toBe(60)
    await store.update('example.com.', [{ op: 'add', record: rr('example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 3 3600 600 86400 60') }])
    expect(store.serial('example.com.')).toBe(501)
    await store.close()
  })
})

describe('ZoneStore: journal and snapshots', () => {
  it('replays the journal on open', async () => {
    let store = await open()
    await store.update('example.com.', [{ op: 'add', record: rr('a.example.com. 300 IN TXT "one" "two"') }])
    await store.update('example.com.', [{ op: 'delete-rrset', name: 'www.example.com.', type: 'A' }])
    await store.update('example.com.', [{ op: 'add', record: rr('b.example.com. 300 IN TYPE65534 \\# 2 abcd') }])
    const expected = lines(store.zone('example.com.'))
    await store.close()
    store = await open()
    expect(lines(store.zone('example.com.'))).toEqual(expected)
    expect(store.serial('example.com.')).toBe(13)
    expect(store.snapshot().zones[0]).toMatchObject({ origin: 'example.com.', serial: 13, journalEntries: 3 })
    expect(checkZone(store.zone('example.com.')).ok).toBe(true)
    await store.close()
  })

  it('the zones option is used only the first time: the snapshot in dir wins afterwards', async () => {
    let store = await open()
    await store.update('example.com.', [{ op: 'add', record: rr('a.example.com. 300 IN A 192.0.2.1') }])
    await store.close()
    store = await open()
    expect(store.zone('example.com.').rrset('a.example.com.', 'A')).toBeDefined()
    await store.close()
  })

  it('drops a torn last entry and reports it', async () => {
    let store = await open()
    await store.update('example.com.', [{ op: 'add', record: rr('a.example.com. 300 IN A 192.0.2.1') }])
    await store.update('example.com.', [{ op: 'add', record: rr('b.example.com. 300 IN A 192.0.2.2') }])
    await store.close()
    const path = join(dir, 'example.com.journal')
    const whole = readFileSync(path)
    const firstLength = 8 + whole.readUInt32BE(0)
    for (const cut of [firstLength + 3, firstLength + 8, whole.length - 1]) {
      writeFileSync(path, whole.subarray(0, cut))
      store = await open()
      expect(store.zone('example.com.').rrset('a.example.com.', 'A')).toBeDefined()
      expect(store.zone('example.com.').rrset('b.example.com.', 'A')).toBeUndefined()
      expect(store.serial('example.com.')).toBe(11)
      expect(store.snapshot().recovered).toEqual([{ origin: 'example.com.', file: path, offset: firstLength, bytes: cut - firstLength }])
      expect(statSync(path).size).toBe(firstLength)
      // The store goes on after the cut: the next entry follows the last whole one.
      await store.update('example.com.', [{ op: 'add', record: rr('c.example.com. 300 IN A 192.0.2.3') }])
      await store.close()
      store = await open()
      expect(store.serial('example.com.')).toBe(12)
      expect(store.snapshot().recovered).toEqual([])
      await store.close()
      writeFileSync(path, whole)
      // Back to the two-entry journal over the first snapshot for the next cut.
    }
  })

  it('drops a zero-filled tail (a file system that extended the file before the data landed)', async () => {
    let store = await open()
    await store.update('example.com.', [{ op: 'add', record: rr('a.example.com. 300 IN A 192.0.2.1') }])
    await store.close()
    const path = join(dir, 'example.com.journal')
    appendFileSync(path, Buffer.alloc(100))
    store = await open()
    expect(store.serial('example.com.')).toBe(11)
    expect(store.snapshot().recovered).toMatchObject([{ bytes: 100 }])
    await store.close()
  })

  it('refuses to open with a corrupt entry in the middle, naming file and offset', async () => {
    const store = await open()
    await store.update('example.com.', [{ op: 'add', record: rr('a.example.com. 300 IN A 192.0.2.1') }])
    await store.update('example.com.', [{ op: 'add', record: rr('b.example.com. 300 IN A 192.0.2.2') }])
    await store.close()
    const path = join(dir, 'example.com.journal')
    const bytes = readFileSync(path)
    bytes[20] = bytes[20]! ^ 0x55
    writeFileSync(path, bytes)
    await expect(open()).rejects.toMatchObject({ code: 'ERR_RECORDS_JOURNAL', details: { file: path, offset: 0 } })
  })

  it('compacts after compactAfter entries: a new snapshot, an empty journal, the same zone after reopen', async () => {
    let store = await open({ compactAfter: 3 })
    for (let i = 0; i < 7; i++) await store.update('example.com.', [{ op: 'add', record: rr(`h${i}.example.com. 300 IN A 192.0.2.${i + 1}`) }])
    expect(store.snapshot().zones[0]!.journalEntries).toBe(1)
    const snapshot = readFileSync(join(dir, 'example.com.zone'), 'utf8')
    expect(snapshot).toMatch(/^; dns-ha zone snapshot origin=example\.com\. seq=6\n/)
    expect(snapshot).toMatch(/^h5 +IN A +192\.0\.2\.6$/m)
    const expected = lines(store.zone('example.com.'))
    await store.close()
    store = await open({ compactAfter: 3 })
    expect(lines(store.zone('example.com.'))).toEqual(expected)
    expect(store.serial('example.com.')).toBe(17)
    await store.close()
  })

  it('a crash between the snapshot and the journal cut: entries the snapshot has are skipped', async () => {
    let store = await open({ compactAfter: 1000 })
    await store.update('example.com.', [{ op: 'add', record: rr('a.example.com. 300 IN A 192.0.2.1') }])
    await store.update('example.com.', [{ op: 'add', record: rr('b.example.com. 300 IN A 192.0.2.2') }])
    const journal = readFileSync(join(dir, 'example.com.journal'))
    await store.close()
    store = await open({ compactAfter: 1 })
    await store.update('example.com.', [{ op: 'add', record: rr('c.example.com. 300 IN A 192.0.2.3') }])
    await store.close()
    // The journal as before the cut (entries 1 and 2), the snapshot at seq 3.
    writeFileSync(join(dir, 'example.com.journal'), journal)
    store = await open()
    expect(store.serial('example.com.')).toBe(13)
    expect(lines(store.zone('example.com.')).filter((l) => /^[abc]\./.test(l))).toHaveLength(3)
    await store.close()
  })

  it('replaceZone imports a whole zone, checked, journaled', async () => {
    let store = await open()
    const next = exampleZone(`$ORIGIN example.com.\n$TTL 60\n@ SOA ns1 h 1 1 1 1 1\n@ NS ns1\nns1 A 192.0.2.1\nonly A 192.0.2.5\n`)
    const r = await store.replaceZone('example.com.', next, { ifSerial: 10 })
    expect(r).toMatchObject({ previousSerial: 10, serial: 11 })
    expect(lines(store.zone('example.com.'))).toEqual(lines(next))
    await expect(store.replaceZone('example.com.', exampleZone(`$ORIGIN example.com.\n@ 60 SOA ns1 h 1 1 1 1 1\nns1 60 A 192.0.2.1\n`))).rejects.toMatchObject({ code: 'ERR_RECORDS_INVALID' })
    await store.close()
    store = await open()
    expect(lines(store.zone('example.com.'))).toEqual(lines(next))
    await store.close()
  })

  it('serializes updates to one zone in call order', async () => {
    const store = await open()
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.update('example.com.', [{ op: 'add', record: rr(`n${i}.example.com. 300 IN A 192.0.2.${i + 1}`) }])))
    expect(results.map((r) => r.serial)).toEqual(Array.from({ length: 20 }, (_, i) => 11 + i))
    await store.close()
  })
})
