/**
 * A compressing message encoder for answers. dns-packet writes every name in full; NSD, Knot and
 * BIND compress (RFC 1035 §4.1.4), and an answer's size decides whether it fits in 512 bytes, so
 * ours must compress too to set TC where they do. Owner names and the RDATA names of the RFC 1035
 * types (NS, CNAME, PTR, MX, SOA) are compressed, as RFC 3597 §4 allows; A, AAAA and TXT given as
 * Buffers are written here; every other RDATA is written by dns-packet's own codec, uncompressed.
 */
import dnsPacket from 'dns-packet'
import type { Answer } from 'dns-packet'
import { DnsHaError } from '../util/errors.js'
import { ipv4Number, writeIPv6 } from './address-wire.js'
import { ByteWriter, MAX_MESSAGE_SIZE } from './byte-writer.js'
import { TYPE_OPT } from './constants.js'
import { labelBytes, MAX_LABEL_LENGTH, splitLabels } from './names.js'
import { classNumber, typeNumber } from './types.js'

/** The OPT record to append (RFC 6891), always written last so options can be appended later. */
export interface OptInit {
  udpPayloadSize: number
  extendedRcode: number
  /** EDNS flags word (DO echoed). */
  flags: number
  /** Encoded options (code, length, data)*. */
  options?: Uint8Array
}

/** What {@link encodeMessage} writes. */
export interface MessageInit {
  id: number
  /** The whole flags word, QR and rcode included. */
  flags: number
  question: { name: string; type: number; class: number }
  answers: readonly Answer[]
  authorities: readonly Answer[]
  additionals: readonly Answer[]
  opt?: OptInit
}

/** An encoded message, with where the OPT RDLENGTH sits (`-1` when there is no OPT). */
export interface EncodedMessage {
  bytes: Buffer
  optRdlengthOffset: number
}

const COMPRESSED_RDATA = new Set(['NS', 'CNAME', 'PTR', 'MX', 'SOA'])

/** Encodes a whole message with name compression; throws `ERR_ENCODE` when a record does not encode or the message exceeds 65,535 bytes. */
export function encodeMessage(m: MessageInit): EncodedMessage {
  const w = new MessageWriter()
  w.u16(m.id)
  w.u16(m.flags)
  w.u16(1)
  w.u16(m.answers.length)
  w.u16(m.authorities.length)
  w.u16(m.additionals.length + (m.opt ? 1 : 0))
  w.name(m.question.name)
  w.u16(m.question.type)
  w.u16(m.question.class)
  for (const rr of m.answers) w.record(rr)
  for (const rr of m.authorities) w.record(rr)
  for (const rr of m.additionals) w.record(rr)
  let optRdlengthOffset = -1
  if (m.opt) {
    const o = m.opt
    w.u8(0)
    w.u16(TYPE_OPT)
    w.u16(o.udpPayloadSize)
    w.u8(o.extendedRcode)
    w.u8(0)
    w.u16(o.flags)
    optRdlengthOffset = w.pos
    const options = o.options ?? new Uint8Array(0)
    w.u16(options.length)
    w.bytes(options)
  }
  return { bytes: w.done(), optRdlengthOffset }
}


/** The header of the messages {@link encodeRecordStream} writes. */
export interface RecordStreamInit {
  id: number
  /** The whole flags word, QR and rcode included. */
  flags: number
  /** Written in the first message only (RFC 5936 §2.2.1 lets later ones leave it out, as BIND does). */
  question: { name: string; type: number; class: number }
}

/**
 * Packs `records` into as few answer-section messages as fit `maxSize` bytes each (a record that
 * alone is larger than `maxSize` goes in a message of its own, up to 65,535 bytes), compressing
 * names within each message: the body of an AXFR or IXFR stream. `reserve` bytes are kept free in
 * every message (for a TSIG record). Each message is built whole before it is yielded, so the
 * encoder's shared scratch buffer is never held across a yield.
 */
