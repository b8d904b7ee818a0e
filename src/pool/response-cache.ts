/**
 * {@link ResponseCache}: upstream responses kept in wire format. A hit is a byte copy with the
 * TTLs counted down (the forwarder's `responseForClient`, the proxy pool's packet cache);
 * negative answers are cached per RFC 2308; the size is bounded with LRU eviction; expired
 * entries may be kept for serve-stale (RFC 8767). It lives in the pool layer so both the
 * forwarder and the proxy can use it.
 */
import type { ResponseInfo } from '../packet/response-info.js'
import { rewriteTtls } from '../packet/response-info.js'

/** Cache behaviour. */
export interface CacheOptions {
  /** Maximum number of entries (dnsmasq's `cache-size`, default 150); 0 disables the cache. */
  size: number
  /** Cache NXDOMAIN/NODATA answers (dnsmasq's default; `no-negcache` turns it off). */
  negative: boolean
  /** TTL for negative answers that carry no SOA (dnsmasq's `neg-ttl`); without it they are not cached. */
  negTtl: number | undefined
  /** TTLs below this are raised to it (seconds). */
  minTtl: number
  /** TTLs above this are lowered to it (seconds; the forwarder passes 86400 unless told otherwise). */
  maxTtl: number
  /** Negative answers are kept at most this long (seconds, dnsdist's `maxNegativeTTL`; default: `maxTtl`). */
  maxNegativeTtl?: number
  /** How long past expiry an entry may still be served when every upstream fails (ms, 0 = never). */
  maxStaleMs: number
}

/** One cached response. */
export interface CacheEntry {
  /** The response as stored (no OPT; TTLs as of `storedAt`). */
  bytes: Uint8Array
  ttlOffsets: number[]
  storedAt: number
  expiresAt: number
  /** Until when it may be served stale. */
  staleUntil: number
  negative: boolean
  /** The cache's move counter when this entry was last moved to the recent end. */
  tick: number
  /**
   * Set once the cache no longer holds the entry (evicted, replaced, dropped past its stale
   * window, cleared): whoever kept a copy built from it (the forwarder's answer memo) drops it too.
   */
  dropped?: boolean
}

/** Counters of the cache. */
export interface CacheSnapshot {
  size: number
  capacity: number
  hits: number
  misses: number
  staleHits: number
  inserts: number
  evictions: number
  /** Responses not stored (SERVFAIL, truncated, TTL 0, negative without a TTL...). */
  uncacheable: number
}

const RCODE_NOERROR = 0
const RCODE_NXDOMAIN = 3

/** A bounded LRU of wire-format responses keyed by question (and DO/CD bits). */
export class ResponseCache {
  private readonly entries = new Map<string, CacheEntry>()
  private tick = 0
  private readonly counters = { hits: 0, misses: 0, staleHits: 0, inserts: 0, evictions: 0, uncacheable: 0 }

  constructor(private readonly options: CacheOptions) {}

  /** A fresh entry for `key` at `now`, counted as a hit or a miss. Expired entries are not returned (see {@link ResponseCache.getStale}). */
  get(key: string, now: number): CacheEntry | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined || entry.expiresAt <= now) {
      if (entry !== undefined && entry.staleUntil <= now) {
        this.entries.delete(key)
        entry.dropped = true
      }
      this.counters.misses++
      return undefined
    }
    // LRU, approximately: an entry already in the most recent quarter is not moved, so a hot
    // set costs a map read per hit instead of a delete and an insert.
    if (this.tick - entry.tick > this.options.size >> 2) {
      entry.tick = ++this.tick
      this.entries.delete(key)
      this.entries.set(key, entry)
    }
    this.counters.hits++
    return entry
  }

  /** An expired entry still inside its serve-stale window, for when every upstream failed. */
  getStale(key: string, now: number): CacheEntry | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined || entry.staleUntil <= now) return undefined
    this.counters.staleHits++
    return entry
  }

  /**
   * Stores a response (already stripped of OPT) when it is cacheable: NOERROR with answers
   * (TTL = smallest answer TTL), or NXDOMAIN/NODATA with negative caching on (TTL from the SOA,
   * RFC 2308 §5, else `negTtl`). TTL fields are clamped in the stored copy. Returns the entry
   * or `undefined` when it was not cacheable.
   */
  store(key: string, bytes: Uint8Array, info: ResponseInfo, now: number): CacheEntry | undefined {
    if (this.options.size <= 0) return undefined
    const ttl = this.ttlFor(info)
    if (ttl === undefined || ttl <= 0) {
      this.counters.uncacheable++
      return undefined
    }
    const negative = info.rcode === RCODE_NXDOMAIN || info.ancount === 0
    const clamp = (t: number): number => Math.max(this.options.minTtl, Math.min(t, this.options.maxTtl, negative ? ttl : Number.MAX_SAFE_INTEGER))
    rewriteTtls(bytes, info.ttlOffsets, clamp)
    const expiresAt = now + ttl * 1000
    const entry: CacheEntry = { bytes, ttlOffsets: info.ttlOffsets, storedAt: now, expiresAt, staleUntil: expiresAt + this.options.maxStaleMs, negative, tick: ++this.tick }
    const replaced = this.entries.get(key)
    if (replaced !== undefined) replaced.dropped = true
    this.entries.delete(key)
    this.entries.set(key, entry)
    this.counters.inserts++
    while (this.entries.size > this.options.size) {
      const oldest = this.entries.keys().next().value as string
      this.entries.get(oldest)!.dropped = true
      this.entries.delete(oldest)
      this.counters.evictions++
    }
    return entry
  }

  /** Drops everything (dnsmasq drops its cache on SIGHUP too). */
  clear(): void {
    for (const entry of this.entries.values()) entry.dropped = true
    this.entries.clear()
  }

  /** Counters and size as plain data. */
  snapshot(): CacheSnapshot {
    return { size: this.entries.size, capacity: this.options.size, ...this.counters }
  }

  private ttlFor(info: ResponseInfo): number | undefined {
    if (info.truncated) return undefined
    const { minTtl, maxTtl } = this.options
    if (info.rcode === RCODE_NOERROR && info.ancount > 0) {
      return info.minTtl === undefined ? undefined : Math.max(minTtl, Math.min(info.minTtl, maxTtl))
    }
    if (info.rcode === RCODE_NXDOMAIN || info.rcode === RCODE_NOERROR) {
      if (!this.options.negative) return undefined
      const t = info.soaNegativeTtl ?? this.options.negTtl
      return t === undefined ? undefined : Math.min(t, maxTtl, this.options.maxNegativeTtl ?? maxTtl)
    }
    return undefined
  }
}
