/**
 * IP addresses from text to wire bytes without allocating: IPv4 as BIND's strict dotted quad (a
 * 32-bit number), IPv6 (16 bytes) as inet_pton reads it. The message encoders write A and AAAA
 * rdata with them; the zone parser checks A with {@link ipv4Number}.
 */

/**
 * A strict dotted-quad IPv4 address (BIND's inet_pton: four decimal octets, no leading zeros)
 * as an unsigned 32-bit number, or -1.
 */
export function ipv4Number(t: string): number {
  const n = t.length
  if (n < 7 || n > 15) return -1
  let value = 0
  let octet = 0
  let digits = 0
  let dots = 0
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i)
    if (c === 0x2e) {
      if (digits === 0 || dots === 3) return -1
      value = value * 256 + octet
      octet = 0
      digits = 0
      dots++
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && octet === 0) return -1
      octet = octet * 10 + (c - 0x30)
      if (octet > 255) return -1
      digits++
    } else return -1
  }
  if (digits === 0 || dots !== 3) return -1
  return value * 256 + octet
}

/**
 * Writes the 16 bytes of an IPv6 address in text form (`::` and a dotted-quad tail allowed) at
 * `out[at]`, in one pass without allocating; false (the bytes at `at` then undefined) when `text`
 * is not an address inet_pton accepts. Written for the transfer encoder, a record at a time:
 * dns-packet 5.6 drops the last group of a `::` standing for one leading zero group
 * (`::2:3:4:5:6:7:8`), so AAAA rdata does not go through it.
 */
export function writeIPv6(text: string, out: Uint8Array, at: number): boolean {
  const n = text.length
  if (n < 2 || n > 45) return false
  let groups = 0
  let gap = -1
  let i = 0
  if (text.charCodeAt(0) === 0x3a) {
    if (text.charCodeAt(1) !== 0x3a) return false
    gap = 0
    i = 2
  }
  while (i < n) {
    const start = i
    let value = 0
    for (; i < n; i++) {
      const d = hexDigit(text.charCodeAt(i))
      if (d < 0) break
      value = value * 16 + d
    }
    if (i < n && text.charCodeAt(i) === 0x2e) {
      // A dotted-quad tail: the last 32 bits.
      const v4 = groups <= 6 ? ipv4Number(text.slice(start)) : -1
      if (v4 < 0) return false
      out[at + groups * 2] = v4 >>> 24
      out[at + groups * 2 + 1] = (v4 >>> 16) & 255
      out[at + groups * 2 + 2] = (v4 >>> 8) & 255
      out[at + groups * 2 + 3] = v4 & 255
      groups += 2
      break
    }
    if (i === start || i - start > 4 || groups === 8) return false
    out[at + groups * 2] = value >>> 8
    out[at + groups * 2 + 1] = value & 255
    groups++
    if (i === n) break
    if (text.charCodeAt(i) !== 0x3a) return false
    i++
    if (i < n && text.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return false
      gap = groups
      i++
    } else if (i === n) return false
  }
  if (gap < 0) return groups === 8
  // `::` stands for one or more zero groups: move the groups after it to the end, zero the gap.
  if (groups >= 8) return false
  const tail = groups - gap
  out.copyWithin(at + (8 - tail) * 2, at + gap * 2, at + groups * 2)
  out.fill(0, at + gap * 2, at + (8 - tail) * 2)
  return true
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  const l = c | 0x20
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1
}
