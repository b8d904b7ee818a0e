import { EventEmitter } from 'eventemitter3'
import { afterEach, describe, expect, it } from 'vitest'
import { serveAdmin } from '../../src/records/index.js'
import type { AdminServer, AdminStore } from '../../src/records/index.js'
import { checkZone, formatRecord, parseZone } from '../../src/zone/index.js'
import type { Zone } from '../../src/zone/index.js'
import { closeStores, exampleZone, http, openStore, READ, startAdmin, WRITE, ZONE_TEXT } from './admin-helpers.js'

const open: { close(): Promise<void> }[] = []

/** The error a promise rejects with (a promise that resolves fails the test). */
async function errorOf(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  return p.then(() => { throw new Error('did not reject') }, (e: { code?: string; message: string }) => e)
}
afterEach(async () => {
  for (const s of open.splice(0)) await s.close()
  await closeStores()
})

async function setup(options: Parameters<typeof startAdmin>[1] = {}, zones: Zone[] = [exampleZone()]): Promise<{ store: AdminStore; admin: AdminServer & { url: string } }> {
  const store = await openStore(zones)
  const admin = await startAdmin(store, options)
  open.push(admin)
  return { store, admin }
}

/** The zone's records as sorted master-file lines. */
function lines(zone: Zone): string[] {
  return zone.records.map((r) => formatRecord(r)).sort()
}

describe('serveAdmin options', () => {
  it('refuses no tokens, short tokens, bad access, bad maxBodyBytes', async () => {
    const store = await openStore([exampleZone()])
    expect((await errorOf(serveAdmin({ store, tokens: [] }))).message).toMatch(/at least one token/)
    expect((await errorOf(serveAdmin({ store, tokens: [{ token: 'short', name: 'x', access: 'write' }] }))).message).toMatch(/shorter than 16/)
    expect((await errorOf(serveAdmin({ store, tokens: [{ token: WRITE, name: 'x', access: 'admin' as 'read' }] }))).message).toMatch(/access 'admin'/)
    expect((await errorOf(serveAdmin({ store, tokens: [{ token: WRITE, name: 'x', access: 'read' }], maxBodyBytes: 0 }))).message).toMatch(/maxBodyBytes/)
  })

  it('listens on loopback by default and reports a port in use as ERR_RECORDS_LISTEN', async () => {
    const { store, admin } = await setup()
    expect(admin.address).toBe('127.0.0.1')
    const e = await errorOf(serveAdmin({ store, port: admin.port, tokens: [{ token: WRITE, name: 'x', access: 'write' }] }))
    expect(e).toMatchObject({ code: 'ERR_RECORDS_LISTEN' })
  })
})

describe('authentication', () => {
  it('401 without a token, with an unknown one, or a malformed header; JSON body and WWW-Authenticate', async () => {
    const { admin } = await setup()
    for (const token of [null, 'not-a-known-token-at-all', `${WRITE}x`, WRITE.slice(0, -1)]) {
      const r = await http(admin.url, 'GET', '/api/zones', { token })
      expect(r.status).toBe(401)
      expect(r.json.error.code).toBe('ERR_RECORDS_UNAUTHORIZED')
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/)
    }
    const basic = await fetch(`${admin.url}/api/zones`, { headers: { Authorization: `Basic ${WRITE}` } })
    expect(basic.status).toBe(401)
  })

  it('a read token reads but gets 403 on every write, and nothing changes', async () => {
    const { store, admin } = await setup()
    expect((await http(admin.url, 'GET', '/api/zones', { token: READ })).status).toBe(200)
    const record = { name: 'new', type: 'A', data: '192.0.2.99' }
    const writes = [
      await http(admin.url, 'POST', '/api/zones/example.com./records', { token: READ, body: { record } }),
      await http(admin.url, 'PUT', '/api/zones/example.com./records', { token: READ, body: { old: record, new: record } }),
      await http(admin.url, 'DELETE', '/api/zones/example.com./records', { token: READ, body: { record } }),
      await http(admin.url, 'PUT', '/api/zones/example.com./import', { token: READ, body: ZONE_TEXT }),
    ]
    for (const r of writes) {
      expect(r.status).toBe(403)
      expect(r.json.error).toEqual({ code: 'ERR_RECORDS_FORBIDDEN', message: "token 'viewer' is read-only" })
    }
    expect(store.serial('example.com.')).toBe(100)
  })

  it('sets no cookie and serves the page without a token', async () => {
    const { admin } = await setup()
    const page = await http(admin.url, 'GET', '/', { token: null })
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/text\/html/)
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/)
    expect(page.text).toContain('<script src="/admin.js"></script>')
    const script = await http(admin.url, 'GET', '/admin.js', { token: null })
    expect(script.headers.get('content-type')).toMatch(/javascript/)
    expect(script.text).toContain("sessionStorage.getItem('dns-ha-token')")
    expect(script.text).not.toMatch(/innerHTML/)
    for (const r of [page, script, await http(admin.url, 'GET', '/api/zones')]) expect(r.headers.get('set-cookie')).toBeNull()
  })
})

