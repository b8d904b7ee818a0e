/**
 * Building responses to a query: {@link respond} makes the dns-packet object a handler returns,
 * with the id, question, opcode and RD copied from the query, so handlers state only what they
 * decide (rcode, flags, sections).
 */
import type { Answer, Packet } from 'dns-packet'
import type { RcodeName } from '../packet/constants.js'
import { COPY_FLAGS_MASK, FLAG, RCODE } from '../packet/constants.js'
import type { DnsQuery } from './query.js'

/** What a handler decides about a response. */
export interface ResponseInit {
  /** A response code by name or number (default NOERROR). Codes above 15 travel in EDNS. */
  rcode?: RcodeName | number
  /** Authoritative Answer. */
  aa?: boolean
  /** Recursion Available. */
  ra?: boolean
  /** Authentic Data. */
  ad?: boolean
  /** Truncated. */
  tc?: boolean
  answers?: Answer[]
  authorities?: Answer[]
  additionals?: Answer[]
}

/** A response packet to `query`: id, question, opcode, RD and CD copied; QR set. */
export function respond(query: DnsQuery, init: ResponseInit = {}): Packet & { rcode?: number } {
  const rcode = typeof init.rcode === 'string' ? RCODE[init.rcode] : (init.rcode ?? 0)
  const q = query.question
  const copied = query.header.flags & COPY_FLAGS_MASK // opcode, RD, CD
  const flags =
    copied |
    (init.aa ? FLAG.AA : 0) |
    (init.ra ? FLAG.RA : 0) |
    (init.ad ? FLAG.AD : 0) |
    (init.tc ? FLAG.TC : 0) |
    (rcode & 0xf)
  const packet: Packet & { rcode?: number } = {
    id: query.id,
    type: 'response',
    flags,
    questions: q ? [{ name: q.name, type: q.type as never, class: q.class as never }] : [],
    answers: init.answers ?? [],
    authorities: init.authorities ?? [],
    additionals: init.additionals ?? [],
  }
  // Extended rcodes (BADVERS and up) need the OPT record's upper bits; the server adds them.
  if (rcode > 15) packet.rcode = rcode
  return packet
}
