// The forwarder behind a real DnsServer on 127.0.0.1, with misbehaving upstreams on real UDP
// sockets: silent, garbage, wrong id, wrong question, wrong source port, an answer too big for
// UDP; and hosts files deleted or corrupted under a running watcher.
import dnsPacket from 'dns-packet'
import dgram from 'node:dgram'
import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { query } from '../../src/client/query.js'
import { Forwarder } from '../../src/forwarder/forwarder.js'
import type { ForwarderOptions } from '../../src/forwarder/forwarder.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { respond } from '../../src/server/respond.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

type Reply = (msg: Buffer) => { bytes: Buffer; viaOtherSocket?: boolean }[]

/** A raw UDP upstream on 127.0.0.1:0 answering with `reply`. */
async function rawUpstream(reply: Reply): Promise<{ port: number; received: () => number }> {
  const socket = dgram.createSocket('udp4')
  const other = dgram.createSocket('udp4')
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r))
  await new Promise<void>((r) => other.bind(0, '127.0.0.1', r))
  let received = 0
  socket.on('message', (msg, rinfo) => {
    received++
    for (const r of reply(msg)) (r.viaOtherSocket ? other : socket).send(r.bytes, rinfo.port, rinfo.address)
  })
  cleanups.push(() => {
    socket.close()
    other.close()
  })
  return { port: socket.address().port, received: () => received }
}

function answerTo(msg: Buffer, data: string, patch: (p: dnsPacket.Packet) => void = () => {}): Buffer {
  const q = dnsPacket.decode(msg)
  const p: dnsPacket.Packet = {
    id: q.id,
    type: 'response',
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: q.questions,
    answers: [{ name: q.questions![0]!.name, type: 'A', ttl: 300, data }],
  }
  patch(p)
  return dnsPacket.encode(p)
}

async function startForwarder(options: ForwarderOptions): Promise<{ forwarder: Forwarder; port: number }> {
  const forwarder = new Forwarder(options)
  await forwarder.start()
  const server = new DnsServer({ handler: forwarder })
  const { port } = await server.listen({ port: 0, address: '127.0.0.1' })
  cleanups.push(async () => {
    await server.close()
    await forwarder.close()
  })
  return { forwarder, port }
}

const ask = (port: number, name: string, type = 'A', tcp = false) => query({ address: '127.0.0.1', port }, { name, type }, { timeoutMs: 3000, retries: 0, tcp })
const addresses = (r: Awaited<ReturnType<typeof ask>>) => (r.packet.answers ?? []).map((a) => String((a as { data: unknown }).data))

