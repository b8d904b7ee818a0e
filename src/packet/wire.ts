/**
 * Reads straight off the wire: header fields, the question and the EDNS OPT record, without a
 * full decode. The server's hot path, the answer caches and the proxy's id rewriting use these.
 *
 * Name reading follows RFC 1035 §4.1.4 with the usual defences: compression pointers must point
 * backwards (so loops are impossible), a name is at most 255 bytes, labels at most 63.
 */
import { DnsHaError } from '../util/errors.js'
import { TYPE_OPT } from './constants.js'
import { latin1Text } from './latin1.js'

/** The header's fixed 12 bytes, decoded. */
export interface WireHeader {
  id: number
  /** The whole 16-bit flags word (QR, opcode, AA, TC, RD, RA, AD, CD, rcode). */
  flags: number
  qdcount: number
  ancount: number
  nscount: number
  arcount: number
}

/** The first question, as on the wire. */
export interface WireQuestion {
  /** Absolute name in presentation form with a trailing dot, the client's case kept (`www.Example.com.`). */
  name: string
  type: number
  class: number
  /** Offset just past the question. */
  end: number
}

/** The EDNS OPT record (RFC 6891), when present. */
export interface WireEdns {
  /** The requestor's UDP payload size (values under 512 are read as 512). */
  udpPayloadSize: number
  version: number
  /** Upper 8 bits of the extended rcode. */
  extendedRcode: number
  /** The 16-bit EDNS flags word (DO is the top bit). */
  flags: number
  /** Offset of the OPT RDATA (the options) and its length. */
  optionsOffset: number
  optionsLength: number
  /** How many OPT records the message holds (more than one is FORMERR). */
  count: number
}

/** The 2-byte message id. */
export function readId(buf: Uint8Array): number {
  return (buf[0]! << 8) | buf[1]!
}

/** Writes the 2-byte message id in place. */
export function writeId(buf: Uint8Array, id: number): void {
  buf[0] = (id >> 8) & 0xff
  buf[1] = id & 0xff
}

/** The 16-bit flags word. */
export function readFlags(buf: Uint8Array): number {
  return (buf[2]! << 8) | buf[3]!
}

/** The opcode (bits 11-14 of the flags). */
export function opcodeOf(flags: number): number {
  return (flags >> 11) & 0xf
}

/** Reads the 12-byte header; throws `ERR_PACKET_MALFORMED` when the buffer is shorter. */
export function readHeader(buf: Uint8Array): WireHeader {
  if (buf.length < 12) throw malformed('message shorter than a header')
  return {
    id: (buf[0]! << 8) | buf[1]!,
    flags: (buf[2]! << 8) | buf[3]!,
    qdcount: (buf[4]! << 8) | buf[5]!,
    ancount: (buf[6]! << 8) | buf[7]!,
    nscount: (buf[8]! << 8) | buf[9]!,
    arcount: (buf[10]! << 8) | buf[11]!,
  }
}

/** Reads the question at offset 12. Throws `ERR_PACKET_MALFORMED` when it is not there or not well formed. */
export function readQuestion(buf: Uint8Array, offset = 12): WireQuestion {
  const { name, end } = readName(buf, offset)
  if (end + 4 > buf.length) throw malformed('question truncated')
  return {
    name,
    type: (buf[end]! << 8) | buf[end + 1]!,
    class: (buf[end + 2]! << 8) | buf[end + 3]!,
    end: end + 4,
  }
}

/**
 * Reads a (possibly compressed) name at `offset`: its presentation form with a trailing dot and
 * the offset just past it in the original position.
 */
export function readName(buf: Uint8Array, offset: number): { name: string; end: number } {
  return (Buffer.isBuffer(buf) && readPlainName(buf, offset)) || readAnyName(buf, offset)
}

// Scratch space for the common name: uncompressed, plain characters. 256 bytes hold any name
// (255 at most on the wire, and its text is no longer: each length byte becomes a dot).
const scratch = Buffer.allocUnsafe(256)

/**
 * The hot path of {@link readName}: a name of plain characters, compression pointers followed
 * (backwards only), copied into scratch space with dots for the length bytes and turned into
 * text by one native call (a string per label, concatenated, would cost a slice and a join per
 * label, and leave a tree of strings for whoever keeps the name). `undefined` for anything else,
 * which the general reader handles, errors included.
 */
function readPlainName(buf: Buffer, offset: number): { name: string; end: number } | undefined {
  let pos = offset
  let out = 0
  let end = -1
  for (;;) {
    if (pos >= buf.length) return undefined
    const len = buf[pos]!
    if (len === 0) break
    if (len >= 0xc0) {
      if (pos + 1 >= buf.length) return undefined
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!
      if (target >= pos) return undefined
      if (end < 0) end = pos + 2
      pos = target
      continue
    }
    if (len > 63 || pos + 1 + len > buf.length || out + len + 1 > 254) return undefined
    for (let i = pos + 1; i <= pos + len; i++) {
      const c = buf[i]!
      if (c <= 0x20 || c >= 0x7f || c === 0x2e || c === 0x5c || c === 0x22 || c === 0x28 || c === 0x29 || c === 0x3b || c === 0x40 || c === 0x24) return undefined
      scratch[out++] = c
    }
    scratch[out++] = 0x2e
    pos += len + 1
  }
  return { name: out === 0 ? '.' : latin1Text(scratch, 0, out), end: end < 0 ? pos + 1 : end }
}

