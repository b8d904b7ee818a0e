/**
 * Presentation parsers for the types dns-packet keeps as wire Buffers and whose text form is a
 * plain sequence of fields (SPF, NSEC3PARAM, the old mailbox types, AFSDB, KEY, CDS, URI, EUI48...):
 * each writes the wire rdata BIND 9.18 produces for the same text.
 */
import { ByteWriter } from '../packet/byte-writer.js'
import { typeNumber } from '../packet/types.js'
import { normalizeIPv4 } from './address-codecs.js'
import { DS_DIGEST_BYTES } from './rdata-codecs-packet.js'
import type { RdataReader } from './rdata-reader.js'
import { parseUint } from './rdata-text.js'
import { RR } from './rr-types.js'

/** Reads one type's rdata as wire bytes; `type` is the type number. */
export type WireCodec = (r: RdataReader, type: number) => Buffer

/** CERT type mnemonics (RFC 4398). */
const CERT_TYPES: Readonly<Record<string, number>> = {
  PKIX: 1, SPKI: 2, PGP: 3, IPKIX: 4, ISPKI: 5, IPGP: 6, ACPKIX: 7, IACPKIX: 8, URI: 253, OID: 254,
}

/** Character-strings like TXT (SPF, AVC, RESINFO, WALLET). */
const strings: WireCodec = (r) => {
  const w = new ByteWriter()
  do w.characterString(r.bytes('string'))
  while (r.more())
  return w.done()
}

/** One domain name (MD MF MB MG MR NSAP-PTR). */
const oneName: WireCodec = (r) => {
  const w = new ByteWriter().name(r.name('name'))
  r.end()
  return w.done()
}

/** A 16-bit preference and a name (AFSDB RT KX LP). */
const preferenceName: WireCodec = (r) => {
  const w = new ByteWriter().u16(r.uint('preference', 65535)).name(r.name('name'))
  r.end()
  return w.done()
}

/** Key tag, algorithm, digest type, digest (CDS TA DLV); CDS may have an empty digest (RFC 8078 deletion). */
const dsLike: WireCodec = (r, type) => {
  const w = new ByteWriter().u16(r.uint('key tag', 65535)).u8(r.algorithm())
  const digestType = r.uint('digest type', 255)
  return w.u8(digestType).bytes(r.digestRest('digest', digestType, DS_DIGEST_BYTES, type === RR.CDS)).done()
}

/** Flags, protocol, algorithm, key (KEY CDNSKEY). */
const keyLike: WireCodec = (r) =>
  new ByteWriter().u16(r.uint('flags', 65535)).u8(r.uint('protocol', 255)).u8(r.algorithm()).bytes(r.base64('key', true)).done()

/** Base64 of the whole rdata (DHCID OPENPGPKEY). */
const base64: WireCodec = (r) => r.base64('data')

/** A 16-bit preference and a 64-bit locator written as four hex groups (NID L64). */
const locator64: WireCodec = (r) => {
  const w = new ByteWriter().u16(r.uint('preference', 65535))
  const t = r.word('locator')
  if (!/^[0-9a-fA-F]{1,4}(:[0-9a-fA-F]{1,4}){3}$/.test(t)) throw r.error(`bad locator '${t}'`, r.i - 1)
  for (const part of t.split(':')) w.u16(parseInt(part, 16))
  r.end()
  return w.done()
}

/** An EUI-48 or EUI-64 address as hex pairs joined by `-`. */
const eui = (octets: number): WireCodec => (r) => {
  const t = r.word('address')
  const parts = t.split('-')
  if (parts.length !== octets || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) throw r.error(`bad EUI address '${t}'`, r.i - 1)
  r.end()
  return Buffer.from(parts.join(''), 'hex')
}

