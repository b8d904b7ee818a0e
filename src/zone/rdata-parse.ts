/**
 * Presentation-format rdata → dns-packet data (for types dns-packet models) or wire-format
 * Buffers (RFC 3597 style, for every other type this module knows the presentation of).
 */
import { isIPv4, isIPv6 } from 'node:net'
import { Lexer } from './lexer.js'
import { ZoneSyntaxError } from './errors.js'
import { genericToPresentation } from './generic-rdata.js'
import { copy, share } from './kept-strings.js'
import { escapeLabel, isAbsolute } from '../packet/names.js'
import { parseMoreRdata } from './rdata-more.js'
import { hasPacketCodec, packetTypeName, typeMnemonic, typeNumber } from '../packet/types.js'

/** The parsed rdata of one record: dns-packet's type string and data (TXT: its wire form as a latin1 string). */
export interface ParsedRdata {
  type: string
   
  data: any
}

/** DNSSEC algorithm mnemonics (RFC 4034 appendix A.1 and successors). */
const ALGORITHMS: Readonly<Record<string, number>> = {
  RSAMD5: 1, DH: 2, DSA: 3, RSASHA1: 5, 'DSA-NSEC3-SHA1': 6, 'RSASHA1-NSEC3-SHA1': 7, RSASHA256: 8,
  RSASHA512: 10, 'ECC-GOST': 12, ECDSAP256SHA256: 13, ECDSAP384SHA384: 14, ED25519: 15, ED448: 16,
  INDIRECT: 252, PRIVATEDNS: 253, PRIVATEOID: 254,
}

/** Digest sizes of DS, CDS, TA and DLV by digest type (SHA-1, SHA-256, SHA-384), as BIND checks them. */
const DS_DIGEST_BYTES: Readonly<Record<number, number>> = { 1: 20, 2: 32, 4: 48 }

/** SSHFP fingerprint sizes by fingerprint type (SHA-1, SHA-256). */
const SSHFP_FINGERPRINT_BYTES: Readonly<Record<number, number>> = { 1: 20, 2: 32 }

/** CERT type mnemonics (RFC 4398). */
const CERT_TYPES: Readonly<Record<string, number>> = {
  PKIX: 1, SPKI: 2, PGP: 3, IPKIX: 4, ISPKI: 5, IPGP: 6, ACPKIX: 7, IACPKIX: 8, URI: 253, OID: 254,
}

/** SVCB SvcParamKey mnemonics (RFC 9460 and registry). */
export const SVC_KEYS: readonly string[] = ['mandatory', 'alpn', 'no-default-alpn', 'port', 'ipv4hint', 'ech', 'ipv6hint', 'dohpath', 'ohttp']

/**
 * Reads rdata tokens of the current lexer entry, from token `start` to the end.
 * Throws {@link ZoneSyntaxError} (via `lex.errorAt`) naming the offending token.
 */
export class RdataReader {
  i = 0
  constructor(
    readonly lex: Lexer,
    public origin: string,
  ) {}

  /** True while tokens remain. */
  more(): boolean {
    return this.i < this.lex.count
  }

  /** An error at the current token (or just past the last one). */
  error(message: string, at = this.i): ZoneSyntaxError {
    return this.lex.errorAt(at, message)
  }

  /** The next raw token; `what` names the field in the error when it is missing. */
  word(what: string): string {
    if (this.i >= this.lex.count) throw this.error(`missing ${what}`)
    return this.lex.tokens[this.i++] as string
  }

  /** An unsigned integer field of at most `max`. */
  uint(what: string, max: number): number {
    const t = this.word(what)
    const n = parseUint(t)
    if (n === undefined || n > max) throw this.error(`bad ${what} '${t}': expected an integer 0..${max}`, this.i - 1)
    return n
  }

  /** A TTL-like duration field (`3600`, `1h`, `1W2D`). */
  duration(what: string): number {
    const t = this.word(what)
    const n = parseTtl(t)
    if (n === undefined) throw this.error(`bad ${what} '${t}'`, this.i - 1)
    return n
  }

  /** A domain name, made absolute against the origin. */
  name(what: string): string {
    const t = this.word(what)
    const n = parseName(t, this.origin)
    if (typeof n !== 'string') throw this.error(`bad ${what} '${t}': ${n.error}`, this.i - 1)
    return share(n)
  }

  /** A character-string (quoted or not) as a byte string, at most `max` bytes. */
  bytes(what: string, max = 255): string {
    const t = this.word(what)
    const b = unescapeText(t)
    if (b === undefined) throw this.error(`bad escape in ${what}`, this.i - 1)
    if (b.length > max) throw this.error(`${what} longer than ${max} bytes`, this.i - 1)
    return b
  }

