// DnsServer on real sockets under load, on both datagram engines: a handler that answers later
// still sees its own query's bytes (the batched engine reuses its receive buffers), a burst far
// above capacity and 100,000 random datagrams leave the server answering correctly.
import dgram from 'node:dgram'
import dnsPacket from 'dns-packet'
import { expect, it } from 'vitest'
import type { DnsQuery } from '../../src/server/query.js'
import { respond } from '../../src/server/respond.js'
import { describeEngines } from './helpers.js'

function handler(q: DnsQuery) {
  const name = q.question?.name ?? '.'
  return respond(q, { aa: true, answers: [{ name, type: 'A', ttl: 60, data: '192.0.2.1' }] })
}

const query = (name: string, id: number) => dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A' }] })

/** Sends `name` queries one at a time and checks each answer's id, name and record. */
async function expectAnswers(port: number, count: number): Promise<void> {
  const c = dgram.createSocket('udp4')
  await new Promise<void>((r) => c.bind(0, '127.0.0.1', () => r()))
  try {
    for (let i = 0; i < count; i++) {
      const id = 0x5000 + i
      const reply = await new Promise<Buffer>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to probe ${i}`)), 5000)
        const on = (msg: Buffer) => {
          if (msg.readUInt16BE(0) !== id) return // a late answer to the load
          clearTimeout(timer)
          c.off('message', on)
          resolve(msg)
        }
        c.on('message', on)
        c.send(query(`probe${i}.example`, id), port, '127.0.0.1')
      })
      const d = dnsPacket.decode(reply) as dnsPacket.DecodedPacket & { rcode?: string }
      expect(d.rcode).toBe('NOERROR')
      expect(d.questions?.[0]?.name).toBe(`probe${i}.example`)
      expect(d.answers).toEqual([expect.objectContaining({ name: `probe${i}.example`, data: '192.0.2.1' })])
    }
  } finally {
    c.close()
  }
}

/** Sends every datagram from one socket, in slices that let the loop breathe; replies are read and counted. */
async function flood(port: number, datagrams: (i: number) => Uint8Array, total: number): Promise<number> {
  const c = dgram.createSocket('udp4')
  await new Promise<void>((r) => c.bind(0, '127.0.0.1', () => r()))
  let replies = 0
  c.on('message', () => replies++)
  for (let sent = 0; sent < total; ) {
    for (const end = Math.min(total, sent + 1000); sent < end; sent++) c.send(datagrams(sent), port, '127.0.0.1')
    await new Promise((r) => setImmediate(r))
  }
  await new Promise((r) => setTimeout(r, 50))
  c.close()
  return replies
}

/** xorshift32: the same "random" bytes on every run. */
function randomBytes(seed: number): (i: number) => Uint8Array {
  let x = seed
  const next = () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return x >>> 0
  }
  const valid = query('www.example', 1)
  return (i) => {
    const kind = next() % 3
    if (kind === 0) return Uint8Array.from({ length: next() % 64 }, () => next() & 0xff) // noise, often shorter than a header
    const bytes = Buffer.from(kind === 1 ? valid : Buffer.alloc(12 + (next() % 300)))
    bytes.writeUInt16BE(i & 0xffff, 0)
    for (let k = 0, flips = 1 + (next() % 4); k < flips; k++) bytes[2 + (next() % (bytes.length - 2))] = next() & 0xff // mutate past the id
    return bytes
  }
}

describeEngines('DnsServer under load', ['dgram', 'batched'], (serve, engine) => {
  it('an async handler answering after later queries arrived still answers its own query', async () => {
    // The batched engine hands out views into reused receive regions: the full path must copy.
    const waiting: (() => void)[] = []
    const { server, port } = await serve((q: DnsQuery) => {
      if (!q.question!.name.startsWith('slow')) return handler(q)
      return new Promise<void>((resolve) => waiting.push(resolve)).then(() => {
        const d = q.packet // decoded only now, from q.raw
        return respond(q, { answers: [{ name: d.questions![0]!.name, type: 'A', ttl: 60, data: '192.0.2.7' }] })
      })
    })
    expect(server.snapshot().engine).toBe(engine)
    const c = dgram.createSocket('udp4')
    await new Promise<void>((r) => c.bind(0, '127.0.0.1', () => r()))
    const replies: Buffer[] = []
    c.on('message', (m) => replies.push(m))
    c.send(query('slow.example', 0x1111), port, '127.0.0.1')
    while (waiting.length === 0) await new Promise((r) => setTimeout(r, 1))
    for (let i = 0; i < 300; i++) {
      c.send(query(`other${i}.longer-name.example`, 0x2000 + i), port, '127.0.0.1')
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5))
    }
    while (replies.length < 250) await new Promise((r) => setTimeout(r, 2))
    waiting[0]!()
    const deadline = Date.now() + 2000
    let slow: Buffer | undefined
    while (!slow && Date.now() < deadline) {
      slow = replies.find((m) => m.readUInt16BE(0) === 0x1111)
      await new Promise((r) => setTimeout(r, 2))
    }
    c.close()
    const d = dnsPacket.decode(slow!)
    expect(d.questions?.[0]?.name).toBe('slow.example')
    expect(d.answers).toEqual([expect.objectContaining({ name: 'slow.example', data: '192.0.2.7' })])
  })

  it('a burst of 10,000 queries far above capacity, then answers at once', async () => {
    const { server, port } = await serve(handler)
    const replies = await flood(port, (i) => query(`burst${i}.example`, i & 0xffff), 10_000)
    expect(replies).toBeGreaterThan(0)
    expect(server.snapshot().udp.queries).toBeGreaterThan(0)
    await expectAnswers(port, 20)
  }, 30_000)

  // DNS_HA_FUZZ_DATAGRAMS=1000000 runs the million-datagram round (about a minute per engine here).
  const fuzzCount = Number(process.env.DNS_HA_FUZZ_DATAGRAMS ?? 100_000)
  it(`${fuzzCount.toLocaleString('en')} random and mutated datagrams: no crash, no socket error, memory flat, correct answers afterwards`, async () => {
    // A full send queue (the kernel refusing answers, EAGAIN on a busy interface) is the one
    // socket error a flood may cause, like the kernel's own drops; anything else fails.
    const { server, port } = await serve(handler)
    await flood(port, randomBytes(0x5eed), 10_000) // warm up: buffers, caches and JIT settle first
    const heapBefore = settledHeap()
    const errors: unknown[] = []
    server.on('error', (e) => {
      if (e.phase === 'socket' && !/send queue full/.test((e.error as Error).message)) errors.push(e.error)
    })
    await flood(port, randomBytes(0x9e3779b9), fuzzCount)
    await expectAnswers(port, 20)
    expect(errors).toEqual([])
    expect(server.snapshot().udp.queries).toBeGreaterThan(1000)
    // Nothing a malformed datagram leaves behind accumulates: the heap after GC stays where it was.
    expect(settledHeap() - heapBefore).toBeLessThan(16 * 1024 * 1024)
  }, Math.max(60_000, fuzzCount / 10))
})

/** heapUsed after a full collection when the test runs with --expose-gc (vitest's pool does not by default: then the raw figure, which only makes the bound looser). */
function settledHeap(): number {
  ;(globalThis as { gc?: () => void }).gc?.()
  return process.memoryUsage().heapUsed
}