export function* encodeRecordStream(init: RecordStreamInit, records: Iterable<Answer>, maxSize: number, reserve = 0): Generator<Buffer, void, undefined> {
  const limit = Math.max(512, Math.min(maxSize, MAX_MESSAGE_SIZE) - reserve)
  let w: MessageWriter | undefined
  let count = 0
  let first = true
  const start = (): MessageWriter => {
    const writer = new MessageWriter()
    writer.u16(init.id)
    writer.u16(init.flags)
    writer.u16(first ? 1 : 0)
    writer.u16(0) // ANCOUNT, patched when the message is finished
    writer.u16(0)
    writer.u16(0)
    if (first) writer.name(init.question.name).u16(init.question.type).u16(init.question.class)
    first = false
    count = 0
    return writer
  }
  const finish = (writer: MessageWriter): Buffer => {
    writer.patchU16(6, count)
    return writer.done()
  }
  for (const rr of records) {
    w ??= start()
    const before = w.pos
    let fits = true
    try {
      w.record(rr)
      fits = w.pos <= limit
    } catch (error) {
      // The 65,535-byte ceiling: retried in a message of its own below, unless already alone.
      if (count === 0) throw error
      fits = false
    }
    if (fits || count === 0) {
      count++
      continue
    }
    // Over the limit: end this message before the record, and start the next one with it.
    w.pos = before
    const done = finish(w)
    w = undefined
    yield done
    w = start()
    w.record(rr)
    count = 1
  }
  if (w !== undefined) yield finish(w)
}


// One scratch buffer for every encode: encoding is synchronous, so it is never shared, and a
// 64 KiB allocation per answer would dominate the cost of a cache miss.
let scratch: Buffer | undefined

// One A-Z letter in lower case (for String.replace).
const lowerAscii = (c: string): string => String.fromCharCode(c.charCodeAt(0) | 0x20)

/** A {@link ByteWriter} whose names point at earlier copies of their suffixes (RFC 1035 §4.1.4). */
class MessageWriter extends ByteWriter {
  private readonly pointers = new Map<string, number>()
  // The last name written and where its first label (or the copy it points at) is: records of one
  // owner come together in a transfer, and a repeat then costs one comparison.
  private lastName: string | undefined
  private lastAt = 0

  constructor() {
    // Stryker disable next-line ObjectLiteral,AssignmentOperator: without the scratch buffer the writer grows to the same 65,535-byte limit (it only allocates more)
    super({ buffer: (scratch ??= Buffer.allocUnsafe(MAX_MESSAGE_SIZE)) })
  }

  /** Writes a name, pointing at an earlier copy of its longest known suffix. */
  override name(name: string): this {
    if (name === this.lastName) return this.u16(0xc000 | this.lastAt)
    const labels = splitLabels(name)
    // Suffixes match ignoring ASCII case only (RFC 4343): toLowerCase would also fold Latin-1
    // letters, and point the owner byte 0xE0 at an earlier 0xC0. The key of the suffix from
    // label i is the folded name from that label's first character on (labels are substrings of
    // the name, one dot apart), without the final dot: one slice per label, no join (a transfer
    // encodes a million names, and joining label arrays was most of its cost).
    let length = labels.length - 1
    for (const label of labels) length += label.length
    const folded = (/[A-Z]/.test(name) ? name.replace(/[A-Z]/g, lowerAscii) : name).slice(0, Math.max(length, 0))
    let offset = 0
    for (let i = 0; i < labels.length; i++) {
      const key = offset === 0 ? folded : folded.slice(offset)
      offset += labels[i]!.length + 1
      const at = this.pointers.get(key)
      if (at !== undefined) {
        if (i === 0) this.remember(name, at)
        return this.u16(0xc000 | at)
      }
      if (this.pos < 0x4000) {
        this.pointers.set(key, this.pos)
        if (i === 0) this.remember(name, this.pos)
      }
      const bytes = labelBytes(labels[i]!)
      if (bytes.length === 0 || bytes.length > MAX_LABEL_LENGTH) throw new DnsHaError('ERR_ENCODE', `bad label in ${JSON.stringify(name)}`)
      this.u8(bytes.length)
      this.bytes(bytes)
    }
    return this.u8(0)
  }

