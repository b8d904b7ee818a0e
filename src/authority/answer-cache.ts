/**
 * The wire-format answer cache: an answer is encoded once per (view, lower-cased qname, qtype,
 * qclass, DO, EDNS, size class) and later served by copying the bytes and patching the id and
 * the question's case. Bounded by entries and bytes; eviction is CLOCK (second chance), an
 * approximation of least-recently-used that costs a hit nothing but a set insert. Cleared as a
 * whole whenever a zone changes: a reload is rare next to queries, and clearing cannot miss a
 * name that a CNAME or an additional record pulled in from the changed zone.
 */

/** One cached answer. */
export interface CachedAnswer {
  /** The encoded response (id and question case as first asked). */
  bytes: Buffer
  /** Offset of the OPT RDLENGTH (`-1` without OPT), so per-query options (ECS) can be appended. */
  optRdlengthOffset: number
  /** The rcode, for the counters. */
  rcode: number
  /** The counters of the zone that answered. */
  stats: unknown
  /** The zone origin that answered (for the query log). */
  zone: string
}

interface Slot {
  value: CachedAnswer
  used: boolean
}

/** Limits of an {@link AnswerCache}. */
export interface AnswerCacheOptions {
  /** At most this many answers (default 10,000; 0 turns the cache off). */
  maxEntries?: number
  /** At most this many bytes of answers (default 16 MiB). */
  maxBytes?: number
}

/** Counters of an {@link AnswerCache}. */
export interface AnswerCacheSnapshot {
  entries: number
  bytes: number
  hits: number
  misses: number
  evictions: number
}

/** An LRU of encoded answers. */
export class AnswerCache {
  private readonly map = new Map<string, Slot>()
  private readonly maxEntries: number
  private readonly maxBytes: number
  private bytes = 0
  private hits = 0
  private misses = 0
  private evictions = 0

  constructor(options: AnswerCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000
    this.maxBytes = options.maxBytes ?? 16 << 20
  }

  /** The cached answer for `key`, marked as used. */
  get(key: string): CachedAnswer | undefined {
    const slot = this.map.get(key)
    if (!slot) {
      this.misses++
      return undefined
    }
    this.hits++
    // CLOCK (second chance) instead of strict LRU: a hit only sets a flag, where moving the
    // key to the back of the Map costs a delete and an insert on every query.
    slot.used = true
    return slot.value
  }

  /**
   * The cached answer for `key`, counted as a hit; a miss is not counted, because the caller (the
   * UDP fast path) then hands the query to the full path, which looks again with {@link get}.
   */
  peek(key: string): CachedAnswer | undefined {
    const slot = this.map.get(key)
    if (!slot) return undefined
    this.hits++
    slot.used = true
    return slot.value
  }

  /** Stores an answer, evicting the least recently used ones beyond the limits. */
  set(key: string, value: CachedAnswer): void {
    if (this.maxEntries <= 0 || value.bytes.length > this.maxBytes) return
    const old = this.map.get(key)
    if (old) {
      this.bytes -= old.value.bytes.length
      this.map.delete(key)
    }
    this.map.set(key, { value, used: false })
    this.bytes += value.bytes.length
    while (this.map.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.map.keys().next()
      if (oldest.done) break
      const k = oldest.value
      const candidate = this.map.get(k)!
      this.map.delete(k)
      if (candidate.used && k !== key) {
        // Used since the hand last passed it: a second chance at the back of the queue.
        candidate.used = false
        this.map.set(k, candidate)
        continue
      }
      this.bytes -= candidate.value.bytes.length
      this.evictions++
    }
  }

  /** Drops every answer (a zone changed). */
  clear(): void {
    this.map.clear()
    this.bytes = 0
  }

  /** Counters as plain data. */
  snapshot(): AnswerCacheSnapshot {
    return { entries: this.map.size, bytes: this.bytes, hits: this.hits, misses: this.misses, evictions: this.evictions }
  }
}