/** Codecs by type mnemonic. */
export const WIRE_CODECS: Readonly<Record<string, WireCodec>> = {
  SPF: strings,
  AVC: strings,
  RESINFO: strings,
  WALLET: strings,
  NSEC3PARAM: (r) => {
    const w = new ByteWriter().u8(r.uint('hash algorithm', 255)).u8(r.uint('flags', 255)).u16(r.uint('iterations', 65535))
    const salt = r.hex('salt', true)
    w.u8(salt.length).bytes(salt)
    r.end()
    return w.done()
  },
  MD: oneName,
  MF: oneName,
  MB: oneName,
  MG: oneName,
  MR: oneName,
  'NSAP-PTR': oneName,
  MINFO: (r) => {
    const w = new ByteWriter().name(r.name('rmailbx')).name(r.name('emailbx'))
    r.end()
    return w.done()
  },
  AFSDB: preferenceName,
  RT: preferenceName,
  KX: preferenceName,
  LP: preferenceName,
  PX: (r) => {
    const w = new ByteWriter().u16(r.uint('preference', 65535)).name(r.name('MAP822')).name(r.name('MAPX400'))
    r.end()
    return w.done()
  },
  X25: (r) => {
    const w = new ByteWriter().characterString(r.bytes('PSDN address'))
    r.end()
    return w.done()
  },
  ISDN: (r) => {
    const w = new ByteWriter().characterString(r.bytes('ISDN address'))
    if (r.more()) w.characterString(r.bytes('subaddress'))
    r.end()
    return w.done()
  },
  GPOS: (r) => {
    const w = new ByteWriter().characterString(r.bytes('longitude')).characterString(r.bytes('latitude')).characterString(r.bytes('altitude'))
    r.end()
    return w.done()
  },
  CDS: dsLike,
  TA: dsLike,
  DLV: dsLike,
  KEY: keyLike,
  CDNSKEY: keyLike,
  SIG: (r) => {
    const w = new ByteWriter().u16(typeNumber(r.type('type covered')) as number).u8(r.algorithm()).u8(r.uint('labels', 255)).u32(r.uint('original TTL', 0xffffffff))
    w.u32(r.time('expiration')).u32(r.time('inception')).u16(r.uint('key tag', 65535)).name(r.name("signer's name")).bytes(r.base64('signature'))
    return w.done()
  },
  NXT: (r) => { // a name and RFC 2535's bitmap of types below 128
    const w = new ByteWriter().name(r.name('next domain'))
    const types = r.typeList().map((t) => typeNumber(t) as number)
    const bitmap = Buffer.alloc(types.length === 0 ? 0 : (Math.max(...types) >> 3) + 1)
    for (const t of types) bitmap[t >> 3] = (bitmap[t >> 3] as number) | (0x80 >> (t & 7))
    return w.bytes(bitmap).done()
  },
  DHCID: base64,
  OPENPGPKEY: base64,
  SMIMEA: (r) =>
    new ByteWriter().u8(r.uint('usage', 255)).u8(r.uint('selector', 255)).u8(r.uint('matching type', 255)).bytes(r.hexRest('certificate data')).done(),
  CERT: (r) => {
    const t = r.word('certificate type')
    const ct = CERT_TYPES[t.toUpperCase()] ?? parseUint(t)
    if (ct === undefined || ct > 65535) throw r.error(`bad certificate type '${t}'`, r.i - 1)
    return new ByteWriter().u16(ct).u16(r.uint('key tag', 65535)).u8(r.algorithm()).bytes(r.base64('certificate')).done()
  },
  CSYNC: (r) => new ByteWriter().u32(r.uint('serial', 0xffffffff)).u16(r.uint('flags', 65535)).bytes(typeBitmap(r.typeList())).done(),
  ZONEMD: (r) =>
    new ByteWriter().u32(r.uint('serial', 0xffffffff)).u8(r.uint('scheme', 255)).u8(r.uint('hash algorithm', 255)).bytes(r.hexRest('digest')).done(),
  URI: (r) => {
    const w = new ByteWriter().u16(r.uint('priority', 65535)).u16(r.uint('weight', 65535)).latin1(r.bytes('target', 65535))
    r.end()
    return w.done()
  },
  NID: locator64,
  L64: locator64,
  L32: (r) => {
    const w = new ByteWriter().u16(r.uint('preference', 65535))
    const t = r.word('locator')
    const a = normalizeIPv4(t)
    if (a === undefined) throw r.error(`bad locator '${t}'`, r.i - 1)
    for (const part of a.split('.')) w.u8(Number(part))
    r.end()
    return w.done()
  },
  EUI48: eui(6),
  EUI64: eui(8),
  NSAP: (r) => {
    const t = r.rest('NSAP address')
    if (!/^0x([0-9a-fA-F.]*)$/i.test(t)) throw r.error(`bad NSAP address '${t}'`, r.i - 1)
    const hex = t.slice(2).replace(/\./g, '')
    if (hex.length === 0 || hex.length % 2 !== 0) throw r.error(`bad NSAP address '${t}'`, r.i - 1)
    return Buffer.from(hex, 'hex')
  },
}

/** RFC 4034 §4.1.2 type bitmap (CSYNC's; NSEC and NSEC3 go through dns-packet). */
function typeBitmap(types: string[]): Buffer {
  const windows = new Map<number, number[]>()
  for (const t of types) {
    const n = typeNumber(t) as number
    const win = windows.get(n >> 8) ?? []
    win[(n >> 3) & 31] = (win[(n >> 3) & 31] ?? 0) | (0x80 >> (n & 7))
    windows.set(n >> 8, win)
  }
  const w = new ByteWriter()
  for (const k of [...windows.keys()].sort((a, b) => a - b)) {
    const win = windows.get(k) as number[]
    w.u8(k).u8(win.length)
    for (let i = 0; i < win.length; i++) w.u8(win[i] ?? 0)
  }
  return w.done()
}
