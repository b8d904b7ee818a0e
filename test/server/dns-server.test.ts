import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { DnsServer } from '../../src/server/dns-server.js'
import { DROP } from '../../src/server/handler.js'
import { respond } from '../../src/server/respond.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import { describeEngines, memoryServer, memoryTcpClient, opt } from './helpers.js'

const www = respondA('192.0.2.1')
function respondA(address: string) {
  return (query: Parameters<typeof respond>[0]) =>
    respond(query, { aa: true, answers: [{ name: query.question!.name, type: 'A', ttl: 60, data: address }] })
}

describeEngines('DnsServer over UDP', ['memory', 'dgram', 'batched'], (serve, engine) => {
  it('serves on the engine it was asked for (the snapshot says which)', async () => {
    const { server } = await serve(www)
    expect(server.snapshot().engine).toBe(engine === 'batched' ? 'batched' : 'dgram')
  })

  it('answers with id, question, QR, RD copied and the handler’s records', async () => {
    const { ask } = await serve(www)
    const r = await ask({ flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: 'WwW.example.test', type: 'A' }] })
    expect(r.id).toBe(4242)
    expect(r.flag_qr).toBe(true)
    expect(r.flag_aa).toBe(true)
    expect(r.flag_rd).toBe(true)
    expect(r.questions).toEqual([{ name: 'WwW.example.test', type: 'A', class: 'IN' }])
    expect(r.answers?.map(dataOf)).toEqual(['192.0.2.1'])
    expect(r.additionals).toEqual([]) // no EDNS in, none out
  })

  it('echoes EDNS with our payload size and the DO bit', async () => {
    const { ask } = await serve(www)
    const r = await ask({ questions: [{ name: 'a.test', type: 'A' }], additionals: [opt(4096, { flags: dnsPacket.DNSSEC_OK })] })
    const o = r.additionals?.find((a) => a.type === 'OPT') as unknown as { udpPayloadSize: number; flag_do: boolean }
    expect(o.udpPayloadSize).toBe(1232)
    expect(o.flag_do).toBe(true)
  })

  it('answers BADVERS to EDNS version 1 and FORMERR to two OPT records', async () => {
    const { ask } = await serve(www)
    const v1 = await ask({ questions: [{ name: 'a.test', type: 'A' }], additionals: [opt(1232, { ednsVersion: 1 })] })
    const o = v1.additionals?.find((a) => a.type === 'OPT') as unknown as { extendedRcode: number }
    expect(o.extendedRcode).toBe(1) // BADVERS = 16 = 1 << 4
    expect(v1.rcode).toBe('NOERROR') // low 4 bits are 0
    expect(v1.answers).toEqual([])
    const two = await ask({ questions: [{ name: 'a.test', type: 'A' }], additionals: [opt(), opt()] })
    expect(two.rcode).toBe('FORMERR')
  })

  it('truncates to 512 bytes without EDNS and to the EDNS size with it, keeping the question', async () => {
    const big = (query: Parameters<typeof respond>[0]) =>
      respond(query, {
        answers: Array.from({ length: 40 }, (_, i) => ({ name: query.question!.name, type: 'A' as const, ttl: 60, data: `10.0.0.${i}` })),
      })
    const { ask } = await serve(big)
    const plain = await ask({ questions: [{ name: 'big.test', type: 'A' }] })
    expect(plain.flag_tc).toBe(true)
    expect(plain.answers).toEqual([])
    expect(plain.questions?.[0]?.name).toBe('big.test')
    const edns = await ask({ questions: [{ name: 'big.test', type: 'A' }], additionals: [opt(1232)] })
    expect(edns.flag_tc).toBe(false)
    expect(edns.answers).toHaveLength(40)
    const small = await ask({ questions: [{ name: 'big.test', type: 'A' }], additionals: [opt(600)] })
    expect(small.flag_tc).toBe(true)
    expect(small.additionals?.some((a) => a.type === 'OPT')).toBe(true)
  })

  it('drops messages shorter than a header and responses (QR=1)', async () => {
    const { udp, server } = await serve(www)
    expect(await udp(Buffer.from([1, 2, 3]))).toEqual([])
    const response = dnsPacket.encode({ type: 'response', id: 1, questions: [{ name: 'a.test', type: 'A' }] })
    expect(await udp(response)).toEqual([])
    expect(server.snapshot().udp.dropped).toBe(2)
  })

  it('answers FORMERR with the id when the header is readable but the question is not', async () => {
    const { udp } = await serve(www)
    const bad = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 5, 0x61])
    const [reply] = await udp(bad)
    expect(reply).toBeDefined()
    const r = dnsPacket.decode(reply!) as unknown as { id: number; rcode: string; flag_qr: boolean }
    expect(r.id).toBe(0x1234)
    expect(r.flag_qr).toBe(true)
    expect(r.rcode).toBe('FORMERR')
  })

  it('answers NOTIMP to unknown opcodes and FORMERR to a QUERY with two questions', async () => {
    const { udp, ask } = await serve(www)
    const status = dnsPacket.encode({ type: 'query', id: 7, questions: [{ name: 'a.test', type: 'A' }] })
    status[2] = (status[2]! & 0x87) | (2 << 3) // opcode STATUS
    const [reply] = await udp(status)
    expect((dnsPacket.decode(reply!) as unknown as { rcode: string }).rcode).toBe('NOTIMP')
    const two = await ask({ questions: [{ name: 'a.test', type: 'A' }, { name: 'b.test', type: 'A' }] })
    expect(two.rcode).toBe('FORMERR')
  })

  it('answers SERVFAIL when the handler throws or rejects, and keeps serving', async () => {
    let mode: 'throw' | 'reject' | 'ok' = 'throw'
    const errors: unknown[] = []
    const { ask, server } = await serve((query) => {
      if (mode === 'throw') throw new Error('boom')
      if (mode === 'reject') return Promise.reject(new Error('async boom'))
      return www(query)
    })
    server.on('error', (e) => errors.push(e.error))
    expect((await ask({ questions: [{ name: 'a.test', type: 'A' }] })).rcode).toBe('SERVFAIL')
    mode = 'reject'
    expect((await ask({ questions: [{ name: 'a.test', type: 'A' }] })).rcode).toBe('SERVFAIL')
    mode = 'ok'
    expect((await ask({ questions: [{ name: 'a.test', type: 'A' }] })).rcode).toBe('NOERROR')
    expect(errors).toHaveLength(2)
  })

  it('answers REFUSED when no handler answers and sends nothing for DROP', async () => {
    const { ask, udp } = await serve((q) => (q.question?.name === 'drop.test.' ? DROP : undefined))
    expect((await ask({ questions: [{ name: 'a.test', type: 'A' }] })).rcode).toBe('REFUSED')
    expect(await udp(dnsPacket.encode({ type: 'query', id: 1, questions: [{ name: 'drop.test', type: 'A' }] }))).toEqual([])
  })

  it('patches the id into pre-encoded answers without changing the shared bytes', async () => {
    const shared = dnsPacket.encode({ type: 'response', id: 0, questions: [{ name: 'a.test', type: 'A' }], answers: [{ name: 'a.test', type: 'A', data: '192.0.2.9' }] })
    const before = Buffer.from(shared)
    const { ask } = await serve(() => shared)
    const r = await ask({ questions: [{ name: 'a.test', type: 'A' }] })
    expect(r.id).toBe(4242)
    expect(dataOf(r.answers?.[0])).toBe('192.0.2.9')
    expect(shared.equals(before)).toBe(true)
  })

  it('counts queries and responses by transport and rcode', async () => {
    const { ask, server } = await serve((q) => (q.question?.name === 'a.test.' ? www(q) : undefined))
    await ask({ questions: [{ name: 'a.test', type: 'A' }] })
    await ask({ questions: [{ name: 'b.test', type: 'A' }] })
    const snap = server.snapshot().udp
    expect(snap.queries).toBe(2)
    expect(snap.rcodes).toEqual({ NOERROR: 1, REFUSED: 1 })
  })

  it('rejects bad options at construction', () => {
    expect(() => new DnsServer({ handler: www, maxUdpSize: 100 })).toThrow(/maxUdpSize/)
    expect(() => new DnsServer({} as never)).toThrow(/handler/)
  })
})

