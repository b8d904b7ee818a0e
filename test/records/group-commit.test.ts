// Group commit in the ZoneStore: updates that arrive while a journal fsync is in flight are
// applied in order, each with its own serial, written together and covered by one fsync; none is
// acknowledged or served before the fsync that covers it, and a failed write refuses every update
// not yet on disk. The fsyncs are counted through the store's file seam (StoreFiles).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AppendFile, StoreFiles } from '../../src/records/node-files.js'
import { nodeStoreFiles } from '../../src/records/node-files.js'
import type { UpdateResult } from '../../src/records/zone-store.js'
import { ZoneStore } from '../../src/records/zone-store.js'
import { diffZones, recordKey } from '../../src/transfer/zone-diff.js'
import { copyZone } from '../../src/records/update-apply.js'
import type { Zone } from '../../src/zone/zone.js'
import { exampleZone, lines, rr, tempDir } from './helpers.js'

let temp: ReturnType<typeof tempDir>
beforeEach(() => (temp = tempDir('dns-ha-records-group-')))
afterEach(() => temp.cleanup())

/** node:fs with each synced journal append held until `release()` and counted. */
function gatedFiles(): { files: StoreFiles; syncs: () => number; appends: () => number; release: () => void; failNext: () => void } {
  let syncs = 0
  let appends = 0
  let fail = false
  let gate: { promise: Promise<void>; open: () => void } = newGate()
  const files: StoreFiles = {
    ...nodeStoreFiles,
    async openAppend(path) {
      const inner: AppendFile = await nodeStoreFiles.openAppend(path)
      return {
        async append(bytes, sync) {
          appends++
          // Counted and gated as of the call: the fsync this append asks for is in flight from here.
          const held = gate.promise
          if (sync) syncs++
          if (fail) {
            fail = false
            // A partial write, then the error: the store must cut it off.
            await inner.append(bytes.subarray(0, Math.floor(bytes.length / 2)), false)
            throw new Error('disk full')
          }
          await inner.append(bytes, false)
          if (sync) await held
        },
        truncate: (length, sync) => inner.truncate(length, sync),
        close: () => inner.close(),
      }
    },
  }
  return {
    files,
    syncs: () => syncs,
    appends: () => appends,
    release: () => {
      const g = gate
      gate = newGate()
      g.open()
    },
    failNext: () => (fail = true),
  }
}

function newGate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void
  const promise = new Promise<void>((resolve) => (open = resolve))
  return { promise, open }
}