  /** The remaining tokens joined (base64/hex blobs may be split by spaces). */
  rest(what: string, optional = false): string {
    if (this.i >= this.lex.count && !optional) throw this.error(`missing ${what}`)
    let s = ''
    while (this.i < this.lex.count) s += this.lex.tokens[this.i++] as string
    return s
  }

  /** Base64 of the remaining tokens. */
  base64(what: string, optional = false): Buffer {
    const at = this.i
    const s = this.rest(what, optional)
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) throw this.error(`bad base64 in ${what}`, at)
    return Buffer.from(s, 'base64')
  }

  /** Hex of the remaining tokens. */
  hexRest(what: string, optional = false): Buffer {
    const at = this.i
    const s = this.rest(what, optional)
    return this.hexOf(s, what, at)
  }

  /**
   * The rest as hex of the length a digest type fixes (`lengths[type]`; any length for types
   * not listed), refused otherwise as BIND refuses a DS or SSHFP whose digest is cut short or
   * runs long.
   */
  digestRest(what: string, type: number, lengths: Readonly<Record<number, number>>, optional = false): Buffer {
    const at = this.i
    const digest = this.hexRest(what, optional)
    const expected = lengths[type]
    if (expected !== undefined && digest.length !== expected) {
      throw this.error(`${what} of type ${type} must be ${expected} bytes, not ${digest.length}`, at)
    }
    return digest
  }

  /** Hex of one token (`-` for empty when `dashEmpty`). */
  hex(what: string, dashEmpty = false): Buffer {
    const t = this.word(what)
    if (dashEmpty && t === '-') return Buffer.alloc(0)
    return this.hexOf(t, what, this.i - 1)
  }

  /** A DNSSEC algorithm number or mnemonic. */
  algorithm(): number {
    const t = this.word('algorithm')
    const n = ALGORITHMS[t.toUpperCase()] ?? parseUint(t)
    if (n === undefined || n > 255) throw this.error(`bad algorithm '${t}'`, this.i - 1)
    return n
  }

  /** A type mnemonic or TYPEn, as dns-packet's string. */
  type(what: string): string {
    const t = this.word(what)
    const n = typeNumber(t)
    if (n === undefined) throw this.error(`unknown type '${t}' in ${what}`, this.i - 1)
    return packetTypeName(n)
  }

  /** The remaining tokens as a type list (NSEC/NSEC3/CSYNC bitmaps), as dns-packet strings. */
  typeList(): string[] {
    const list: string[] = []
    while (this.more()) list.push(this.type('type bitmap'))
    return list
  }

  /** Fails when tokens remain. */
  end(): void {
    if (this.i < this.lex.count) throw this.error(`extra rdata '${this.lex.tokens[this.i]}'`)
  }

  private hexOf(s: string, what: string, at: number): Buffer {
    if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw this.error(`bad hex in ${what}`, at)
    return Buffer.from(s, 'hex')
  }
}

/** Growable byte writer for wire-format rdata. */
class Wire {
  buf = Buffer.alloc(64)
  len = 0
  private room(n: number): void {
    if (this.len + n <= this.buf.length) return
    const grown = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n))
    this.buf.copy(grown, 0, 0, this.len)
    this.buf = grown
  }
  u8(n: number): this {
    this.room(1)
    this.buf[this.len++] = n
    return this
  }
  u16(n: number): this {
    this.room(2)
    this.buf.writeUInt16BE(n, this.len)
    this.len += 2
    return this
  }
  u32(n: number): this {
    this.room(4)
    this.buf.writeUInt32BE(n >>> 0, this.len)
    this.len += 4
    return this
  }
  bytes(b: Buffer | Uint8Array): this {
    this.room(b.length)
    this.buf.set(b, this.len)
    this.len += b.length
    return this
  }
  binary(s: string): this {
    return this.bytes(Buffer.from(s, 'latin1'))
  }
  string(s: string): this {
    return this.u8(s.length).binary(s)
  }
  name(n: string): this {
    return this.bytes(nameToWire(n))
  }
  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len))
  }
}

/**
 * Parses the rdata of `typeNum` from the reader's tokens. Handles RFC 3597 `\# len hex` for
 * every type.
 */
