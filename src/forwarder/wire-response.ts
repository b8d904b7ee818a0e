/**
 * Wire-level response building for the forwarder's hot paths: local answers are the query's own
 * header and question followed by pre-encoded records; upstream responses (inspected by
 * `inspectResponse` in the packet layer) are re-targeted to a client by copying bytes and
 * patching a few fields, never by a decode/encode round trip.
 */
import { COPY_FLAGS_MASK, EDNS_DO, FLAG, TYPE_OPT } from '../packet/constants.js'
import { writeU32 } from '../packet/response-info.js'
import type { DnsQuery } from '../server/query.js'

const OPT_LENGTH = 11

/**
 * A stored response made into the answer for `query`: the client's question bytes (its case),
 * its RD bit, QR and RA set, AD cleared (nothing was validated here; dnsmasq without
 * proxy-dnssec does the same), AA cleared unless `keepAa` (an answer just relayed; a cached
 * one is not authoritative), TTLs lowered by `elapsedS` (or all set to `fixedTtl`, for stale
 * answers), and our OPT record when the client sent one (with Extended DNS Error `ede`, RFC
 * 8914, when given). The id is the server's to patch.
 */
export function responseForClient(
  stored: Uint8Array,
  ttlOffsets: readonly number[],
  query: DnsQuery,
  elapsedS: number,
  fixedTtl: number | undefined,
  maxUdpSize: number,
  keepAa = false,
  ede?: number,
): Buffer {
  const opt = query.edns !== undefined
  const optLength = ede === undefined ? OPT_LENGTH : OPT_LENGTH + EDE_LENGTH
  const out = Buffer.allocUnsafe(stored.length + (opt ? optLength : 0))
  out.set(stored)
  const qEnd = query.wireQuestion?.end ?? 12
  // Same name up to case (the cache key is case-insensitive): give the client its own spelling.
  if (qEnd <= stored.length && questionLengthMatches(stored, qEnd)) query.raw.copy(out, 12, 12, qEnd)
  const flags = (((stored[2]! << 8) | stored[3]!) & ~(FLAG.RD | FLAG.AD | (keepAa ? 0 : FLAG.AA))) | (query.header.flags & FLAG.RD) | FLAG.QR | FLAG.RA
  out[2] = flags >> 8
  out[3] = flags & 0xff
  if (fixedTtl !== undefined) {
    for (const at of ttlOffsets) writeU32(out, at, fixedTtl)
  } else if (elapsedS > 0) {
    for (const at of ttlOffsets) {
      const original = ((out[at]! << 24) | (out[at + 1]! << 16) | (out[at + 2]! << 8) | out[at + 3]!) >>> 0
      writeU32(out, at, original > elapsedS ? original - elapsedS : 0)
    }
  }
  if (opt) {
    const ar = ((out[10]! << 8) | out[11]!) + 1
    out[10] = ar >> 8
    out[11] = ar & 0xff
    writeOpt(out, stored.length, maxUdpSize, query.dnssecOk, ede)
  }
  return out
}

/**
 * A response built from the query itself: its header and question, `flags` (QR, RA and the
 * client's RD and opcode are added), `rcode`, then `count` pre-encoded answer records from
 * `answers` (owners compressed to the question name at offset 12), then our OPT when the client
 * sent one.
 */
export function localResponse(query: DnsQuery, flags: number, rcode: number, answers: Uint8Array | undefined, count: number, maxUdpSize: number): Buffer {
  const qEnd = query.wireQuestion?.end ?? 12
  const opt = query.edns !== undefined
  const answerLength = answers?.length ?? 0
  const out = Buffer.allocUnsafe(qEnd + answerLength + (opt ? OPT_LENGTH : 0))
  query.raw.copy(out, 0, 0, qEnd)
  const f = (query.header.flags & COPY_FLAGS_MASK) | flags | FLAG.QR | FLAG.RA | (rcode & 0xf)
  out[2] = f >> 8
  out[3] = f & 0xff
  out[4] = 0
  out[5] = qEnd > 12 ? 1 : 0
  out[6] = count >> 8
  out[7] = count & 0xff
  out[8] = 0
  out[9] = 0
  out[10] = 0
  out[11] = opt ? 1 : 0
  if (answers) out.set(answers, qEnd)
  if (opt) writeOpt(out, qEnd + answerLength, maxUdpSize, query.dnssecOk)
  return out
}

/** Encodes records whose owner is the question name (pointer to offset 12): `type`, class IN, `ttl`, each RDATA. */
export function encodeOwnerRecords(type: number, ttl: number, rdatas: readonly Uint8Array[]): Uint8Array {
  let length = 0
  for (const r of rdatas) length += 12 + r.length
  const out = new Uint8Array(length)
  let pos = 0
  for (const r of rdatas) {
    out[pos] = 0xc0
    out[pos + 1] = 12
    out[pos + 2] = type >> 8
    out[pos + 3] = type & 0xff
    out[pos + 4] = 0
    out[pos + 5] = 1
    writeU32(out, pos + 6, ttl)
    out[pos + 10] = r.length >> 8
    out[pos + 11] = r.length & 0xff
    out.set(r, pos + 12)
    pos += 12 + r.length
  }
  return out
}

/**
 * The message sent upstream for `query`: a fresh header (id 0, the client's RD and CD), the
 * client's question bytes, and an OPT record advertising `maxUdpSize` with the client's DO bit.
 */
export function upstreamQuery(query: DnsQuery, maxUdpSize: number): Uint8Array {
  const qEnd = query.wireQuestion?.end ?? 12
  const out = Buffer.allocUnsafe(qEnd + OPT_LENGTH)
  query.raw.copy(out, 0, 0, qEnd)
  const flags = query.header.flags & (FLAG.RD | FLAG.CD)
  out[0] = 0
  out[1] = 0
  out[2] = flags >> 8
  out[3] = flags & 0xff
  out.writeUInt16BE(1, 4)
  out.writeUInt32BE(0, 6)
  out.writeUInt16BE(1, 10)
  writeOpt(out, qEnd, maxUdpSize, query.dnssecOk)
  return out
}

function questionLengthMatches(stored: Uint8Array, qEnd: number): boolean {
  // The stored question must end where the client's does: walk its labels.
  let pos = 12
  while (pos < stored.length && stored[pos] !== 0) {
    if ((stored[pos]! & 0xc0) !== 0) return false
    pos += stored[pos]! + 1
  }
  return pos + 5 === qEnd
}

/** An Extended DNS Error option (RFC 8914) with an info code and no text: 2 code, 2 length, 2 info. */
const EDE_LENGTH = 6

function writeOpt(buf: Uint8Array, at: number, size: number, dnssecOk: boolean, ede?: number): void {
  buf[at] = 0
  buf[at + 1] = 0
  buf[at + 2] = TYPE_OPT
  buf[at + 3] = size >> 8
  buf[at + 4] = size & 0xff
  buf[at + 5] = 0
  buf[at + 6] = 0
  const f = dnssecOk ? EDNS_DO : 0
  buf[at + 7] = f >> 8
  buf[at + 8] = f & 0xff
  buf[at + 9] = 0
  buf[at + 10] = ede === undefined ? 0 : EDE_LENGTH
  if (ede !== undefined) {
    buf[at + 11] = 0
    buf[at + 12] = 15 // option code: Extended DNS Error
    buf[at + 13] = 0
    buf[at + 14] = 2
    buf[at + 15] = ede >> 8
    buf[at + 16] = ede & 0xff
  }
}
