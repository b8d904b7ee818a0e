// One TCP connection under a slow handler: reading pauses at the per-connection query cap and
// resumes as answers go out, and neither the idle nor the message clock blames the client for
// time the server spends answering.
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import type { DnsServerOptions } from '../../src/server/dns-server.js'
import type { DnsQuery } from '../../src/server/query.js'
import { respond } from '../../src/server/respond.js'
import { memoryTcpClient } from './helpers.js'

/** A server whose handler holds every answer until released; `seen` are the ids it was asked. */
async function heldClient(options: Partial<DnsServerOptions>) {
  const seen: number[] = []
  const held = new Map<number, () => void>()
  const t = await memoryTcpClient(async (query: DnsQuery) => {
    seen.push(query.id)
    await new Promise<void>((resolve) => held.set(query.id, resolve))
    return respond(query, { answers: [{ name: query.question!.name, type: 'A', ttl: 60, data: '192.0.2.1' }] })
  }, options)
  return {
    ...t,
    seen,
    release: (id: number) => held.get(id)!(),
    send: (id: number) => t.socket.write(t.frame({ id, questions: [{ name: `q${id}.test`, type: 'A' }] })),
    ids: () => t.frames.map((f) => dnsPacket.decode(f).id!),
  }
}

describe('TcpConnection: queries in progress', () => {
  it('stops reading at maxTcpQueriesPerConnection and reads on once an answer goes out', async () => {
    const t = await heldClient({ maxTcpQueriesPerConnection: 2 })
    for (const id of [1, 2, 3, 4]) t.send(id)
    await t.settle()
    expect(t.seen).toEqual([1, 2])
    t.release(2)
    await t.settle()
    expect(t.ids()).toEqual([2])
    expect(t.seen).toEqual([1, 2, 3])
    t.release(1)
    t.release(3)
    await t.settle()
    expect(t.seen).toEqual([1, 2, 3, 4])
    t.release(4)
    await t.settle()
    expect(t.ids()).toEqual([2, 1, 3, 4])
    expect(t.isClosed()).toBe(false)
    await t.server.close()
  })

  it('with one query below the cap, keeps reading', async () => {
    const t = await heldClient({ maxTcpQueriesPerConnection: 3 })
    for (const id of [1, 2]) t.send(id)
    await t.settle()
    expect(t.seen).toEqual([1, 2])
    t.send(3)
    await t.settle()
    expect(t.seen).toEqual([1, 2, 3])
    for (const id of [1, 2, 3]) t.release(id)
    await t.settle()
    expect(t.ids()).toEqual([1, 2, 3])
    await t.server.close()
  })

  it('a slow answer is not idleness: the connection stays open past tcpIdleTimeoutMs while a query is in progress, and closes one idle period after the answer', async () => {
    const t = await heldClient({ tcpIdleTimeoutMs: 1_000, tcpMessageTimeoutMs: 500, tcpMaxLifetimeMs: 0 })
    t.send(1)
    await t.wait(2_500)
    expect(t.isClosed()).toBe(false)
    t.release(1)
    await t.settle()
    expect(t.ids()).toEqual([1])
    await t.wait(999)
    expect(t.isClosed()).toBe(false)
    await t.wait(1)
    expect(t.isClosed()).toBe(true)
  })

  it('bytes waiting while reading is paused are not the client dripping: the message clock waits for the handler', async () => {
    const t = await heldClient({ maxTcpQueriesPerConnection: 1, tcpIdleTimeoutMs: 10_000, tcpMessageTimeoutMs: 500, tcpMaxLifetimeMs: 0 })
    t.send(1)
    t.send(2)
    await t.wait(2_000)
    expect(t.isClosed()).toBe(false)
    expect(t.seen).toEqual([1])
    t.release(1)
    await t.settle()
    expect(t.seen).toEqual([1, 2])
    t.release(2)
    await t.settle()
    expect(t.ids()).toEqual([1, 2])
    expect(t.isClosed()).toBe(false)
    await t.server.close()
  })

  it('the message clock restarts with the first byte of each message, not with the connection', async () => {
    const t = await heldClient({ tcpIdleTimeoutMs: 10_000, tcpMessageTimeoutMs: 1_000, tcpMaxLifetimeMs: 0 })
    t.send(1)
    await t.settle()
    t.release(1)
    await t.wait(900)
    // Past the first message's clock: a whole second message still reads, and half a third gets its own full second.
    await t.wait(900)
    t.send(2)
    await t.settle()
    t.release(2)
    const third = t.frame({ id: 3, questions: [{ name: 'q3.test', type: 'A' }] })
    t.socket.write(third.subarray(0, 4))
    await t.wait(999)
    expect(t.isClosed()).toBe(false)
    await t.wait(1)
    expect(t.isClosed()).toBe(true)
    expect(t.ids()).toEqual([1, 2])
  })
})