export function parseRdata(typeNum: number, r: RdataReader): ParsedRdata {
  const lex = r.lex
  if (r.i < lex.count && lex.tokens[r.i] === '\\#' && !lex.quoted[r.i]) return parseGeneric(typeNum, r)
  const key = packetTypeName(typeNum)
  switch (typeNum) {
    case 1: {
      const t = r.word('IPv4 address')
      // Kept as a number (no string per record); see ipv4Text.
      const a = ipv4Number(t)
      if (a < 0) throw r.error(`bad IPv4 address '${t}'`, r.i - 1)
      r.end()
      return { type: key, data: a }
    }
    case 28: {
      const t = r.word('IPv6 address')
      if (!isIPv6(t)) throw r.error(`bad IPv6 address '${t}'`, r.i - 1)
      r.end()
      return { type: key, data: copy(t.toLowerCase()) }
    }
    case 2: case 5: case 12: case 39: {
      const n = r.name('target name')
      r.end()
      return { type: key, data: n }
    }
    case 6: {
      const data = {
        mname: r.name('SOA MNAME'), rname: r.name('SOA RNAME'), serial: r.uint('SOA serial', 0xffffffff),
        refresh: r.duration('SOA refresh'), retry: r.duration('SOA retry'), expire: r.duration('SOA expire'),
        minimum: r.duration('SOA minimum'),
      }
      r.end()
      return { type: key, data }
    }
    case 15: {
      const data = { preference: r.uint('MX preference', 65535), exchange: r.name('MX exchange') }
      r.end()
      return { type: key, data }
    }
    case 16: {
      // Packed wire form in a latin1 string: one small string instead of a Buffer per string.
      let packed = ''
      do {
        const b = r.bytes('TXT string')
        packed += String.fromCharCode(b.length) + b
      } while (r.more())
      return { type: key, data: share(packed) }
    }
    case 33: {
      const data = { priority: r.uint('SRV priority', 65535), weight: r.uint('SRV weight', 65535), port: r.uint('SRV port', 65535), target: r.name('SRV target') }
      r.end()
      return { type: key, data }
    }
    case 35: {
      const data = {
        order: r.uint('NAPTR order', 65535), preference: r.uint('NAPTR preference', 65535),
        flags: latin1ToText(r.bytes('NAPTR flags')), services: latin1ToText(r.bytes('NAPTR services')),
        regexp: latin1ToText(r.bytes('NAPTR regexp')), replacement: r.name('NAPTR replacement'),
      }
      r.end()
      return { type: key, data }
    }
    case 257: {
      const flags = r.uint('CAA flags', 255)
      const tag = r.word('CAA tag')
      if (!/^[A-Za-z0-9]{1,255}$/.test(tag)) throw r.error(`bad CAA tag '${tag}'`, r.i - 1)
      const value = latin1ToText(r.bytes('CAA value', 65535))
      r.end()
      return { type: key, data: { flags, tag, value } }
    }
    case 13: {
      const data = { cpu: latin1ToText(r.bytes('HINFO cpu')), os: latin1ToText(r.bytes('HINFO os')) }
      r.end()
      return { type: key, data }
    }
    case 17: {
      const data = { mbox: r.name('RP mbox'), txt: r.name('RP txt domain') }
      r.end()
      return { type: key, data }
    }
    case 43: {
      const keyTag = r.uint('key tag', 65535)
      const algorithm = r.algorithm()
      const digestType = r.uint('digest type', 255)
      return { type: key, data: { keyTag, algorithm, digestType, digest: r.digestRest('digest', digestType, DS_DIGEST_BYTES) } }
    }
    case 48: {
      const flags = r.uint('DNSKEY flags', 65535)
      const protocol = r.uint('DNSKEY protocol', 255)
      const algorithm = r.algorithm()
      const keyData = r.base64('DNSKEY key')
      if (protocol !== 3) return { type: `UNKNOWN_${typeNum}`, data: new Wire().u16(flags).u8(protocol).u8(algorithm).bytes(keyData).done() }
      return { type: key, data: { flags, algorithm, key: keyData } }
    }
    case 46: {
      const data = {
        typeCovered: r.type('type covered'), algorithm: r.algorithm(), labels: r.uint('labels', 255),
        originalTTL: r.uint('original TTL', 0xffffffff), expiration: sigTime(r, 'expiration'),
        inception: sigTime(r, 'inception'), keyTag: r.uint('key tag', 65535), signersName: r.name("signer's name"),
        signature: r.base64('signature'),
      }
      return { type: key, data }
    }
    case 47: {
      const nextDomain = r.name('next domain')
      return { type: key, data: { nextDomain, rrtypes: r.typeList() } }
    }
    case 50: {
      const algorithm = r.uint('hash algorithm', 255)
      const flags = r.uint('flags', 255)
      const iterations = r.uint('iterations', 65535)
      const salt = r.hex('salt', true)
      const t = r.word('next hashed owner')
      const nextDomain = base32hexDecode(t)
      if (nextDomain === undefined) throw r.error(`bad base32hex '${t}'`, r.i - 1)
      return { type: key, data: { algorithm, flags, iterations, salt, nextDomain, rrtypes: r.typeList() } }
    }
    case 52: {
      const data = { usage: r.uint('usage', 255), selector: r.uint('selector', 255), matchingType: r.uint('matching type', 255), certificate: r.hexRest('certificate data') }
      return { type: key, data }
    }
    case 44: {
      const algorithm = r.uint('SSHFP algorithm', 255)
      const hash = r.uint('SSHFP fingerprint type', 255)
      const fp = r.digestRest('fingerprint', hash, SSHFP_FINGERPRINT_BYTES)
      const expected = hash === 1 ? 20 : hash === 2 ? 32 : -1
      if (fp.length !== expected) return { type: `UNKNOWN_${typeNum}`, data: new Wire().u8(algorithm).u8(hash).bytes(fp).done() }
      return { type: key, data: { algorithm, hash, fingerprint: fp.toString('hex') } }
    }
  }
  const data = parseWire(typeNum, r)
  if (data === undefined) {
    throw r.error(`no presentation format known for type ${typeMnemonic(typeNum)}: write it as RFC 3597 generic rdata (\\# length hex)`, r.i)
  }
  return { type: key, data }
}

