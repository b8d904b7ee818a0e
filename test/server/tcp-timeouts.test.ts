import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { DnsServer } from '../../src/server/dns-server.js'
import type { DnsServerOptions } from '../../src/server/dns-server.js'
import type { HandlerLike } from '../../src/server/handler.js'
import { respond } from '../../src/server/respond.js'
import { memoryTcpClient } from './helpers.js'

const answer: HandlerLike = (q) => respond(q, { aa: true, answers: [{ name: q.question!.name, type: 'A', ttl: 60, data: '192.0.2.1' }] })

/** A TCP client whose queries ask `q<id>.test`; `ids()` are the ids of the answers received. */
async function tcpClient(handler: HandlerLike, options: Partial<DnsServerOptions> = {}) {
  const t = await memoryTcpClient(handler, options)
  return {
    ...t,
    frame: (id: number) => t.frame({ id, questions: [{ name: `q${id}.test`, type: 'A' }] }),
    ids: () => t.frames.map((f) => dnsPacket.decode(f).id!),
  }
}

describe('DnsServer TCP time limits', () => {
  it('disconnects a client that drips a message byte by byte, tcpMessageTimeoutMs after its first byte', async () => {
    const t = await tcpClient(answer, { tcpIdleTimeoutMs: 10_000, tcpMessageTimeoutMs: 5_000 })
    t.socket.write(t.frame(1))
    await t.settle()
    expect(t.ids()).toEqual([1])
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
    expect(t.ids()).toEqual([1])
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
    expect(t.ids()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    t.socket.write(t.frame(99)) // at 55 s: still answering it when the lifetime ends
    await t.wait(5_000)
    expect(t.isClosed()).toBe(false)
    t.socket.write(t.frame(12)) // after the lifetime: not read
    await t.settle()
    release!()
    await t.settle()
    expect(t.ids()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 99])
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
    expect(t.ids()).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
    expect(t.isClosed()).toBe(false)
  })

  it('rejects limits that are not whole milliseconds', () => {
    expect(() => new DnsServer({ handler: answer, tcpMessageTimeoutMs: 0 })).toThrow(/tcpMessageTimeoutMs/)
    expect(() => new DnsServer({ handler: answer, tcpMaxLifetimeMs: -1 })).toThrow(/tcpMaxLifetimeMs/)
  })
})
