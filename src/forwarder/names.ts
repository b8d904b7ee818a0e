/**
 * Name helpers the forwarder shares (the canonical form itself is packet's `canonicalName`):
 * reverse-lookup names for addresses (PTR generation), and the private ranges `bogusPriv` keeps from upstream.
 */
import { canonicalName, parentName } from '../packet/names.js'
import { addressBytes } from '../util/cidr.js'

/** The reverse-lookup name (`in-addr.arpa.` / `ip6.arpa.`) of an address, or `undefined` when `address` is not one. */
export function reverseName(address: string): string | undefined {
  const bytes = addressBytes(address)
  if (!bytes) return undefined
  if (bytes.length === 4) return `${bytes[3]}.${bytes[2]}.${bytes[1]}.${bytes[0]}.in-addr.arpa.`
  let out = ''
  for (let i = 15; i >= 0; i--) {
    const b = bytes[i]!
    out += `${(b & 0xf).toString(16)}.${(b >> 4).toString(16)}.`
  }
  return `${out}ip6.arpa.`
}

/**
 * The address bytes a full reverse name stands for (`1.0.0.10.in-addr.arpa.` → 10.0.0.1), or
 * `undefined` for partial or non-reverse names.
 */
export function reverseAddress(name: string): Uint8Array | undefined {
  const n = canonicalName(name)
  if (n.endsWith('.in-addr.arpa.')) {
    const labels = n.slice(0, -'.in-addr.arpa.'.length).split('.')
    if (labels.length !== 4) return undefined
    const out = new Uint8Array(4)
    for (let i = 0; i < 4; i++) {
      const label = labels[3 - i]!
      if (!/^\d{1,3}$/.test(label) || Number(label) > 255) return undefined
      out[i] = Number(label)
    }
    return out
  }
  if (n.endsWith('.ip6.arpa.')) {
    const labels = n.slice(0, -'.ip6.arpa.'.length).split('.')
    if (labels.length !== 32 || labels.some((l) => !/^[0-9a-f]$/.test(l))) return undefined
    const out = new Uint8Array(16)
    for (let i = 0; i < 16; i++) out[i] = (parseInt(labels[31 - 2 * i]!, 16) << 4) | parseInt(labels[30 - 2 * i]!, 16)
    return out
  }
  return undefined
}

/**
 * Whether a reverse name is one dnsmasq 2.90's `bogus-priv` answers NXDOMAIN for instead of
 * forwarding (its `private_net()` / `private_net6()` with localhost banned), established against
 * the dnsmasq 2.90 binary:
 *
 * - IPv4: 0.0.0.0/8, 10.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, 172.16.0.0/12, 192.0.2.0/24,
 *   192.168.0.0/16, 198.51.100.0/24, 203.0.113.0/24 and 255.255.255.255. Not 100.64.0.0/10
 *   (carrier-grade NAT, used by Tailscale): 2.90 forwards those (later dnsmasq versions do not).
 * - IPv6: `::`, `::1`, fe80::/10, fec0::/10, fd00::/8 (not fc00::/8), 2001:db8::/32, and
 *   IPv4-mapped addresses (::ffff:a.b.c.d) whose IPv4 address is private as above.
 *
 * As dnsmasq reads a reverse name: the labels before `in-addr.arpa` / `ip6.arpa` must all be
 * decimal numbers / single hex digits; they fill the address from its first octet (nibble) on,
 * missing ones are zero (`10.in-addr.arpa.` is 10.0.0.0, so private; `64.100.in-addr.arpa.` is
 * 100.64.0.0, so not) and extra ones are ignored. No labels at all is not a reverse name.
 */
export function isPrivateReverse(name: string): boolean {
  const n = canonicalName(name)
  if (n.endsWith('.in-addr.arpa.')) {
    const labels = n.slice(0, -'.in-addr.arpa.'.length).split('.')
    if (labels.some((l) => !/^\d{1,10}$/.test(l))) return false
    const bytes = new Uint8Array(4)
    for (let i = 0; i < 4 && i < labels.length; i++) bytes[i] = Number(labels[labels.length - 1 - i]) & 0xff
    return privateV4(bytes)
  }
  if (n.endsWith('.ip6.arpa.')) {
    const labels = n.slice(0, -'.ip6.arpa.'.length).split('.')
    if (labels.some((l) => !/^[0-9a-f]$/.test(l))) return false
    const bytes = new Uint8Array(16)
    for (let i = 0; i < 32 && i < labels.length; i++) {
      const nibble = parseInt(labels[labels.length - 1 - i]!, 16)
      bytes[i >> 1] = bytes[i >> 1]! | (i % 2 === 0 ? nibble << 4 : nibble)
    }
    return privateV6(bytes)
  }
  return false
}

/** dnsmasq 2.90's `private_net(addr, ban_localhost = 1)`. */
function privateV4(b: Uint8Array): boolean {
  const [a, x, y, z] = [b[0]!, b[1]!, b[2]!, b[3]!]
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 169 && x === 254) ||
    (a === 172 && x >= 16 && x <= 31) ||
    (a === 192 && x === 0 && y === 2) ||
    (a === 192 && x === 168) ||
    (a === 198 && x === 51 && y === 100) ||
    (a === 203 && x === 0 && y === 113) ||
    (a === 255 && x === 255 && y === 255 && z === 255)
  )
}

/** dnsmasq 2.90's `private_net6(addr, ban_localhost = 1)`. */
function privateV6(b: Uint8Array): boolean {
  const zeroTo = (end: number): boolean => b.subarray(0, end).every((v) => v === 0)
  if (zeroTo(10) && b[10] === 0xff && b[11] === 0xff) return privateV4(b.subarray(12)) // ::ffff:a.b.c.d
  if (zeroTo(15) && (b[15] === 0 || b[15] === 1)) return true // :: and ::1
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return true // fe80::/10
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return true // fec0::/10
  if (b[0] === 0xfd) return true // fd00::/8
  return b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8 // 2001:db8::/32
}

/** The suffixes of a canonical name from itself up to the root (`a.b.` → `a.b.`, `b.`, `.`); escaped dots stay inside their label. */
export function* suffixes(name: string): Generator<string> {
  for (let n: string | undefined = name; n !== undefined; n = parentName(n)) yield n
}

/** Whether a name has a single label (`host.`): what `domainNeeded` keeps local. */
export function isBareName(name: string): boolean {
  const n = name.endsWith('.') ? name.slice(0, -1) : name
  return n !== '' && !n.includes('.')
}
