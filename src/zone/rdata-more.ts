/**
 * Presentation parsers for the rdata types dns-packet keeps as wire Buffers and whose text form
 * is not a plain field sequence: LOC (RFC 1876), WKS (RFC 1035), APL (RFC 3123), IPSECKEY
 * (RFC 4025), HIP (RFC 8005), AMTRELAY (RFC 8777), plus the simple ones written as a field
 * table (DSYNC, HHIT, BRID). Each writes the wire rdata BIND 9.18 produces for the same text.
 */
import { isIPv6 } from 'node:net'
import type { RdataReader } from './rdata-parse.js'
import { ipv4Number, ipv6Bytes, nameToWire, parseUint } from './rdata-parse.js'
import { typeNumber } from '../packet/types.js'

/** One field of a table-driven rdata layout. */
type Field = 'u8' | 'u16' | 'u32' | 'name' | 'type' | 'base64-rest' | 'dsync-scheme'

/** Types whose rdata is a plain sequence of fields. */
const LAYOUTS: ReadonlyMap<number, readonly Field[]> = new Map<number, readonly Field[]>([
  [66, ['type', 'dsync-scheme', 'u16', 'name']], // DSYNC (RFC 9859)
  [67, ['base64-rest']], // HHIT
  [68, ['base64-rest']], // BRID
])

/** DSYNC scheme mnemonics. */
const DSYNC_SCHEMES: Readonly<Record<string, number>> = { NOTIFY: 1 }

/** IP protocol names WKS accepts besides numbers. */
const PROTOCOLS: Readonly<Record<string, number>> = { icmp: 1, igmp: 2, tcp: 6, udp: 17 }

/** Well-known service names (a subset of /etc/services) WKS accepts besides port numbers. */
const SERVICES: Readonly<Record<string, number>> = {
  tcpmux: 1, echo: 7, discard: 9, systat: 11, daytime: 13, netstat: 15, qotd: 17, chargen: 19,
  'ftp-data': 20, ftp: 21, ssh: 22, telnet: 23, smtp: 25, time: 37, whois: 43, domain: 53,
  tftp: 69, gopher: 70, finger: 79, http: 80, www: 80, kerberos: 88, pop3: 110, sunrpc: 111,
  auth: 113, nntp: 119, ntp: 123, 'netbios-ns': 137, imap: 143, snmp: 161, ldap: 389, https: 443,
  submission: 587, ldaps: 636, imaps: 993, pop3s: 995,
}

/**
 * Wire rdata for LOC, WKS, APL, IPSECKEY, HIP, AMTRELAY and the table-driven types, or
 * `undefined` when `typeNum` is none of them.
 */
export function parseMoreRdata(typeNum: number, r: RdataReader): Buffer | undefined {
  switch (typeNum) {
    case 29: return parseLoc(r)
    case 11: return parseWks(r)
    case 42: return parseApl(r)
    case 45: return parseIpseckey(r)
    case 55: return parseHip(r)
    case 260: return parseAmtrelay(r)
  }
  const layout = LAYOUTS.get(typeNum)
  return layout === undefined ? undefined : parseLayout(layout, r)
}

function parseLayout(layout: readonly Field[], r: RdataReader): Buffer {
  const parts: Buffer[] = []
  for (const field of layout) {
    switch (field) {
      case 'u8': parts.push(u8(r.uint('integer', 255))); break
      case 'u16': parts.push(u16(r.uint('integer', 65535))); break
      case 'u32': parts.push(u32(r.uint('integer', 0xffffffff))); break
      case 'name': parts.push(nameToWire(r.name('name'))); break
      case 'type': parts.push(u16(typeNumber(r.type('type')) as number)); break
      case 'base64-rest': parts.push(r.base64('data')); break
      case 'dsync-scheme': {
        const t = r.word('scheme')
        const n = DSYNC_SCHEMES[t.toUpperCase()] ?? parseUint(t)
        if (n === undefined || n > 255) throw r.error(`bad DSYNC scheme '${t}'`, r.i - 1)
        parts.push(u8(n))
        break
      }
    }
  }
  r.end()
  return Buffer.concat(parts)
}

// ---- LOC (RFC 1876 §3, as BIND's loc_29.c reads it) -----------------------------------------

