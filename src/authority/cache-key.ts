/**
 * The answer cache's key, built from the question's wire bytes: the view, the EDNS variant and
 * the size class in five leading bytes, then the question (name, type, class) with ASCII letters
 * lowered (DNS names compare case-insensitively in ASCII only, RFC 4343), read out as one flat
 * latin1 string. One native call and a byte loop, where a key of text parts costs a lower-cased
 * copy of the name, number conversions and a concatenation to flatten before the Map can hash it.
 */

import { latin1Text } from '../packet/latin1.js'

// A question is at most 255 name bytes + 4; five bytes of variant go first.
const scratch = Buffer.allocUnsafe(5 + 255 + 4)

/** EDNS variants of a query, as the cache tells them apart: no EDNS, EDNS, EDNS with DO. */
export type EdnsVariant = 0 | 1 | 2

/**
 * The key for the question at 12..`questionEnd` of `raw`, or `undefined` when its name is
 * compressed (a pointer into the header: legal, never seen in practice, not worth a key form).
 * `sizeClass` is the client's UDP size, or 0 for TCP.
 */
export function answerCacheKey(raw: Uint8Array, questionEnd: number, view: number, variant: EdnsVariant, sizeClass: number): string | undefined {
  scratch[0] = (view >> 8) & 0xff
  scratch[1] = view & 0xff
  scratch[2] = variant
  scratch[3] = (sizeClass >> 8) & 0xff
  scratch[4] = sizeClass & 0xff
  const nameEnd = questionEnd - 4
  if (nameEnd - 12 > 255) return undefined
  let out = 5
  let pos = 12
  // Label by label, so a length byte is never taken for a letter.
  while (pos < nameEnd) {
    const len = raw[pos]!
    if (len > 63) return undefined
    scratch[out++] = len
    const end = pos + 1 + len
    for (let i = pos + 1; i < end; i++) {
      const c = raw[i]!
      scratch[out++] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c
    }
    pos = end
  }
  if (pos !== nameEnd) return undefined
  for (let i = nameEnd; i < questionEnd; i++) scratch[out++] = raw[i]!
  return latin1Text(scratch, 0, out)
}
