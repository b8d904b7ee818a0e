import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { query } from '../../src/client/query.js'
import type { QueryOptions, QueryResult } from '../../src/client/query.js'
import { readId, readQuestion } from '../../src/packet/wire.js'
import { flush } from '../../src/testing/fake-clock.js'
import { isDnsHaError } from '../../src/util/errors.js'
import type { DatagramSocket, Network } from '../../src/util/network.js'
import { seededRandom } from '../../src/util/random.js'
import { a, answer, fakeEndpoint, settle, useFakeServer } from './helpers.js'

const env = useFakeServer()
const { target, opts } = env

/** Datagrams the network could not deliver (e.g. to a closed client socket). */
function unreachableCount(): number {
  return env.network.snapshot().unreachable
}

describe('query() over UDP', () => {
  it('sends a well-formed query and returns the decoded answer with the bytes as received', async () => {
    let sent: Buffer | undefined
    env.server.onUdp = (msg, _rinfo, reply) => {
      const response = answer(msg, [a('www.example', '192.0.2.1')], { flags: dnsPacket.AUTHORITATIVE_ANSWER })
      sent = response
      reply(response)
    }
    const result = await query(target(), { name: 'www.example.' }, opts())
    expect(result.transport).toBe('udp')
    expect(result.server).toEqual({ address: '10.0.0.53', port: 53 })
    expect(result.raw.equals(sent!)).toBe(true)
    expect(result.packet.answers).toEqual([expect.objectContaining({ name: 'www.example', type: 'A', data: '192.0.2.1' })])
    expect(result.packet.flag_aa).toBe(true)
    expect(result.ignored).toBe(0)

    const q = dnsPacket.decode(env.server.udp[0]!.msg)
    expect(q.flag_rd).toBe(true)
    expect(q.questions).toEqual([{ name: 'www.example', type: 'A', class: 'IN' }])
    const opt = q.additionals!.find((r) => r.type === 'OPT') as { udpPayloadSize: number; flags: number } | undefined
    expect(opt?.udpPayloadSize).toBe(1232)
    expect(opt?.flags).toBe(0)
    expect(env.server.udp[0]!.rinfo.port).toBeGreaterThanOrEqual(49152)
    expect(env.clock.pending).toBe(0)
  })

  it('measures rtt on the injected clock', async () => {
    env.network.setLink('10.0.0.53', '10.0.0.53', { latencyMs: 15 })
    env.server.onUdp = (msg, _r, reply) => reply(answer(msg))
    const p = query(target(), { name: 'www.example.' }, opts())
    await env.clock.advanceAsync(100)
    const r = await p
    // The memory network's wildcard-bound client "sends from" the destination address, so one link covers both ways.
    expect(r.rttMs).toBe(30)
  })

  it('honours type, class, RD and EDNS options', async () => {
    env.server.onUdp = (msg, _r, reply) => reply(answer(msg))
    await query(target(), { name: 'example.', type: 'TYPE65280', class: 'CH' }, opts({ recursionDesired: false, edns: { udpPayloadSize: 4096, do: true } }))
    await query(target(), { name: 'example.', type: 'mx' }, opts({ edns: false }))
    const first = env.server.udp[0]!.msg
    const q1 = readQuestion(first)
    expect([q1.type, q1.class]).toEqual([65280, 3])
    const d1 = dnsPacket.decode(first)
    expect(d1.flag_rd).toBe(false)
    const opt = d1.additionals!.find((r) => r.type === 'OPT') as { udpPayloadSize: number; flags: number }
    expect(opt.udpPayloadSize).toBe(4096)
    expect(opt.flags & dnsPacket.DNSSEC_OK).toBe(dnsPacket.DNSSEC_OK)
    const d2 = dnsPacket.decode(env.server.udp[1]!.msg)
    expect(d2.questions![0]!.type).toBe('MX')
    expect(d2.additionals).toEqual([])
  })

  it('re-sends on timeout with a fresh id and source port, then rejects with ERR_QUERY_TIMEOUT', async () => {
    const p = settle(query(target(), { name: 'www.example.' }, opts({ retries: 2 })))
    await env.clock.advanceAsync(999)
    expect(env.server.udp).toHaveLength(1)
    await env.clock.advanceAsync(1)
    expect(env.server.udp).toHaveLength(2)
    await env.clock.advanceAsync(1000)
    expect(env.server.udp).toHaveLength(3)
    let done = false
    void p.then(() => (done = true))
    await env.clock.advanceAsync(999)
    expect(done).toBe(false)
    await env.clock.advanceAsync(1)
    const err = await p
    expect(isDnsHaError(err, 'ERR_QUERY_TIMEOUT')).toBe(true)
    expect((err as { details?: Record<string, unknown> }).details).toMatchObject({ attempts: 3, transport: 'udp' })
    const ids = env.server.udp.map((d) => readId(d.msg))
    const ports = env.server.udp.map((d) => d.rinfo.port)
    expect(new Set(ids).size).toBe(3)
    expect(new Set(ports).size).toBe(3)
    expect(env.clock.pending).toBe(0)
    // Every socket is closed: an answer to any of them now goes nowhere.
    const before = unreachableCount()
    for (const d of env.server.udp) env.server.udpSocket.send(answer(d.msg), d.rinfo.port, d.rinfo.address)
    await flush()
    expect(unreachableCount() - before).toBe(3)
  })

  it('accepts a late answer to an earlier attempt', async () => {
    const p = query(target(), { name: 'www.example.' }, opts({ retries: 1 }))
    await env.clock.advanceAsync(1000)
    expect(env.server.udp).toHaveLength(2)
    const first = env.server.udp[0]!
    env.server.udpSocket.send(answer(first.msg, [a('www.example', '192.0.2.9')]), first.rinfo.port, first.rinfo.address)
    const r = await p
    expect(r.packet.answers![0]).toMatchObject({ data: '192.0.2.9' })
    expect(readId(r.raw)).toBe(readId(first.msg))
    expect(env.clock.pending).toBe(0)
  })

  it('ignores a wrong id, a wrong question, QR=0, short and garbage datagrams, and keeps waiting', async () => {
    env.server.onUdp = (msg, _r, reply) => {
      const id = readId(msg)
      reply(answer(msg, [], { id: (id + 1) & 0xffff }))
      reply(answer(msg, [], { name: 'other.example' }))
      reply(answer(msg, [], { type: 'AAAA' }))
      const query = Buffer.from(msg) // QR=0: our own query reflected
      reply(query)
      reply(Buffer.from([1, 2, 3]))
      reply(Buffer.from('this is not a dns message at all, just bytes'))
      reply(answer(msg, [a('www.example', '192.0.2.1')]))
    }
    const r = await query(target(), { name: 'www.example.' }, opts())
    expect(r.packet.answers![0]).toMatchObject({ data: '192.0.2.1' })
    expect(r.ignored).toBe(6)
  })

  it('ignores answers from another address or port', async () => {
    const impostorPort = env.network.createDatagramSocket(4)
    await impostorPort.bind(5353, '10.0.0.53')
    const impostorHost = env.network.createDatagramSocket(4)
    await impostorHost.bind(53, '10.0.0.66')
    env.server.onUdp = (msg, rinfo) => {
      impostorPort.send(answer(msg, [a('www.example', '6.6.6.6')]), rinfo.port, rinfo.address)
      impostorHost.send(answer(msg, [a('www.example', '6.6.6.6')]), rinfo.port, rinfo.address)
    }
    const p = settle(query(target(), { name: 'www.example.' }, opts({ retries: 0 })))
    await env.clock.advanceAsync(1000)
    const err = await p
    expect(isDnsHaError(err, 'ERR_QUERY_TIMEOUT')).toBe(true)
    expect((err as { details?: Record<string, unknown> }).details).toMatchObject({ ignored: 2, lastIgnored: 'wrong-source' })
    await impostorPort.close()
    await impostorHost.close()
  })

  it('ignores a matching but undecodable answer and waits for the real one', async () => {
    env.server.onUdp = (msg, _r, reply) => {
      const good = answer(msg, [a('www.example', '192.0.2.1')])
      // Header and question intact, answer count claims a record that is not there.
      const bad = Buffer.from(good.subarray(0, readQuestion(good).end))
      bad.writeUInt16BE(3, 6)
      reply(bad)
      reply(good)
    }
    const r = await query(target(), { name: 'www.example.' }, opts())
    expect(r.ignored).toBe(1)
    expect(r.packet.answers).toHaveLength(1)
  })

  it('with randomizeCase sends a mixed-case name and requires it echoed exactly', async () => {
    const name = 'abcdefghijklmnopqrstuvwxyz.example.'
    env.server.onUdp = (msg, _r, reply) => {
      const q = readQuestion(msg)
      reply(answer(msg, [], { name: q.name.toLowerCase().slice(0, -1) })) // case not echoed: ignored
      reply(answer(msg)) // exact echo
    }
    const r = await query(target(), { name }, opts({ randomizeCase: true }))
    const sentName = readQuestion(env.server.udp[0]!.msg).name
    expect(sentName.toLowerCase()).toBe(name)
    expect(sentName).not.toBe(name)
    expect(sentName).not.toBe(name.toUpperCase())
    expect(r.ignored).toBe(1)
    expect(r.packet.questions![0]!.name + '.').toBe(sentName)
  })

  it('without randomizeCase accepts an answer whose name differs only in case', async () => {
    env.server.onUdp = (msg, _r, reply) => reply(answer(msg, [], { name: 'WWW.EXAMPLE' }))
    const r = await query(target(), { name: 'www.example.' }, opts())
    expect(r.ignored).toBe(0)
  })

  it('relays a complete message as is, with only the id replaced per attempt', async () => {
    const clientQuery = dnsPacket.encode({
      type: 'query',
      id: 0xbeef,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.CHECKING_DISABLED,
      questions: [{ name: 'Relay.Example', type: 'TXT', class: 'IN' }],
      additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 4000, flags: dnsPacket.DNSSEC_OK, options: [] } as never],
    })
    env.server.onUdp = (msg, _r, reply) => {
      if (env.server.udp.length === 2) reply(answer(msg, [{ name: 'relay.example', type: 'TXT', class: 'IN', ttl: 1, data: 'x' }]))
    }
    const p = query(target(), clientQuery, opts({ retries: 1, edns: false, recursionDesired: false }))
    await env.clock.advanceAsync(1000)
    const r = await p
    for (const d of env.server.udp) {
      expect(d.msg.subarray(2).equals(clientQuery.subarray(2))).toBe(true)
      expect(readId(d.msg)).not.toBe(0xbeef)
    }
    expect(readId(env.server.udp[0]!.msg)).not.toBe(readId(env.server.udp[1]!.msg))
    expect(readId(r.raw)).toBe(readId(env.server.udp[1]!.msg))
  })

  it('rejects a relayed message without a readable question', async () => {
    const err = await settle(query(target(), Buffer.from([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), opts()))
    expect(isDnsHaError(err, 'ERR_PACKET_MALFORMED')).toBe(true)
    expect(env.server.udp).toHaveLength(0)
  })

  it('accepts an IPv6 answer whose source is the same address spelled differently', async () => {
    const v6 = await fakeEndpoint(env.network, '2001:db8::53', 53)
    const sameHost = env.network.createDatagramSocket(6)
    await sameHost.bind(53, '2001:0db8:0:0::0053')
    v6.onUdp = (msg, rinfo) => sameHost.send(answer(msg), rinfo.port, rinfo.address)
    const p = settle(query({ address: '2001:db8::53' }, { name: 'v6.example.' }, opts({ retries: 0 })))
    await env.clock.advanceAsync(1000)
    const r = await p
    expect(r).not.toBeInstanceOf(Error)
    expect((r as QueryResult).transport).toBe('udp')
    await sameHost.close()
    await v6.close()
  })
})

