/**
 * Address lists as BIND's `match-clients` and `allow-transfer` read them: CIDR prefixes (IPv4
 * and IPv6), bare addresses, `any`, `none`, `localhost`, and `!` negation, first match wins.
 * IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`, as dual-stack sockets report them) match IPv4
 * prefixes.
 */
import { isIPv4, isIPv6 } from 'node:net'
import { DnsHaError } from './errors.js'

/** One parsed ACL element. */
export interface CidrEntry {
  /** `!` in front: a match means "deny". */
  negate: boolean
  /** 4 or 6; `0` matches any address (`any` / `none`). */
  family: 0 | 4 | 6
  /** Network bytes (4 or 16), already masked to the prefix. */
  bytes: Uint8Array
  prefix: number
}

/** A compiled address list; `match` answers `true` (allow), `false` (deny) or `undefined` (no element matched). */
export interface Acl {
  readonly entries: readonly CidrEntry[]
  match(address: string): boolean | undefined
  /** `match(address) === true`: what an allow-list asks. */
  allows(address: string): boolean
}

/** What {@link compileAcl} accepts: a list of elements, an ACL, or a predicate. */
export type AclInput = readonly string[] | string | Acl

/** Parses one element (`10.0.0.0/8`, `::1`, `!192.0.2.1`, `any`, `none`, `localhost`). Throws `ERR_CONFIG` when malformed. */
export function parseCidr(text: string): CidrEntry[] {
  let s = text.trim()
  let negate = false
  if (s.startsWith('!')) {
    negate = true
    s = s.slice(1).trim()
  }
  const lower = s.toLowerCase()
  if (lower === 'any') return [{ negate, family: 0, bytes: new Uint8Array(0), prefix: 0 }]
  if (lower === 'none') return [{ negate: !negate, family: 0, bytes: new Uint8Array(0), prefix: 0 }]
  if (lower === 'localhost' || lower === 'localnets') {
    return [...parseCidr(`${negate ? '!' : ''}127.0.0.0/8`), ...parseCidr(`${negate ? '!' : ''}::1/128`)]
  }
  const slash = s.indexOf('/')
  const addr = slash < 0 ? s : s.slice(0, slash)
  const bytes = addressBytes(addr)
  if (!bytes) throw new DnsHaError('ERR_CONFIG', `invalid address in ACL: ${JSON.stringify(text)}`)
  const max = bytes.length * 8
  const prefix = slash < 0 ? max : Number(s.slice(slash + 1))
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (slash >= 0 && !/^\d+$/.test(s.slice(slash + 1)))) {
    throw new DnsHaError('ERR_CONFIG', `invalid prefix length in ACL: ${JSON.stringify(text)}`)
  }
  return [{ negate, family: bytes.length === 4 ? 4 : 6, bytes: mask(bytes, prefix), prefix }]
}

/** Compiles an address list once, so each `match` is a few byte compares. */
export function compileAcl(input: AclInput): Acl {
  if (typeof input === 'object' && !Array.isArray(input) && 'match' in input) return input as Acl
  const list = typeof input === 'string' ? [input] : (input as readonly string[])
  const entries = list.flatMap(parseCidr)
  const match = (address: string): boolean | undefined => {
    // Views test the client of every query: a dotted quad is read without allocating.
    const bytes = readV4(address, v4Scratch) ? v4Scratch : addressBytes(address)
    if (!bytes) return undefined
    const v4 = bytes.length === 16 ? mappedV4(bytes) : undefined
    for (const e of entries) {
      if (e.family === 0) return !e.negate
      const candidate = e.family === 4 ? (bytes.length === 4 ? bytes : v4) : bytes.length === 16 ? bytes : undefined
      if (candidate && prefixMatches(candidate, e.bytes, e.prefix)) return !e.negate
    }
    return undefined
  }
  return { entries, match, allows: (address) => match(address) === true }
}

