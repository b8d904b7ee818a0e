/**
 * Presentation parsers for the types dns-packet encodes from a structured `data` object (A, MX,
 * SOA, TXT, RRSIG...): each gives dns-packet's shape, or wire rdata under `UNKNOWN_n` when the
 * value is one dns-packet cannot write back byte for byte (a DNSKEY whose protocol is not 3, an
 * SSHFP fingerprint of an odd length, character-strings that are not UTF-8).
 */
import { ByteWriter } from '../packet/byte-writer.js'
import { ipv4Number, isIPv6Text } from './address-codecs.js'
import { base32hexDecode } from './base32hex.js'
import { copy, share } from './kept-strings.js'
import type { RdataReader } from './rdata-reader.js'

/** The parsed rdata of one record: dns-packet's type string and data (TXT: its wire form as a latin1 string). */
export interface ParsedRdata {
  type: string
  // dns-packet's data shapes differ per type.
  data: any
}

/** Reads one type's rdata; `key` is dns-packet's name of the type, `type` its number. */
export type PacketCodec = (r: RdataReader, key: string, type: number) => ParsedRdata

/** Digest sizes of DS, CDS, TA and DLV by digest type (SHA-1, SHA-256, SHA-384), as BIND checks them. */
export const DS_DIGEST_BYTES: Readonly<Record<number, number>> = { 1: 20, 2: 32, 4: 48 }

/** SSHFP fingerprint sizes by fingerprint type (SHA-1, SHA-256). */
const SSHFP_FINGERPRINT_BYTES: Readonly<Record<number, number>> = { 1: 20, 2: 32 }

/** The DNSKEY protocol field's one valid value (RFC 4034 §2.1.2), the only one dns-packet writes. */
const DNSKEY_PROTOCOL = 3

const target: PacketCodec = (r, key) => {
  const n = r.name('target name')
  r.end()
  return { type: key, data: n }
}

