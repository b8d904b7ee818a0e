/**
 * SOA serial comparison in RFC 1982 serial number arithmetic (32 bits): `b` is newer than `a`
 * when it is ahead by 1 to 2^31 - 1, so 4294967295 → 1 is an increase and equal serials are not.
 */

/** -1 when `a` precedes `b`, 1 when it follows, 0 when equal or undefined (exactly 2^31 apart). */
export function compareSerial(a: number, b: number): -1 | 0 | 1 {
  const x = a >>> 0
  const y = b >>> 0
  if (x === y) return 0
  const diff = (y - x + 0x100000000) % 0x100000000
  if (diff === 0x80000000) return 0
  return diff < 0x80000000 ? -1 : 1
}

/** True when `next` is a later serial than `current` (RFC 1982 §3.2). */
export function serialIncreased(current: number, next: number): boolean {
  return compareSerial(current, next) === -1
}
