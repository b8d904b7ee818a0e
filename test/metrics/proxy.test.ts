// UdpProxyPool metrics: client queries through the pool on a MemoryNetwork, a packet-cache hit, a
// member that goes away (port unreachable) and the retry on the other; the scrape checked exactly.
import { describe, expect, it } from 'vitest'
import { createMetrics } from '../../src/metrics/index.js'
import { rig } from '../proxy/helpers.js'
import { scrape } from './helpers.js'

describe('metrics: UdpProxyPool', () => {
  it('exposes queries, answers, the packet cache, retries and each member (up, queries, answers, weight, backup)', async () => {
    const r = await rig([{ weight: 3 }, { backup: true }], { policy: 'first', cache: true, timeoutMs: 1000 })
    try {
      r.ask('a.example', 1)
      await r.settle()
      r.ask('a.example', 2) // the packet cache
      await r.settle()
      await r.members[0]!.close() // gone: port unreachable, down, the query retried on the backup
      r.ask('b.example', 3)
      await r.settle()
      r.client.send(Buffer.from([1, 2, 3]), r.port, '10.0.0.1') // a runt: dropped
      await r.settle()
      expect(r.replies.map((x) => x.id)).toEqual([1, 2, 3])

      const metrics = await createMetrics()
      metrics.watch('front', r.pool)
      const s = await scrape(metrics)
      const pool = { pool: 'front' }
      // Relayed queries: the cache hit is counted by the cache, not here.
      expect(s.value('dnsha_pool_queries_total', pool)).toBe(2)
      expect(s.value('dnsha_pool_answers_total', pool)).toBe(2)
      expect(s.value('dnsha_pool_retries_total', pool)).toBe(1)
      expect(s.value('dnsha_pool_dropped_total', pool)).toBe(1)
      expect(s.value('dnsha_pool_servfail_total', pool)).toBe(0)
      expect(s.value('dnsha_pool_in_flight_queries', pool)).toBe(0)
      expect(s.type('dnsha_pool_unmatched_total')).toBe('counter')
      const cache = { kind: 'pool', cache: 'front' }
      expect([s.value('dnsha_cache_hits_total', cache), s.value('dnsha_cache_misses_total', cache), s.value('dnsha_cache_entries', cache)]).toEqual([1, 2, 2])
      expect(s.value('dnsha_cache_capacity_entries', cache)).toBe(10_000)

      expect(s.samples('dnsha_member_up')).toEqual({ 'member=10.0.1.1#53,pool=front': 0, 'member=10.0.1.2#53,pool=front': 1 })
      expect(s.samples('dnsha_member_backup')).toEqual({ 'member=10.0.1.1#53,pool=front': 0, 'member=10.0.1.2#53,pool=front': 1 })
      expect(s.samples('dnsha_member_weight')).toEqual({ 'member=10.0.1.1#53,pool=front': 3, 'member=10.0.1.2#53,pool=front': 1 })
      expect(s.samples('dnsha_member_answers_total')).toEqual({ 'member=10.0.1.1#53,pool=front': 1, 'member=10.0.1.2#53,pool=front': 1 })
      expect(s.samples('dnsha_member_queries_total')).toEqual({ 'member=10.0.1.1#53,pool=front': 2, 'member=10.0.1.2#53,pool=front': 1 })
      expect(s.value('dnsha_member_errors_total', { pool: 'front', member: '10.0.1.1#53' })).toBe(1)
      expect(s.samples('dnsha_member_outstanding_queries')).toEqual({ 'member=10.0.1.1#53,pool=front': 0, 'member=10.0.1.2#53,pool=front': 0 })
    } finally {
      await r.pool.close()
    }
  })
})
