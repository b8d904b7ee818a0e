// DnsServer robustness on real sockets (127.0.0.1, port 0): hostile bytes over UDP and TCP never
// stop it serving, and the documented answers to bad input hold (no answer below 12 bytes or for
// QR=1, FORMERR for an unreadable question, NOTIMP for unknown opcodes, SERVFAIL for handler errors).
import dgram from 'node:dgram'
import net from 'node:net'
import dnsPacket from 'dns-packet'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DnsServer } from '../../src/server/dns-server.js'
import type { DnsQuery } from '../../src/server/query.js'
import { respond } from '../../src/server/respond.js'
import { batchedEngineUnavailable } from '../../src/util/batched-network.js'

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NOTIMP: 4 }
const PROBE_ID = 0xabcd

function handler(q: DnsQuery) {
  const name = q.question?.name.toLowerCase()
  if (name === 'throw.example.') throw new Error('handler bug')
  if (name === 'reject.example.') return Promise.reject(new Error('async handler bug'))
  // Reading the full decode on every query puts dns-packet's decoder in the fuzz's path too.
  const decoded = q.packet
  return respond(q, { aa: true, answers: [{ name: q.question?.name ?? '.', type: 'A', ttl: 60, data: decoded.questions?.length ? '192.0.2.1' : '192.0.2.2' }] })
}

let server: DnsServer
let port: number
const handlerErrors: unknown[] = []

/** Serves the tests of the enclosing describe on `engine` (module-level `server` and `port`). */
function serveOn(engine: 'dgram' | 'batched'): void {
  beforeAll(async () => {
    server = new DnsServer({ handler, engine, closeTimeoutMs: 200, tcpIdleTimeoutMs: 2000 })
    server.on('error', (e) => handlerErrors.push(e.error))
    port = (await server.listen({ port: 0, address: '127.0.0.1' })).port
  })
  afterAll(async () => {
    await server.close()
  })
}

const batchedReason = batchedEngineUnavailable()
if (batchedReason !== undefined) console.log(`hostile UDP input on the batched engine skipped: ${batchedReason}`)

// ---- message builders ----

function header(id: number, flags: number, counts: [number, number, number, number]): Buffer {
  const b = Buffer.alloc(12)
  b.writeUInt16BE(id, 0)
  b.writeUInt16BE(flags, 2)
  counts.forEach((c, i) => b.writeUInt16BE(c, 4 + 2 * i))
  return b
}

const valid = (name: string, id = 1, extra: Partial<dnsPacket.Packet> = {}) =>
  dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A', class: 'IN' }], ...extra })

const probe = () => valid('probe.example', PROBE_ID)

function isProbeAnswer(msg: Buffer): boolean {
  try {
    const d = dnsPacket.decode(msg)
    return d.id === PROBE_ID && d.type === 'response' && d.questions?.[0]?.name === 'probe.example'
  } catch {
    return false
  }
}

function expectGoodProbeAnswer(msg: Buffer): void {
  const d = dnsPacket.decode(msg) as dnsPacket.DecodedPacket & { rcode?: string }
  expect(d.rcode).toBe('NOERROR')
  expect(d.answers).toEqual([expect.objectContaining({ name: 'probe.example', type: 'A', data: '192.0.2.1' })])
}

// ---- UDP: send bytes, then a probe; everything before the probe's answer answered the bytes ----

async function udpBurst(messages: Uint8Array[]): Promise<{ replies: Buffer[]; probe: Buffer }> {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()))
  try {
    return await new Promise((resolve, reject) => {
      const replies: Buffer[] = []
      const timer = setTimeout(() => reject(new Error(`no probe answer (replies so far: ${replies.length})`)), 3000)
      socket.on('message', (msg) => {
        if (isProbeAnswer(msg)) {
          clearTimeout(timer)
          // An async handler's answer may come after the probe's (the batched engine reads both
          // in one batch and answers the synchronous one first): wait until nothing is in flight.
          void settled().then(() => resolve({ replies, probe: msg }))
        } else replies.push(msg)
      })
      for (const m of messages) socket.send(m, port, '127.0.0.1')
      socket.send(probe(), port, '127.0.0.1')
    })
  } finally {
    socket.close()
  }
}

/** Resolves once the server has no answer in progress and the last ones had time to arrive. */
async function settled(): Promise<void> {
  for (let i = 0; i < 1000 && server.snapshot().inFlight > 0; i++) await new Promise((r) => setTimeout(r, 1))
  await new Promise((r) => setTimeout(r, 5))
}

async function udpOne(message: Uint8Array): Promise<Buffer | undefined> {
  const { replies, probe: p } = await udpBurst([message])
  expectGoodProbeAnswer(p)
  expect(replies.length).toBeLessThanOrEqual(1)
  return replies[0]
}

// ---- TCP: one connection per burst ----

interface TcpOutcome {
  frames: Buffer[]
  closedByServer: boolean
}