/** Wire rdata for the types dns-packet leaves as Buffers; `undefined` when unknown here. */
function parseWire(typeNum: number, r: RdataReader): Buffer | undefined {
  const w = new Wire()
  switch (typeNum) {
    case 99: case 258: case 261: case 262: // SPF, AVC, RESINFO, WALLET: character-strings like TXT
      do w.string(r.bytes('string'))
      while (r.more())
      return w.done()
    case 51: // NSEC3PARAM
      w.u8(r.uint('hash algorithm', 255)).u8(r.uint('flags', 255)).u16(r.uint('iterations', 65535))
      writeSalt(w, r.hex('salt', true))
      r.end()
      return w.done()
    case 64: case 65: // SVCB, HTTPS
      return parseSvcb(r, w)
    case 3: case 4: case 7: case 8: case 9: case 23: // MD MF MB MG MR NSAP-PTR
      w.name(r.name('name'))
      r.end()
      return w.done()
    case 14: // MINFO
      w.name(r.name('rmailbx')).name(r.name('emailbx'))
      r.end()
      return w.done()
    case 18: case 21: case 36: case 107: // AFSDB RT KX LP: u16 + name
      w.u16(r.uint('preference', 65535)).name(r.name('name'))
      r.end()
      return w.done()
    case 26: // PX
      w.u16(r.uint('preference', 65535)).name(r.name('MAP822')).name(r.name('MAPX400'))
      r.end()
      return w.done()
    case 19: // X25
      w.string(r.bytes('PSDN address'))
      r.end()
      return w.done()
    case 20: // ISDN
      w.string(r.bytes('ISDN address'))
      if (r.more()) w.string(r.bytes('subaddress'))
      r.end()
      return w.done()
    case 27: // GPOS
      w.string(r.bytes('longitude')).string(r.bytes('latitude')).string(r.bytes('altitude'))
      r.end()
      return w.done()
    case 59: case 32768: case 32769: // CDS TA DLV
      {
        w.u16(r.uint('key tag', 65535)).u8(r.algorithm())
        const digestType = r.uint('digest type', 255)
        w.u8(digestType).bytes(r.digestRest('digest', digestType, DS_DIGEST_BYTES, typeNum === 59))
      }
      return w.done()
    case 25: case 60: // KEY CDNSKEY
      w.u16(r.uint('flags', 65535)).u8(r.uint('protocol', 255)).u8(r.algorithm()).bytes(r.base64('key', true))
      return w.done()
    case 24: // SIG
      w.u16(typeNumber(r.type('type covered')) as number).u8(r.algorithm()).u8(r.uint('labels', 255)).u32(r.uint('original TTL', 0xffffffff))
      w.u32(sigTime(r, 'expiration')).u32(sigTime(r, 'inception')).u16(r.uint('key tag', 65535)).name(r.name("signer's name")).bytes(r.base64('signature'))
      return w.done()
    case 30: { // NXT: name + old-style bitmap
      w.name(r.name('next domain'))
      const types = r.typeList().map((t) => typeNumber(t) as number)
      const bitmap = Buffer.alloc(types.length === 0 ? 0 : (Math.max(...types) >> 3) + 1)
      for (const t of types) bitmap[t >> 3] = (bitmap[t >> 3] as number) | (0x80 >> (t & 7))
      return w.bytes(bitmap).done()
    }
    case 49: case 61: // DHCID OPENPGPKEY
      return w.bytes(r.base64('data')).done()
    case 53: // SMIMEA
      w.u8(r.uint('usage', 255)).u8(r.uint('selector', 255)).u8(r.uint('matching type', 255)).bytes(r.hexRest('certificate data'))
      return w.done()
    case 37: { // CERT
      const t = r.word('certificate type')
      const ct = CERT_TYPES[t.toUpperCase()] ?? parseUint(t)
      if (ct === undefined || ct > 65535) throw r.error(`bad certificate type '${t}'`, r.i - 1)
      w.u16(ct).u16(r.uint('key tag', 65535)).u8(r.algorithm()).bytes(r.base64('certificate'))
      return w.done()
    }
    case 62: // CSYNC
      w.u32(r.uint('serial', 0xffffffff)).u16(r.uint('flags', 65535)).bytes(typeBitmap(r.typeList()))
      return w.done()
    case 63: // ZONEMD
      w.u32(r.uint('serial', 0xffffffff)).u8(r.uint('scheme', 255)).u8(r.uint('hash algorithm', 255)).bytes(r.hexRest('digest'))
      return w.done()
    case 256: // URI
      w.u16(r.uint('priority', 65535)).u16(r.uint('weight', 65535)).binary(r.bytes('target', 65535))
      r.end()
      return w.done()
    case 104: case 106: { // NID L64: u16 + 64-bit locator
      w.u16(r.uint('preference', 65535))
      const t = r.word('locator')
      if (!/^[0-9a-fA-F]{1,4}(:[0-9a-fA-F]{1,4}){3}$/.test(t)) throw r.error(`bad locator '${t}'`, r.i - 1)
      for (const part of t.split(':')) w.u16(parseInt(part, 16))
      r.end()
      return w.done()
    }
    case 105: { // L32
      w.u16(r.uint('preference', 65535))
      const t = r.word('locator')
      const a = normalizeIPv4(t)
      if (a === undefined) throw r.error(`bad locator '${t}'`, r.i - 1)
      for (const part of a.split('.')) w.u8(Number(part))
      r.end()
      return w.done()
    }
    case 108: case 109: { // EUI48 EUI64
      const t = r.word('address')
      const parts = t.split('-')
      if (parts.length !== (typeNum === 108 ? 6 : 8) || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) throw r.error(`bad EUI address '${t}'`, r.i - 1)
      r.end()
      return Buffer.from(parts.join(''), 'hex')
    }
    case 22: { // NSAP
      const t = r.rest('NSAP address')
      if (!/^0x([0-9a-fA-F.]*)$/i.test(t)) throw r.error(`bad NSAP address '${t}'`, r.i - 1)
      const hex = t.slice(2).replace(/\./g, '')
      if (hex.length === 0 || hex.length % 2 !== 0) throw r.error(`bad NSAP address '${t}'`, r.i - 1)
      return Buffer.from(hex, 'hex')
    }
    case 10: // NULL has no presentation form except \#
      return undefined
  }
  return parseMoreRdata(typeNum, r)
}

