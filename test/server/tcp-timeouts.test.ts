import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { DnsServer } from '../../src/server/dns-server.js'
import type { DnsServerOptions } from '../../src/server/dns-server.js'
import type { HandlerLike } from '../../src/server/handler.js'
import { respond } from '../../src/server/respond.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'

const answer: HandlerLike = (q) => respond(q, { aa: true, answers: [{ name: q.question!.name, type: 'A', ttl: 60, data: '192.0.2.1' }] })

async function tcpClient(handler: HandlerLike, options: Partial<DnsServerOptions> = {}) {
  const clock = new FakeClock()
  const network = new MemoryNetwork({ clock })
  const server = new DnsServer({ handler, network, clock, ...options })
  const { port } = await server.listen({ port: 53, address: '127.0.0.1' })
  const socket = await network.connectStream('127.0.0.1', port)
  const ids: number[] = []
  let buf = Buffer.alloc(0)
  let closed = false
  socket.onData((chunk) => {
    buf = Buffer.concat([buf, chunk])
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      ids.push(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))).id!)
      buf = buf.subarray(2 + buf.readUInt16BE(0))
    }
  })
  socket.onClose(() => (closed = true))
  const frame = (id: number) => {
    const body = dnsPacket.encode({ type: 'query', id, questions: [{ name: `q${id}.test`, type: 'A' }] })
    const out = Buffer.alloc(body.length + 2)
    out.writeUInt16BE(body.length, 0)
    body.copy(out, 2)
    return out
  }
  const settle = async () => {
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r))
  }
  /** Lets the network deliver what was written, advances the fake clock by `ms`, and lets it deliver again. */
  const wait = async (ms: number) => {
    await settle()
    clock.advance(ms)
    await settle()
  }
  return { server, socket, ids, frame, settle, wait, isClosed: () => closed }
}

describe('DnsServer TCP time limits', () => {
  it('disconnects a client that drips a message byte by byte, tcpMessageTimeoutMs after its first byte', async () => {
    const t = await tcpClient(answer, { tcpIdleTimeoutMs: 10_000, tcpMessageTimeoutMs: 5_000 })
    t.socket.write(t.frame(1))
    await t.settle()
    expect(t.ids).toEqual([1])
    await t.wait(3_000)
    // From t=3 s, one byte every second: never idle for 10 s, so only the message clock can end it.
    const drip = t.frame(2)
    for (let i = 0; i < 4; i++) {
      t.socket.write(drip.subarray(i, i + 1))
      await t.wait(1_000)
    }
    t.socket.write(drip.subarray(4, 5))
    await t.wait(999) // 4,999 ms after the first byte
    expect(t.isClosed()).toBe(false)
    t.socket.write(drip.subarray(5, 6))
    await t.wait(1)
    expect(t.isClosed()).toBe(true)
    expect(t.ids).toEqual([1])
  })

  it('disconnects a connection whose first message does not arrive whole in time', async () => {
    const t = await tcpClient(answer, { tcpIdleTimeoutMs: 10_000, tcpMessageTimeoutMs: 2_000 })
    t.socket.write(t.frame(1).subarray(0, 3))
    await t.wait(1_999)
    expect(t.isClosed()).toBe(false)
    await t.wait(1)
    expect(t.isClosed()).toBe(true)
  })

  it('closes a busy connection at tcpMaxLifetimeMs, after sending the answer in progress', async () => {
    let release: (() => void) | undefined
    const t = await tcpClient(
      async (q) => {
        if (q.question!.name === 'q99.test.') await new Promise<void>((r) => (release = r))
        return (answer as (q: unknown) => unknown)(q) as never
      },
      { tcpIdleTimeoutMs: 10_000, tcpMaxLifetimeMs: 60_000 },
    )
    for (let i = 1; i <= 11; i++) {
      t.socket.write(t.frame(i))
      await t.wait(5_000)
    }
    expect(t.ids).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    t.socket.write(t.frame(99)) // at 55 s: still answering it when the lifetime ends
    await t.wait(5_000)
    expect(t.isClosed()).toBe(false)
    t.socket.write(t.frame(12)) // after the lifetime: not read
    await t.settle()
    release!()
    await t.settle()
    expect(t.ids).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 99])
    expect(t.isClosed()).toBe(true)
  })

  it('leaves a normal pipelined client alone: split and coalesced frames, short pauses, all answered, still open', async () => {
    const t = await tcpClient(answer, { tcpIdleTimeoutMs: 10_000, tcpMessageTimeoutMs: 5_000, tcpMaxLifetimeMs: 120_000 })
    for (let round = 0; round < 10; round++) {
      const batch = Buffer.concat([t.frame(round * 3 + 1), t.frame(round * 3 + 2), t.frame(round * 3 + 3)])
      t.socket.write(batch.subarray(0, 40))
      await t.wait(1_000)
      t.socket.write(batch.subarray(40))
      await t.wait(4_000)
    }
    expect(t.ids).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
    expect(t.isClosed()).toBe(false)
  })

  it('rejects limits that are not whole milliseconds', () => {
    expect(() => new DnsServer({ handler: answer, tcpMessageTimeoutMs: 0 })).toThrow(/tcpMessageTimeoutMs/)
    expect(() => new DnsServer({ handler: answer, tcpMaxLifetimeMs: -1 })).toThrow(/tcpMaxLifetimeMs/)
  })
})