const add = (i: number) => [{ op: 'add' as const, record: rr(`h${i}.example.com. 300 IN A 10.0.${i >> 8}.${i & 255}`) }]
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('ZoneStore group commit', () => {
  it('shares one fsync among the updates that arrive while one is in flight, acknowledging none before it', async () => {
    const io = gatedFiles()
    const store = await ZoneStore.open({ dir: temp.dir, zones: [exampleZone()], fsync: true, files: io.files })
    const acked: number[] = []
    const first = store.update('example.com.', add(0)).then((r) => (acked.push(0), r))
    await settled()
    expect(io.syncs()).toBe(1) // the first update's fsync is in flight
    const rest = Array.from({ length: 99 }, (_, k) => store.update('example.com.', add(k + 1)).then((r) => (acked.push(k + 1), r)))
    await settled()
    expect(acked).toEqual([])
    expect(store.serial('example.com.')).toBe(10) // nothing served before its fsync
    expect(io.syncs()).toBe(1)
    io.release() // the first fsync completes: update 0 acknowledged; 1..99 written with one more fsync
    await first
    await settled()
    expect(acked).toEqual([0])
    expect(store.serial('example.com.')).toBe(11)
    expect(io.syncs()).toBe(2)
    expect(io.appends()).toBe(2)
    io.release()
    const results = await Promise.all(rest)
    expect(acked).toEqual(Array.from({ length: 100 }, (_, i) => i))
    // 100 updates, 2 fsyncs; each update its own serial, strictly increasing, in call order.
    expect(io.syncs()).toBe(2)
    expect(results.map((r: UpdateResult) => r.serial)).toEqual(Array.from({ length: 99 }, (_, i) => 12 + i))
    expect(results.every((r, i) => r.previousSerial === r.serial - 1 && (i === 0 || r.previousSerial === results[i - 1]!.serial))).toBe(true)
    expect(store.serial('example.com.')).toBe(110)
    await store.close()
    // All 100 in the journal, each entry on its own.
    const again = await ZoneStore.open({ dir: temp.dir, zones: [exampleZone()], fsync: false })
    expect(again.serial('example.com.')).toBe(110)
    expect(again.snapshot().zones[0]!.journalEntries).toBe(100)
    for (let i = 0; i < 100; i++) expect(again.zone('example.com.').rrset(`h${i}.example.com.`, 'A')).toBeDefined()
    await again.close()
  })

  it('checks prerequisites in order over the updates not yet on disk', async () => {
    const io = gatedFiles()
    const store = await ZoneStore.open({ dir: temp.dir, zones: [exampleZone()], fsync: true, files: io.files })
    const a = store.update('example.com.', add(1))
    await settled()
    // Built over update 1 (in flight): the name exists for the next update, which may not add it again as absent.
    const b = store.update('example.com.', add(2), { prerequisites: [{ kind: 'name-in-use', name: 'h1.example.com.' }] })
    const c = store.update('example.com.', add(3), { prerequisites: [{ kind: 'name-absent', name: 'h2.example.com.' }] })
    await expect(c).rejects.toMatchObject({ code: 'ERR_RECORDS_PREREQ' })
    const d = store.update('example.com.', add(4), { ifSerial: 12 })
    io.release()
    await a
    await settled()
    io.release()
    expect((await b).serial).toBe(12)
    expect((await d).serial).toBe(13)
    expect(store.zone('example.com.').rrset('h3.example.com.', 'A')).toBeUndefined()
    await store.close()
  })

  it('refuses every update not yet on disk when the group write fails, and goes on from the served zone', async () => {
    const io = gatedFiles()
    const store = await ZoneStore.open({ dir: temp.dir, zones: [exampleZone()], fsync: true, files: io.files })
    const before = lines(store.zone('example.com.'))
    const a = store.update('example.com.', add(1))
    await settled()
    io.failNext()
    const b = store.update('example.com.', add(2))
    const c = store.update('example.com.', add(3))
    const rejected: string[] = []
    store.on('rejected', (e) => rejected.push(e.reason))
    io.release()
    await a
    await expect(b).rejects.toThrow('disk full')
    await expect(c).rejects.toThrow('disk full')
    expect(rejected).toEqual(['disk full', 'disk full'])
    expect(store.serial('example.com.')).toBe(11)
    expect(lines(store.zone('example.com.'))).toEqual([...before, ...lines(store.zone('example.com.'), 'h1.example.com.')].sort())
    // The next update is built over the served zone and gets the next serial.
    const d = store.update('example.com.', add(4))
    await settled()
    io.release()
    expect((await d).serial).toBe(12)
    await store.close()
    const again = await ZoneStore.open({ dir: temp.dir, zones: [exampleZone()], fsync: false })
    expect(again.snapshot().recovered).toEqual([])
    expect(lines(again.zone('example.com.'))).toEqual(lines(store.zone('example.com.')))
    await again.close()
  })

  it('hands the IXFR journal the same difference a whole-zone comparison finds', async () => {
    const store = await ZoneStore.open({ dir: temp.dir, zones: [exampleZone()], fsync: false })
    const from = store.zone('example.com.')
    const updates = [
      store.update('example.com.', [{ op: 'add', record: rr('www.example.com. 600 IN A 192.0.2.12') }]), // TTL of the RRset changes
      store.update('example.com.', [{ op: 'delete-name', name: 'mail.example.com.' }]),
      store.update('example.com.', [{ op: 'add', record: rr('alias.example.com. 300 IN CNAME mx.example.com.') }]), // replaces the CNAME
      store.update('example.com.', [{ op: 'add', record: rr('new.example.com. 300 IN TXT "x"') }, { op: 'delete', record: rr('new.example.com. 300 IN TXT "x"') }]),
      store.update('example.com.', [{ op: 'delete-rrset', name: 'ns2.example.com.', type: 'A' }, { op: 'add', record: rr('ns2.example.com. 300 IN A 192.0.2.2') }]),
    ]
    await Promise.all(updates)
    const to = store.zone('example.com.')
    const keys = (d: ReturnType<typeof diffZones>): { deleted: string[]; added: string[] } => ({ deleted: d.deleted.map(recordKey).sort(), added: d.added.map(recordKey).sort() })
    const remembered = keys(diffZones(from, to))
    const compared = keys(diffZones(copyZone(from) as Zone, to))
    expect(remembered).toEqual(compared)
    expect(remembered.added.length).toBeGreaterThan(0)
    expect(remembered.deleted.length).toBeGreaterThan(0)
    await store.close()
  })
})