/** RFC 3597 `\# length hex...`. */
function parseGeneric(typeNum: number, r: RdataReader): ParsedRdata {
  r.i++
  const lt = r.word('generic rdata length')
  const len = parseUint(lt)
  if (len === undefined || len > 65535) throw r.error(`bad generic rdata length '${lt}'`, r.i - 1)
  const at = r.i
  const data = r.hexRest('generic rdata', len === 0)
  if (data.length !== len) throw r.error(`generic rdata length ${len} does not match ${data.length} bytes of data`, at)
  // Types whose dns-packet data is structured: decode the common ones, keep the rest as Buffers
  // under the `UNKNOWN_n` spelling, which dns-packet encodes as-is.
  if (typeNum === 1 && len === 4) return { type: 'A', data: data.readUInt32BE(0) }
  if (typeNum === 16 && data.length > 0) {
    let p = 0
    while (p < data.length) p += 1 + (data[p] as number)
    if (p !== data.length) throw r.error('generic TXT rdata is not a sequence of character-strings', at)
    return { type: 'TXT', data: data.toString('latin1') }
  }
  // Other structured types: read as BIND does, through the type's own form (same data as the
  // usual presentation; malformed wire rdata is an error). NULL has no other form.
  if (typeNum !== 10) {
    let text: string | undefined
    try {
      text = genericToPresentation(typeNum, data)
    } catch (e) {
      throw r.error(`bad generic rdata for ${typeMnemonic(typeNum)}: ${(e as Error).message}`, at)
    }
    if (text !== undefined) {
      const sub = new Lexer(`${text}\n`, r.lex.file)
      try {
        sub.readEntry()
        const sr = new RdataReader(sub, '.')
        const parsed = parseRdata(typeNum, sr)
        sr.end()
        return parsed
      } catch (e) {
        if (!(e instanceof ZoneSyntaxError)) throw e
        throw r.error(`bad generic rdata for ${typeMnemonic(typeNum)}: ${e.reason}`, at)
      }
    }
  }
  // dns-packet's name when it takes wire rdata for the type (SPF, LOC...), as the zone gives it.
  return { type: hasPacketCodec(typeNum) ? `UNKNOWN_${typeNum}` : packetTypeName(typeNum), data }
}

