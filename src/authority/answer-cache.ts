/**
 * The wire-format answer cache: an answer is encoded once per key (view, lower-cased question,
 * EDNS variant, size class; see {@link writeAnswerCacheKey}) and later served by copying its
 * bytes and patching in the asker's id, RD and CD bits and question case.
 *
 * Built for the per-query path, where a cache hit costs little more than its memory traffic: each
 * entry (a header of numbers, the key, the answer) is one run of a byte arena, and the index is an
 * open-addressing table of (hash, offset) pairs in a typed array. A hit hashes the question
 * straight from the query, probes the index, compares the key in the arena and copies the
 * answer a word at a time: a few cache lines, no string built, no object reached. (A Map of
 * objects hashed a new string per query and chased a pointer per level, about twice the cost.)
 *
 * The hash is FNV-1a started from a random value per cache, so names chosen to collide (a
 * wildcard zone caches any name asked) cannot be worked out ahead of time.
 *
 * Entries are evicted first in, first out: the arena is a ring, and when it or the entry table is
 * full the oldest answers go. Cleared as a whole when a zone changes.
 */
import type { EdnsVariant } from '../server/plain-query.js'
import type { Random } from '../util/random.js'
import { defaultRandom } from '../util/random.js'
import { hasAnswerCacheKey, KEY_PREFIX_LENGTH, lower, MAX_KEY_LENGTH, questionKeyHash, writeAnswerCacheKey } from './cache-key.js'

/** Limits of an {@link AnswerCache}. */
export interface AnswerCacheOptions {
  /** At most this many answers (default 10,000; 0 turns the cache off). */
  maxEntries?: number
  /** At most this many bytes of keys and answers (default 16 MiB). */
  maxBytes?: number
  /**
   * Where the hash seed comes from (default: the process's CSPRNG pool). The seed is secret so a
   * client cannot pick names that all land in one hash chain.
   */
  random?: Random
}

/** Counters of an {@link AnswerCache}. */
export interface AnswerCacheSnapshot {
  entries: number
  /** Bytes of answers held (keys not counted). */
  bytes: number
  hits: number
  misses: number
  evictions: number
}

// Each entry in the arena: a header of HEADER_INTS int32s, the key, then (4-aligned) the answer,
// padded so the next header is aligned.
const HEADER_INTS = 6
const HEADER_BYTES = HEADER_INTS * 4
const H_ENTRY = 0 // the entry's number in the ring
const H_KEY_LENGTH = 1
const H_ANSWER_LENGTH = 2
const H_TALLIES = 3 // three counter indices, -1 for none
const TALLY_COUNT = 3
const ALIGN = 8

// The ring of entries (insertion order, for eviction): offset and hash per entry number.
const RING_INTS = 2

// Answers are copied into pools of this size, like Buffer.allocUnsafe's.
const OUT_POOL_BYTES = 64 * 1024

const INITIAL_SLOTS = 1024
const INITIAL_ARENA = 64 * 1024

/**
 * Answers by question, as encoded bytes; `M` is what the owner keeps beside each one. An entry
 * is named by a handle from {@link AnswerCache.find}, valid until the next store or clear.
 */
export class AnswerCache<M = unknown> {
  private readonly maxEntries: number
  /** The arena's largest size: maxBytes in whole aligned units (a tail cut short would never fill). */
  private readonly maxArena: number
  private readonly key = new Uint8Array(MAX_KEY_LENGTH)
  private readonly seed: number
  /** Where copies of answers are made (see {@link copyAnswer}). */
  private out8 = new Uint8Array(0)
  private out32 = new Int32Array(0)
  private outOffset = OUT_POOL_BYTES
  /** Pairs of (hash, arena offset + 1); 0 marks an empty slot. */
  private slots = new Int32Array(INITIAL_SLOTS * 2)
  private ring = new Int32Array(0)
  private metas: (M | undefined)[] = []
  private arena = new Uint8Array(0)
  /** The arena's headers, as int32s. */
  private headers = new Int32Array(0)
  /** Where the next entry goes in the arena. */
  private head = 0
  /** Ring number of the oldest entry. */
  private oldest = 0
  private count = 0
  private answerBytes = 0
  private hits = 0
  private misses = 0
  private evictions = 0

