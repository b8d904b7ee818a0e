import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { DnsServer } from '../../src/server/dns-server.js'
import { DROP } from '../../src/server/handler.js'
import type { Handler } from '../../src/server/handler.js'
import type { QueryLogEntry } from '../../src/server/query-log.js'
import { respond } from '../../src/server/respond.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import type { Clock } from '../../src/util/clock.js'
import { memoryServer, memoryTcpClient, opt } from './helpers.js'

const www = (query: Parameters<typeof respond>[0]) =>
  respond(query, { aa: true, answers: [{ name: query.question!.name, type: 'A', ttl: 60, data: '192.0.2.1' }, { name: query.question!.name, type: 'A', ttl: 60, data: '192.0.2.2' }] })

/** A clock whose monotonic time moves 0.25 ms per reading: each query's micros is 250. */
function steppingClock(): Clock {
  const fake = new FakeClock()
  let t = 1000
  return {
    now: () => fake.now(),
    setTimeout: (fn, ms) => fake.setTimeout(fn, ms),
    clearTimeout: (h) => fake.clearTimeout(h),
    setInterval: (fn, ms) => fake.setInterval(fn, ms),
    clearInterval: (h) => fake.clearInterval(h),
    monotonic: () => (t += 0.25),
  }
}

describe('DnsServer query log', () => {
  it('UDP: one entry per query with client, transport, question, flags, rcode, answers, size and µs', async () => {
    const entries: QueryLogEntry[] = []
    const { udp } = await memoryServer(www, { queryLog: (e) => entries.push(e), clock: steppingClock() })
    const query = dnsPacket.encode({ type: 'query', id: 77, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.CHECKING_DISABLED, questions: [{ name: 'WwW.example.test', type: 'A' }], additionals: [opt(1232, { flags: dnsPacket.DNSSEC_OK })] })
    const [reply] = await udp(query, '127.0.0.9')
    expect(entries).toEqual([
      { client: '127.0.0.9:' + entries[0]!.port, address: '127.0.0.9', port: entries[0]!.port, transport: 'udp', id: 77, qname: 'WwW.example.test.', qtype: 'A', qclass: 'IN', flags: 'RD,DO,CD', rcode: 'NOERROR', answers: 2, size: reply!.length, micros: 250 },
    ])
    expect(entries[0]!.port).toBeGreaterThan(0)
  })

  it('FORMERR for an unreadable question is logged with the question empty', async () => {
    const entries: QueryLogEntry[] = []
    const { udp } = await memoryServer(www, { queryLog: (e) => entries.push(e) })
    // A header announcing one question, followed by a label running past the end.
    const bad = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0x61])
    const [reply] = await udp(bad)
    expect(reply![3]! & 0xf).toBe(1)
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ transport: 'udp', id: 0x1234, qname: '', qtype: '', qclass: '', flags: 'RD', rcode: 'FORMERR', answers: 0, size: 12 })
  })

  it('BADVERS (an extended rcode) is logged by its full name; dropped messages are not logged', async () => {
    const entries: QueryLogEntry[] = []
    const { udp } = await memoryServer((q) => (q.question!.name === 'drop.test.' ? DROP : www(q)), { queryLog: (e) => entries.push(e) })
    await udp(dnsPacket.encode({ type: 'query', id: 1, questions: [{ name: 'a.test', type: 'AAAA' }], additionals: [opt(1232, { ednsVersion: 1 })] }))
    await udp(dnsPacket.encode({ type: 'query', id: 2, questions: [{ name: 'drop.test', type: 'A' }] }))
    expect(entries.map((e) => [e.id, e.qtype, e.rcode])).toEqual([[1, 'AAAA', 'BADVERS']])
  })

  it('TCP: the entry says tcp', async () => {
    const entries: QueryLogEntry[] = []
    const { socket, frame, frames, settle } = await memoryTcpClient(www, { queryLog: (e) => entries.push(e) })
    socket.write(frame({ id: 9, questions: [{ name: 'tcp.test', type: 'MX', class: 'CH' }] }))
    await settle()
    expect(frames).toHaveLength(1)
    expect(entries).toEqual([expect.objectContaining({ transport: 'tcp', id: 9, qname: 'tcp.test.', qtype: 'MX', qclass: 'CH', flags: '', rcode: 'NOERROR', answers: 2, size: frames[0]!.length })])
  })

  it('the cache fast path (answerPlain) is logged too', async () => {
    const entries: QueryLogEntry[] = []
    const cached = dnsPacket.encode({ type: 'response', id: 0, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: [{ name: 'fast.test', type: 'A' }], answers: [{ name: 'fast.test', type: 'A', ttl: 5, data: '192.0.2.7' }] })
    let plainCalls = 0
    const handler: Handler = {
      handle: () => undefined,
      answerPlain: () => {
        plainCalls++
        return cached
      },
    }
    const { udp } = await memoryServer(handler, { queryLog: (e) => entries.push(e) })
    await udp(dnsPacket.encode({ type: 'query', id: 5, questions: [{ name: 'fast.test', type: 'A' }] }))
    expect(plainCalls).toBe(1)
    expect(entries).toEqual([expect.objectContaining({ id: 5, qname: 'fast.test.', rcode: 'NOERROR', answers: 1, size: cached.length })])
  })

  it('queryLog: true writes info("query", entry) to the server logger with component "query"; a logger sink works alike', async () => {
    const lines: unknown[][] = []
    const logger = { info: (...a: unknown[]) => lines.push(a) }
    const { udp } = await memoryServer(www, { logger, queryLog: true })
    await udp(dnsPacket.encode({ type: 'query', id: 3, questions: [{ name: 'x.test', type: 'A' }] }))
    const queryLines = lines.filter((l) => l[0] === 'query')
    expect(queryLines).toHaveLength(1)
    expect(queryLines[0]![1]).toMatchObject({ component: 'query', qname: 'x.test.', rcode: 'NOERROR', transport: 'udp' })

    const other: unknown[][] = []
    const s2 = await memoryServer(www, { queryLog: { info: (...a: unknown[]) => other.push(a) } })
    await s2.udp(dnsPacket.encode({ type: 'query', id: 4, questions: [{ name: 'y.test', type: 'A' }] }))
    expect(other).toEqual([['query', expect.objectContaining({ qname: 'y.test.', id: 4 })]])
  })

  it('off by default: a logger alone gets no per-query line; a throwing sink costs no answer', async () => {
    const lines: unknown[][] = []
    const { ask } = await memoryServer(www, { logger: { info: (...a: unknown[]) => lines.push(a), debug: (...a: unknown[]) => lines.push(a) } })
    await ask({ questions: [{ name: 'a.test', type: 'A' }] })
    expect(lines.map((l) => l[0])).toEqual(['listening'])
    const throwing = await memoryServer(www, { queryLog: () => { throw new Error('sink down') } })
    const r = await throwing.ask({ questions: [{ name: 'a.test', type: 'A' }] })
    expect(r.answers).toHaveLength(2)
  })
})