describe('response headers', () => {
  it('sends no-store and nosniff on every answer: data, created, 4xx from a handler, 401, 404, the page', async () => {
    const { admin } = await setup()
    const answers = [
      await http(admin.url, 'GET', '/api/zones'),
      await http(admin.url, 'POST', '/api/zones/example.com./records', { body: { record: { name: 'hdr', type: 'A', data: '192.0.2.9' } } }),
      await http(admin.url, 'POST', '/api/zones/example.com./records', { body: { record: { name: 'hdr', type: 'A', data: 'not-an-address' } } }),
      await http(admin.url, 'GET', '/api/zones', { token: null }),
      await http(admin.url, 'GET', '/api/zones/nowhere./records'),
      await http(admin.url, 'GET', '/'),
    ]
    expect(answers.map((a) => a.status)).toEqual([200, 201, 422, 401, 404, 200])
    for (const a of answers) expect([a.headers.get('cache-control'), a.headers.get('x-content-type-options')]).toEqual(['no-store', 'nosniff'])
  })
})

describe('reading', () => {
  it('health, zones, one zone with serial and counts, 404s as JSON', async () => {
    const { admin } = await setup({}, [exampleZone(), exampleZone(ZONE_TEXT, 'example.net.')])
    expect((await http(admin.url, 'GET', '/api/health')).json).toEqual({ status: 'ok', zones: 2 })
    expect((await http(admin.url, 'GET', '/api/zones')).json).toEqual({
      zones: [{ origin: 'example.com.', serial: 100, records: 8 }, { origin: 'example.net.', serial: 100, records: 8 }],
    })
    const z = await http(admin.url, 'GET', '/api/zones/EXAMPLE.com')
    expect(z.json).toEqual({ origin: 'example.com.', serial: 100, records: 8, rrsets: 7, names: 5, journalEntries: 0, replication: [] })
    const missing = await http(admin.url, 'GET', '/api/zones/example.org.')
    expect(missing.status).toBe(404)
    expect(missing.json.error.code).toBe('ERR_RECORDS_UNKNOWN_ZONE')
    const route = await http(admin.url, 'GET', '/api/nothing')
    expect(route.status).toBe(404)
    expect(route.json.error.code).toBe('ERR_RECORDS_NOT_FOUND')
  })

  it('lists records with presentation rdata, filtered by name, type and search', async () => {
    const { admin } = await setup()
    const all = await http(admin.url, 'GET', '/api/zones/example.com./records')
    expect(all.json.total).toBe(8)
    expect(all.json.serial).toBe(100)
    expect(all.json.records[0]).toEqual({ name: 'example.com.', type: 'SOA', ttl: 3600, data: 'ns1.example.com. hostmaster.example.com. 100 7200 900 1209600 300' })
    const www = await http(admin.url, 'GET', '/api/zones/example.com./records?name=www&type=a')
    expect(www.json.records).toEqual([
      { name: 'www.example.com.', type: 'A', ttl: 3600, data: '192.0.2.10' },
      { name: 'www.example.com.', type: 'A', ttl: 3600, data: '192.0.2.11' },
    ])
    const mx = await http(admin.url, 'GET', '/api/zones/example.com./records?search=MAIL')
    expect(mx.json.records.map((r: { type: string }) => r.type).sort()).toEqual(['A', 'MX'])
  })

  it('pages in a stable order; a cursor survives edits before and after it', async () => {
    const extra = Array.from({ length: 250 }, (_, i) => `h${String(i).padStart(3, '0')} IN A 10.0.${i >> 8}.${i & 255}`).join('\n')
    const { admin } = await setup({}, [exampleZone(`${ZONE_TEXT}${extra}\n`)])
    const seen: string[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const r = await http(admin.url, 'GET', `/api/zones/example.com./records?limit=100${cursor ? `&cursor=${cursor}` : ''}`)
      expect(r.status).toBe(200)
      expect(r.json.total).toBe(258 + pages) // one record added per page below
      seen.push(...r.json.records.map((x: { name: string; data: string }) => `${x.name} ${x.data}`))
      cursor = r.json.next
      // An edit between pages: a record sorting before the cursor, so offsets would shift.
      await http(admin.url, 'POST', '/api/zones/example.com./records', { body: { record: { name: `a${pages}`, type: 'A', data: '192.0.2.200' } } })
      pages++
    } while (cursor !== undefined)
    expect(pages).toBe(3)
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.filter((s) => s.startsWith('h')).length).toBe(250)
    expect(seen.slice(0, 2)).toEqual(['example.com. ns1.example.com. hostmaster.example.com. 100 7200 900 1209600 300', 'example.com. ns1.example.com.'])
    for (const bad of ['limit=0', 'limit=1001', 'limit=x', 'cursor=%25%25']) {
      const r = await http(admin.url, 'GET', `/api/zones/example.com./records?${bad}`)
      expect(r.status, bad).toBe(400)
      expect(r.json.error.code).toBe('ERR_RECORDS_BAD_REQUEST')
    }
  })

  it('exports master-file text that reads back to the same zone', async () => {
    const { store, admin } = await setup()
    const r = await http(admin.url, 'GET', '/api/zones/example.com./export')
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/^text\/dns/)
    expect(lines(parseZone(r.text, { origin: 'example.com.' }))).toEqual(lines(store.zone('example.com.')))
  })
})

