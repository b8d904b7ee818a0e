/**
 * {@link AnswerMemo}: responses already built, keyed by the question's wire bytes (name lowered,
 * type, class) and the header bits that shape the answer. A repeated question, in any case
 * spelling, is a hash of its bytes and one map read: no name string, no routing, no building,
 * and on the UDP fast path (`Forwarder.answerPlain`) no {@link DnsQuery} either. The answer is
 * copied out with the asker's id and question spelling patched in, which the key ignores.
 *
 * Hosts and rule answers stay valid until the next reload (the owner clears the memo); cache
 * answers until their TTLs would tick down by another second, or sooner when the response cache
 * lets go of the entry they were built from (evicted, replaced, cleared).
 *
 * Buckets are by name: FNV-1a over the lowered name, started from a random value per memo, so
 * names chosen to share a bucket cannot be worked out ahead of time; the memo is bounded and
 * starts over when full.
 */
import { FLAG } from '../packet/constants.js'
import { uncompressedNameEnd } from '../packet/wire.js'
import type { CacheEntry } from '../pool/response-cache.js'
import type { EdnsVariant } from '../server/plain-query.js'
import type { DnsQuery } from '../server/query.js'
import type { Random } from '../util/random.js'
import { defaultRandom } from '../util/random.js'
import type { AnswerSource } from './answer-source.js'

/** A response built for one question (up to case) and header variant, reusable until `validUntil`. */
export interface Memo {
  /** The question's bytes (offsets 12 to its end) with the name's ASCII letters lowered. */
  key: Uint8Array
  variant: number
  /** The response as built for the first asker: its id and question spelling are patched on reuse. */
  bytes: Uint8Array
  validUntil: number
  source: AnswerSource
  rcode: number
  /** The response-cache entry a cache answer was built from: the memo is void once it is dropped. */
  entry: CacheEntry | undefined
}

/** The memo table, bounded by `limit` entries. */
export class AnswerMemo {
  private buckets = new Map<number, Memo[]>()
  private size = 0
  /** @internal the hash seed, read by tests that need two names in one bucket */
  readonly seed: number

  constructor(
    private readonly limit: number,
    random: Random = defaultRandom(),
  ) {
    this.seed = random.int(0x7fffffff)
  }

  /**
   * The still-valid memo for the question at 12..`questionEnd` of `raw` (an uncompressed name)
   * asked with header `variant` ({@link answerVariant}, {@link plainVariant}) at `now`.
   */
  get(raw: Uint8Array, questionEnd: number, variant: number, now: number): Memo | undefined {
    const list = this.buckets.get(nameHash(raw, questionEnd - 4, this.seed))
    if (list === undefined) return undefined
    for (const m of list) {
      if (m.variant === variant && sameQuestion(m.key, raw, questionEnd)) {
        return m.validUntil > now && (m.entry === undefined || m.entry.dropped !== true) ? m : undefined
      }
    }
    return undefined
  }

  /**
   * Remembers `bytes` as the answer to `query` until `validUntil` (and, for a cache answer, while
   * the cache holds `entry`). The header bits the answer copies from the query (RD, CD) are part
   * of the key, so a reuse gives back the flags as built. Skipped for a compressed question name:
   * its pointer bytes are not name bytes, and lowering them as letters could merge two names.
   */
  set(query: DnsQuery, source: AnswerSource, rcode: number, bytes: Uint8Array, validUntil: number, entry?: CacheEntry): void {
    const raw = query.raw
    const questionEnd = query.wireQuestion?.end ?? 12
    // A compressed question name (legal, never seen in practice) has no key form.
    if (uncompressedNameEnd(raw, 12, questionEnd - 4) !== questionEnd - 4) return
    const variant = answerVariant(query)
    // Bounded the simple way: a full memo starts over (it refills from the tables at once).
    if (this.size >= this.limit) this.clear()
    const key = new Uint8Array(questionEnd - 12)
    for (let i = 12; i < questionEnd; i++) key[i - 12] = raw[i]!
    lowerName(key, questionEnd - 16)
    const memo: Memo = { key, variant, bytes, validUntil, source, rcode, entry }
    const hash = nameHash(raw, questionEnd - 4, this.seed)
    const list = this.buckets.get(hash)
    // Replace an expired twin rather than growing the list.
    const i = list === undefined ? -1 : list.findIndex((m) => m.variant === variant && sameQuestion(m.key, raw, questionEnd))
    if (i >= 0) list![i] = memo
    else {
      if (list === undefined) this.buckets.set(hash, [memo])
      else list.push(memo)
      this.size++
    }
  }

  /** Forgets everything (after a reload the tables behind the answers changed). */
  clear(): void {
    this.buckets = new Map()
    this.size = 0
  }
}

/**
 * A fresh copy of a memo's answer for the query `raw`: its id and its question's spelling (the
 * bytes 12..`questionEnd`, equal to the memo's up to case). Names in the records that point at the
 * question follow its spelling, as in an answer built for this query.
 */
export function memoAnswer(memo: Memo, raw: Uint8Array, questionEnd: number): Buffer {
  const bytes = memo.bytes
  const out = Buffer.allocUnsafe(bytes.length)
  out.set(bytes)
  out[0] = raw[0]!
  out[1] = raw[1]!
  for (let i = 12; i < questionEnd; i++) out[i] = raw[i]!
  return out
}

/** The header bits that shape an answer: RD, CD, and whether the client sent EDNS and DO. */
export function answerVariant(query: DnsQuery): number {
  return (query.header.flags & (FLAG.RD | FLAG.CD)) | (query.edns === undefined ? 0 : query.dnssecOk ? 2 : 1)
}

/** {@link answerVariant} read from a plain query's bytes and its EDNS variant. */
export function plainVariant(raw: Uint8Array, ednsVariant: EdnsVariant): number {
  return (((raw[2]! << 8) | raw[3]!) & (FLAG.RD | FLAG.CD)) | ednsVariant
}

/**
 * FNV-1a from `seed` over the question name at 12..`nameEnd` of `raw`, lowered: the bucket of a
 * name holds its types, classes and header variants side by side (a handful), told apart there.
 * @internal exported for tests
 */
export function nameHash(raw: Uint8Array, nameEnd: number, seed: number): number {
  let h = FNV_OFFSET ^ seed
  for (let i = 12; i < nameEnd; i++) h = Math.imul(h ^ lower(raw[i]!), FNV_PRIME)
  return h | 0
}

/**
 * Whether `key` is the question at 12..`questionEnd` of `raw` with its name lowered. Both names
 * are uncompressed, so equal bytes up to the query's root label mean equal names: no length check.
 */
function sameQuestion(key: Uint8Array, raw: Uint8Array, questionEnd: number): boolean {
  const nameEnd = questionEnd - 4
  let i = 12
  while (i < nameEnd && key[i - 12] === lower(raw[i]!)) i++
  if (i < nameEnd) return false
  while (i < questionEnd && key[i - 12] === raw[i]) i++
  return i === questionEnd
}

/** Lowers the ASCII letters of the first `length` bytes (a wire name: label lengths sit below 'A'). */
function lowerName(bytes: Uint8Array, length: number): void {
  for (let i = 0; i < length; i++) bytes[i] = lower(bytes[i]!)
}

/** An ASCII upper-case letter lowered; any other byte as it is (RFC 4343). */
function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c
}

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193
