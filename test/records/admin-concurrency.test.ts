/**
 * Many API clients at once against one zone, with an Authority serving the store on 127.0.0.1
 * and a sampler reading the served zone (AXFR and SOA over UDP) during the edits.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/index.js'
import { query } from '../../src/client/index.js'
import { DnsServer } from '../../src/server/index.js'
import { transferIn } from '../../src/transfer/index.js'
import { checkZone } from '../../src/zone/index.js'
import type { AdminStore } from '../../src/records/index.js'
import { closeStores, exampleZone, http, openStore, startAdmin } from './admin-helpers.js'

const ORIGIN = 'example.com.'
const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f()
  await closeStores()
})

interface Served {
  store: AdminStore
  url: string
  dns: { address: string; port: number }
  /** Serial → the names added by the update that produced it (from the `updated` events). */
  added: Map<number, string[]>
  serials: number[]
}

async function serve(): Promise<Served> {
  const store = await openStore([exampleZone()])
  const added = new Map<number, string[]>()
  const serials: number[] = []
  store.on('updated', (e) => {
    serials.push(e.serial)
    added.set(e.serial, e.changes.flatMap((c) => (c.op === 'add' ? [c.record.name.toLowerCase()] : [])))
  })
  // The Authority serves the store's zones and swaps each new version in whole.
  const auth = new Authority({ store, notify: false, allowTransfer: ['127.0.0.0/8'] })
  const server = new DnsServer({ handler: auth })
  const bound = await server.listen({ address: '127.0.0.1', port: 0 })
  cleanup.push(() => server.close())
  const admin = await startAdmin(store)
  cleanup.push(() => admin.close())
  return { store, url: admin.url, dns: { address: '127.0.0.1', port: bound.port }, added, serials }
}

/**
 * Reads the served zone until `done` (and at least `min` times): each AXFR must pass
 * checkZone and hold exactly the edits acknowledged up to its serial; SOA serials over UDP
 * never go back.
 */
async function sample(s: Served, done: () => boolean, min: number): Promise<{ axfr: number; soa: number }> {
  let axfr = 0
  let soa = 0
  let lastSerial = 0
  while (!done() || axfr + soa < min) {
    const answer = await query(s.dns, { name: ORIGIN, type: 'SOA' }, { timeoutMs: 5000 })
    const serial = ((answer.packet.answers![0] as { data: { serial: number } }).data).serial
    expect(serial).toBeGreaterThanOrEqual(lastSerial)
    lastSerial = serial
    soa++
    if (soa % 8 !== 0) continue // an AXFR every 8th sample: each costs the whole zone
    const t = await transferIn({ origin: ORIGIN, server: s.dns, kind: 'axfr', timeoutMs: 10_000 })
    const zone = t.zone!
    expect(checkZone(zone).ok).toBe(true)
    const names = new Set([...zone.eachRecord()].filter((r) => /^e\d+\./.test(r.name)).map((r) => r.name.toLowerCase()))
    const expected = new Set<string>()
    for (const [serial, list] of s.added) if (serial <= t.serial) for (const n of list) if (/^e\d+\./.test(n)) expected.add(n)
    expect(names).toEqual(expected)
    axfr++
  }
  return { axfr, soa }
}

/** Every acknowledged name present exactly once; serials strictly increasing, one per update. */
function checkAcknowledged(s: Served, acked: string[], start: number): void {
  const zone = s.store.zone(ORIGIN)
  for (const name of acked) expect(zone.rrset(name, 'A')?.records.length, name).toBe(1)
  const all = [...zone.eachRecord()].filter((r) => /^e\d+\./.test(r.name))
  expect(all.length).toBe(acked.length)
  for (let i = 1; i < s.serials.length; i++) expect(s.serials[i]!).toBeGreaterThan(s.serials[i - 1]!)
  expect(s.serials.length).toBe(acked.length)
  expect(s.store.serial(ORIGIN)).toBe(start + acked.length)
  expect(checkZone(zone).ok).toBe(true)
}

describe('concurrent API edits', () => {
  it('1,000 concurrent adds without ifSerial: all acknowledged, each once, serials strictly increasing, no torn reads', async () => {
    const s = await serve()
    let finished = false
    const edits = Promise.all(Array.from({ length: 1000 }, async (_, i) => {
      const r = await http(s.url, 'POST', `/api/zones/${ORIGIN}/records`, { body: { record: { name: `e${i}`, type: 'A', data: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}` } } })
      expect(r.status).toBe(201)
      return { name: `e${i}.example.com.`, serial: r.json.serial as number }
    })).finally(() => (finished = true))
    const [results, samples] = await Promise.all([edits, sample(s, () => finished, 200)])
    expect(new Set(results.map((r) => r.serial)).size).toBe(1000)
    checkAcknowledged(s, results.map((r) => r.name), 100)
    expect(samples.axfr + samples.soa).toBeGreaterThanOrEqual(200)
    expect(samples.axfr).toBeGreaterThanOrEqual(25)
  }, 300_000)

  it('1,000 concurrent adds with the same ifSerial: exactly one wins, 999 get 409 with the serial', async () => {
    const s = await serve()
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) =>
      http(s.url, 'POST', `/api/zones/${ORIGIN}/records`, { body: { record: { name: `e${i}`, type: 'A', data: '10.0.0.1' }, ifSerial: 100 } })))
    const won = results.filter((r) => r.status === 201)
    expect(won.length).toBe(1)
    expect(results.filter((r) => r.status === 409).length).toBe(999)
    for (const r of results) if (r.status === 409) expect(r.json.error.details.serial).toBeGreaterThanOrEqual(101)
    checkAcknowledged(s, [won[0]!.json.changes[0].record.name], 100)
  }, 300_000)

  it('clients that retry on 409 with the serial they are given all land, each once', async () => {
    const s = await serve()
    let conflicts = 0
    let finished = false
    const edits = Promise.all(Array.from({ length: 25 }, async (_, i) => {
      let serial = (await http(s.url, 'GET', `/api/zones/${ORIGIN}`)).json.serial as number
      for (;;) {
        const r = await http(s.url, 'POST', `/api/zones/${ORIGIN}/records`, { body: { record: { name: `e${i}`, type: 'A', data: '10.0.0.2' }, ifSerial: serial } })
        if (r.status === 201) return `e${i}.example.com.`
        expect(r.status).toBe(409)
        conflicts++
        serial = r.json.error.details.serial
      }
    })).finally(() => (finished = true))
    const [names] = await Promise.all([edits, sample(s, () => finished, 20)])
    expect(conflicts).toBeGreaterThan(0)
    checkAcknowledged(s, names, 100)
  }, 300_000)
})
