// Forwarder metrics: a silent upstream and an answering one on a MemoryNetwork, hosts, the cache;
// the scrape's member and cache families checked against what the traffic must have done.
import dnsPacket from 'dns-packet'
import { afterEach, describe, expect, it } from 'vitest'
import { Forwarder } from '../../src/forwarder/index.js'
import { createMetrics } from '../../src/metrics/index.js'
import { DnsServer, DROP, respond } from '../../src/server/index.js'
import type { DnsQuery } from '../../src/server/index.js'
import { FakeClock, flush, MemoryNetwork } from '../../src/testing/index.js'
import { seededRandom } from '../../src/util/random.js'
import { makeQuery } from '../forwarder/helpers.js'
import { scrape } from './helpers.js'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of closers.splice(0)) await c()
})

describe('metrics: Forwarder', () => {
  it('exposes answers by source, the cache, and each upstream as a pool member (up, queries, timeouts, latency)', async () => {
    const clock = new FakeClock()
    const network = new MemoryNetwork({ clock })
    const forwarder = new Forwarder({ clock, network, random: seededRandom(3), strategy: 'strict', servers: [{ address: '10.0.0.1' }, { address: '10.0.0.2' }], timeoutMs: 1000, probeIntervalMs: 600_000, hosts: '10.1.1.1 printer.lan' })
    const silent = new DnsServer({ network, handler: () => DROP })
    const answering = new DnsServer({ network, handler: (q: DnsQuery) => respond(q, { answers: [{ name: q.question!.name, type: 'A', ttl: 60, data: '192.0.2.2' }] }) })
    await silent.listen({ port: 53, address: '10.0.0.1' })
    await answering.listen({ port: 53, address: '10.0.0.2' })
    closers.push(() => forwarder.close(), () => silent.close(), () => answering.close())
    const ask = async (name: string) => {
      const pending = Promise.resolve(forwarder.handle(makeQuery(name, 'A'), () => undefined))
      let settled = false
      void pending.then(() => (settled = true))
      for (let i = 0; i < 10 && !settled; i++) {
        await flush()
        if (!settled) await clock.advanceAsync(250)
      }
      return dnsPacket.decode(Buffer.from((await pending) as Uint8Array))
    }
    await ask('a.example') // 10.0.0.1 times out (down), 10.0.0.2 answers
    await ask('a.example') // from the cache
    await ask('b.example') // 10.0.0.2 only
    await ask('printer.lan') // hosts

    const metrics = await createMetrics()
    metrics.watch('dnsmasq', forwarder)
    const s = await scrape(metrics)
    expect(s.value('dnsha_forwarder_queries_total', { forwarder: 'dnsmasq' })).toBe(4)
    expect(s.samples('dnsha_forwarder_answers_total')).toEqual({
      'forwarder=dnsmasq,source=hosts': 1,
      'forwarder=dnsmasq,source=rule': 0,
      'forwarder=dnsmasq,source=local': 0,
      'forwarder=dnsmasq,source=cache': 1,
      'forwarder=dnsmasq,source=upstream': 2,
      'forwarder=dnsmasq,source=stale': 0,
      'forwarder=dnsmasq,source=failure': 0,
    })
    expect(s.value('dnsha_forwarder_forwarded_total', { forwarder: 'dnsmasq' })).toBe(2)
    expect(s.value('dnsha_forwarder_hosts_entries', { forwarder: 'dnsmasq' })).toBe(forwarder.snapshot().hostsEntries)
    const cache = { kind: 'forwarder', cache: 'dnsmasq' }
    expect(s.value('dnsha_cache_hits_total', cache)).toBe(1)
    expect(s.value('dnsha_cache_misses_total', cache)).toBe(2)
    expect(s.value('dnsha_cache_inserts_total', cache)).toBe(2)
    expect(s.value('dnsha_cache_entries', cache)).toBe(2)
    expect(s.value('dnsha_cache_capacity_entries', cache)).toBe(forwarder.snapshot().cache.capacity)

    const one = { pool: 'dnsmasq', member: '10.0.0.1#53' }
    const two = { pool: 'dnsmasq', member: '10.0.0.2#53' }
    expect(s.samples('dnsha_member_up')).toEqual({ 'member=10.0.0.1#53,pool=dnsmasq': 0, 'member=10.0.0.2#53,pool=dnsmasq': 1 })
    expect([s.value('dnsha_member_queries_total', one), s.value('dnsha_member_timeouts_total', one), s.value('dnsha_member_answers_total', one)]).toEqual([1, 1, 0])
    expect([s.value('dnsha_member_queries_total', two), s.value('dnsha_member_timeouts_total', two), s.value('dnsha_member_answers_total', two)]).toEqual([2, 0, 2])
    expect(s.value('dnsha_member_consecutive_failures', one)).toBe(1)
    // The EWMA is in seconds; the silent one has never answered, so it has none.
    const srtt = forwarder.snapshot().upstreams.find((u) => u.address === '10.0.0.2')!.srttMs!
    expect(s.value('dnsha_member_latency_ewma_seconds', two)).toBe(srtt / 1000)
    expect(s.samples('dnsha_member_latency_ewma_seconds')).toEqual({ 'member=10.0.0.2#53,pool=dnsmasq': srtt / 1000 })
    // Upstreams have no weight or outstanding count: those families have no forwarder samples.
    expect(s.samples('dnsha_member_outstanding_queries')).toEqual({})
  })
})
