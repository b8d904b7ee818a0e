/**
 * The answer cache's key, built from the question's wire bytes: the view, the EDNS variant and
 * the size class in five leading bytes, then the question (name, type, class) with ASCII letters
 * lowered (DNS names compare case-insensitively in ASCII only, RFC 4343). Bytes, not a string:
 * the cache hashes and compares them in place, so a lookup allocates nothing.
 */

import type { EdnsVariant } from '../server/plain-query.js'

/** The longest key: five bytes of variant, a 255-byte name, type and class. */
export const MAX_KEY_LENGTH = 5 + 255 + 4

/**
 * Writes the key for the question at 12..`questionEnd` of `raw` into `out` (at least
 * {@link MAX_KEY_LENGTH} bytes) and returns its length, or -1 when the name is compressed (a
 * pointer into the header: legal, never seen in practice, not worth a key form). `sizeClass` is
 * the client's UDP size, or 0 for TCP.
 */
export function writeAnswerCacheKey(raw: Uint8Array, questionEnd: number, view: number, variant: EdnsVariant, sizeClass: number, out: Uint8Array): number {
  out[0] = (view >> 8) & 0xff
  out[1] = view & 0xff
  out[2] = variant
  out[3] = (sizeClass >> 8) & 0xff
  out[4] = sizeClass & 0xff
  const nameEnd = questionEnd - 4
  if (nameEnd - 12 > 255) return -1
  let length = 5
  let pos = 12
  // Label by label, so a length byte is never taken for a letter.
  while (pos < nameEnd) {
    const len = raw[pos]!
    if (len > 63) return -1
    out[length++] = len
    const end = pos + 1 + len
    for (let i = pos + 1; i < end; i++) {
      const c = raw[i]!
      out[length++] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c
    }
    pos = end
  }
  if (pos !== nameEnd) return -1
  for (let i = nameEnd; i < questionEnd; i++) out[length++] = raw[i]!
  return length
}
