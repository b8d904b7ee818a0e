/**
 * Turning a handler's answer into bytes on the wire: fill in what the handler left out (id,
 * question, QR), echo or strip EDNS as RFC 6891 says, and truncate for UDP (TC=1 with the
 * question and OPT kept, every section emptied, as NSD and Knot do).
 */
import dnsPacket from 'dns-packet'
import type { Answer, Packet } from 'dns-packet'
import { COPY_FLAGS_MASK, EDNS_DO, FLAG, TYPE_OPT } from '../packet/constants.js'
import type { DnsQuery } from './query.js'

/** How the server speaks EDNS. */
export interface EdnsPolicy {
  /** The UDP payload size we advertise in our OPT record (the server's `maxUdpSize`). */
  maxUdpSize: number
}

/** Encodes a handler's packet as the response to `query`; throws when the packet does not encode. */
export function encodeResponse(query: DnsQuery, packet: Packet & { rcode?: number | string }, policy: EdnsPolicy): Buffer {
  const q = query.question
  const flags = packet.flags ?? query.header.flags & COPY_FLAGS_MASK
  const rcode = typeof packet.rcode === 'number' ? packet.rcode : flags & 0xf
  let additionals = packet.additionals ?? []
  const hasOpt = additionals.some((a) => a.type === 'OPT')
  if (query.edns) {
    if (!hasOpt || rcode > 15) {
      const opt = ourOpt(query, policy, rcode >> 4)
      additionals = [...additionals.filter((a) => a.type !== 'OPT'), opt]
    }
  } else if (hasOpt) {
    // RFC 6891 §7: no OPT in a response to a query without one.
    additionals = additionals.filter((a) => a.type !== 'OPT')
  }
  return dnsPacket.encode({
    id: query.id,
    type: 'response',
    flags: (flags & ~0xf) | (rcode & 0xf),
    questions: packet.questions ?? (q ? [{ name: q.name, type: q.type as never, class: q.class as never }] : []),
    answers: packet.answers ?? [],
    authorities: packet.authorities ?? [],
    additionals,
  })
}

/** The OPT record we send: our payload size, the client's DO bit echoed (RFC 3225), extended rcode bits. */
function ourOpt(query: DnsQuery, policy: EdnsPolicy, extendedRcode: number): Answer {
  return {
    name: '.',
    type: 'OPT',
    udpPayloadSize: policy.maxUdpSize,
    extendedRcode,
    ednsVersion: 0,
    flags: query.dnssecOk ? EDNS_DO : 0,
    options: [],
  } as unknown as Answer
}

/**
 * A minimal response built from the query's own bytes: header with `flags` and `rcode`, the
 * question as asked, and our OPT when the query had one. Used for FORMERR/NOTIMP/REFUSED/SERVFAIL,
 * BADVERS, and truncated answers, without a decode or encode.
 */
export function headerOnlyResponse(
  query: DnsQuery,
  flags: number,
  rcode: number,
  policy: EdnsPolicy,
  withQuestion = true,
): Buffer {
  const qEnd = withQuestion && query.wireQuestion ? query.wireQuestion.end : 12
  const opt = query.edns !== undefined
  const out = Buffer.allocUnsafe(qEnd + (opt ? 11 : 0))
  query.raw.copy(out, 0, 0, qEnd)
  const f = (flags & ~0xf) | FLAG.QR | (rcode & 0xf)
  out[2] = f >> 8
  out[3] = f & 0xff
  out.writeUInt16BE(qEnd > 12 ? 1 : 0, 4)
  out.writeUInt32BE(0, 6)
  out.writeUInt16BE(opt ? 1 : 0, 10)
  if (opt) writeOpt(out, qEnd, policy.maxUdpSize, rcode >> 4, query.dnssecOk)
  return out
}

/** The truncated form of an encoded response: same header flags and rcode plus TC, question and OPT only. */
export function truncateResponse(query: DnsQuery, response: Uint8Array, policy: EdnsPolicy): Buffer {
  const flags = ((response[2]! << 8) | response[3]!) | FLAG.TC
  return headerOnlyResponse(query, flags, flags & 0xf, policy)
}

function writeOpt(buf: Buffer, at: number, size: number, extendedRcode: number, dnssecOk: boolean): void {
  buf[at] = 0 // root owner
  buf.writeUInt16BE(TYPE_OPT, at + 1)
  buf.writeUInt16BE(size, at + 3)
  buf[at + 5] = extendedRcode & 0xff
  buf[at + 6] = 0 // version
  buf.writeUInt16BE(dnssecOk ? EDNS_DO : 0, at + 7)
  buf.writeUInt16BE(0, at + 9)
}
