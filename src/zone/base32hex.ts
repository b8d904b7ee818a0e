/**
 * Unpadded base32hex (RFC 4648 §7), the text form of NSEC3's next hashed owner.
 */

const B32HEX = '0123456789abcdefghijklmnopqrstuv'

/** Decodes unpadded base32hex (RFC 4648 §7), case-insensitive; `undefined` when malformed. */
export function base32hexDecode(t: string): Buffer | undefined {
  const s = t.toLowerCase()
  if (![0, 2, 4, 5, 7].includes(s.length % 8)) return undefined
  const out: number[] = []
  let bits = 0
  let value = 0
  for (const ch of s) {
    const v = B32HEX.indexOf(ch)
    if (v < 0) return undefined
    value = (value << 5) | v
    bits += 5
    if (bits >= 8) {
      out.push((value >> (bits - 8)) & 0xff)
      bits -= 8
    }
  }
  if ((value & ((1 << bits) - 1)) !== 0) return undefined
  return Buffer.from(out)
}

/** Encodes bytes as unpadded lower-case base32hex. */
export function base32hexEncode(b: Buffer): string {
  let out = ''
  let bits = 0
  let value = 0
  for (const byte of b) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += B32HEX[(value >> (bits - 5)) & 31]
      bits -= 5
    }
    value &= (1 << bits) - 1
  }
  if (bits > 0) out += B32HEX[(value << (5 - bits)) & 31]
  return out
}
