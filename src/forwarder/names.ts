/**
 * Name helpers the forwarder shares: one canonical form for comparisons, reverse-lookup names
 * for addresses (PTR generation), and the private ranges `bogusPriv` keeps from upstream.
 */
import { addressBytes } from '../util/cidr.js'

/** The form names are compared in: lower case, absolute (trailing dot). `'.'` stays `'.'`. */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase()
  return lower.endsWith('.') ? lower : `${lower}.`
}

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
 * Whether a reverse name falls in a private range (dnsmasq's `bogus-priv`): RFC 1918, loopback,
 * link-local, CGNAT (RFC 6598), the IPv4 "this network" block, and for IPv6 loopback,
 * unspecified, ULA (fc00::/7), link-local (fe80::/10) and site-local (fec0::/10). Partial
 * reverse names inside those zones (`10.in-addr.arpa.`) count too, so nothing about them leaks.
 */
export function isPrivateReverse(name: string): boolean {
  const n = canonicalName(name)
  if (n.endsWith('.in-addr.arpa.') || n === 'in-addr.arpa.') {
    const labels = n.slice(0, -'in-addr.arpa.'.length).split('.').filter((l) => l !== '').reverse()
    const o = labels.map(Number)
    if (o.length === 0 || o.some((v) => !Number.isInteger(v))) return false
    const [a, b] = [o[0]!, o[1]]
    if (a === 10 || a === 127 || a === 0) return true
    if (b === undefined) return false
    return (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127)
  }
  if (n.endsWith('.ip6.arpa.')) {
    const nibbles = n.slice(0, -'.ip6.arpa.'.length).split('.').reverse()
    if (nibbles.some((l) => !/^[0-9a-f]$/.test(l))) return false
    const full = reverseAddress(n)
    if (full) {
      const zero = full.slice(0, 15).every((b) => b === 0)
      if (zero && (full[15] === 1 || full[15] === 0)) return true
    }
    const first = parseInt(nibbles[0] ?? 'x', 16)
    const second = parseInt(nibbles[1] ?? 'x', 16)
    if (first === 0xf && (nibbles[1] === 'c' || nibbles[1] === 'd')) return true // fc00::/7
    if (first === 0xf && nibbles[1] === 'e' && second === 0xe && nibbles[2] !== undefined && parseInt(nibbles[2], 16) >= 8) return true // fe80::/10, fec0::/10
    return false
  }
  return false
}

/** The suffixes of a canonical name from itself up to the root (`a.b.` → `a.b.`, `b.`, `.`). */
export function* suffixes(name: string): Generator<string> {
  let n = name
  for (;;) {
    yield n
    if (n === '.') return
    const dot = n.indexOf('.')
    n = dot === n.length - 1 ? '.' : n.slice(dot + 1)
  }
}

/** Whether a name has a single label (`host.`): what `domainNeeded` keeps local. */
export function isBareName(name: string): boolean {
  const n = name.endsWith('.') ? name.slice(0, -1) : name
  return n !== '' && !n.includes('.')
}
