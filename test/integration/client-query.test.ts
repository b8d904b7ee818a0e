// query() against a real DnsServer on 127.0.0.1, port 0: UDP, TCP, truncation → TCP, EDNS,
// 0x20, relayed messages, failures, and no socket or timer left behind.
import dgram from 'node:dgram'
import net from 'node:net'
import dnsPacket from 'dns-packet'
import type { Answer } from 'dns-packet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { query } from '../../src/client/query.js'
import type { QueryResult } from '../../src/client/query.js'
import { readId } from '../../src/packet/wire.js'
import { DnsServer } from '../../src/server/dns-server.js'
import type { DnsQuery } from '../../src/server/query.js'
import { respond } from '../../src/server/respond.js'
import { isDnsHaError } from '../../src/util/errors.js'

const BIG = 80 // 80 A records ≈ 1.3 KB: over 512 and over 1232

function handler(q: DnsQuery) {
  const name = q.question!.name
  const lower = name.toLowerCase()
  if (lower === 'nx.example.') return respond(q, { aa: true, rcode: 'NXDOMAIN' })
  if (lower === 'slow.example.') return new Promise<undefined>(() => {}) // never answers
  const count = lower === 'big.example.' ? BIG : 1
  const answers: Answer[] = Array.from({ length: count }, (_, i) => ({ name, type: 'A', ttl: 60, data: `10.0.${i >> 8}.${i & 255}` }))
  return respond(q, { aa: true, answers })
}

let server: DnsServer
let target: { address: string; port: number }

beforeAll(async () => {
  server = new DnsServer({ handler, maxUdpSize: 4096, closeTimeoutMs: 100 })
  const bound = await server.listen({ port: 0, address: '127.0.0.1' })
  target = { address: bound.address, port: bound.port }
})

afterAll(async () => {
  await server.close()
})

/**
 * Waits (at most 1 s) until the only UDP and TCP handles left are the server's own listeners:
 * the client's sockets are all closed. Timers are checked by the unit tests on a FakeClock.
 */
async function expectOnlyServerSockets(): Promise<void> {
  let counts: Record<string, number> = {}
  for (let i = 0; i < 100; i++) {
    counts = {}
    for (const kind of process.getActiveResourcesInfo()) if (/UDP|TCP/.test(kind)) counts[kind] = (counts[kind] ?? 0) + 1
    if (counts.UDPWrap === 1 && counts.TCPServerWrap === 1 && !counts.TCPSocketWrap && !counts.TCPWrap) return
    await new Promise((r) => setTimeout(r, 10))
  }
  expect(counts).toEqual({ UDPWrap: 1, TCPServerWrap: 1 })
}

