/**
 * IP address fields of rdata: IPv4 held as a 32-bit number (BIND's strict dotted quad), IPv6 as
 * its 16 bytes. Node's address parser is reached through util/cidr, the one place that asks it.
 */
import { ipVersion } from '../util/cidr.js'

// The wire writers live with the message encoder (packet), which writes AAAA with them too.
export { ipv4Number, writeIPv6 } from '../packet/address-wire.js'

/** The dotted-quad text of an IPv4 address held as a number (see {@link ipv4Number}). */
export function ipv4Text(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`
}

/** Strict dotted-quad IPv4 (BIND's inet_pton); `undefined` otherwise. */
export function normalizeIPv4(t: string): string | undefined {
  return ipVersion(t) === 4 ? t : undefined
}

/** True for an IPv6 address literal (dotted-quad tail allowed). */
export function isIPv6Text(t: string): boolean {
  return ipVersion(t) === 6
}

/** The 16 bytes of a valid IPv6 address in text form (dotted-quad tail allowed). */
export function ipv6Bytes(a: string): Buffer {
  let s = a
  const tail: number[] = []
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s)
  if (v4) {
    tail.push(...(v4[1] as string).split('.').map(Number))
    s = s.slice(0, -(v4[1] as string).length) + '0:0'
  }
  const [head, rest] = s.split('::') as [string, string | undefined]
  const h = head === '' ? [] : head.split(':')
  const t = rest === undefined ? [] : rest === '' ? [] : rest.split(':')
  const fill = rest === undefined ? 0 : 8 - h.length - t.length
  const groups = [...h, ...Array<string>(fill).fill('0'), ...t].map((g) => parseInt(g, 16))
  const out = Buffer.alloc(16)
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2))
  if (tail.length === 4) out.set(tail, 12)
  return out
}