function readAnyName(buf: Uint8Array, offset: number): { name: string; end: number } {
  let name = ''
  let pos = offset
  let end = -1
  let length = 1
  for (;;) {
    if (pos >= buf.length) throw malformed('name runs past the end')
    const len = buf[pos]!
    if (len === 0) {
      if (end < 0) end = pos + 1
      break
    }
    const kind = len & 0xc0
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) throw malformed('compression pointer truncated')
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!
      if (end < 0) end = pos + 2
      // Only backward pointers: a loop needs a forward one, so this bounds the walk.
      if (target >= pos) throw malformed('forward compression pointer')
      pos = target
      continue
    }
    if (kind !== 0) throw malformed('unknown label type')
    if (pos + 1 + len > buf.length) throw malformed('label runs past the end')
    length += len + 1
    if (length > 255) throw malformed('name longer than 255 bytes')
    name += labelText(buf, pos + 1, pos + 1 + len) + '.'
    pos += len + 1
  }
  return { name: name === '' ? '.' : name, end }
}

/**
 * Offset just past an uncompressed name at `offset` that ends by `limit`, or -1 when it holds a
 * compression pointer or a bad label, is longer than 255 bytes, or runs past `limit`. The fast
 * paths use it to settle that a question's bytes are the whole name.
 */
export function uncompressedNameEnd(buf: Uint8Array, offset: number, limit: number): number {
  let pos = offset
  for (;;) {
    if (pos >= limit) return -1
    const len = buf[pos]!
    if (len === 0) break
    if (len > 63) return -1
    pos += len + 1
  }
  // Names are at most 255 bytes (RFC 1035 §3.1).
  return pos + 1 - offset > 255 ? -1 : pos + 1
}

/** Offset just past a (possibly compressed) name, without building its text. */
export function skipName(buf: Uint8Array, offset: number): number {
  let pos = offset
  for (;;) {
    if (pos >= buf.length) throw malformed('name runs past the end')
    const len = buf[pos]!
    if (len === 0) return pos + 1
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= buf.length) throw malformed('compression pointer truncated')
      return pos + 2
    }
    if ((len & 0xc0) !== 0) throw malformed('unknown label type')
    pos += len + 1
  }
}

/**
 * Finds the OPT record among the additional records, walking past the other sections. Returns
 * `undefined` when there is none. Throws `ERR_PACKET_MALFORMED` when a record runs past the end.
 */
export function readEdns(buf: Uint8Array, header: WireHeader, questionEnd: number): WireEdns | undefined {
  let pos = questionEnd
  // Any further questions (only QUERY forbids them; we still walk them).
  for (let i = 1; i < header.qdcount; i++) pos = skipName(buf, pos) + 4
  const skip = header.ancount + header.nscount
  let edns: WireEdns | undefined
  for (let i = 0; i < skip + header.arcount; i++) {
    const nameStart = pos
    pos = skipName(buf, pos)
    if (pos + 10 > buf.length) throw malformed('record header truncated')
    const type = (buf[pos]! << 8) | buf[pos + 1]!
    const rdlength = (buf[pos + 8]! << 8) | buf[pos + 9]!
    const rdata = pos + 10
    if (rdata + rdlength > buf.length) throw malformed('record data runs past the end')
    if (i >= skip && type === TYPE_OPT) {
      if (edns) edns.count++
      else {
        if (buf[nameStart] !== 0) throw malformed('OPT owner is not the root')
        const size = (buf[pos + 2]! << 8) | buf[pos + 3]!
        edns = {
          udpPayloadSize: size < 512 ? 512 : size,
          extendedRcode: buf[pos + 4]!,
          version: buf[pos + 5]!,
          flags: (buf[pos + 6]! << 8) | buf[pos + 7]!,
          optionsOffset: rdata,
          optionsLength: rdlength,
          count: 1,
        }
      }
    }
    pos = rdata + rdlength
  }
  return edns
}

/** Iterates the EDNS options `{ code, data }` of an OPT record found by {@link readEdns}. */
export function* ednsOptions(buf: Uint8Array, edns: WireEdns): Generator<{ code: number; data: Uint8Array }> {
  let pos = edns.optionsOffset
  const end = pos + edns.optionsLength
  while (pos + 4 <= end) {
    const code = (buf[pos]! << 8) | buf[pos + 1]!
    const len = (buf[pos + 2]! << 8) | buf[pos + 3]!
    if (pos + 4 + len > end) return
    yield { code, data: buf.subarray(pos + 4, pos + 4 + len) }
    pos += 4 + len
  }
}

/** Equality of two names in presentation form, ignoring ASCII case (RFC 4343). */
export function namesEqual(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b.toLowerCase()
}

function labelText(buf: Uint8Array, start: number, end: number): string {
  let plain = true
  for (let i = start; i < end; i++) {
    const c = buf[i]!
    if (c <= 0x20 || c >= 0x7f || c === 0x2e || c === 0x5c || c === 0x22 || c === 0x28 || c === 0x29 || c === 0x3b || c === 0x40 || c === 0x24) {
      plain = false
      break
    }
  }
  if (plain) {
    // Buffer's latin1 slice is native and allocation-free apart from the string itself.
    return Buffer.isBuffer(buf) ? buf.toString('latin1', start, end) : String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[])
  }
  // Presentation-form escapes (RFC 1035 §5.1): \. \\ and \DDD for anything unprintable.
  let out = ''
  for (let i = start; i < end; i++) {
    const c = buf[i]!
    if (c <= 0x20 || c >= 0x7f) out += '\\' + String(c).padStart(3, '0')
    else if (c === 0x2e || c === 0x5c || c === 0x22 || c === 0x28 || c === 0x29 || c === 0x3b || c === 0x40 || c === 0x24) out += '\\' + String.fromCharCode(c)
    else out += String.fromCharCode(c)
  }
  return out
}

function malformed(message: string): DnsHaError {
  return new DnsHaError('ERR_PACKET_MALFORMED', message)
}