describe('DnsServer over TCP', () => {
  const tcpServer = memoryTcpClient

  it('answers several queries on one connection, split and coalesced across reads', async () => {
    const t = await tcpServer(www)
    const both = Buffer.concat([t.frame({ id: 1, questions: [{ name: 'a.test', type: 'A' }] }), t.frame({ id: 2, questions: [{ name: 'b.test', type: 'A' }] })])
    t.socket.write(both.subarray(0, 5))
    await t.settle()
    t.socket.write(both.subarray(5))
    await t.settle()
    expect(t.frames.map((f) => dnsPacket.decode(f).id).sort()).toEqual([1, 2])
  })

  it('lets pipelined answers return out of order', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const t = await tcpServer(async (q) => {
      if (q.question?.name === 'slow.test.') await gate
      return www(q)
    })
    t.socket.write(Buffer.concat([t.frame({ id: 1, questions: [{ name: 'slow.test', type: 'A' }] }), t.frame({ id: 2, questions: [{ name: 'fast.test', type: 'A' }] })]))
    await t.settle()
    expect(t.frames.map((f) => dnsPacket.decode(f).id)).toEqual([2])
    release()
    await t.settle()
    expect(t.frames.map((f) => dnsPacket.decode(f).id)).toEqual([2, 1])
  })

  it('does not truncate over TCP', async () => {
    const t = await tcpServer((q) => respond(q, { answers: Array.from({ length: 60 }, (_, i) => ({ name: 'big.test', type: 'A' as const, ttl: 1, data: `10.0.0.${i}` })) }))
    t.socket.write(t.frame({ id: 3, questions: [{ name: 'big.test', type: 'A' }] }))
    await t.settle()
    const r = dnsPacket.decode(t.frames[0]!)
    expect(r.flag_tc).toBe(false)
    expect(r.answers).toHaveLength(60)
  })

  it('closes idle connections after tcpIdleTimeoutMs, on the injected clock', async () => {
    const t = await tcpServer(www, { tcpIdleTimeoutMs: 5000 })
    t.clock.advance(4999)
    await t.settle()
    expect(t.isClosed()).toBe(false)
    t.clock.advance(1)
    await t.settle()
    expect(t.isClosed()).toBe(true)
  })

  it('closes a connection that sends a zero length prefix', async () => {
    const t = await tcpServer(www)
    t.socket.write(Buffer.from([0, 0]))
    await t.settle()
    expect(t.isClosed()).toBe(true)
  })

  it('refuses connections beyond maxTcpConnections', async () => {
    const t = await tcpServer(www, { maxTcpConnections: 1 })
    const network = (t.server as unknown as { network: MemoryNetwork }).network
    const second = await network.connectStream('127.0.0.1', 53)
    let closed = false
    second.onClose(() => (closed = true))
    await t.settle()
    expect(closed).toBe(true)
    expect(t.server.snapshot().tcp.refusedConnections).toBe(1)
  })
})

