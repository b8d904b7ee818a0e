/**
 * RFC 3597 generic rdata (`\# len hex`) of a type with a structured dns-packet shape, turned
 * back into presentation text so the type's own parser gives the same data as the usual form
 * (BIND reads `MX \# 8 000a046d61696c00` as `MX 10 mail.`, and refuses malformed wire rdata).
 */
import { escapeLabel } from '../packet/names.js'
import { base32hexEncode } from './rdata-parse.js'
import { typeMnemonic } from '../packet/types.js'

/**
 * Presentation text of wire rdata `data` of type `type`, or `undefined` for a type without a
 * structured shape. Throws an `Error` saying what is wrong when the rdata is malformed.
 */
export function genericToPresentation(type: number, data: Buffer): string | undefined {
  const w = new WireReader(data)
  let out: string
  switch (type) {
    case 2: case 5: case 12: case 39: out = w.name(); break // NS CNAME PTR DNAME
    case 6: out = `${w.name()} ${w.name()} ${w.u32()} ${w.u32()} ${w.u32()} ${w.u32()} ${w.u32()}`; break
    case 15: out = `${w.u16()} ${w.name()}`; break // MX
    case 17: out = `${w.name()} ${w.name()}`; break // RP
    case 28: { // AAAA
      const groups: number[] = []
      for (let i = 0; i < 8; i++) groups.push(w.u16())
      out = ipv6Text(groups)
      break
    }
    case 33: out = `${w.u16()} ${w.u16()} ${w.u16()} ${w.name()}`; break // SRV
    case 13: out = `${w.string()} ${w.string()}`; break // HINFO
    case 35: out = `${w.u16()} ${w.u16()} ${w.string()} ${w.string()} ${w.string()} ${w.name()}`; break // NAPTR
    case 257: { // CAA
      const flags = w.u8()
      const tag = w.string()
      out = `${flags} ${tag.slice(1, -1)} "${quoteBytes(w.restBuffer())}"`
      break
    }
    case 43: out = `${w.u16()} ${w.u8()} ${w.u8()} ${hex(w.restBuffer())}`; break // DS
    case 44: out = `${w.u8()} ${w.u8()} ${hex(w.restBuffer())}`; break // SSHFP
    case 52: out = `${w.u8()} ${w.u8()} ${w.u8()} ${hex(w.restBuffer())}`; break // TLSA
    case 48: out = `${w.u16()} ${w.u8()} ${w.u8()} ${w.restBuffer().toString('base64')}`; break // DNSKEY
    case 46: { // RRSIG
      const covered = typeMnemonic(w.u16())
      out = `${covered} ${w.u8()} ${w.u8()} ${w.u32()} ${w.u32()} ${w.u32()} ${w.u16()} ${w.name()} ${w.restBuffer().toString('base64')}`
      break
    }
    case 47: out = `${w.name()} ${w.typeBitmap()}`; break // NSEC
    case 50: { // NSEC3
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

/** RFC 5952 text of eight 16-bit groups: lower case, the longest run of two or more zero groups as `::`. */
function ipv6Text(groups: number[]): string {
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) {
      best = i
      bestLen = j - i
    }
    i = j
  }
  const hexOf = (g: number[]): string => g.map((x) => x.toString(16)).join(':')
  if (best < 0) return hexOf(groups)
  return `${hexOf(groups.slice(0, best))}::${hexOf(groups.slice(best + bestLen))}`
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