/** Writes `bytes` on a fresh connection; optionally ends; collects framed replies until close or `want` frames. */
function tcpSession(bytes: Uint8Array, options: { end?: boolean; want?: number; timeoutMs?: number } = {}): Promise<TcpOutcome> {
  return new Promise((resolve, reject) => {
    const frames: Buffer[] = []
    let pending = Buffer.alloc(0)
    let done = false
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.write(bytes)
      if (options.end) socket.end()
    })
    const finish = (closedByServer: boolean): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ frames, closedByServer })
    }
    const timer = setTimeout(() => {
      if (options.want === undefined) reject(new Error('TCP session did not end'))
      else finish(false)
    }, options.timeoutMs ?? 3000)
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk])
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        frames.push(pending.subarray(2, 2 + pending.readUInt16BE(0)))
        pending = pending.subarray(2 + pending.readUInt16BE(0))
      }
      if (options.want !== undefined && frames.length >= options.want) finish(false)
    })
    socket.on('error', () => finish(true))
    socket.on('close', () => finish(true))
  })
}

function framed(...messages: Uint8Array[]): Buffer {
  return Buffer.concat(messages.map((m) => Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m])))
}

async function expectTcpServes(): Promise<void> {
  const { frames } = await tcpSession(framed(probe()), { want: 1 })
  expect(frames).toHaveLength(1)
  expectGoodProbeAnswer(frames[0]!)
}

/** Checks a reply to `sent` is a response to it: QR=1, same id, same opcode. */
function expectResponseTo(sent: Uint8Array, reply: Buffer): void {
  expect(reply.length).toBeGreaterThanOrEqual(12)
  expect(reply.readUInt16BE(0)).toBe((sent[0]! << 8) | sent[1]!)
  const flags = reply.readUInt16BE(2)
  expect(flags & 0x8000).toBe(0x8000)
  expect((flags >> 11) & 0xf).toBe((sent[2]! >> 3) & 0xf)
}

const rcodeOf = (reply: Buffer): number => reply[3]! & 0xf

// ---- arbitraries ----

const anyBytes = fc.uint8Array({ maxLength: 700 })
const shortBytes = fc.uint8Array({ maxLength: 11 })
/** A header that reads as a query (QR=0), any opcode and counts, then random bytes. */
const queryHeaderThenJunk = fc
  .tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0x7fff }), fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 4, maxLength: 4 }), fc.uint8Array({ maxLength: 300 }))
  .map(([id, flags, counts, tail]) => Buffer.concat([header(id, flags, counts as [number, number, number, number]), tail]))
/** A valid query with a few bytes overwritten and maybe cut short. */
const mutatedQuery = fc
  .tuple(fc.array(fc.tuple(fc.nat(60), fc.nat(255)), { minLength: 1, maxLength: 5 }), fc.nat(30), fc.boolean())
  .map(([flips, cut, withOpt]) => {
    const q = valid('mutant.example', 7, withOpt ? { additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 1232, options: [] } as never] } : {})
    for (const [at, v] of flips) if (at < q.length) q[at] = v
    return cut > 0 && cut < q.length ? q.subarray(0, q.length - cut) : q
  })
/** Names built from compression pointers: self loops, mutual loops, forward pointers. */
const pointerGames = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 0x3fff }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 3 }))
  .map(([targets, ancount]) => {
    const body = Buffer.concat(targets.map((t) => Buffer.from([0xc0 | (t >> 8), t & 0xff, 0, 1, 0, 1])))
    return Buffer.concat([header(9, 0x0100, [1, ancount, 0, 0]), body])
  })
const hostile = fc.oneof(anyBytes, shortBytes, queryHeaderThenJunk, mutatedQuery, pointerGames)

