/**
 * RFC 1982 serial number arithmetic for SOA serials (32 bits), as a secondary's lag behind its
 * primary is measured: serials wrap, so 4294967295 → 1 is two steps forward, not back.
 */

/** How many steps `serial` is behind `reference`: 0 when equal or ahead, else (reference - serial) mod 2^32. Exactly 2^31 apart is undefined in RFC 1982; we call it behind by 2^31, the most cautious reading. */
export function serialLag(serial: number, reference: number): number {
  const diff = ((reference >>> 0) - (serial >>> 0) + 0x1_0000_0000) % 0x1_0000_0000
  return diff <= 0x8000_0000 ? diff : 0
}