/** True when `address` falls in the prefix `cidr` (a one-off check; compile with {@link compileAcl} for repeated use). */
export function cidrContains(cidr: string, address: string): boolean {
  return compileAcl([cidr]).allows(address)
}

/**
 * The IP version of an address literal: 4, 6, or `undefined` when it is neither (zone ids such as
 * `%eth0` are not accepted here). The one place the library asks Node's address parser.
 */
export function ipVersion(address: string): 4 | 6 | undefined {
  return isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined
}

/** Network-order bytes of an IPv4 (4) or IPv6 (16) address, or `undefined` when it is neither. Zone ids (`%eth0`) are ignored. */
export function addressBytes(address: string): Uint8Array | undefined {
  const pct = address.indexOf('%')
  const a = pct < 0 ? address : address.slice(0, pct)
  if (isIPv4(a)) return v4Bytes(a)
  if (!isIPv6(a)) return undefined
  const out = new Uint8Array(16)
  let head = a
  let tail = ''
  const dbl = a.indexOf('::')
  if (dbl >= 0) {
    head = a.slice(0, dbl)
    tail = a.slice(dbl + 2)
  }
  const groups = (part: string): number[] => {
    if (part === '') return []
    const out: number[] = []
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const b = v4Bytes(g)
        out.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!)
      } else out.push(parseInt(g, 16))
    }
    return out
  }
  const h = groups(head)
  const t = groups(tail)
  h.forEach((g, i) => {
    out[i * 2] = g >> 8
    out[i * 2 + 1] = g & 0xff
  })
  const start = 8 - t.length
  t.forEach((g, i) => {
    out[(start + i) * 2] = g >> 8
    out[(start + i) * 2 + 1] = g & 0xff
  })
  return out
}

const v4Scratch = new Uint8Array(4)

/**
 * Reads a dotted quad (`192.0.2.1`, no leading zeros, as `net.isIPv4` takes it) into `out`;
 * false for anything else, which then takes the general parser.
 */
function readV4(a: string, out: Uint8Array): boolean {
  let part = 0
  let digits = 0
  let n = 0
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i)
    if (c === 0x2e) {
      if (digits === 0 || part === 3) return false
      out[part++] = n
      n = 0
      digits = 0
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && n === 0) return false // a leading zero
      n = n * 10 + (c - 0x30)
      if (++digits > 3 || n > 255) return false
    } else return false
  }
  if (digits === 0 || part !== 3) return false
  out[3] = n
  return true
}

function v4Bytes(a: string): Uint8Array {
  const p = a.split('.')
  return Uint8Array.of(Number(p[0]), Number(p[1]), Number(p[2]), Number(p[3]))
}

function mappedV4(b: Uint8Array): Uint8Array | undefined {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return undefined
  if (b[10] !== 0xff || b[11] !== 0xff) return undefined
  return b.subarray(12)
}

function mask(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(bytes)
  for (let bit = prefix; bit < out.length * 8; bit++) out[bit >> 3]! &= ~(0x80 >> (bit & 7))
  return out
}

function prefixMatches(addr: Uint8Array, net: Uint8Array, prefix: number): boolean {
  const full = prefix >> 3
  for (let i = 0; i < full; i++) if (addr[i] !== net[i]) return false
  const rest = prefix & 7
  if (rest === 0) return true
  const m = (0xff00 >> rest) & 0xff
  return (addr[full]! & m) === net[full]
}

/** Text of an address from its network-order bytes: a dotted quad for 4 bytes, RFC 5952 form for 16 (lower case, the longest run of two or more zero groups as `::`). */
export function addressText(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`
  const groups: number[] = []
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!)
  let best = -1
  let bestLength = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) {
      best = i
      bestLength = j - i
    }
    i = j
  }
  const hex = (g: readonly number[]): string => g.map((x) => x.toString(16)).join(':')
  if (best < 0) return hex(groups)
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLength))}`
}