/** SVCB/HTTPS (RFC 9460): priority, target, then key=value parameters sorted by key. */
function parseSvcb(r: RdataReader, w: Wire): Buffer {
  w.u16(r.uint('SvcPriority', 65535)).name(r.name('TargetName'))
  const params = new Map<number, Buffer>()
  while (r.more()) {
    const at = r.i
    const tok = r.word('SvcParam')
    const eq = tok.indexOf('=')
    const keyName = (eq < 0 ? tok : tok.slice(0, eq)).toLowerCase()
    let value: string | undefined
    if (eq >= 0) {
      value = tok.slice(eq + 1)
      if (value === '' && r.more() && r.lex.quoted[r.i]) value = r.word('SvcParam value')
    }
    const idx = SVC_KEYS.indexOf(keyName)
    const keyNum = idx >= 0 ? idx : /^key[0-9]{1,5}$/.test(keyName) ? Number(keyName.slice(3)) : -1
    if (keyNum < 0 || keyNum > 65535) throw r.error(`unknown SvcParamKey '${keyName}'`, at)
    if (params.has(keyNum)) throw r.error(`duplicate SvcParamKey '${keyName}'`, at)
    const text = value === undefined ? undefined : unescapeText(value)
    if (value !== undefined && text === undefined) throw r.error(`bad escape in SvcParam '${keyName}'`, at)
    params.set(keyNum, svcValue(keyNum, text, r, at))
  }
  for (const k of [...params.keys()].sort((a, b) => a - b)) {
    const v = params.get(k) as Buffer
    w.u16(k).u16(v.length).bytes(v)
  }
  return w.done()
}

function svcValue(key: number, text: string | undefined, r: RdataReader, at: number): Buffer {
  const need = (): string => {
    if (text === undefined || text === '') throw r.error(`SvcParam '${SVC_KEYS[key] ?? 'key' + key}' needs a value`, at)
    return text
  }
  switch (key) {
    case 0: {
      const keys = need().split(',').map((k) => {
        const i = SVC_KEYS.indexOf(k)
        const n = i >= 0 ? i : /^key[0-9]{1,5}$/.test(k) ? Number(k.slice(3)) : -1
        if (n < 0) throw r.error(`unknown key '${k}' in mandatory`, at)
        return n
      })
      const w = new Wire()
      for (const k of keys.sort((a, b) => a - b)) w.u16(k)
      return w.done()
    }
    case 1: {
      const w = new Wire()
      for (const id of splitCommaList(need())) w.string(id)
      return w.done()
    }
    case 2: case 8:
      if (text !== undefined && text !== '') throw r.error(`SvcParam '${SVC_KEYS[key]}' takes no value`, at)
      return Buffer.alloc(0)
    case 3: {
      const p = parseUint(need())
      if (p === undefined || p > 65535) throw r.error(`bad port '${text}'`, at)
      return new Wire().u16(p).done()
    }
    case 4: {
      const w = new Wire()
      for (const a of need().split(',')) {
        const v = normalizeIPv4(a)
        if (v === undefined) throw r.error(`bad ipv4hint '${a}'`, at)
        for (const part of v.split('.')) w.u8(Number(part))
      }
      return w.done()
    }
    case 5: {
      const v = need()
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw r.error('bad base64 in ech', at)
      return Buffer.from(v, 'base64')
    }
    case 6: {
      const w = new Wire()
      for (const a of need().split(',')) {
        if (!isIPv6(a)) throw r.error(`bad ipv6hint '${a}'`, at)
        w.bytes(ipv6Bytes(a))
      }
      return w.done()
    }
    default:
      return Buffer.from(text ?? '', 'latin1')
  }
}

// ---- helpers -------------------------------------------------------------------------------