/** Codecs by type mnemonic. */
export const PACKET_CODECS: Readonly<Record<string, PacketCodec>> = {
  A: (r, key) => {
    const t = r.word('IPv4 address')
    // Kept as a number (no string per record); see ipv4Text.
    const a = ipv4Number(t)
    if (a < 0) throw r.error(`bad IPv4 address '${t}'`, r.i - 1)
    r.end()
    return { type: key, data: a }
  },
  AAAA: (r, key) => {
    const t = r.word('IPv6 address')
    if (!isIPv6Text(t)) throw r.error(`bad IPv6 address '${t}'`, r.i - 1)
    r.end()
    return { type: key, data: copy(t.toLowerCase()) }
  },
  NS: target,
  CNAME: target,
  PTR: target,
  DNAME: target,
  SOA: (r, key) => {
    const data = {
      mname: r.name('SOA MNAME'), rname: r.name('SOA RNAME'), serial: r.uint('SOA serial', 0xffffffff),
      refresh: r.duration('SOA refresh'), retry: r.duration('SOA retry'), expire: r.duration('SOA expire'),
      minimum: r.duration('SOA minimum'),
    }
    r.end()
    return { type: key, data }
  },
  MX: (r, key) => {
    const data = { preference: r.uint('MX preference', 65535), exchange: r.name('MX exchange') }
    r.end()
    return { type: key, data }
  },
  TXT: (r, key) => {
    // Packed wire form in a latin1 string: one small string instead of a Buffer per string.
    let packed = ''
    do {
      const b = r.bytes('TXT string')
      packed += String.fromCharCode(b.length) + b
    } while (r.more())
    return { type: key, data: share(packed) }
  },
  SRV: (r, key) => {
    const data = { priority: r.uint('SRV priority', 65535), weight: r.uint('SRV weight', 65535), port: r.uint('SRV port', 65535), target: r.name('SRV target') }
    r.end()
    return { type: key, data }
  },
  NAPTR: (r, key, type) => {
    const order = r.uint('NAPTR order', 65535)
    const preference = r.uint('NAPTR preference', 65535)
    const flags = r.bytes('NAPTR flags')
    const services = r.bytes('NAPTR services')
    const regexp = r.bytes('NAPTR regexp')
    const replacement = r.name('NAPTR replacement')
    r.end()
    const text = utf8Texts(flags, services, regexp)
    if (text === undefined) {
      const w = new ByteWriter().u16(order).u16(preference).characterString(flags).characterString(services).characterString(regexp)
      return wire(type, w.name(replacement))
    }
    return { type: key, data: { order, preference, flags: text[0], services: text[1], regexp: text[2], replacement } }
  },
  CAA: (r, key, type) => {
    const flags = r.uint('CAA flags', 255)
    const tag = r.word('CAA tag')
    if (!/^[A-Za-z0-9]{1,255}$/.test(tag)) throw r.error(`bad CAA tag '${tag}'`, r.i - 1)
    const value = r.bytes('CAA value', 65535)
    r.end()
    const text = utf8Texts(value)
    if (text === undefined) return wire(type, new ByteWriter().u8(flags).characterString(tag).latin1(value))
    return { type: key, data: { flags, tag, value: text[0] } }
  },
  HINFO: (r, key, type) => {
    const cpu = r.bytes('HINFO cpu')
    const os = r.bytes('HINFO os')
    r.end()
    const text = utf8Texts(cpu, os)
    if (text === undefined) return wire(type, new ByteWriter().characterString(cpu).characterString(os))
    return { type: key, data: { cpu: text[0], os: text[1] } }
  },
  RP: (r, key) => {
    const data = { mbox: r.name('RP mbox'), txt: r.name('RP txt domain') }
    r.end()
    return { type: key, data }
  },
  DS: (r, key) => {
    const keyTag = r.uint('key tag', 65535)
    const algorithm = r.algorithm()
    const digestType = r.uint('digest type', 255)
    return { type: key, data: { keyTag, algorithm, digestType, digest: r.digestRest('digest', digestType, DS_DIGEST_BYTES) } }
  },
  DNSKEY: (r, key, type) => {
    const flags = r.uint('DNSKEY flags', 65535)
    const protocol = r.uint('DNSKEY protocol', 255)
    const algorithm = r.algorithm()
    const keyData = r.base64('DNSKEY key')
    if (protocol !== DNSKEY_PROTOCOL) return wire(type, new ByteWriter().u16(flags).u8(protocol).u8(algorithm).bytes(keyData))
    return { type: key, data: { flags, algorithm, key: keyData } }
  },
  RRSIG: (r, key) => {
    const data = {
      typeCovered: r.type('type covered'), algorithm: r.algorithm(), labels: r.uint('labels', 255),
      originalTTL: r.uint('original TTL', 0xffffffff), expiration: r.time('expiration'),
      inception: r.time('inception'), keyTag: r.uint('key tag', 65535), signersName: r.name("signer's name"),
      signature: r.base64('signature'),
    }
    return { type: key, data }
  },
  NSEC: (r, key) => {
    const nextDomain = r.name('next domain')
    return { type: key, data: { nextDomain, rrtypes: r.typeList() } }
  },
  NSEC3: (r, key) => {
    const algorithm = r.uint('hash algorithm', 255)
    const flags = r.uint('flags', 255)
    const iterations = r.uint('iterations', 65535)
    const salt = r.hex('salt', true)
    const t = r.word('next hashed owner')
    const nextDomain = base32hexDecode(t)
    if (nextDomain === undefined) throw r.error(`bad base32hex '${t}'`, r.i - 1)
    return { type: key, data: { algorithm, flags, iterations, salt, nextDomain, rrtypes: r.typeList() } }
  },
  TLSA: (r, key) => {
    const data = { usage: r.uint('usage', 255), selector: r.uint('selector', 255), matchingType: r.uint('matching type', 255), certificate: r.hexRest('certificate data') }
    return { type: key, data }
  },
  SSHFP: (r, key, type) => {
    const algorithm = r.uint('SSHFP algorithm', 255)
    const hash = r.uint('SSHFP fingerprint type', 255)
    const fp = r.digestRest('fingerprint', hash, SSHFP_FINGERPRINT_BYTES)
    if (fp.length !== SSHFP_FINGERPRINT_BYTES[hash]) return wire(type, new ByteWriter().u8(algorithm).u8(hash).bytes(fp))
    return { type: key, data: { algorithm, hash, fingerprint: fp.toString('hex') } }
  },
}

/** Wire rdata under dns-packet's `UNKNOWN_n` spelling, which it encodes as the bytes given. */
function wire(type: number, w: ByteWriter): ParsedRdata {
  return { type: `UNKNOWN_${type}`, data: w.done() }
}

/**
 * Byte strings (one char per byte) as the JS strings dns-packet writes back to the same bytes:
 * it writes these fields as UTF-8, so ASCII stays as is and UTF-8 is decoded; `undefined` when
 * any of them is not UTF-8 (the record is then kept as wire rdata, byte for byte).
 */
function utf8Texts(...fields: string[]): string[] | undefined {
  const out: string[] = []
  for (const b of fields) {
    let ascii = true
    for (let i = 0; i < b.length; i++) {
      if (b.charCodeAt(i) > 0x7f) {
        ascii = false
        break
      }
    }
    if (ascii) {
      out.push(b)
      continue
    }
    const bytes = Buffer.from(b, 'latin1')
    const text = bytes.toString('utf8')
    if (!Buffer.from(text, 'utf8').equals(bytes)) return undefined
    out.push(text)
  }
  return out
}