function parseLoc(r: RdataReader): Buffer {
  const lat = locAngle(r, 'N', 'S', 90)
  const lon = locAngle(r, 'E', 'W', 180)
  const altText = r.word('altitude')
  const alt = decimal(stripMeters(altText), 2, true)
  // Altitude in cm above a base 100,000 m below the WGS 84 spheroid; range per RFC 1876.
  if (alt === undefined || alt < -10000000 || alt > 4284967295) throw r.error(`bad LOC altitude '${altText}'`, r.i - 1)
  const size = r.more() ? locPrecision(r, 'size') : 0x12 // 1 m
  const hp = r.more() ? locPrecision(r, 'horizontal precision') : 0x16 // 10,000 m
  const vp = r.more() ? locPrecision(r, 'vertical precision') : 0x13 // 10 m
  r.end()
  const out = Buffer.alloc(16)
  out[0] = 0
  out[1] = size
  out[2] = hp
  out[3] = vp
  out.writeUInt32BE(lat, 4)
  out.writeUInt32BE(lon, 8)
  out.writeUInt32BE(alt + 10000000, 12)
  return out
}

/** `deg [min [sec]] hemisphere` → the RFC 1876 32-bit value (2^31 ± thousandths of seconds). */
function locAngle(r: RdataReader, positive: string, negative: string, maxDegrees: number): number {
  const at = r.i
  const values: string[] = []
  let hemisphere: string | undefined
  while (values.length < 4) {
    const t = r.word(`LOC ${positive}/${negative}`)
    const upper = t.toUpperCase()
    if (upper === positive || upper === negative) {
      hemisphere = upper
      break
    }
    values.push(t)
  }
  if (hemisphere === undefined || values.length === 0 || values.length > 3) throw r.error(`bad LOC coordinate: expected degrees [minutes [seconds]] ${positive}|${negative}`, at)
  const deg = parseUint(values[0] as string)
  const min = values.length > 1 ? parseUint(values[1] as string) : 0
  const ms = values.length > 2 ? decimal(values[2] as string, 3, false) : 0
  if (deg === undefined || deg > maxDegrees || min === undefined || min > 59 || ms === undefined || ms >= 60000) throw r.error('bad LOC coordinate', at)
  const total = deg * 3600000 + min * 60000 + ms
  if (total > maxDegrees * 3600000) throw r.error('bad LOC coordinate', at)
  return hemisphere === positive ? 0x80000000 + total : 0x80000000 - total
}

/** A size or precision in metres → RFC 1876 mantissa/exponent byte (centimetres). */
function locPrecision(r: RdataReader, what: string): number {
  const t = r.word(`LOC ${what}`)
  const cm = decimal(stripMeters(t), 2, false)
  if (cm === undefined || cm > 9000000000) throw r.error(`bad LOC ${what} '${t}'`, r.i - 1)
  let exp = 0
  while (exp < 9 && cm >= 10 ** (exp + 1)) exp++
  const man = Math.floor(cm / 10 ** exp)
  return (man << 4) | exp
}

function stripMeters(t: string): string {
  return t.endsWith('m') || t.endsWith('M') ? t.slice(0, -1) : t
}

/** A decimal with at most `places` fraction digits, scaled to an integer; `undefined` if malformed. */
function decimal(t: string, places: number, signed: boolean): number | undefined {
  const m = (signed ? /^(-?)(\d+)(?:\.(\d*))?$/ : /^()(\d+)(?:\.(\d*))?$/).exec(t)
  if (!m) return undefined
  const fraction = m[3] ?? ''
  if (fraction.length > places) return undefined
  const value = Number(m[2]) * 10 ** places + Number(fraction.padEnd(places, '0') || '0')
  return m[1] === '-' ? -value : value
}

// ---- WKS (RFC 1035 §3.4.2) --------------------------------------------------------------------

function parseWks(r: RdataReader): Buffer {
  const at = r.i
  const addressText = r.word('WKS address')
  const address = ipv4Number(addressText)
  if (address < 0) throw r.error(`bad WKS address '${addressText}'`, at)
  const pt = r.word('WKS protocol')
  const protocol = PROTOCOLS[pt.toLowerCase()] ?? parseUint(pt)
  if (protocol === undefined || protocol > 255) throw r.error(`bad WKS protocol '${pt}'`, r.i - 1)
  const ports: number[] = []
  while (r.more()) {
    const t = r.word('WKS service')
    const port = SERVICES[t.toLowerCase()] ?? parseUint(t)
    if (port === undefined || port > 65535) throw r.error(`unknown WKS service '${t}'`, r.i - 1)
    ports.push(port)
  }
  const bitmap = Buffer.alloc(ports.length === 0 ? 0 : (Math.max(...ports) >> 3) + 1)
  for (const p of ports) bitmap[p >> 3] = (bitmap[p >> 3] as number) | (0x80 >> (p & 7))
  return Buffer.concat([u32(address), u8(protocol), bitmap])
}

