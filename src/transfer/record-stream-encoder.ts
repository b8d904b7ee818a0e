/**
 * {@link RecordStreamEncoder}: the messages of an AXFR or IXFR stream, written record by record
 * straight into one message buffer. It writes what `encodeRecordStream` (dns-ha/packet) writes,
 * byte for byte (owner names and the names in NS, CNAME, PTR, MX and SOA rdata compressed against
 * the names already in the message, each message filled up to the limit), but takes a record as
 * fields (from the zone's column walk, without a record object) as well as as an object, and
 * writes the rdata of the common types itself: A, AAAA, NS, CNAME, PTR, MX, SOA, TXT and SRV.
 * Other types go through dns-packet's codec, as before. AAAA is written by `writeIPv6` in both
 * (dns-packet 5.6 drops the last group of `::2:3:4:5:6:7:8`).
 */
import dnsPacket from 'dns-packet'
import { ipv4Number, writeIPv6 } from '../packet/address-wire.js'
import { MAX_MESSAGE_SIZE } from '../packet/byte-writer.js'
import type { RecordStreamInit } from '../packet/encode-message.js'
import { upperType } from '../packet/encode-message.js'
import { labelBytes, MAX_LABEL_LENGTH, splitLabels } from '../packet/names.js'
import { classNumber, hasPacketCodec, packetTypeName, typeNumber } from '../packet/types.js'
import { DnsHaError } from '../util/errors.js'
import type { RecordWalk, ZoneRecord } from '../zone/zone.js'

/**
 * Packs records into the messages of a transfer stream. Feed records with {@link add} (a column
 * walk's current record) or {@link addRecord} (a record object); each returns a finished message
 * when the record did not fit in the one being filled (the record then starts the next), and
 * {@link finish} returns the last one. A record that alone is larger than the limit goes in a
 * message of its own, up to 65,535 bytes; larger, it throws `ERR_ENCODE`, as does a record that
 * does not encode. The question is written in the first message only (RFC 5936 §2.2.1).
 *
 * @example
 * const enc = new RecordStreamEncoder({ id, flags, question }, 16384, tsigReserve)
 * for (const r of records) { const m = enc.addRecord(r); if (m) send(m) }
 * const last = enc.finish(); if (last) send(last)
 */
export class RecordStreamEncoder {
  readonly #head: RecordStreamInit
  readonly #limit: number
  readonly #buf = Buffer.allocUnsafe(MAX_MESSAGE_SIZE)
  #pos = 0
  /** Records in the message being filled; -1 before the first message is started. */
  #count = -1
  #first = true
  /** Folded name suffix (with its final dot) → offset of its first copy in the message. */
  readonly #pointers = new Map<string, number>()
  // The last name written and where it is: records of one owner come together, and a repeat
  // then costs one comparison.
  #lastName: string | undefined
  #lastAt = 0
  // The last suffix found in the message, below a first label: consecutive owners of a zone
  // mostly share it (`h1.example.`, `h2.example.`), and comparing costs less than a slice and a
  // lookup. Always a key of #pointers with #suffixAt its value.
  #suffix = ''
  #suffixAt = 0

  /** `maxSize` bytes per message (at most 65,535), `reserve` of them kept free (for a TSIG record). */
  constructor(head: RecordStreamInit, maxSize: number, reserve = 0) {
    this.#head = head
    this.#limit = Math.max(512, Math.min(maxSize, MAX_MESSAGE_SIZE) - reserve)
  }

  /** Adds the walk's current record; returns the message it closed, if any. */
  add(walk: RecordWalk): Buffer | undefined {
    const record = walk.record
    if (record !== undefined) return this.addRecord(record)
    return this.#add(walk.name, walk.type, walk.klass, walk.ttl, walk.data, undefined)
  }

  /** Adds a record object (dns-packet's answer shape); returns the message it closed, if any. */
  addRecord(record: ZoneRecord): Buffer | undefined {
    const type = upperType(record.type)
    const code = typeNumber(type)
    if (code === undefined) throw new DnsHaError('ERR_ENCODE', `unknown type ${type}`)
    const klass = record.class
    return this.#add(record.name, code, klass === 'IN' || !klass ? 1 : (classNumber(klass) ?? 1), record.ttl ?? 0, record.data, type)
  }

