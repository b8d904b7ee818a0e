/**
 * The answer cache's key, built from the question's wire bytes: the view, the EDNS variant and
 * the size class in five leading bytes, then the question (name, type, class) with ASCII letters
 * in the name lowered (DNS names compare case-insensitively in ASCII only, RFC 4343). Label
 * length bytes (at most 63) sit below 'A', so lowering the whole name leaves them as they are.
 *
 * The key is written out only when an answer is stored; a lookup hashes and compares it straight
 * from the query ({@link questionKeyHash}, {@link lower}), so it allocates nothing.
 */
import { MAX_NAME_WIRE_LENGTH } from '../packet/names.js'
import { uncompressedNameEnd } from '../packet/wire.js'
import type { EdnsVariant } from '../server/plain-query.js'

/** The longest key: five bytes of prefix, the longest name (255 bytes), type and class. */
export const MAX_KEY_LENGTH = 5 + MAX_NAME_WIRE_LENGTH + 4

/** Length of the key prefix: view (2), EDNS variant (1), size class (2). */
export const KEY_PREFIX_LENGTH = 5

/**
 * Whether the question at 12..`questionEnd` has a key: its name is uncompressed (a pointer into
 * the header is legal, never seen in practice, and not worth a key form).
 */
export function hasAnswerCacheKey(raw: Uint8Array, questionEnd: number): boolean {
  return uncompressedNameEnd(raw, 12, questionEnd - 4) === questionEnd - 4
}

/**
 * Writes the key for the question at 12..`questionEnd` of `raw` into `out` (at least
 * {@link MAX_KEY_LENGTH} bytes) and returns its length, or -1 when it has none
 * ({@link hasAnswerCacheKey}). `sizeClass` is the client's UDP size, or 0 for TCP.
 */
export function writeAnswerCacheKey(raw: Uint8Array, questionEnd: number, view: number, variant: EdnsVariant, sizeClass: number, out: Uint8Array): number {
  if (!hasAnswerCacheKey(raw, questionEnd)) return -1
  out[0] = (view >> 8) & 0xff
  out[1] = view & 0xff
  out[2] = variant
  out[3] = (sizeClass >> 8) & 0xff
  out[4] = sizeClass & 0xff
  const nameEnd = questionEnd - 4
  let length = KEY_PREFIX_LENGTH
  for (let i = 12; i < nameEnd; i++) out[length++] = lower(raw[i]!)
  for (let i = nameEnd; i < questionEnd; i++) out[length++] = raw[i]!
  return length
}

/**
 * FNV-1a, started from `seed`, over the key of the question at 12..`questionEnd` (which must
 * have one), read from the query itself: the same value as over the bytes
 * {@link writeAnswerCacheKey} writes.
 */
export function questionKeyHash(raw: Uint8Array, questionEnd: number, view: number, variant: EdnsVariant, sizeClass: number, seed: number): number {
  let h = FNV_OFFSET ^ seed
  h = Math.imul(h ^ ((view >> 8) & 0xff), FNV_PRIME)
  h = Math.imul(h ^ (view & 0xff), FNV_PRIME)
  h = Math.imul(h ^ variant, FNV_PRIME)
  h = Math.imul(h ^ ((sizeClass >> 8) & 0xff), FNV_PRIME)
  h = Math.imul(h ^ (sizeClass & 0xff), FNV_PRIME)
  const nameEnd = questionEnd - 4
  for (let i = 12; i < nameEnd; i++) h = Math.imul(h ^ lower(raw[i]!), FNV_PRIME)
  for (let i = nameEnd; i < questionEnd; i++) h = Math.imul(h ^ raw[i]!, FNV_PRIME)
  return h | 0
}

/** An ASCII upper-case letter lowered; any other byte as it is. */
export function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c
}

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193