describe('editing', () => {
  it('adds a record (201), served at once with a new serial, recorded with the token name', async () => {
    const { store, admin } = await setup()
    const sources: unknown[] = []
    ;(store as unknown as EventEmitter).on('updated', (e: { source: unknown }) => sources.push(e.source))
    const r = await http(admin.url, 'POST', '/api/zones/example.com./records', { body: { record: { name: 'api', type: 'TXT', ttl: 60, data: '"hello world"' } } })
    expect(r.status).toBe(201)
    expect(r.json).toEqual({ origin: 'example.com.', previousSerial: 100, serial: 101, changes: [{ op: 'add', record: { name: 'api.example.com.', type: 'TXT', ttl: 60, data: '"hello world"' } }] })
    expect(store.zone('example.com.').rrset('api.example.com.', 'TXT')?.records[0]?.ttl).toBe(60)
    expect(sources).toEqual(['api:ops'])
    const batch = await http(admin.url, 'POST', '/api/zones/example.com./records', { body: { records: [{ name: 'b1', type: 'A', data: '192.0.2.31' }, { name: 'b2.example.com.', type: 'AAAA', data: '2001:db8::2' }] } })
    expect(batch.status).toBe(201)
    expect(batch.json.serial).toBe(102)
    expect(store.zone('example.com.').rrset('b1.example.com.', 'A')?.records[0]?.ttl).toBe(3600) // the SOA's TTL
  })

  it('422 with the parser message for bad rdata, a bad name, type or TTL; nothing changes', async () => {
    const { store, admin } = await setup()
    const cases: [unknown, RegExp][] = [
      [{ name: 'x', type: 'A', data: '192.0.2.300' }, /line 1, column \d+: .*192\.0\.2\.300/],
      [{ name: 'x', type: 'MX', data: 'mail' }, /line 1, column \d+/],
      [{ name: 'x y', type: 'A', data: '192.0.2.1' }, /name must be a domain name/],
      [{ name: '$INCLUDE', type: 'A', data: '/etc/passwd' }, /name must be a domain name/],
      [{ name: 'x', type: 'NOPE', data: '1' }, /unknown type/],
      [{ name: 'x', type: 'A', ttl: -1, data: '192.0.2.1' }, /ttl must be an integer/],
      [{ name: 'x', type: 'A', data: '192.0.2.1\nevil IN A 192.0.2.2' }, /one line/],
      ['just text', /must be an object/],
    ]
    for (const [record, message] of cases) {
      const r = await http(admin.url, 'POST', '/api/zones/example.com./records', { body: { record } })
      expect(r.status, JSON.stringify(record)).toBe(422)
      expect(r.json.error.message).toMatch(message)
    }
    const inBatch = await http(admin.url, 'POST', '/api/zones/example.com./records', { body: { records: [{ name: 'ok', type: 'A', data: '192.0.2.1' }, { name: 'x', type: 'A', data: 'nope' }] } })
    expect(inBatch.status).toBe(422)
    expect(inBatch.json.error.details.field).toBe('records[1]')
    expect(store.serial('example.com.')).toBe(100)
    expect(store.zone('example.com.').has('ok.example.com.')).toBe(false)
  })

  it("422 for a change that would break the zone or leave it, with the store's reason", async () => {
    const { store, admin } = await setup()
    const cname = await http(admin.url, 'POST', '/api/zones/example.com./records', { body: { record: { name: 'alias', type: 'A', data: '192.0.2.5' } } })
    expect(cname.status).toBe(422)
    expect(cname.json.error.code).toBe('ERR_RECORDS_INVALID')
    const outside = await http(admin.url, 'POST', '/api/zones/example.com./records', { body: { record: { name: 'www.example.org.', type: 'A', data: '192.0.2.5' } } })
    expect(outside.status).toBe(422)
    expect(outside.json.error.code).toBe('ERR_RECORDS_NOTZONE')
    const lastNs = await http(admin.url, 'DELETE', '/api/zones/example.com./records', { body: { name: '@', type: 'NS' } })
    expect(lastNs.status).toBe(422)
    expect(store.serial('example.com.')).toBe(100)
  })

  it('409 with the current serial when ifSerial is stale; succeeds when current', async () => {
    const { store, admin } = await setup()
    const ok = await http(admin.url, 'POST', '/api/zones/example.com./records', { body: { record: { name: 'one', type: 'A', data: '192.0.2.1' }, ifSerial: 100 } })
    expect(ok.status).toBe(201)
    const stale = await http(admin.url, 'POST', '/api/zones/example.com./records', { body: { record: { name: 'two', type: 'A', data: '192.0.2.2' }, ifSerial: 100 } })
    expect(stale.status).toBe(409)
    expect(stale.json.error.code).toBe('ERR_RECORDS_CONFLICT')
    expect(stale.json.error.details).toEqual({ serial: 101 })
    expect(store.zone('example.com.').has('two.example.com.')).toBe(false)
    const badSerial = await http(admin.url, 'POST', '/api/zones/example.com./records', { body: { record: { name: 'two', type: 'A', data: '192.0.2.2' }, ifSerial: 'x' } })
    expect(badSerial.status).toBe(400)
  })

  it('PUT changes one record in one update; 404 when the old one is gone', async () => {
    const { store, admin } = await setup()
    const r = await http(admin.url, 'PUT', '/api/zones/example.com./records', {
      body: { old: { name: 'www', type: 'A', data: '192.0.2.10' }, new: { name: 'www', type: 'A', ttl: 300, data: '192.0.2.12' } },
    })
    expect(r.status).toBe(200)
    expect(r.json.serial).toBe(101)
    expect(r.json.changes.map((c: { op: string }) => c.op)).toEqual(['delete', 'add'])
    expect(store.zone('example.com.').rrset('www.example.com.', 'A')!.records.map((x) => x.data).sort()).toEqual(['192.0.2.11', '192.0.2.12'])
    const gone = await http(admin.url, 'PUT', '/api/zones/example.com./records', { body: { old: { name: 'www', type: 'A', data: '192.0.2.10' }, new: { name: 'www', type: 'A', data: '192.0.2.13' } } })
    expect(gone.status).toBe(404)
    expect(store.serial('example.com.')).toBe(101)
    expect((await http(admin.url, 'PUT', '/api/zones/example.com./records', { body: { new: { name: 'www', type: 'A', data: '192.0.2.13' } } })).status).toBe(400)
  })

  it('DELETE one record or an RRset; 404 for what is not there', async () => {
    const { store, admin } = await setup()
    const one = await http(admin.url, 'DELETE', '/api/zones/example.com./records', { body: { record: { name: 'www', type: 'A', data: '192.0.2.10' } } })
    expect(one.status).toBe(200)
    expect(store.zone('example.com.').rrset('www.example.com.', 'A')!.records.map((x) => x.data)).toEqual(['192.0.2.11'])
    const set = await http(admin.url, 'DELETE', '/api/zones/example.com./records', { body: { name: 'mail', type: 'a', ifSerial: 101 } })
    expect(set.status).toBe(200)
    expect(set.json.changes).toEqual([{ op: 'delete-rrset', name: 'mail.example.com.', type: 'A' }])
    expect(store.zone('example.com.').has('mail.example.com.')).toBe(false)
    for (const body of [{ record: { name: 'www', type: 'A', data: '192.0.2.99' } }, { name: 'nothing', type: 'A' }]) {
      const r = await http(admin.url, 'DELETE', '/api/zones/example.com./records', { body })
      expect(r.status).toBe(404)
    }
    expect((await http(admin.url, 'DELETE', '/api/zones/example.com./records', { body: {} })).status).toBe(400)
    expect(store.serial('example.com.')).toBe(102)
  })

  it('415 for a body of the wrong type, 400 for broken JSON', async () => {
    const { store, admin } = await setup()
    const record = { name: 'x', type: 'A', data: '192.0.2.1' }
    const asText = await http(admin.url, 'POST', '/api/zones/example.com./records', { body: JSON.stringify({ record }), type: 'text/plain' })
    expect(asText.status).toBe(415)
    expect(asText.json.error.code).toBe('ERR_RECORDS_MEDIA_TYPE')
    const form = await http(admin.url, 'DELETE', '/api/zones/example.com./records', { body: 'record=x', type: 'application/x-www-form-urlencoded' })
    expect(form.status).toBe(415)
    const importJson = await http(admin.url, 'PUT', '/api/zones/example.com./import', { body: { zone: ZONE_TEXT } })
    expect(importJson.status).toBe(415)
    const broken = await http(admin.url, 'POST', '/api/zones/example.com./records', { body: '{"record":', type: 'application/json; charset=utf-8' })
    expect(broken.status).toBe(400)
    expect(broken.json.error.message).toMatch(/not JSON/)
    expect(store.serial('example.com.')).toBe(100)
  })

  it('413 for a body over maxBodyBytes, declared or streamed, before it is read', async () => {
    const { store, admin } = await setup({ maxBodyBytes: 2048 })
    const big = { record: { name: 'big', type: 'TXT', data: `"${'x'.repeat(200)}" `.repeat(12) } }
    const declared = await http(admin.url, 'POST', '/api/zones/example.com./records', { body: big })
    expect(declared.status).toBe(413)
    expect(declared.json.error.code).toBe('ERR_RECORDS_TOO_LARGE')
    const text = JSON.stringify(big)
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < text.length; i += 512) controller.enqueue(new TextEncoder().encode(text.slice(i, i + 512)))
        controller.close()
      },
    })
    const chunked = await fetch(`${admin.url}/api/zones/example.com./records`, {
      method: 'POST', headers: { Authorization: `Bearer ${WRITE}`, 'Content-Type': 'application/json' }, body: stream, duplex: 'half',
    } as RequestInit)
    expect(chunked.status).toBe(413)
    const zoneText = `${ZONE_TEXT}${'; padding\n'.repeat(300)}`
    expect((await http(admin.url, 'PUT', '/api/zones/example.com./import', { body: zoneText })).status).toBe(413)
    // An unauthenticated client is told 401, not 413: it learns nothing about the limits.
    expect((await http(admin.url, 'POST', '/api/zones/example.com./records', { body: big, token: null })).status).toBe(401)
    expect(store.serial('example.com.')).toBe(100)
    const small = await http(admin.url, 'POST', '/api/zones/example.com./records', { body: { record: { name: 'small', type: 'TXT', data: '"ok"' } } })
    expect(small.status).toBe(201)
  })
})