  /** The last message, once every record was added (`undefined` when there were none). */
  finish(): Buffer | undefined {
    if (this.#count <= 0) return undefined
    const message = this.#take()
    this.#count = -1
    return message
  }

  /**
   * One record; `typeName` is the object's type string (undefined for a record of the walk,
   * whose data is then in the zone's compact form).
   */
  #add(name: string, type: number, klass: number, ttl: number, data: unknown, typeName: string | undefined): Buffer | undefined {
    if (this.#count < 0) this.#start()
    const before = this.#pos
    let fits: boolean
    try {
      this.#record(name, type, klass, ttl, data, typeName)
      fits = this.#pos <= this.#limit
    } catch (error) {
      // The 65,535-byte ceiling: retried in a message of its own below, unless already alone.
      if (this.#count === 0) throw error
      fits = false
    }
    if (fits || this.#count === 0) {
      this.#count++
      return undefined
    }
    // Over the limit: end this message before the record, and start the next one with it.
    this.#pos = before
    const done = this.#take()
    this.#start()
    this.#record(name, type, klass, ttl, data, typeName)
    this.#count = 1
    return done
  }

  #start(): void {
    this.#pos = 0
    this.#count = 0
    this.#pointers.clear()
    this.#lastName = undefined
    this.#suffix = ''
    const h = this.#head
    this.#u16(h.id)
    this.#u16(h.flags)
    this.#u16(this.#first ? 1 : 0)
    this.#u16(0) // ANCOUNT, patched when the message is taken
    this.#u16(0)
    this.#u16(0)
    if (this.#first) {
      this.#name(h.question.name)
      this.#u16(h.question.type)
      this.#u16(h.question.class)
    }
    this.#first = false
  }

  #take(): Buffer {
    this.#buf.writeUInt16BE(this.#count, 6)
    return Buffer.from(this.#buf.subarray(0, this.#pos))
  }

  #record(name: string, type: number, klass: number, ttl: number, data: unknown, typeName: string | undefined): void {
    this.#name(name)
    this.#room(10)
    const buf = this.#buf
    let p = this.#pos
    buf[p++] = type >>> 8
    buf[p++] = type & 255
    buf[p++] = klass >>> 8
    buf[p++] = klass & 255
    buf.writeUInt32BE(ttl >>> 0, p)
    this.#pos = p + 6 // TTL and the RDLENGTH placeholder
    const lengthAt = p + 4
    if (!this.#rdata(type, data, typeName)) {
      // dns-packet writes RDLENGTH then RDATA: over our placeholder.
      this.#pos = lengthAt
      this.#bytes(packetRdata(typeName ?? fieldsTypeName(type, data), data, name))
      return
    }
    buf.writeUInt16BE(this.#pos - lengthAt - 2, lengthAt)
  }

  /**
   * The rdata of the types written here, by type number (a record object typed `TYPE2` is an NS
   * here, where the generic encoder hands it to dns-packet's unknown-type codec and fails); false
   * (nothing written) for the other types and for data shapes not handled.
   */
  #rdata(type: number, data: unknown, typeName: string | undefined): boolean {
    switch (type) {
      case 1:
        if (typeof data === 'number') {
          this.#room(4)
          this.#buf.writeUInt32BE(data >>> 0, this.#pos)
          this.#pos += 4
          return true
        }
        return typeof data === 'string' && this.#ipv4(data)
      case 28:
        if (typeof data !== 'string') return false
        this.#room(16)
        if (!writeIPv6(data, this.#buf, this.#pos)) return false
        this.#pos += 16
        return true
      case 2:
      case 5:
      case 12:
        if (typeof data !== 'string') return false
        this.#name(data)
        return true
      case 15: {
        const mx = data as { preference?: number; exchange?: unknown }
        if (typeof mx !== 'object' || mx === null || typeof mx.exchange !== 'string') return false
        this.#u16(mx.preference ?? 0)
        this.#name(mx.exchange)
        return true
      }
      case 6: {
        const soa = data as { mname?: unknown; rname?: unknown; serial?: number; refresh?: number; retry?: number; expire?: number; minimum?: number }
        if (typeof soa !== 'object' || soa === null || typeof soa.mname !== 'string' || typeof soa.rname !== 'string') return false
        this.#name(soa.mname)
        this.#name(soa.rname)
        this.#room(20)
        const buf = this.#buf
        buf.writeUInt32BE((soa.serial ?? 0) >>> 0, this.#pos)
        buf.writeUInt32BE((soa.refresh ?? 0) >>> 0, this.#pos + 4)
        buf.writeUInt32BE((soa.retry ?? 0) >>> 0, this.#pos + 8)
        buf.writeUInt32BE((soa.expire ?? 0) >>> 0, this.#pos + 12)
        buf.writeUInt32BE((soa.minimum ?? 0) >>> 0, this.#pos + 16)
        this.#pos += 20
        return true
      }
      case 16:
        // The zone's packed form (length-prefixed strings as latin1 text), or Buffers (as a record object holds them).
        if (typeof data === 'string' && typeName === undefined) {
          this.#room(data.length)
          this.#pos += this.#buf.write(data, this.#pos, 'latin1')
          return true
        }
        return Array.isArray(data) && data.length > 0 && this.#bufferStrings(data)
      case 33: {
        const srv = data as { priority?: number; weight?: number; port?: number; target?: unknown }
        if (typeof srv !== 'object' || srv === null || typeof srv.target !== 'string' || !plainName(srv.target)) return false
        this.#u16(srv.priority ?? 0)
        this.#u16(srv.weight ?? 0)
        this.#u16(srv.port ?? 0)
        this.#plainName(srv.target)
        return true
      }
      default:
        return false
    }
  }

  /**
   * Writes a name, pointing at an earlier copy of its longest suffix already in the message
   * (RFC 1035 §4.1.4). Suffixes match ignoring ASCII case only (RFC 4343): toLowerCase would
   * also fold Latin-1 letters. Each suffix is keyed by its folded text from one label's first
   * character to the final dot: one slice per label tried, no split (a transfer writes a million
   * names).
   */
  #name(name: string): void {
    if (name === this.#lastName) return this.#u16(0xc000 | this.#lastAt)
    let upper = false
    let escapes = false
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i)
      if (c >= 0x41 && c <= 0x5a) upper = true
      else if (c === 0x5c) escapes = true
    }
    let folded = upper ? name.replace(/[A-Z]/g, lowerAscii) : name
    if (folded === '' || folded === '.') return this.#u8(0)
    if (folded.charCodeAt(folded.length - 1) !== 0x2e) folded += '.'
    if (escapes) return this.#escapedName(name, folded)
    const pointers = this.#pointers
    let offset = 0
    for (;;) {
      const suffix = this.#suffix
      if (offset > 0 && folded.length - offset === suffix.length && folded.endsWith(suffix)) return this.#u16(0xc000 | this.#suffixAt)
      const key = offset === 0 ? folded : folded.slice(offset)
      const at = pointers.get(key)
      if (at !== undefined) {
        if (offset === 0) this.#remember(name, at)
        else {
          this.#suffix = key
          this.#suffixAt = at
        }
        return this.#u16(0xc000 | at)
      }
      if (this.#pos < 0x4000) {
        pointers.set(key, this.#pos)
        if (offset === 0) this.#remember(name, this.#pos)
      }
      const dot = folded.indexOf('.', offset)
      const length = dot - offset
      if (length === 0 || length > MAX_LABEL_LENGTH) throw new DnsHaError('ERR_ENCODE', `bad label in ${JSON.stringify(name)}`)
      this.#room(length + 1)
      const buf = this.#buf
      let p = this.#pos
      buf[p++] = length
      for (let i = offset; i < dot; i++) buf[p++] = name.charCodeAt(i) & 0xff
      this.#pos = p
      offset = dot + 1
      if (offset >= folded.length) return this.#u8(0)
    }
  }

  /** {@link #name} for a name with backslash escapes: labels split escape-aware, bytes decoded. */
  #escapedName(name: string, folded: string): void {
    const labels = splitLabels(name)
    let offset = 0
    for (let i = 0; i < labels.length; i++) {
      const key = offset === 0 ? folded : folded.slice(offset)
      offset += labels[i]!.length + 1
      const at = this.#pointers.get(key)
      if (at !== undefined) {
        if (i === 0) this.#remember(name, at)
        return this.#u16(0xc000 | at)
      }
      if (this.#pos < 0x4000) {
        this.#pointers.set(key, this.#pos)
        if (i === 0) this.#remember(name, this.#pos)
      }
      const bytes = labelBytes(labels[i]!)
      if (bytes.length === 0 || bytes.length > MAX_LABEL_LENGTH) throw new DnsHaError('ERR_ENCODE', `bad label in ${JSON.stringify(name)}`)
      this.#u8(bytes.length)
      this.#bytes(bytes)
    }
    this.#u8(0)
  }

  /** A name without compression, as dns-packet writes it (only for names {@link plainName} accepts). */
  #plainName(name: string): void {
    let start = name.charCodeAt(0) === 0x2e ? 1 : 0
    const end = name.charCodeAt(name.length - 1) === 0x2e ? name.length - 1 : name.length
    this.#room(end - start + 2)
    const buf = this.#buf
    let p = this.#pos
    while (start < end) {
      let dot = name.indexOf('.', start)
      if (dot < 0 || dot > end) dot = end
      buf[p++] = dot - start
      for (let i = start; i < dot; i++) buf[p++] = name.charCodeAt(i)
      start = dot + 1
    }
    buf[p++] = 0
    this.#pos = p
  }

  #remember(name: string, at: number): void {
    this.#lastName = name
    this.#lastAt = at
  }

  /** A dotted quad written as 4 bytes; false (nothing written, dns-packet's encoder takes it) when `text` is not a strict one. */
  #ipv4(text: string): boolean {
    const value = ipv4Number(text)
    if (value < 0) return false
    this.#room(4)
    this.#buf.writeUInt32BE(value, this.#pos)
    this.#pos += 4
    return true
  }

  /** TXT character-strings given as Buffers; false (nothing written) for any other shape. */
  #bufferStrings(strings: unknown[]): boolean {
    for (const s of strings) if (!Buffer.isBuffer(s) || s.length > 255) return false
    for (const s of strings as Buffer[]) {
      this.#u8(s.length)
      this.#bytes(s)
    }
    return true
  }

  #u8(v: number): void {
    this.#room(1)
    this.#buf[this.#pos++] = v & 0xff
  }