// ---- APL (RFC 3123 §4) ------------------------------------------------------------------------

function parseApl(r: RdataReader): Buffer {
  const parts: Buffer[] = []
  while (r.more()) {
    const t = r.word('APL item')
    const m = /^(!?)([12]):([^/]+)\/(\d{1,3})$/.exec(t)
    if (!m) throw r.error(`bad APL item '${t}'`, r.i - 1)
    const family = Number(m[2])
    const prefix = Number(m[4])
    let bytes: Buffer
    if (family === 1) {
      const a = ipv4Number(m[3] as string)
      if (a < 0 || prefix > 32) throw r.error(`bad APL item '${t}'`, r.i - 1)
      bytes = u32(a)
    } else {
      if (!isIPv6(m[3] as string) || prefix > 128) throw r.error(`bad APL item '${t}'`, r.i - 1)
      bytes = ipv6Bytes(m[3] as string)
    }
    let len = bytes.length
    while (len > 0 && bytes[len - 1] === 0) len--
    parts.push(u16(family), u8(prefix), u8((m[1] === '!' ? 0x80 : 0) | len), bytes.subarray(0, len))
  }
  return Buffer.concat(parts)
}

// ---- IPSECKEY (RFC 4025 §3), AMTRELAY (RFC 8777 §4.3) -----------------------------------------

/** A gateway/relay of `type`: 0 none (`.`), 1 IPv4, 2 IPv6, 3 a domain name (uncompressed). */
function gateway(r: RdataReader, type: number, what: string): Buffer {
  const t = r.word(what)
  const at = r.i - 1
  switch (type) {
    case 0:
      if (t !== '.') throw r.error(`${what} must be '.' for type 0`, at)
      return Buffer.alloc(0)
    case 1: {
      const a = ipv4Number(t)
      if (a < 0) throw r.error(`bad IPv4 ${what} '${t}'`, at)
      return u32(a)
    }
    case 2:
      if (!isIPv6(t)) throw r.error(`bad IPv6 ${what} '${t}'`, at)
      return ipv6Bytes(t)
    case 3:
      r.i--
      return nameToWire(r.name(what))
    default:
      throw r.error(`unknown ${what} type ${type}`, at - 1)
  }
}

function parseIpseckey(r: RdataReader): Buffer {
  const precedence = r.uint('IPSECKEY precedence', 255)
  const type = r.uint('IPSECKEY gateway type', 3)
  const algorithm = r.uint('IPSECKEY algorithm', 255)
  const gw = gateway(r, type, 'IPSECKEY gateway')
  const key = r.base64('IPSECKEY public key', true)
  return Buffer.concat([u8(precedence), u8(type), u8(algorithm), gw, key])
}

function parseAmtrelay(r: RdataReader): Buffer {
  const precedence = r.uint('AMTRELAY precedence', 255)
  const discovery = r.uint('AMTRELAY discovery optional', 1)
  const type = r.uint('AMTRELAY type', 3)
  const relay = gateway(r, type, 'AMTRELAY relay')
  r.end()
  return Buffer.concat([u8(precedence), u8((discovery << 7) | type), relay])
}

// ---- HIP (RFC 8005 §4) ------------------------------------------------------------------------

function parseHip(r: RdataReader): Buffer {
  const algorithm = r.uint('HIP PK algorithm', 255)
  const hitText = r.word('HIP HIT')
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hitText) || hitText.length > 510) throw r.error(`bad HIP HIT '${hitText}'`, r.i - 1)
  const hit = Buffer.from(hitText, 'hex')
  const keyText = r.word('HIP public key')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(keyText) || keyText.length % 4 !== 0) throw r.error('bad base64 in HIP public key', r.i - 1)
  const key = Buffer.from(keyText, 'base64')
  if (key.length > 65535) throw r.error('HIP public key too long', r.i - 1)
  const servers: Buffer[] = []
  while (r.more()) servers.push(nameToWire(r.name('HIP rendezvous server')))
  return Buffer.concat([u8(hit.length), u8(algorithm), u16(key.length), hit, key, ...servers])
}

// ---- helpers ----------------------------------------------------------------------------------

function u8(n: number): Buffer {
  return Buffer.from([n & 255])
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(n)
  return b
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n >>> 0)
  return b
}