/** A decimal integer without sign, or `undefined`. */
export function parseUint(t: string): number | undefined {
  const n = t.length
  if (n === 0 || n > 10) return undefined
  let v = 0
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i) - 48
    if (c < 0 || c > 9) return undefined
    v = v * 10 + c
  }
  return v
}

/**
 * A TTL in BIND's syntax: seconds, or digits with units `w d h m s` in any case and order
 * (`1W2d3h4m5s`); trailing digits without a unit are refused as BIND does (`1h30` is not a
 * TTL, `1h30s` is). `undefined` when malformed or above 2^32-1.
 */
export function parseTtl(t: string): number | undefined {
  const n = t.length
  if (n === 0) return undefined
  let total = 0
  let cur = 0
  let digits = 0
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      cur = cur * 10 + (c - 48)
      digits++
      if (digits > 10) return undefined
      continue
    }
    if (digits === 0) return undefined
    let mult: number
    switch (c | 0x20) {
      case 0x77: mult = 604800; break
      case 0x64: mult = 86400; break
      case 0x68: mult = 3600; break
      case 0x6d: mult = 60; break
      case 0x73: mult = 1; break
      default: return undefined
    }
    total += cur * mult
    cur = 0
    digits = 0
  }
  // BIND: a bare number is seconds only when it is the whole TTL (`1h30` is not a TTL).
  if (digits > 0 && n !== digits) return undefined
  total += cur
  return total > 0xffffffff ? undefined : total
}

/** The result of {@link parseName} when the name is malformed. */
export interface NameError {
  error: string
}

const SAFE = new Uint8Array(128)
for (let c = 0x21; c < 0x7f; c++) SAFE[c] = 1
for (const c of '.\\"();@$') SAFE[c.charCodeAt(0)] = 0

/**
 * A presentation name made absolute against `origin` (`@` is the origin) and normalised:
 * escapes decoded and re-escaped so equal names have equal text. Returns a {@link NameError}
 * for empty labels, labels over 63 bytes or names over 255 bytes.
 */
export function parseName(t: string, origin: string): string | NameError {
  if (t === '@') return origin
  const n = t.length
  if (n === 0) return { error: 'empty name' }
  if (t === '.') return '.'
  let fast = true
  let labelLen = 0
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i)
    if (c === 0x2e) {
      if (labelLen === 0) return { error: 'empty label' }
      if (labelLen > 63) return { error: 'label longer than 63 bytes' }
      labelLen = 0
    } else if (c < 128 && SAFE[c] === 1) {
      labelLen++
    } else {
      fast = false
      break
    }
  }
  let name: string
  if (fast) {
    if (labelLen > 63) return { error: 'label longer than 63 bytes' }
    // An absolute token is copied (a long slice would keep the file text alive).
    if (labelLen === 0) name = n >= 13 ? t.slice(0, -1) + '.' : t
    else {
      // Relative without escapes: its wire length is its length + 1, plus the origin's.
      if (n + 1 + originWireLength(origin) > 255) return { error: 'name longer than 255 bytes' }
      return origin === '.' ? t + '.' : t + '.' + origin
    }
  } else {
    const labels = splitEscaped(t)
    if (typeof labels === 'object' && !Array.isArray(labels)) return labels
    let out = ''
    for (const label of labels) out += escapeLabel(label) + '.'
    const absolute = isAbsolute(t)
    name = absolute ? out : origin === '.' ? out : out + origin
  }
  if (wireLength(name) > 255) return { error: 'name longer than 255 bytes' }
  return name
}

function splitEscaped(t: string): string[] | NameError {
  const labels: string[] = []
  let label = ''
  const n = t.length
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i)
    if (c === 0x5c) {
      if (i + 1 >= n) return { error: 'dangling backslash' }
      const d = t.charCodeAt(i + 1)
      if (d >= 48 && d <= 57) {
        const v = Number(t.slice(i + 1, i + 4))
        if (!/^[0-9]{3}$/.test(t.slice(i + 1, i + 4)) || v > 255) return { error: 'bad \\DDD escape' }
        label += String.fromCharCode(v)
        i += 3
      } else {
        label += t.charAt(i + 1)
        i++
      }
    } else if (c === 0x2e) {
      if (label.length === 0) return { error: 'empty label' }
      labels.push(label)
      label = ''
    } else {
      label += String.fromCharCode(c > 0xff ? 0x3f : c)
    }
    if (label.length > 63) return { error: 'label longer than 63 bytes' }
  }
  if (label.length > 0) labels.push(label)
  return labels
}

let lastOrigin = '.'
let lastOriginWire = 1