describe('query() against DnsServer on 127.0.0.1', () => {
  it('asks over UDP and gets the answer', async () => {
    const r = await query(target, { name: 'www.example.' }, { timeoutMs: 1000 })
    expect(r.transport).toBe('udp')
    expect(r.server).toEqual(target)
    expect(r.packet.rcode).toBe('NOERROR')
    expect(r.packet.flag_aa).toBe(true)
    expect(r.packet.answers).toEqual([expect.objectContaining({ name: 'www.example', type: 'A', data: '10.0.0.0' })])
    expect(r.rttMs).toBeGreaterThanOrEqual(0)
    await expectOnlyServerSockets()
  })

  it('asks over TCP when told to', async () => {
    const r = await query(target, { name: 'www.example.' }, { tcp: true, timeoutMs: 1000 })
    expect(r.transport).toBe('tcp')
    expect(r.packet.answers).toHaveLength(1)
    expect(server.snapshot().tcp.queries).toBeGreaterThan(0)
  })

  it('falls back to TCP when the UDP answer is truncated (no EDNS: 512 bytes)', async () => {
    const truncatedBefore = server.snapshot().udp.truncated
    const r = await query(target, { name: 'big.example.' }, { edns: false, timeoutMs: 1000 })
    expect(r.transport).toBe('tcp')
    expect(r.packet.flag_tc).toBe(false)
    expect(r.packet.answers).toHaveLength(BIG)
    expect(server.snapshot().udp.truncated).toBe(truncatedBefore + 1)
    await expectOnlyServerSockets()
  })

  it('falls back to TCP past the default EDNS size, and gets it over UDP with a larger one', async () => {
    const small = await query(target, { name: 'big.example.' }, { timeoutMs: 1000 })
    expect(small.transport).toBe('tcp')
    const large = await query(target, { name: 'big.example.' }, { edns: { udpPayloadSize: 4096 }, timeoutMs: 1000 })
    expect(large.transport).toBe('udp')
    expect(large.raw.length).toBeGreaterThan(1232)
    expect(large.packet.answers).toHaveLength(BIG)
    const opt = large.packet.additionals!.find((a) => a.type === 'OPT') as { udpPayloadSize: number } | undefined
    expect(opt?.udpPayloadSize).toBe(4096)
  })

  it('echoes the DO bit and returns NXDOMAIN as an answer, not an error', async () => {
    const r = await query(target, { name: 'nx.example.' }, { edns: { do: true }, timeoutMs: 1000 })
    expect(r.packet.rcode).toBe('NXDOMAIN')
    const opt = r.packet.additionals!.find((a) => a.type === 'OPT') as { flags: number }
    expect(opt.flags & dnsPacket.DNSSEC_OK).toBe(dnsPacket.DNSSEC_OK)
  })

  it('with randomizeCase gets the mixed-case name echoed by the server', async () => {
    const r = await query(target, { name: 'abcdefghijklmnop.example.' }, { randomizeCase: true, timeoutMs: 1000 })
    const asked = r.packet.questions![0]!.name
    expect(asked.toLowerCase()).toBe('abcdefghijklmnop.example')
    expect(asked).not.toBe('abcdefghijklmnop.example')
    expect(r.packet.answers![0]!.name).toBe(asked)
  })

  it('relays a client message: upstream sees a fresh id, raw carries it back', async () => {
    const clientQuery = dnsPacket.encode({ type: 'query', id: 0x4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: 'relay.example', type: 'A' }] })
    const r = await query(target, clientQuery, { timeoutMs: 1000 })
    expect(r.packet.answers![0]).toMatchObject({ name: 'relay.example', data: '10.0.0.0' })
    expect(readId(r.raw)).toBe(r.packet.id)
    // The caller patches the id back; here only check the bytes are the server's own.
    expect(r.raw.subarray(2).equals(dnsPacket.encode({ ...r.packet, id: 0 }).subarray(2))).toBe(true)
  })

  it('runs many queries at once, each matched to its own answer', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `n${i}.example.`)
    const results = await Promise.all(names.map((name) => query(target, { name }, { timeoutMs: 2000 })))
    results.forEach((r, i) => expect(r.packet.answers![0]!.name + '.').toBe(names[i]))
  })

  it('times out on a server that never answers, after every retry', async () => {
    const started = Date.now()
    const err = await query(target, { name: 'slow.example.' }, { timeoutMs: 100, retries: 2 }).catch((e: unknown) => e)
    expect(isDnsHaError(err, 'ERR_QUERY_TIMEOUT')).toBe(true)
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    await expectOnlyServerSockets()
  })

  it('aborts a query in flight', async () => {
    const controller = new AbortController()
    const p = query(target, { name: 'slow.example.' }, { timeoutMs: 5000, signal: controller.signal }).catch((e: unknown) => e)
    setTimeout(() => controller.abort(), 20)
    expect(isDnsHaError(await p, 'ERR_QUERY_ABORTED')).toBe(true)
  })

  it('reports ERR_QUERY_NETWORK for a refused TCP connection', async () => {
    const port = await freeTcpPort()
    const err = await query({ address: '127.0.0.1', port }, { name: 'www.example.' }, { tcp: true, timeoutMs: 1000 }).catch((e: unknown) => e)
    expect(isDnsHaError(err, 'ERR_QUERY_NETWORK')).toBe(true)
    expect(((err as Error).cause as { code?: string }).code).toBe('ECONNREFUSED')
  })

  it('ignores a spoofed answer from another port and takes the real one', async () => {
    // A fake "server" that forwards to the real one but first sends a forged answer from a second socket.
    const front = dgram.createSocket('udp4')
    const forger = dgram.createSocket('udp4')
    const upstream = dgram.createSocket('udp4')
    await Promise.all([front, forger, upstream].map((s) => new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))))
    front.on('message', (msg, rinfo) => {
      const forged = dnsPacket.decode(msg)
      forger.send(dnsPacket.encode({ ...forged, type: 'response', answers: [{ name: forged.questions![0]!.name, type: 'A', ttl: 60, data: '6.6.6.6' }] }), rinfo.port, rinfo.address)
      upstream.once('message', (answerBytes) => front.send(answerBytes, rinfo.port, rinfo.address))
      upstream.send(msg, target.port, target.address)
    })
    try {
      const r: QueryResult = await query({ address: '127.0.0.1', port: front.address().port }, { name: 'spoof.example.' }, { timeoutMs: 1000, retries: 0 })
      expect(r.packet.answers![0]).toMatchObject({ data: '10.0.0.0' })
      expect(r.ignored).toBe(1)
    } finally {
      for (const s of [front, forger, upstream]) s.close()
    }
  })
})

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}