describe.each(['dgram', 'batched'] as const)('DnsServer under hostile UDP input (%s engine)', (engine) => {
  if (engine === 'batched' && batchedReason !== undefined) {
    it.skip(`needs the batched engine (${batchedReason})`, () => {})
    return
  }
  serveOn(engine)
  it('serves on the engine it was asked for', () => {
    expect(server.snapshot().engine).toBe(engine)
  })

  it('answers or ignores each message by the rules, and keeps answering valid queries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostile, { minLength: 1, maxLength: 4 }), async (messages) => {
        const { replies, probe: p } = await udpBurst(messages)
        expectGoodProbeAnswer(p)
        // One reply per message that has a full header and QR=0; none for the others.
        const answerable = messages.filter((m) => m.length >= 12 && (m[2]! & 0x80) === 0)
        expect(replies).toHaveLength(answerable.length)
        replies.forEach((r, i) => expectResponseTo(answerable[i]!, r))
      }),
      { numRuns: 250 },
    )
  })

  it('sends nothing back for messages shorter than a header', async () => {
    for (const len of [0, 1, 2, 11]) expect(await udpOne(Buffer.alloc(len, 0x41))).toBeUndefined()
  })

  it('ignores responses (QR=1)', async () => {
    const response = dnsPacket.encode({ type: 'response', id: 3, questions: [{ name: 'www.example', type: 'A' }] })
    expect(await udpOne(response)).toBeUndefined()
  })

  it('answers FORMERR to a readable header with an unreadable question', async () => {
    for (const bad of [
      Buffer.concat([header(0x1111, 0x0100, [1, 0, 0, 0]), Buffer.from([5, 0x61, 0x62])]), // label runs past the end
      Buffer.concat([header(0x1112, 0x0100, [1, 0, 0, 0]), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]), // pointer to itself
      Buffer.concat([header(0x1113, 0x0100, [1, 0, 0, 0]), Buffer.from([0x40, 0])]), // reserved label type
      header(0x1114, 0x0100, [1, 0, 0, 0]), // no question at all
    ]) {
      const reply = await udpOne(bad)
      expect(reply).toBeDefined()
      expectResponseTo(bad, reply!)
      expect(rcodeOf(reply!)).toBe(RCODE.FORMERR)
    }
  })

  it('answers FORMERR when the question reads but the rest does not decode (huge counts, pointer loops)', async () => {
    const q = valid('www.example', 0x2222)
    const huge = Buffer.from(q)
    huge.writeUInt16BE(0xffff, 6) // 65535 answers claimed, none present
    const loop = Buffer.concat([header(0x2223, 0x0100, [1, 1, 0, 0]), q.subarray(12), Buffer.from([0xc0, q.length, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0])])
    for (const bad of [huge, loop]) {
      const reply = await udpOne(bad)
      expectResponseTo(bad, reply!)
      expect(rcodeOf(reply!)).toBe(RCODE.FORMERR)
    }
  })

  it('answers NOTIMP to unknown opcodes', async () => {
    for (const opcode of [1, 2, 3, 6, 7, 15]) {
      const q = valid('www.example', 0x3300 + opcode)
      q.writeUInt16BE((q.readUInt16BE(2) & ~0x7800) | (opcode << 11), 2)
      const reply = await udpOne(q)
      expectResponseTo(q, reply!)
      expect(rcodeOf(reply!)).toBe(RCODE.NOTIMP)
    }
  })

  it('answers SERVFAIL when the handler throws or rejects, and reports the error', async () => {
    const before = handlerErrors.length
    for (const name of ['throw.example', 'reject.example']) {
      const q = valid(name, 0x4400)
      const reply = await udpOne(q)
      expectResponseTo(q, reply!)
      expect(rcodeOf(reply!)).toBe(RCODE.SERVFAIL)
    }
    expect(handlerErrors.length - before).toBe(2)
  })
})

describe('DnsServer under hostile TCP input', () => {
  serveOn('dgram')
  it('survives random streams on many connections and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyBytes, hostile.map((m) => framed(m))), async (stream) => {
        const { frames } = await tcpSession(stream, { end: true })
        for (const f of frames) expect(f[2]! & 0x80).toBe(0x80)
      }),
      { numRuns: 60 },
    )
    await expectTcpServes()
  })

  it('keeps framing in step after a maximum-length frame of garbage', async () => {
    const garbage = Buffer.alloc(0xffff, 0x5a)
    garbage.writeUInt16BE(0x5555, 0) // id
    garbage.writeUInt16BE(0x0100, 2) // a query with a readable header
    const { frames } = await tcpSession(Buffer.concat([framed(garbage), framed(probe())]), { want: 2 })
    expect(frames).toHaveLength(2)
    expectResponseTo(garbage, frames[0]!)
    expect(rcodeOf(frames[0]!)).toBe(RCODE.FORMERR)
    expectGoodProbeAnswer(frames[1]!)
  })

  it('serves other connections while one announces a frame it never finishes', async () => {
    const stalled = net.connect({ host: '127.0.0.1', port })
    await new Promise<void>((r) => stalled.once('connect', () => r()))
    stalled.write(Buffer.from([0xff, 0xff, 1, 2, 3]))
    try {
      await expectTcpServes()
      const { probe: p } = await udpBurst([])
      expectGoodProbeAnswer(p)
    } finally {
      stalled.destroy()
    }
  })

  it('closes a connection that sends a zero length prefix', async () => {
    const { frames, closedByServer } = await tcpSession(Buffer.from([0, 0, 1, 2, 3, 4]))
    expect(frames).toHaveLength(0)
    expect(closedByServer).toBe(true)
  })

  it('answers queries pipelined behind junk-but-framed messages on one connection', async () => {
    const tooShort = Buffer.from([1, 2, 3])
    const response = dnsPacket.encode({ type: 'response', id: 5, questions: [{ name: 'x.example', type: 'A' }] })
    const servfail = valid('throw.example', 0x6001)
    const { frames } = await tcpSession(framed(tooShort, response, servfail, probe()), { want: 2 })
    expect(frames).toHaveLength(2)
    expectResponseTo(servfail, frames[0]!)
    expect(rcodeOf(frames[0]!)).toBe(RCODE.SERVFAIL)
    expectGoodProbeAnswer(frames[1]!)
  })
})