  private remember(name: string, at: number): void {
    this.lastName = name
    this.lastAt = at
  }

  record(rr: Answer): void {
    const type = upperType(rr.type)
    const code = typeNumber(type)
    if (code === undefined) throw new DnsHaError('ERR_ENCODE', `unknown type ${type}`)
    this.name(rr.name)
    this.u16(code)
    const klass = (rr as { class?: string }).class
    this.u16(klass === 'IN' || !klass ? 1 : (classNumber(klass) ?? 1))
    this.u32((rr as { ttl?: number }).ttl ?? 0)
    const lengthAt = this.pos
    this.u16(0)
    const data = (rr as { data?: unknown }).data
    // The bulk of a large zone, written here rather than through a dns-packet Buffer per record.
    if (code === 1 && typeof data === 'string' && this.ipv4(data)) return this.patchU16(lengthAt, 4)
    if (code === 16 && Array.isArray(data) && data.length > 0 && this.bufferStrings(data)) return this.patchU16(lengthAt, this.pos - lengthAt - 2)
    // AAAA by our own writer: dns-packet 5.6 drops the last group of `::2:3:4:5:6:7:8`.
    if (code === 28 && typeof data === 'string' && this.pos + 16 <= this.buf.length && writeIPv6(data, this.buf, this.pos)) {
      this.pos += 16
      return this.patchU16(lengthAt, 16)
    }
    if (COMPRESSED_RDATA.has(type)) {
      switch (type) {
        case 'MX': {
          const mx = data as { preference?: number; exchange: string }
          this.u16(mx.preference ?? 0)
          this.name(mx.exchange)
          break
        }
        case 'SOA': {
          const soa = data as { mname: string; rname: string; serial?: number; refresh?: number; retry?: number; expire?: number; minimum?: number }
          this.name(soa.mname)
          this.name(soa.rname)
          this.u32(soa.serial ?? 0)
          this.u32(soa.refresh ?? 0)
          this.u32(soa.retry ?? 0)
          this.u32(soa.expire ?? 0)
          this.u32(soa.minimum ?? 0)
          break
        }
        default:
          this.name(data as string)
      }
    } else {
      // dns-packet writes RDLENGTH then RDATA; overwrite our placeholder with its output.
      this.pos = lengthAt
      let encoded: Buffer
      try {
        const codec = (dnsPacket as unknown as { record(t: string): { encode(d: unknown): Buffer } }).record(type)
        encoded = codec.encode(data)
      } catch (cause) {
        throw new DnsHaError('ERR_ENCODE', `cannot encode ${type} record of ${rr.name}`, { cause })
      }
      this.bytes(encoded)
      return
    }
    this.patchU16(lengthAt, this.pos - lengthAt - 2)
  }

  /** A dotted quad written as 4 bytes; false (nothing written, dns-packet's encoder takes it) when `text` is not a strict one. */
  private ipv4(text: string): boolean {
    const value = ipv4Number(text)
    if (value < 0) return false
    this.u32(value)
    return true
  }

  /** TXT character-strings given as Buffers (as the zone holds them); false (nothing written) for any other shape. */
  private bufferStrings(strings: unknown[]): boolean {
    for (const s of strings) if (!Buffer.isBuffer(s) || s.length > 255) return false
    for (const s of strings as Buffer[]) this.u8(s.length).bytes(s)
    return true
  }
}

const UPPER_TYPES = new Map<string, string>()

/**
 * A record's type string in upper case, remembered (a transfer asks for the same few a million
 * times). Internal: shared with the transfer's stream encoder, not part of the package's exports.
 */
export function upperType(type: unknown): string {
  const given = String(type)
  let upper = UPPER_TYPES.get(given)
  if (upper === undefined) {
    upper = given.toUpperCase()
    if (UPPER_TYPES.size < 1024) UPPER_TYPES.set(given, upper)
  }
  return upper
}
