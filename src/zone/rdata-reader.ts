/**
 * {@link RdataReader}: the cursor over one entry's rdata tokens, reading typed fields (integers,
 * durations, names, character-strings, base64, hex, algorithms, types, times) and naming the
 * offending token when one is malformed.
 */
import type { ZoneSyntaxError } from './errors.js'
import { share } from './kept-strings.js'
import type { Lexer } from './lexer.js'
import { parseName } from './parse-name.js'
import { parseTtl, parseUint, unescapeText } from './rdata-text.js'
import { packetTypeName, typeNumber } from '../packet/types.js'

/** DNSSEC algorithm mnemonics (RFC 4034 appendix A.1 and successors). */
const ALGORITHMS: Readonly<Record<string, number>> = {
  RSAMD5: 1, DH: 2, DSA: 3, RSASHA1: 5, 'DSA-NSEC3-SHA1': 6, 'RSASHA1-NSEC3-SHA1': 7, RSASHA256: 8,
  RSASHA512: 10, 'ECC-GOST': 12, ECDSAP256SHA256: 13, ECDSAP384SHA384: 14, ED25519: 15, ED448: 16,
  INDIRECT: 252, PRIVATEDNS: 253, PRIVATEOID: 254,
}

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

  /** A signature time (RRSIG, SIG): `YYYYMMDDHHmmSS` in UTC, or seconds since the epoch. */
  time(what: string): number {
    const t = this.word(what)
    if (/^[0-9]{14}$/.test(t)) {
      const ms = Date.UTC(Number(t.slice(0, 4)), Number(t.slice(4, 6)) - 1, Number(t.slice(6, 8)), Number(t.slice(8, 10)), Number(t.slice(10, 12)), Number(t.slice(12, 14)))
      return (ms / 1000) >>> 0
    }
    const n = parseUint(t)
    if (n === undefined || n > 0xffffffff) throw this.error(`bad ${what} time '${t}'`, this.i - 1)
    return n
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