describe('import', () => {
  const next = ZONE_TEXT.replace(' 100 ', ' 200 ').replace('mail    IN A   192.0.2.20', 'mail    IN A   192.0.2.21\nnew     IN AAAA 2001:db8::1')

  it('replaces the zone from master-file text, all at once', async () => {
    const { store, admin } = await setup()
    const r = await http(admin.url, 'PUT', '/api/zones/example.com./import?ifSerial=100', { body: next, type: 'text/dns' })
    expect(r.status).toBe(200)
    expect(r.json.previousSerial).toBe(100)
    expect(lines(store.zone('example.com.')).filter((l) => !l.includes('SOA'))).toEqual(lines(exampleZone(next)).filter((l) => !l.includes('SOA')))
  })

  it('422 with every syntax error by line and column, and nothing changed', async () => {
    const { store, admin } = await setup()
    const before = lines(store.zone('example.com.'))
    const bad = `${next}x IN A 192.0.2.256\ny IN MX ten mail\n`
    const r = await http(admin.url, 'PUT', '/api/zones/example.com./import', { body: bad })
    expect(r.status).toBe(422)
    expect(r.json.error.code).toBe('ERR_ZONE_SYNTAX')
    expect(r.json.error.message).toMatch(/^import:11:\d+: /)
    expect(r.json.error.details.errors.map((e: { line: number }) => e.line)).toEqual([11, 12])
    expect(r.json.error.details.errors[0].column).toBeGreaterThan(1)
    expect(lines(store.zone('example.com.'))).toEqual(before)
    expect(store.serial('example.com.')).toBe(100)
  })

  it('422 for a zone checkZone refuses, 409 for a stale ifSerial; $INCLUDE refused', async () => {
    const { store, admin } = await setup()
    const cname = await http(admin.url, 'PUT', '/api/zones/example.com./import', { body: `${next}alias IN A 192.0.2.9\n` })
    expect(cname.status).toBe(422)
    expect(cname.json.error.code).toBe('ERR_ZONE_CHECK')
    expect(cname.json.error.details.errors[0]).toMatchObject({ line: expect.any(Number), code: 'cname-and-other-data' })
    const include = await http(admin.url, 'PUT', '/api/zones/example.com./import', { body: `${next}$INCLUDE /etc/passwd\n` })
    expect(include.status).toBe(422)
    const stale = await http(admin.url, 'PUT', '/api/zones/example.com./import?ifSerial=99', { body: next })
    expect(stale.status).toBe(409)
    expect(stale.json.error.details.serial).toBe(100)
    expect(store.serial('example.com.')).toBe(100)
  })
})