describe('DnsServer logger', () => {
  it('logs listening and closed at info, and handler errors at error with phase, client and err', async () => {
    const lines: [string, string, Record<string, unknown>][] = []
    const rec = (level: string) => (m: string, meta?: Record<string, unknown>) => lines.push([level, m, meta ?? {}])
    const network = new MemoryNetwork()
    const server = new DnsServer({ handler: () => { throw new Error('handler bug') }, network, logger: { info: rec('info'), error: rec('error') } })
    const { port } = await server.listen({ port: 53, address: '127.0.0.1' })
    const client = network.createDatagramSocket(4)
    await client.bind(0, '127.0.0.3')
    client.send(dnsPacket.encode({ type: 'query', id: 1, questions: [{ name: 'a.test', type: 'A' }] }), port, '127.0.0.1')
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
    await server.close()
    expect(lines[0]).toEqual(['info', 'listening', { component: 'server', address: '127.0.0.1', port: 53, tcp: true, engine: 'dgram' }])
    expect(lines[1]![0]).toBe('error')
    expect(lines[1]![1]).toBe('dns server handler error: handler bug')
    expect(lines[1]![2]).toMatchObject({ component: 'server', phase: 'handler', client: expect.stringMatching(/^127\.0\.0\.3:\d+$/) })
    expect((lines[1]![2].err as Error).message).toBe('handler bug')
    expect(lines[2]).toEqual(['info', 'closed', { component: 'server' }])
  })
})