  constructor(options: AnswerCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000
    this.seed = (options.random ?? defaultRandom()).int(0x7fffffff)
    const maxBytes = options.maxBytes ?? 16 << 20
    this.maxArena = maxBytes - (maxBytes % ALIGN)
  }

  /**
   * The handle of the entry answering the question at 12..`questionEnd` of `raw` for this view,
   * EDNS variant and size class, or -1. The caller counts the outcome ({@link noteHit},
   * {@link noteMiss}) once it is final: a fast path that steps aside hands over to a full path
   * that looks again.
   */
  find(raw: Uint8Array, questionEnd: number, view: number, variant: EdnsVariant, sizeClass: number): number {
    if (this.count === 0 || !hasAnswerCacheKey(raw, questionEnd)) return -1
    const hash = questionKeyHash(raw, questionEnd, view, variant, sizeClass, this.seed)
    const nameEnd = questionEnd - 4
    const keyLength = KEY_PREFIX_LENGTH + questionEnd - 12
    const slots = this.slots
    const mask = (slots.length >> 1) - 1
    const headers = this.headers
    const arena = this.arena
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const stored = slots[slot * 2 + 1]!
      if (stored === 0) return -1
      if (slots[slot * 2] !== hash) continue
      const offset = stored - 1
      if (headers[(offset >> 2) + H_KEY_LENGTH] !== keyLength) continue
      const at = offset + HEADER_BYTES
      if (arena[at] !== ((view >> 8) & 0xff) || arena[at + 1] !== (view & 0xff) || arena[at + 2] !== variant || arena[at + 3] !== ((sizeClass >> 8) & 0xff) || arena[at + 4] !== (sizeClass & 0xff)) continue
      const delta = at + KEY_PREFIX_LENGTH - 12
      let i = 12
      while (i < nameEnd && arena[delta + i] === lower(raw[i]!)) i++
      if (i < nameEnd) continue
      while (i < questionEnd && arena[delta + i] === raw[i]) i++
      if (i === questionEnd) return offset
    }
  }

  /** Counts a hit (see {@link find}). */
  noteHit(): void {
    this.hits++
  }

  /** Counts a miss (see {@link find}). */
  noteMiss(): void {
    this.misses++
  }

  /** The length of an entry's answer. */
  answerLength(handle: number): number {
    return this.headers[(handle >> 2) + H_ANSWER_LENGTH]!
  }

  /** What the owner stored beside an entry. */
  meta(handle: number): M {
    return this.metas[this.headers[(handle >> 2) + H_ENTRY]!]!
  }

  /** Adds one to each of the entry's counters in `counts` (the indices given to {@link store}). */
  tally(handle: number, counts: Float64Array): void {
    const h = (handle >> 2) + H_TALLIES
    const headers = this.headers
    for (let i = 0; i < TALLY_COUNT; i++) {
      const c = headers[h + i]!
      if (c >= 0) counts[c]!++
    }
  }

  /**
   * A fresh copy of the entry's answer for the query `raw`: its id, its RD and CD bits (RFC 1035
   * §4.1.1, RFC 4035 §3.1.6) and its question's case (0x20) patched in, which the key ignores.
   */
  copyAnswer(handle: number, raw: Uint8Array, questionEnd: number): Uint8Array {
    const h = handle >> 2
    const headers = this.headers
    const length = headers[h + H_ANSWER_LENGTH]!
    // Copied a word at a time from the arena into the output pool (both 4-aligned views), then
    // the tail bytes: a typed-array subarray per answer costs more than the copy itself.
    const from = h + HEADER_INTS + (alignUp4(headers[h + H_KEY_LENGTH]!) >> 2)
    if (this.outOffset + length > OUT_POOL_BYTES) this.newOutPool()
    const at = this.outOffset
    const words = length >> 2
    const out32 = this.out32
    const to = at >> 2
    for (let i = 0; i < words; i++) out32[to + i] = headers[from + i]!
    const out8 = this.out8
    const arena = this.arena
    for (let i = words << 2; i < length; i++) out8[at + i] = arena[(from << 2) + i]!
    out8[at] = raw[0]!
    out8[at + 1] = raw[1]!
    out8[at + 2] = (out8[at + 2]! & ~0x01) | (raw[2]! & 0x01)
    out8[at + 3] = (out8[at + 3]! & ~0x10) | (raw[3]! & 0x10)
    for (let i = 12; i < questionEnd; i++) out8[at + i] = raw[i]!
    this.outOffset = at + alignUp(length)
    return new Uint8Array(this.out8.buffer, at, length)
  }

  /** Starts a new output pool; answers handed out keep the old one alive until they are sent. */
  private newOutPool(): void {
    const pool = new ArrayBuffer(OUT_POOL_BYTES)
    this.out8 = new Uint8Array(pool)
    this.out32 = new Int32Array(pool)
    this.outOffset = 0
  }

  /**
   * Caches `answer` for the question of `raw` (see {@link find}), with `meta` beside it and up
   * to three counter indices (-1 for none) for {@link tally}. The answer's question must be as
   * long as the query's, so hits can patch its case in. An answer already cached under this
   * key is kept.
   */
  store(raw: Uint8Array, questionEnd: number, view: number, variant: EdnsVariant, sizeClass: number, answer: Uint8Array, meta: M, tallies: readonly number[]): void {
    const key = this.key
    const keyLength = writeAnswerCacheKey(raw, questionEnd, view, variant, sizeClass, key)
    const size = alignUp(HEADER_BYTES + alignUp4(keyLength) + answer.length)
    if (keyLength < 0 || this.maxEntries <= 0 || size > this.maxArena) return
    if (this.find(raw, questionEnd, view, variant, sizeClass) >= 0) return
    const hash = questionKeyHash(raw, questionEnd, view, variant, sizeClass, this.seed)
    const offset = this.makeRoom(size)
    const entry = (this.oldest + this.count) % this.ringCapacity()
    const h = offset >> 2
    const headers = this.headers
    headers[h + H_ENTRY] = entry
    headers[h + H_KEY_LENGTH] = keyLength
    headers[h + H_ANSWER_LENGTH] = answer.length
    for (let i = 0; i < TALLY_COUNT; i++) headers[h + H_TALLIES + i] = tallies[i] ?? -1
    this.arena.set(key.subarray(0, keyLength), offset + HEADER_BYTES)
    this.arena.set(answer, offset + HEADER_BYTES + alignUp4(keyLength))
    this.ring[entry * RING_INTS] = offset
    this.ring[entry * RING_INTS + 1] = hash
    this.metas[entry] = meta
    this.count++
    this.answerBytes += answer.length
    this.head = offset + size
    this.insertSlot(hash, offset)
  }

  /** Drops every answer (a zone changed). */
  clear(): void {
    this.slots.fill(0)
    this.metas = []
    this.head = 0
    this.oldest = 0
    this.count = 0
    this.answerBytes = 0
  }

  /** Counters as plain data. */
  snapshot(): AnswerCacheSnapshot {
    return { entries: this.count, bytes: this.answerBytes, hits: this.hits, misses: this.misses, evictions: this.evictions }
  }

  // ---- the index ----

  private insertSlot(hash: number, offset: number): void {
    if (this.count * 2 > this.slots.length >> 1) this.growSlots()
    placeSlot(this.slots, hash, offset)
  }

  /** Empties the slot holding `offset`, shifting later members of its probe run back (linear probing has no tombstones). */
  private removeSlot(hash: number, offset: number): void {
    const slots = this.slots
    const mask = (slots.length >> 1) - 1
    let hole = hash & mask
    while (slots[hole * 2 + 1] !== offset + 1) hole = (hole + 1) & mask
    for (let next = (hole + 1) & mask; slots[next * 2 + 1] !== 0; next = (next + 1) & mask) {
      const home = slots[next * 2]! & mask
      // It stays when its home lies cyclically in (hole, next]; else it moves into the hole.
      const stays = hole <= next ? home > hole && home <= next : home > hole || home <= next
      if (stays) continue
      slots[hole * 2] = slots[next * 2]!
      slots[hole * 2 + 1] = slots[next * 2 + 1]!
      hole = next
    }
    slots[hole * 2] = 0
    slots[hole * 2 + 1] = 0
  }

  private growSlots(): void {
    const slots = new Int32Array(this.slots.length * 2)
    const capacity = this.ringCapacity()
    for (let n = 0; n < this.count; n++) {
      const entry = ((this.oldest + n) % capacity) * RING_INTS
      placeSlot(slots, this.ring[entry + 1]!, this.ring[entry]!)
    }
    this.slots = slots
  }

  // ---- space ----

  /** Capacity of the entry ring: grown by doubling, at most maxEntries. */
  private ringCapacity(): number {
    return this.ring.length / RING_INTS
  }

  /**
   * Returns where `size` bytes go, evicting the oldest entries as needed. Live entries sit in
   * insertion order from `oldest` on: those at or after `head` were written on the arena's
   * previous lap, the rest on this one, so the oldest is always the next one at or after `head`.
   */
  private makeRoom(size: number): number {
    const capacity = this.ringCapacity()
    // The ring grows while it has not wrapped (so growing keeps every entry number), and wraps
    // only once it is maxEntries long.
    if (this.oldest + this.count >= capacity && capacity < this.maxEntries) this.growRing()
    else if (this.count === capacity) this.evictOldest()
    if (this.head + size > this.arena.length) {
      if (this.arena.length < this.maxArena) this.growArena(this.head + size)
      if (this.head + size > this.arena.length) {
        // Wrap: the entries between head and the end are the oldest; they go first.
        while (this.count > 0 && this.oldestOffset() >= this.head) this.evictOldest()
        this.head = 0
      }
    }
    const start = this.head
    while (this.count > 0) {
      const offset = this.oldestOffset()
      if (offset < start || offset >= start + size) break
      this.evictOldest()
    }
    return start
  }

  private oldestOffset(): number {
    return this.ring[this.oldest * RING_INTS]!
  }

  private evictOldest(): void {
    const entry = this.oldest
    const offset = this.ring[entry * RING_INTS]!
    this.removeSlot(this.ring[entry * RING_INTS + 1]!, offset)
    this.answerBytes -= this.headers[(offset >> 2) + H_ANSWER_LENGTH]!
    this.metas[entry] = undefined
    this.oldest = (entry + 1) % this.ringCapacity()
    this.count--
    this.evictions++
  }

  private growRing(): void {
    const capacity = Math.min(this.maxEntries, Math.max(256, this.ringCapacity() * 2))
    const ring = new Int32Array(capacity * RING_INTS)
    ring.set(this.ring)
    this.ring = ring
  }

  private growArena(atLeast: number): void {
    let size = Math.max(INITIAL_ARENA, this.arena.length * 2)
    while (size < atLeast) size *= 2
    const arena = new Uint8Array(Math.min(size, this.maxArena))
    arena.set(this.arena.subarray(0, this.head))
    this.arena = arena
    this.headers = new Int32Array(arena.buffer)
  }
}

function placeSlot(slots: Int32Array, hash: number, offset: number): void {
  const mask = (slots.length >> 1) - 1
  let slot = hash & mask
  while (slots[slot * 2 + 1] !== 0) slot = (slot + 1) & mask
  slots[slot * 2] = hash
  slots[slot * 2 + 1] = offset + 1
}

function alignUp(n: number): number {
  return (n + ALIGN - 1) & ~(ALIGN - 1)
}

function alignUp4(n: number): number {
  return (n + 3) & ~3
}