describe('DnsServer.close', () => {
  it('waits for in-flight answers, then stops answering', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const { server, udp } = await memoryServer(async (q) => {
      await gate
      return www(q)
    })
    const pending = udp(dnsPacket.encode({ type: 'query', id: 9, questions: [{ name: 'a.test', type: 'A' }] }))
    await new Promise((r) => setImmediate(r))
    const closing = server.close()
    release()
    await closing
    expect(server.snapshot().closing).toBe(true)
    await pending
    expect(server.addresses()).toEqual([])
  })

  it('gives up waiting after closeTimeoutMs', async () => {
    const clock = new FakeClock()
    const network = new MemoryNetwork({ clock })
    const server = new DnsServer({ handler: () => new Promise(() => {}), network, clock, closeTimeoutMs: 1000 })
    const { port } = await server.listen({ port: 53, address: '127.0.0.1' })
    const c = network.createDatagramSocket(4)
    c.send(dnsPacket.encode({ type: 'query', id: 1, questions: [{ name: 'a.test', type: 'A' }] }), port, '127.0.0.1')
    await new Promise((r) => setImmediate(r))
    let closed = false
    const p = server.close().then(() => (closed = true))
    await clock.advanceAsync(999)
    expect(closed).toBe(false)
    await clock.advanceAsync(1)
    await p
    expect(closed).toBe(true)
  })
})

function dataOf(answer: unknown): unknown {
  return (answer as { data?: unknown } | undefined)?.data
}
