/**
 * {@link ByteWriter}: the one big-endian byte writer the wire layer builds on. Zone RDATA, the
 * message encoder, TSIG and the forwarder's local answers all write through it, so the bounds
 * check and the growth policy live in one place.
 */
import { DnsHaError } from '../util/errors.js'
import { nameToWire } from './names.js'

/** Options for {@link ByteWriter}. */
export interface ByteWriterOptions {
  /**
   * A buffer to write into. Without `grow` it is the whole room the writer has; hot paths pass
   * one reused scratch buffer so an encode allocates nothing until {@link ByteWriter.done}.
   */
  buffer?: Buffer
  /** Starting size of a writer that grows (default 64 bytes). */
  initialSize?: number
  /** Most bytes the writer may hold; more throws `ERR_ENCODE` (default 65,535, a DNS message's limit). */
  maxSize?: number
}

/** The largest DNS message (RFC 1035 §4.2.2: TCP's 2-byte length). */
export const MAX_MESSAGE_SIZE = 65535

/**
 * A cursor over a byte buffer: `u8`, `u16`, `u32`, raw bytes, character-strings and names.
 * It grows as needed up to `maxSize`, unless it was given a fixed `buffer`.
 */
export class ByteWriter {
  /** The bytes written so far are `buf[0, pos)`. */
  buf: Buffer
  /** Where the next byte goes. */
  pos = 0
  private readonly maxSize: number
  private readonly fixed: boolean

  constructor(options: ByteWriterOptions = {}) {
    this.maxSize = options.maxSize ?? MAX_MESSAGE_SIZE
    this.fixed = options.buffer !== undefined
    this.buf = options.buffer ?? Buffer.alloc(Math.min(options.initialSize ?? 64, this.maxSize))
  }

  /** One byte. */
  u8(v: number): this {
    this.room(1)
    this.buf[this.pos++] = v & 0xff
    return this
  }

  /** A 16-bit big-endian integer. */
  u16(v: number): this {
    this.room(2)
    this.buf.writeUInt16BE(v & 0xffff, this.pos)
    this.pos += 2
    return this
  }

  /** A 32-bit big-endian integer. */
  u32(v: number): this {
    this.room(4)
    this.buf.writeUInt32BE(v >>> 0, this.pos)
    this.pos += 4
    return this
  }

  /** Raw bytes. */
  bytes(b: Uint8Array): this {
    this.room(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
    return this
  }

  /** A byte string (one char per byte, as the zone model keeps binary text). */
  latin1(s: string): this {
    this.room(s.length)
    this.pos += this.buf.write(s, this.pos, 'latin1')
    return this
  }

  /** A character-string (RFC 1035 §3.3): a length byte, then at most 255 bytes. */
  characterString(s: string): this {
    if (s.length > 255) throw new DnsHaError('ERR_ENCODE', 'character-string longer than 255 bytes')
    return this.u8(s.length).latin1(s)
  }

  /** An uncompressed name ({@link nameToWire}). */
  name(name: string): this {
    return this.bytes(nameToWire(name))
  }

  /** Writes a 16-bit value at an earlier position (a length field filled in afterwards). */
  patchU16(at: number, v: number): void {
    this.buf.writeUInt16BE(v & 0xffff, at)
  }

  /** A copy of the bytes written, owning its memory. */
  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos))
  }

  private room(n: number): void {
    const need = this.pos + n
    if (need > this.maxSize) throw new DnsHaError('ERR_ENCODE', `more than ${this.maxSize} bytes`)
    if (need <= this.buf.length) return
    if (this.fixed) throw new DnsHaError('ERR_ENCODE', `more than ${this.buf.length} bytes`)
    const grown = Buffer.alloc(Math.min(Math.max(this.buf.length * 2, need), this.maxSize))
    this.buf.copy(grown, 0, 0, this.pos)
    this.buf = grown
  }
}
