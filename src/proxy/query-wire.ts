/**
 * The few wire reads and writes the DNS-mode proxy needs per packet, without decoding whole
 * messages: is a client datagram a query with one readable question, does an upstream answer
 * carry the question that was asked (RFC 5452 §9.1, names compared case-insensitively), and the
 * proxy's own header-only answers (SERVFAIL when nobody can answer, FORMERR for a bad query).
 */
import { COPY_FLAGS_MASK, FLAG, RCODE } from '../packet/constants.js'
import { readFlags, uncompressedNameEnd } from '../packet/wire.js'

/** What to do with a client datagram: relay it (its question ends at `questionEnd`), answer FORMERR, or drop it. */
export type ClientVerdict = { kind: 'relay'; questionEnd: number } | { kind: 'formerr' } | { kind: 'drop' }

/** {@link clientQuestionEnd}: drop the datagram. */
export const QUERY_DROP = -1
/** {@link clientQuestionEnd}: answer FORMERR. */
export const QUERY_FORMERR = -2

/**
 * Checks a client datagram: shorter than a header or a response (QR set) is dropped; a query
 * without exactly one question, uncompressed and whole, gets FORMERR.
 */
export function checkClientQuery(msg: Uint8Array): ClientVerdict {
  const end = clientQuestionEnd(msg)
  return end === QUERY_DROP ? { kind: 'drop' } : end === QUERY_FORMERR ? { kind: 'formerr' } : { kind: 'relay', questionEnd: end }
}

/**
 * {@link checkClientQuery} as one number, for the relay path (no verdict object per query):
 * where the question ends, or {@link QUERY_DROP} / {@link QUERY_FORMERR}.
 */
export function clientQuestionEnd(msg: Uint8Array): number {
  if (msg.length < 12 || (readFlags(msg) & FLAG.QR) !== 0) return QUERY_DROP
  if (msg[4] !== 0 || msg[5] !== 1) return QUERY_FORMERR
  const nameEnd = uncompressedNameEnd(msg, 12, msg.length)
  if (nameEnd < 0 || nameEnd + 4 > msg.length) return QUERY_FORMERR
  return nameEnd + 4
}

/**
 * Whether `answer` is a response with one question equal to `query`'s (bytes 12 to
 * `questionEnd`): the name equal ignoring ASCII case, type and class equal. Length bytes are at
 * most 63, below 'A', so folding the whole name leaves them alone.
 */
export function answersQuestion(answer: Uint8Array, query: Uint8Array, questionEnd: number): boolean {
  if (answer.length < questionEnd || (answer[2]! & 0x80) === 0 || answer[4] !== 0 || answer[5] !== 1) return false
  const nameEnd = questionEnd - 4
  for (let i = 12; i < nameEnd; i++) {
    const a = answer[i]!
    const q = query[i]!
    if (a !== q && fold(a) !== fold(q)) return false
  }
  for (let i = nameEnd; i < questionEnd; i++) if (answer[i] !== query[i]) return false
  return true
}

/**
 * The proxy's own answer to `query`: the header with QR set, the opcode, RD and CD copied,
 * `rcode`, and the question echoed when `questionEnd` is given (else no question).
 */
export function headerAnswer(query: Uint8Array, rcode: number, questionEnd?: number): Buffer {
  const length = questionEnd ?? 12
  const out = Buffer.alloc(length)
  out[0] = query[0]!
  out[1] = query[1]!
  const flags = FLAG.QR | (readFlags(query) & COPY_FLAGS_MASK) | rcode
  out[2] = flags >> 8
  out[3] = flags & 0xff
  if (questionEnd !== undefined) {
    out[5] = 1
    out.set(query.subarray(12, questionEnd), 12)
  }
  return out
}

/** SERVFAIL for a query whose question ends at `questionEnd`. */
export function servfail(query: Uint8Array, questionEnd: number): Buffer {
  return headerAnswer(query, RCODE.SERVFAIL, questionEnd)
}

function fold(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c
}
