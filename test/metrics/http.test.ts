// The metrics over HTTP on 127.0.0.1 port 0: serveMetrics on its own listener and /metrics on the
// records admin listener (behind its tokens), scraped with fetch and parsed as Prometheus text.
// The records store's families are checked here on a real store with real edits.
import { afterEach, describe, expect, it } from 'vitest'
import { createMetrics, serveMetrics } from '../../src/metrics/index.js'
import { closeStores, exampleZone, openStore, READ, startAdmin } from '../records/admin-helpers.js'
import { scrapeText } from './helpers.js'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of closers.splice(0)) await c()
  await closeStores()
})

async function storeWithEdits() {
  const store = await openStore([exampleZone()])
  await store.update('example.com.', [{ op: 'add', record: { name: 'new.example.com.', type: 'A', ttl: 60, class: 'IN', data: '192.0.2.99' } as never }])
  await store.update('example.com.', [{ op: 'delete-name', name: 'mail.example.com.' }])
  await store.update('example.com.', [{ op: 'add', record: { name: 'elsewhere.example.org.', type: 'A', ttl: 60, class: 'IN', data: '192.0.2.1' } as never }]).catch(() => {})
  return store
}

describe('metrics over HTTP', () => {
  it('serveMetrics: GET /metrics is the Prometheus text (0.0.4) of the watched store; other paths 404', async () => {
    const store = await storeWithEdits()
    const metrics = await createMetrics()
    metrics.watch('primary', store)
    const http = await serveMetrics({ metrics, port: 0 })
    closers.push(() => http.close())
    expect(http.address).toBe('127.0.0.1')
    const res = await fetch(`http://127.0.0.1:${http.port}/metrics`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const s = scrapeText(await res.text())
    const zone = { store: 'primary', zone: 'example.com.' }
    expect(s.value('dnsha_records_zone_serial', zone)).toBe(102)
    expect(s.value('dnsha_records_zone_records', zone)).toBe(store.zone('example.com.').size)
    expect(s.value('dnsha_records_journal_entries', zone)).toBe(2)
    expect(s.value('dnsha_records_updates_total', { store: 'primary' })).toBe(2)
    expect(s.value('dnsha_records_rejected_updates_total', { store: 'primary' })).toBe(1)
    expect(s.type('dnsha_records_updates_total')).toBe('counter')
    expect(s.type('dnsha_records_zone_serial')).toBe('gauge')
    expect(s.families.get('dnsha_records_zone_serial')!.help).toMatch(/serial/)

    expect((await fetch(`http://127.0.0.1:${http.port}/`)).status).toBe(404)
    expect((await fetch(`http://127.0.0.1:${http.port}/metrics`, { method: 'POST' })).status).toBe(405)
  })

  it('serveAdmin({ metrics }): /metrics on the admin listener, with a token (401 without)', async () => {
    const store = await storeWithEdits()
    const metrics = await createMetrics()
    metrics.watch('primary', store)
    const admin = await startAdmin(store, { metrics })
    closers.push(() => admin.close())
    expect((await fetch(`${admin.url}/metrics`)).status).toBe(401)
    const res = await fetch(`${admin.url}/metrics`, { headers: { authorization: `Bearer ${READ}` } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const s = scrapeText(await res.text())
    expect(s.value('dnsha_records_updates_total', { store: 'primary' })).toBe(2)
  })

  it('without metrics the admin listener has no /metrics route', async () => {
    const store = await openStore([exampleZone()])
    const admin = await startAdmin(store)
    closers.push(() => admin.close())
    expect((await fetch(`${admin.url}/metrics`, { headers: { authorization: `Bearer ${READ}` } })).status).toBe(404)
  })

  it('a port in use is a DnsHaError ERR_METRICS_LISTEN', async () => {
    const metrics = await createMetrics()
    const first = await serveMetrics({ metrics })
    closers.push(() => first.close())
    await expect(serveMetrics({ metrics, port: first.port })).rejects.toMatchObject({ code: 'ERR_METRICS_LISTEN' })
  })
})