describe('query() truncation and TCP', () => {
  it('retries over TCP when the UDP answer has TC=1', async () => {
    await env.server.listenTcp()
    env.server.onUdp = (msg, _r, reply) => reply(answer(msg, [], { flags: dnsPacket.TRUNCATED_RESPONSE }))
    const big = Array.from({ length: 60 }, (_, i) => a('big.example', `192.0.2.${i}`))
    env.server.onTcp = (msg, reply) => reply(answer(msg, big))
    const r = await query(target(), { name: 'big.example.' }, opts())
    expect(r.transport).toBe('tcp')
    expect(r.packet.answers).toHaveLength(60)
    expect(r.packet.flag_tc).toBe(false)
    expect(env.server.udp).toHaveLength(1)
    expect(env.server.tcp).toHaveLength(1)
    // Same question, fresh id.
    expect(readQuestion(env.server.tcp[0]!).name).toBe('big.example.')
    expect(readId(env.server.tcp[0]!)).not.toBe(readId(env.server.udp[0]!.msg))
    expect(env.clock.pending).toBe(0)
  })

  it('reassembles a TCP answer that arrives in pieces', async () => {
    await env.server.listenTcp()
    env.server.onTcp = (msg, _reply, socket) => {
      const bytes = answer(msg, [a('split.example', '192.0.2.7')])
      const framed = Buffer.alloc(bytes.length + 2)
      framed.writeUInt16BE(bytes.length, 0)
      bytes.copy(framed, 2)
      socket.write(framed.subarray(0, 1))
      socket.write(framed.subarray(1, 20))
      socket.write(framed.subarray(20))
    }
    const r = await query(target(), { name: 'split.example.' }, opts({ tcp: true }))
    expect(r.transport).toBe('tcp')
    expect(r.packet.answers![0]).toMatchObject({ data: '192.0.2.7' })
    expect(env.server.udp).toHaveLength(0)
  })

  it('rejects a TCP answer with the wrong id or question as ERR_QUERY_MISMATCH', async () => {
    await env.server.listenTcp()
    env.server.onTcp = (msg, reply) => reply(answer(msg, [], { id: (readId(msg) + 1) & 0xffff }))
    const e1 = await settle(query(target(), { name: 'www.example.' }, opts({ tcp: true })))
    expect(isDnsHaError(e1, 'ERR_QUERY_MISMATCH')).toBe(true)
    env.server.onTcp = (msg, reply) => reply(answer(msg, [], { name: 'elsewhere.example' }))
    const e2 = await settle(query(target(), { name: 'www.example.' }, opts({ tcp: true })))
    expect(isDnsHaError(e2, 'ERR_QUERY_MISMATCH')).toBe(true)
    expect(env.clock.pending).toBe(0)
  })

  it('rejects with ERR_QUERY_NETWORK when TCP is refused after truncation', async () => {
    env.server.onUdp = (msg, _r, reply) => reply(answer(msg, [], { flags: dnsPacket.TRUNCATED_RESPONSE }))
    const err = await settle(query(target(), { name: 'www.example.' }, opts()))
    expect(isDnsHaError(err, 'ERR_QUERY_NETWORK')).toBe(true)
    expect((err as Error).cause).toBeInstanceOf(Error)
    expect(env.clock.pending).toBe(0)
  })

  it('rejects with ERR_QUERY_NETWORK when the server closes the connection without answering', async () => {
    await env.server.listenTcp()
    env.server.onTcp = (_msg, _reply, socket) => socket.destroy()
    const err = await settle(query(target(), { name: 'www.example.' }, opts({ tcp: true })))
    expect(isDnsHaError(err, 'ERR_QUERY_NETWORK')).toBe(true)
  })

  it('times out a TCP exchange that never gets an answer', async () => {
    await env.server.listenTcp()
    const p = settle(query(target(), { name: 'www.example.' }, opts({ tcp: true })))
    await env.clock.advanceAsync(1000)
    const err = await p
    expect(isDnsHaError(err, 'ERR_QUERY_TIMEOUT')).toBe(true)
    expect(env.server.tcp).toHaveLength(1)
    expect(env.clock.pending).toBe(0)
  })

  it('times out a TCP connect across a partition', async () => {
    await env.server.listenTcp()
    env.network.partition(['127.0.0.1'], ['10.0.0.53'])
    const p = settle(query(target(), { name: 'www.example.' }, opts({ tcp: true })))
    await env.clock.advanceAsync(1000)
    expect(isDnsHaError(await p, 'ERR_QUERY_TIMEOUT')).toBe(true)
    await env.clock.advanceAsync(1000)
    expect(env.clock.pending).toBe(0)
  })
})