describe('forwarder over real sockets: misbehaving upstreams', () => {
  const good: Reply = (msg) => [{ bytes: answerTo(msg, '192.0.2.2') }]
  const cases: [string, Reply][] = [
    ['silent', () => []],
    ['garbage', () => [{ bytes: Buffer.from('this is not a DNS message at all') }]],
    ['wrong id', (msg) => [{ bytes: answerTo(msg, '6.6.6.6', (p) => (p.id = ((p.id ?? 0) + 1) & 0xffff)) }]],
    ['wrong question', (msg) => [{ bytes: answerTo(msg, '6.6.6.6', (p) => (p.questions = [{ name: 'evil.example', type: 'A' }])) }]],
    ['wrong source port', (msg) => [{ bytes: answerTo(msg, '6.6.6.6'), viaOtherSocket: true }]],
  ]
  for (const [label, reply] of cases) {
    it(`${label}: the client gets the next upstream's answer; the bad one is dropped and never cached`, async () => {
      const bad = await rawUpstream(reply)
      const next = await rawUpstream(good)
      const { forwarder, port } = await startForwarder({ strategy: 'strict', servers: [{ address: '127.0.0.1', port: bad.port }, { address: '127.0.0.1', port: next.port }], timeoutMs: 300 })
      const r = await ask(port, 'victim.example')
      expect(addresses(r)).toEqual(['192.0.2.2'])
      expect(bad.received()).toBe(1)
      // Marked down: the next query goes straight to the good upstream, and the cache holds the good answer.
      const started = Date.now()
      expect(addresses(await ask(port, 'other.example'))).toEqual(['192.0.2.2'])
      expect(Date.now() - started).toBeLessThan(250)
      expect(addresses(await ask(port, 'victim.example'))).toEqual(['192.0.2.2'])
      const snap = forwarder.snapshot()
      expect(snap.upstreams[0]!.status).toBe('down')
      if (label !== 'silent') expect(snap.mismatches).toBeGreaterThanOrEqual(1)
    })
  }

  it('all upstreams bad: SERVFAIL, nothing cached', async () => {
    const bad = await rawUpstream((msg) => [{ bytes: answerTo(msg, '6.6.6.6', (p) => (p.id = ((p.id ?? 0) + 7) & 0xffff)) }])
    const { forwarder, port } = await startForwarder({ servers: [{ address: '127.0.0.1', port: bad.port }], timeoutMs: 200 })
    const r = await ask(port, 'victim.example')
    expect(r.packet.rcode).toBe('SERVFAIL')
    expect(forwarder.snapshot().cache.size).toBe(0)
  })

  it('an answer larger than UDP is fetched over TCP upstream and reaches a TCP client whole', async () => {
    const upstream = new DnsServer({
      handler: (q) => respond(q, { answers: Array.from({ length: 120 }, (_, i) => ({ name: q.question!.name, type: 'AAAA' as const, ttl: 60, data: `2001:db8::${i.toString(16)}` })) }),
    })
    const { port: upPort } = await upstream.listen({ port: 0, address: '127.0.0.1' })
    cleanups.push(() => upstream.close())
    const { forwarder, port } = await startForwarder({ servers: [{ address: '127.0.0.1', port: upPort }] })
    const udp = await query({ address: '127.0.0.1', port }, { name: 'big.example', type: 'AAAA' }, { timeoutMs: 3000, retries: 0 })
    // Our client follows TC to TCP by itself; either way the answer is complete.
    expect(udp.packet.answers).toHaveLength(120)
    expect(udp.transport).toBe('tcp')
    const tcp = await ask(port, 'big.example', 'AAAA', true)
    expect(tcp.packet.answers).toHaveLength(120)
    expect(forwarder.snapshot().forwarded).toBe(1)
  })
})

describe('forwarder over real sockets: hosts files under a watcher', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dns-ha-forwarder-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('picks up an atomic replace, keeps old data when the file is corrupted or deleted', async () => {
    const file = join(dir, 'hosts')
    writeFileSync(file, '10.0.0.1 app.lan\n')
    const { forwarder, port } = await startForwarder({ hostsFiles: [file], watchDebounceMs: 20 })
    const reloads: { ok: boolean }[] = []
    const nextReload = () => new Promise<{ ok: boolean; errors: { file: string; message: string }[] }>((resolve) => forwarder.once('reload', (r) => (reloads.push(r), resolve(r))))
    expect(addresses(await ask(port, 'app.lan'))).toEqual(['10.0.0.1'])

    let reloaded = nextReload()
    writeFileSync(`${file}.tmp`, '10.0.0.2 app.lan\n10.0.0.3 new.lan\n')
    renameSync(`${file}.tmp`, file)
    expect((await reloaded).ok).toBe(true)
    expect(addresses(await ask(port, 'app.lan'))).toEqual(['10.0.0.2'])

    reloaded = nextReload()
    writeFileSync(file, '10.0.0.9 app.lan\n\u0000\u0001\u0002 corrupted\n')
    const bad = await reloaded
    expect(bad.ok).toBe(false)
    expect(bad.errors[0]!.message).toContain(`${file}:2`)
    expect(addresses(await ask(port, 'app.lan'))).toEqual(['10.0.0.2'])

    reloaded = nextReload()
    unlinkSync(file)
    expect((await reloaded).ok).toBe(false)
    expect(addresses(await ask(port, 'new.lan'))).toEqual(['10.0.0.3'])

    reloaded = nextReload()
    writeFileSync(file, '10.0.0.4 app.lan\n')
    expect((await reloaded).ok).toBe(true)
    expect(addresses(await ask(port, 'app.lan'))).toEqual(['10.0.0.4'])
    expect((await ask(port, 'new.lan')).packet.rcode).toBe('SERVFAIL') // gone from hosts, no upstreams
  })
})
