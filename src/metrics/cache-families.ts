/**
 * Cache families shared by every component with a cache (the forwarder's response cache, the
 * pool's packet cache, the authority's answer cache), told apart by `kind` and `cache` (the name
 * the component was watched under).
 */
import type { FamilySpec } from './family.js'
import { counter, gauge } from './family.js'

/** What every cache reports; fields a cache does not keep are left out. */
export interface CacheView {
  entries: number
  hits: number
  misses: number
  evictions: number
  /** Most entries kept (absent for the authority's byte-bounded cache). */
  capacity?: number
  /** Expired answers served (dnsmasq `--use-stale-cache`). */
  staleHits?: number
  inserts?: number
  /** Answers not stored (SERVFAIL, truncated, TTL 0...). */
  uncacheable?: number
  /** Bytes of answers held. */
  bytes?: number
}

/** The cache families for a kind whose snapshot may hold a cache (`undefined`: no samples). */
export function cacheFamilies<S>(kind: string, view: (snapshot: S) => CacheView | undefined): FamilySpec<S>[] {
  const one = (pick: (c: CacheView) => number | undefined) => (s: S, cache: string) => {
    const c = view(s)
    const value = c === undefined ? undefined : pick(c)
    return value === undefined ? [] : [[{ kind, cache }, value] as const]
  }
  const labels = ['kind', 'cache']
  return [
    counter('dnsha_cache_hits_total', 'Questions answered from the cache.', labels, one((c) => c.hits)),
    counter('dnsha_cache_misses_total', 'Questions the cache could not answer.', labels, one((c) => c.misses)),
    counter('dnsha_cache_stale_hits_total', 'Questions answered with an expired entry (serve-stale).', labels, one((c) => c.staleHits)),
    counter('dnsha_cache_inserts_total', 'Answers stored.', labels, one((c) => c.inserts)),
    counter('dnsha_cache_evictions_total', 'Entries evicted to make room.', labels, one((c) => c.evictions)),
    counter('dnsha_cache_uncacheable_total', 'Answers not stored (SERVFAIL, truncated, TTL 0, negative without SOA).', labels, one((c) => c.uncacheable)),
    gauge('dnsha_cache_entries', 'Entries held now.', labels, one((c) => c.entries)),
    gauge('dnsha_cache_capacity_entries', 'Most entries the cache keeps.', labels, one((c) => c.capacity)),
    gauge('dnsha_cache_bytes', 'Bytes of answers held now.', labels, one((c) => c.bytes)),
  ]
}