/** {@link wireLength} of the origin, remembered for the origin seen last. */
function originWireLength(origin: string): number {
  if (origin !== lastOrigin) {
    lastOriginWire = wireLength(origin)
    lastOrigin = origin
  }
  return lastOriginWire
}

/** Wire length of a normalised absolute presentation name. */
function wireLength(name: string): number {
  if (name === '.') return 1
  let len = 1
  for (let i = 0; i < name.length; i++) {
    if (name.charCodeAt(i) === 0x5c) {
      i += /[0-9]/.test(name.charAt(i + 1)) ? 3 : 1
    }
    len++
  }
  return len
}

/** Uncompressed wire form of an absolute presentation name. */
export function nameToWire(name: string): Buffer {
  const labels = name === '.' ? [] : splitEscaped(name)
  if (!Array.isArray(labels)) throw new Error(`bad name ${name}`)
  const parts: number[] = []
  for (const l of labels) {
    parts.push(l.length)
    for (let i = 0; i < l.length; i++) parts.push(l.charCodeAt(i))
  }
  parts.push(0)
  return Buffer.from(parts)
}

/** Decodes `\X` and `\DDD` escapes of a character-string into a byte string; `undefined` if malformed. */
export function unescapeText(t: string): string | undefined {
  if (t.indexOf('\\') < 0) return t
  let out = ''
  const n = t.length
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i)
    if (c !== 0x5c) {
      out += t.charAt(i)
      continue
    }
    if (i + 1 >= n) return undefined
    const d = t.charCodeAt(i + 1)
    if (d >= 48 && d <= 57) {
      const s = t.slice(i + 1, i + 4)
      if (!/^[0-9]{3}$/.test(s) || Number(s) > 255) return undefined
      out += String.fromCharCode(Number(s))
      i += 3
    } else {
      out += t.charAt(i + 1)
      i++
    }
  }
  return out
}

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

/** The dotted-quad text of an IPv4 address held as a number (see {@link ipv4Number}). */
export function ipv4Text(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`
}

/** Strict dotted-quad IPv4 (BIND's inet_pton), normalised; `undefined` otherwise. */
function normalizeIPv4(t: string): string | undefined {
  return isIPv4(t) ? t : undefined
}

function latin1ToText(b: string): string {
  // dns-packet writes these fields as UTF-8: keep ASCII as is and reinterpret high bytes.
  for (let i = 0; i < b.length; i++) if (b.charCodeAt(i) > 0x7f) return Buffer.from(b, 'latin1').toString('utf8')
  return b
}

function sigTime(r: RdataReader, what: string): number {
  const t = r.word(what)
  if (/^[0-9]{14}$/.test(t)) {
    const ms = Date.UTC(Number(t.slice(0, 4)), Number(t.slice(4, 6)) - 1, Number(t.slice(6, 8)), Number(t.slice(8, 10)), Number(t.slice(10, 12)), Number(t.slice(12, 14)))
    return (ms / 1000) >>> 0
  }
  const n = parseUint(t)
  if (n === undefined || n > 0xffffffff) throw r.error(`bad ${what} time '${t}'`, r.i - 1)
  return n
}

function writeSalt(w: Wire, salt: Buffer): void {
  w.u8(salt.length).bytes(salt)
}

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

/** RFC 4034 §4.1.2 type bitmap. */
function typeBitmap(types: string[]): Buffer {
  const windows = new Map<number, number[]>()
  for (const t of types) {
    const n = typeNumber(t) as number
    const win = windows.get(n >> 8) ?? []
    win[(n >> 3) & 31] = (win[(n >> 3) & 31] ?? 0) | (0x80 >> (n & 7))
    windows.set(n >> 8, win)
  }
  const w = new Wire()
  for (const k of [...windows.keys()].sort((a, b) => a - b)) {
    const win = windows.get(k) as number[]
    w.u8(k).u8(win.length)
    for (let i = 0; i < win.length; i++) w.u8(win[i] ?? 0)
  }
  return w.done()
}

function splitCommaList(v: string): string[] {
  // Inside an alpn value, `\,` was already unescaped to `,`... RFC 9460 uses a second level of
  // escaping: the presentation value `foo\\,bar` means the single id `foo,bar`.
  const out: string[] = []
  let cur = ''
  for (let i = 0; i < v.length; i++) {
    const c = v.charAt(i)
    if (c === '\\' && i + 1 < v.length) {
      cur += v.charAt(++i)
    } else if (c === ',') {
      out.push(cur)
      cur = ''
    } else cur += c
  }
  out.push(cur)
  return out
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