describe('query() abort and errors', () => {
  it('rejects with ERR_QUERY_ABORTED when aborted while waiting, and releases everything', async () => {
    const controller = new AbortController()
    const p = settle(query(target(), { name: 'www.example.' }, opts({ signal: controller.signal })))
    await env.clock.advanceAsync(10)
    expect(env.server.udp).toHaveLength(1)
    controller.abort(new Error('caller gave up'))
    const err = await p
    expect(isDnsHaError(err, 'ERR_QUERY_ABORTED')).toBe(true)
    expect(((err as Error).cause as Error).message).toBe('caller gave up')
    expect(env.clock.pending).toBe(0)
    const d = env.server.udp[0]!
    const before = unreachableCount()
    env.server.udpSocket.send(answer(d.msg), d.rinfo.port, d.rinfo.address)
    await flush()
    expect(unreachableCount() - before).toBe(1)
  })

  it('rejects at once when the signal is already aborted', async () => {
    const err = await settle(query(target(), { name: 'www.example.' }, opts({ signal: AbortSignal.abort() })))
    expect(isDnsHaError(err, 'ERR_QUERY_ABORTED')).toBe(true)
    expect(env.server.udp).toHaveLength(0)
  })

  it('aborts a TCP exchange in progress', async () => {
    await env.server.listenTcp()
    const controller = new AbortController()
    const p = settle(query(target(), { name: 'www.example.' }, opts({ tcp: true, signal: controller.signal })))
    await flush()
    expect(env.server.tcp).toHaveLength(1)
    controller.abort()
    expect(isDnsHaError(await p, 'ERR_QUERY_ABORTED')).toBe(true)
    expect(env.clock.pending).toBe(0)
  })

  it.each(['callback', 'throw'] as const)('rejects with ERR_QUERY_NETWORK when a send fails (%s)', async (how) => {
    const sendError = Object.assign(new Error('send EHOSTUNREACH'), { code: 'EHOSTUNREACH' })
    const failing: Network = {
      ...env.network,
      createDatagramSocket: (family) => {
        const inner = env.network.createDatagramSocket(family)
        const socket: DatagramSocket = {
          bind: (port, address) => inner.bind(port, address),
          onMessage: (h) => inner.onMessage(h),
          onError: (h) => inner.onError(h),
          connect: (port, address) => inner.connect(port, address),
          setReceiveBufferSize: (bytes) => inner.setReceiveBufferSize(bytes),
          send: (_msg, _port, _address, callback) => {
            if (how === 'throw') throw sendError
            queueMicrotask(() => callback?.(sendError))
          },
          address: () => inner.address(),
          close: () => inner.close(),
        }
        return socket
      },
      createStreamServer: (h) => env.network.createStreamServer(h),
      connectStream: (address, port, o) => env.network.connectStream(address, port, o),
    }
    const err = await settle(query(target(), { name: 'www.example.' }, opts({ network: failing })))
    expect(isDnsHaError(err, 'ERR_QUERY_NETWORK')).toBe(true)
    expect(((err as Error).cause as Error).message).toBe('send EHOSTUNREACH')
    expect(env.clock.pending).toBe(0)
  })

  it('redraws the source port when the drawn one is taken', async () => {
    // Occupy the port a fresh seededRandom(7) draws first (after the id).
    const probe = seededRandom(7)
    probe.int(0x10000)
    const firstPort = 49152 + probe.int(65536 - 49152)
    const squatter = env.network.createDatagramSocket(4)
    await squatter.bind(firstPort, '0.0.0.0')
    env.server.onUdp = (msg, _r, reply) => reply(answer(msg))
    await query(target(), { name: 'www.example.' }, opts())
    expect(env.server.udp[0]!.rinfo.port).not.toBe(firstPort)
    await squatter.close()
  })

  it.each([
    [{ address: 'ns1.example' }, { name: 'x.' }, {}],
    [{ address: '10.0.0.53', port: 0 }, { name: 'x.' }, {}],
    [{ address: '10.0.0.53' }, { name: 'x.', type: 'NOPE' }, {}],
    [{ address: '10.0.0.53' }, { name: 'x.', class: 'XX' }, {}],
    [{ address: '10.0.0.53' }, { name: 'a'.repeat(64) + '.example.' }, {}],
    [{ address: '10.0.0.53' }, { name: 'x.' }, { timeoutMs: 0 }],
    [{ address: '10.0.0.53' }, { name: 'x.' }, { retries: -1 }],
    [{ address: '10.0.0.53' }, { name: 'x.' }, { edns: { udpPayloadSize: 100 } }],
  ])('rejects bad input %j %j %j with ERR_CONFIG', async (srv, question, extra) => {
    const err = await settle(query(srv, question, opts(extra as QueryOptions)))
    expect(isDnsHaError(err, 'ERR_CONFIG')).toBe(true)
    expect(env.server.udp).toHaveLength(0)
  })
})