  #u16(v: number): void {
    this.#room(2)
    this.#buf[this.#pos++] = (v >>> 8) & 0xff
    this.#buf[this.#pos++] = v & 0xff
  }

  #bytes(b: Uint8Array): void {
    this.#room(b.length)
    this.#buf.set(b, this.#pos)
    this.#pos += b.length
  }

  #room(n: number): void {
    if (this.#pos + n > MAX_MESSAGE_SIZE) throw new DnsHaError('ERR_ENCODE', `more than ${MAX_MESSAGE_SIZE} bytes`)
  }
}

/** The type string of a walked record for dns-packet: as the zone names it (wire rdata of a structured type is `UNKNOWN_n`). */
function fieldsTypeName(type: number, data: unknown): string {
  return Buffer.isBuffer(data) && hasPacketCodec(type) ? `UNKNOWN_${type}` : packetTypeName(type)
}

/** RDLENGTH and RDATA by dns-packet's codec for `type`. */
function packetRdata(type: string, data: unknown, owner: string): Buffer {
  try {
    const codec = (dnsPacket as unknown as { record(t: string): { encode(d: unknown): Buffer } }).record(type)
    return codec.encode(data)
  } catch (cause) {
    throw new DnsHaError('ERR_ENCODE', `cannot encode ${type} record of ${owner}`, { cause })
  }
}

/** A name dns-packet writes as we would: ASCII without escapes, labels of 1 to 63 bytes. */
function plainName(name: string): boolean {
  let label = 0
  for (let i = name.charCodeAt(0) === 0x2e ? 1 : 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c === 0x2e) {
      if (label === 0) return false
      label = 0
    } else if (c === 0x5c || c > 0x7e || c < 0x21) return false
    else if (++label > MAX_LABEL_LENGTH) return false
  }
  return true
}

// One A-Z letter in lower case (for String.replace).
const lowerAscii = (c: string): string => String.fromCharCode(c.charCodeAt(0) | 0x20)
