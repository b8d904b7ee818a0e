/**
 * {@link PlainQuery}: the shape nearly every UDP query has — a QUERY with one uncompressed
 * question and nothing else but, optionally, a bare EDNS OPT record. The server recognises it
 * from the bytes alone and offers it to a handler's `answerPlain` fast path (an answer cache)
 * before building a {@link DnsQuery}. Everything the full pipeline checks (opcode, counts, EDNS
 * version, TSIG) is settled by the shape itself, so the fast path cannot answer differently.
 */
import { TYPE } from '../packet/constants.js'
import { uncompressedNameEnd } from '../packet/wire.js'
import type { ClientInfo } from './query.js'

/** EDNS variants of a query that an answer depends on: 0 without EDNS, 1 with EDNS, 2 with EDNS and DO (RFC 3225). */
export type EdnsVariant = 0 | 1 | 2

/** A query in the plain shape, as the server hands it to `answerPlain`. */
export interface PlainQuery {
  /** The message as received. */
  raw: Buffer
  /** Offset just past the question (the question is `raw[12..questionEnd)`). */
  questionEnd: number
  ednsVariant: EdnsVariant
  /** The largest answer the client takes: 512 without EDNS, else its payload size capped by the server. */
  maxUdpSize: number
  client: ClientInfo
}

/**
 * Fills `into` and returns true when `raw` is a plain query: QR=0, opcode QUERY, QDCOUNT 1,
 * no answer or authority records, an uncompressed question name, and either nothing after the
 * question or exactly one OPT record (root owner, version 0, no extended rcode, no options) ending
 * the message. Anything else returns false and takes the full path.
 */
export function readPlainQuery(raw: Buffer, maxUdpSizeCap: number, client: ClientInfo, into: PlainQuery): boolean {
  const length = raw.length
  if (length < 17) return false
  // QR clear, opcode 0; QDCOUNT 1; ANCOUNT, NSCOUNT 0; ARCOUNT 0 or 1.
  if ((raw[2]! & 0xf8) !== 0 || raw[4] !== 0 || raw[5] !== 1 || raw[6] !== 0 || raw[7] !== 0 || raw[8] !== 0 || raw[9] !== 0 || raw[10] !== 0) return false
  const arcount = raw[11]!
  if (arcount > 1) return false
  const nameEnd = uncompressedNameEnd(raw, 12, length)
  if (nameEnd < 0) return false
  const questionEnd = nameEnd + 4
  let ednsVariant: EdnsVariant = 0
  let maxUdpSize = 512
  if (arcount === 0) {
    if (questionEnd !== length) return false
  } else {
    // root owner, TYPE 41, CLASS = payload size, TTL = ext-rcode 0, version 0, flags, RDLENGTH 0
    const o = questionEnd
    if (o + 11 !== length || raw[o] !== 0 || raw[o + 1] !== 0 || raw[o + 2] !== TYPE.OPT || raw[o + 5] !== 0 || raw[o + 6] !== 0) return false
    if (raw[o + 9] !== 0 || raw[o + 10] !== 0) return false
    const size = (raw[o + 3]! << 8) | raw[o + 4]!
    maxUdpSize = size < 512 ? 512 : size > maxUdpSizeCap ? maxUdpSizeCap : size
    ednsVariant = (raw[o + 7]! & 0x80) !== 0 ? 2 : 1
  }
  into.raw = raw
  into.questionEnd = questionEnd
  into.ednsVariant = ednsVariant
  into.maxUdpSize = maxUdpSize
  into.client = client
  return true
}