describe('counters and replication', () => {
  it('counts requests by status and reports the store snapshot', async () => {
    const { admin } = await setup()
    await http(admin.url, 'GET', '/api/zones', { token: null })
    await http(admin.url, 'POST', '/api/zones/example.com./records', { token: READ, body: { record: {} } })
    await http(admin.url, 'POST', '/api/zones/example.com./records', { body: { record: { name: 'c', type: 'A', data: '192.0.2.1' } } })
    const r = await http(admin.url, 'GET', '/api/counters')
    expect(r.json.http).toEqual({ requests: 4, byStatus: { 401: 1, 403: 1, 201: 1 }, unauthorized: 1, forbidden: 1 })
    expect(r.json.store.updates).toBe(1)
    expect(r.json.store.zones[0]).toMatchObject({ origin: 'example.com.', serial: 101 })
  })

  it("shows each secondary's NOTIFY and transfer state from the authority's transfer events", async () => {
    const transfer = new EventEmitter()
    let now = 1_000
    const { admin } = await setup({ authority: { transfer } as never, clock: { now: () => now } as never })
    const target = { address: '192.0.2.53', port: 53 }
    transfer.emit('notify-sent', { zone: 'example.com.', serial: 101, target, attempt: 1 })
    now = 1_040
    transfer.emit('notify-acked', { zone: 'example.com.', serial: 101, target, attempt: 1, ms: 40, aa: true })
    transfer.emit('transfer-out', { zone: 'example.com.', serial: 101, kind: 'ixfr', requested: 'ixfr', client: { address: '192.0.2.53', port: 40000, family: 'IPv4' } })
    transfer.emit('notify-sent', { zone: 'example.com.', serial: 102, target: { address: '192.0.2.54', port: 5300 }, attempt: 5 })
    transfer.emit('notify-failed', { zone: 'example.com.', serial: 102, target: { address: '192.0.2.54', port: 5300 }, attempt: 5, reason: 'no answer after 5 tries' })
    const r = await http(admin.url, 'GET', '/api/zones/example.com')
    expect(r.json.replication).toEqual([
      { address: '192.0.2.53', port: 53, notifiedSerial: 101, notifiedAt: 1000, ackedSerial: 101, ackedAt: 1040, ackMs: 40, transferredSerial: 101, transferKind: 'ixfr', transferredAt: 1040 },
      { address: '192.0.2.54', port: 5300, notifiedSerial: 102, notifiedAt: 1040, lastFailure: 'no answer after 5 tries' },
    ])
    await admin.close()
    open.length = 0
    expect(transfer.listenerCount('notify-sent')).toBe(0)
  })
})

describe('a zone read through the API always passes checkZone', () => {
  it('export after a run of edits', async () => {
    const { admin } = await setup()
    for (let i = 0; i < 20; i++) await http(admin.url, 'POST', '/api/zones/example.com./records', { body: { record: { name: `n${i}`, type: 'A', data: `192.0.2.${i}` } } })
    const r = await http(admin.url, 'GET', '/api/zones/example.com./export')
    expect(checkZone(parseZone(r.text, { origin: 'example.com.' })).ok).toBe(true)
  })
})
