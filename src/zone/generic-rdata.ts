/**
 * RFC 3597 generic rdata (`\# len hex`) of a type with a structured dns-packet shape, turned
 * back into presentation text so the type's own parser gives the same data as the usual form
 * (BIND reads `MX \# 8 000a046d61696c00` as `MX 10 mail.`, and refuses malformed wire rdata).
 */
import { escapeLabel } from '../packet/names.js'
import { addressText } from '../util/cidr.js'
import { base32hexEncode } from './base32hex.js'
import { typeMnemonic } from '../packet/types.js'
import { RR } from './rr-types.js'

/**
 * Presentation text of wire rdata `data` of type `type`, or `undefined` for a type without a
 * structured shape. Throws an `Error` saying what is wrong when the rdata is malformed.
 */
export function genericToPresentation(type: number, data: Buffer): string | undefined {
  const w = new WireReader(data)
  let out: string
  switch (type) {
    case RR.NS: case RR.CNAME: case RR.PTR: case RR.DNAME: out = w.name(); break
    case RR.SOA: out = `${w.name()} ${w.name()} ${w.u32()} ${w.u32()} ${w.u32()} ${w.u32()} ${w.u32()}`; break
    case RR.MX: out = `${w.u16()} ${w.name()}`; break
    case RR.RP: out = `${w.name()} ${w.name()}`; break
    case RR.AAAA: {
      out = addressText(w.bytes(16))
      break
    }
    case RR.SRV: out = `${w.u16()} ${w.u16()} ${w.u16()} ${w.name()}`; break
    case RR.HINFO: out = `${w.string()} ${w.string()}`; break
    case RR.NAPTR: out = `${w.u16()} ${w.u16()} ${w.string()} ${w.string()} ${w.string()} ${w.name()}`; break
    case RR.CAA: {
      const flags = w.u8()
      const tag = w.string()
      out = `${flags} ${tag.slice(1, -1)} "${quoteBytes(w.restBuffer())}"`
      break
    }
    case RR.DS: out = `${w.u16()} ${w.u8()} ${w.u8()} ${hex(w.restBuffer())}`; break
    case RR.SSHFP: out = `${w.u8()} ${w.u8()} ${hex(w.restBuffer())}`; break
    case RR.TLSA: out = `${w.u8()} ${w.u8()} ${w.u8()} ${hex(w.restBuffer())}`; break
    case RR.DNSKEY: out = `${w.u16()} ${w.u8()} ${w.u8()} ${w.restBuffer().toString('base64')}`; break
    case RR.RRSIG: {
      const covered = typeMnemonic(w.u16())
      out = `${covered} ${w.u8()} ${w.u8()} ${w.u32()} ${w.u32()} ${w.u32()} ${w.u16()} ${w.name()} ${w.restBuffer().toString('base64')}`
      break
    }
    case RR.NSEC: out = `${w.name()} ${w.typeBitmap()}`; break
    case RR.NSEC3: {
      const head = `${w.u8()} ${w.u8()} ${w.u16()}`
      const salt = w.bytes(w.u8())
      const next = w.bytes(w.u8())
      out = `${head} ${salt.length === 0 ? '-' : salt.toString('hex')} ${base32hexEncode(next)} ${w.typeBitmap()}`
      break
    }
    default: return undefined
  }
  if (!w.done()) throw new Error(`${w.left()} bytes left over`)
  return out.trimEnd()
}

function hex(b: Buffer): string {
  return b.toString('hex')
}

/** Bytes as the inside of a quoted character-string: `"` and `\` escaped, others outside printable ASCII as `\DDD`. */
function quoteBytes(b: Buffer): string {
  let out = ''
  for (const c of b) {
    if (c === 0x22 || c === 0x5c) out += '\\' + String.fromCharCode(c)
    else if (c < 0x20 || c > 0x7e) out += '\\' + String(c).padStart(3, '0')
    else out += String.fromCharCode(c)
  }
  return out
}

/** Reads wire rdata fields in order; every read past the end throws. */
class WireReader {
  #p = 0
  constructor(readonly b: Buffer) {}

  #need(n: number): void {
    if (this.#p + n > this.b.length) throw new Error('rdata too short')
  }

  u8(): number {
    this.#need(1)
    return this.b[this.#p++] as number
  }

  u16(): number {
    this.#need(2)
    const v = this.b.readUInt16BE(this.#p)
    this.#p += 2
    return v
  }

  u32(): number {
    this.#need(4)
    const v = this.b.readUInt32BE(this.#p)
    this.#p += 4
    return v
  }

  bytes(n: number): Buffer {
    this.#need(n)
    const v = this.b.subarray(this.#p, this.#p + n)
    this.#p += n
    return v
  }

  restBuffer(): Buffer {
    return this.bytes(this.b.length - this.#p)
  }

  /** An uncompressed domain name (no pointers: rdata in a zone file stands alone). */
  name(): string {
    const labels: string[] = []
    let total = 1
    for (;;) {
      const len = this.u8()
      if (len === 0) break
      if (len > 63) throw new Error('compressed or malformed name')
      total += len + 1
      if (total > 255) throw new Error('name longer than 255 bytes')
      labels.push(escapeLabel(this.bytes(len).toString('latin1')))
    }
    return labels.length === 0 ? '.' : labels.join('.') + '.'
  }

  /** A character-string, quoted for presentation. */
  string(): string {
    return `"${quoteBytes(this.bytes(this.u8()))}"`
  }

  /** An NSEC/NSEC3 type bitmap (RFC 4034 §4.1.2) as mnemonics. */
  typeBitmap(): string {
    const types: string[] = []
    let lastWindow = -1
    while (!this.done()) {
      const window = this.u8()
      const len = this.u8()
      if (window <= lastWindow || len < 1 || len > 32) throw new Error('malformed type bitmap')
      lastWindow = window
      const bits = this.bytes(len)
      for (let i = 0; i < len; i++) {
        const byte = bits[i] as number
        for (let bit = 0; bit < 8; bit++) if (byte & (0x80 >> bit)) types.push(typeMnemonic(window * 256 + i * 8 + bit))
      }
    }
    return types.join(' ')
  }

  done(): boolean {
    return this.#p === this.b.length
  }

  left(): number {
    return this.b.length - this.#p
  }
}
