// `failuresToDown`: failed exchanges in a row before an upstream is marked down (default 1).
// While it is still up, strict order keeps asking it first (each query pays its timeout); once
// down, queries skip it at once. A success in between starts the count again.
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { Forwarder } from '../../src/forwarder/index.js'
import type { ForwarderOptions } from '../../src/forwarder/index.js'
import { DnsServer, DROP, respond } from '../../src/server/index.js'
import type { DnsQuery } from '../../src/server/index.js'
import { FakeClock, flush, MemoryNetwork } from '../../src/testing/index.js'
import { seededRandom } from '../../src/util/random.js'
import { makeQuery } from './helpers.js'

const TIMEOUT = 1000

async function setup(options: ForwarderOptions) {
  const clock = new FakeClock()
  const network = new MemoryNetwork({ clock })
  const forwarder = new Forwarder({
    clock,
    network,
    random: seededRandom(3),
    strategy: 'strict',
    servers: [{ address: '10.0.0.1' }, { address: '10.0.0.2' }],
    timeoutMs: TIMEOUT,
    probeIntervalMs: 60_000,
    cacheSize: 0,
    ...options,
  })
  const first = { silent: true, asked: 0 }
  const answer = (data: string) => (q: DnsQuery) => respond(q, { answers: [{ name: q.question!.name, type: 'A', ttl: 60, data }] })
  const servers = [
    new DnsServer({ network, handler: (q: DnsQuery) => (first.asked++, first.silent ? DROP : answer('192.0.2.1')(q)) }),
    new DnsServer({ network, handler: answer('192.0.2.2') }),
  ]
  await servers[0]!.listen({ port: 53, address: '10.0.0.1' })
  await servers[1]!.listen({ port: 53, address: '10.0.0.2' })
  const downs: string[] = []
  forwarder.on('upstream-down', (e) => downs.push(e.server.address))

  /** One query: its answer data and how much fake time it took. */
  const ask = async (name: string): Promise<{ data: string[]; ms: number }> => {
    const started = clock.now()
    const query = makeQuery(name, 'A')
    const pending = Promise.resolve(forwarder.handle(query, () => undefined))
    let settled = false
    void pending.then(() => (settled = true))
    for (let i = 0; i < 10; i++) {
      await flush()
      if (settled) break
      await clock.advanceAsync(TIMEOUT / 4)
    }
    const result = await pending
    if (!(result instanceof Uint8Array)) throw new Error('expected bytes')
    const decoded = dnsPacket.decode(Buffer.from(result))
    return { data: (decoded.answers ?? []).map((a) => String((a as { data: unknown }).data)), ms: clock.now() - started }
  }
  const statusOf = (address: string) => forwarder.snapshot().upstreams.find((u) => u.address === address)?.status
  const close = async () => {
    await forwarder.close()
    for (const s of servers) await s.close()
  }
  return { ask, first, downs, statusOf, close }
}

describe('Forwarder failuresToDown', () => {
  it('default 1: the first failure marks the upstream down, the next query skips it at once', async () => {
    const t = await setup({})
    expect(await t.ask('a.example')).toEqual({ data: ['192.0.2.2'], ms: TIMEOUT })
    expect(t.downs).toEqual(['10.0.0.1'])
    expect(t.statusOf('10.0.0.1')).toBe('down')
    const asked = t.first.asked
    expect(await t.ask('b.example')).toEqual({ data: ['192.0.2.2'], ms: 0 })
    expect(t.first.asked).toBe(asked) // not asked again (only the slow probe would)
    await t.close()
  })

  it('failuresToDown 3: two failures leave it up (each query pays the timeout), the third marks it down', async () => {
    const t = await setup({ failuresToDown: 3 })
    for (const name of ['a.example', 'b.example']) {
      expect(await t.ask(name)).toEqual({ data: ['192.0.2.2'], ms: TIMEOUT })
      expect(t.statusOf('10.0.0.1')).toBe('up')
    }
    expect(t.downs).toEqual([])
    expect(await t.ask('c.example')).toEqual({ data: ['192.0.2.2'], ms: TIMEOUT })
    expect(t.downs).toEqual(['10.0.0.1'])
    expect(t.statusOf('10.0.0.1')).toBe('down')
    expect(await t.ask('d.example')).toEqual({ data: ['192.0.2.2'], ms: 0 })
    await t.close()
  })

  it('failuresToDown 3: a success in between starts the count again', async () => {
    const t = await setup({ failuresToDown: 3 })
    await t.ask('a.example')
    await t.ask('b.example')
    t.first.silent = false
    expect(await t.ask('c.example')).toEqual({ data: ['192.0.2.1'], ms: 0 })
    t.first.silent = true
    await t.ask('d.example')
    await t.ask('e.example')
    expect(t.statusOf('10.0.0.1')).toBe('up')
    expect(t.downs).toEqual([])
    await t.ask('f.example')
    expect(t.downs).toEqual(['10.0.0.1'])
    await t.close()
  })
})
