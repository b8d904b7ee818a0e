/**
 * Whether bytes that arrived are the answer to the query we sent (RFC 5452 §9.1): a response
 * (QR=1) with our id and our question — name compared ignoring ASCII case, or exactly when the
 * query used DNS 0x20 case randomisation, and the same type and class. A pure verdict on the
 * header and question; the full decode happens only for a match.
 */
import { FLAG } from '../packet/constants.js'
import type { WireQuestion } from '../packet/wire.js'
import { namesEqual, readQuestion } from '../packet/wire.js'

/** Why a datagram or stream message was not accepted as the answer (`'ok'` when it was). */
export type ResponseVerdict =
  | 'ok'
  /** Shorter than a header. */
  | 'short'
  /** QR=0: a query, not a response. */
  | 'not-response'
  | 'wrong-id'
  /** No question, an unreadable one, or a different name, type or class. */
  | 'wrong-question'
  /** Came from another address or port than the one queried (UDP only). */
  | 'wrong-source'
  /** Matched, but the rest of the message does not decode. */
  | 'undecodable'

/** What the answer must echo. */
export interface ExpectedAnswer {
  id: number
  question: Pick<WireQuestion, 'name' | 'type' | 'class'>
  /** Compare the name byte for byte (DNS 0x20) instead of ignoring case. */
  exactCase: boolean
}

/** Checks the header and question of `msg` against what was asked. Never throws. */
export function matchResponse(msg: Uint8Array, expected: ExpectedAnswer): ResponseVerdict {
  if (msg.length < 12) return 'short'
  const flags = (msg[2]! << 8) | msg[3]!
  if ((flags & FLAG.QR) === 0) return 'not-response'
  if (((msg[0]! << 8) | msg[1]!) !== expected.id) return 'wrong-id'
  const qdcount = (msg[4]! << 8) | msg[5]!
  if (qdcount !== 1) return 'wrong-question'
  let q: WireQuestion
  try {
    q = readQuestion(msg)
  } catch {
    return 'wrong-question'
  }
  if (q.type !== expected.question.type || q.class !== expected.question.class) return 'wrong-question'
  const sameName = expected.exactCase ? q.name === expected.question.name : namesEqual(q.name, expected.question.name)
  return sameName ? 'ok' : 'wrong-question'
}

/** True when the TC (truncated) flag is set in a message that passed {@link matchResponse}. */
export function isTruncated(msg: Uint8Array): boolean {
  return (((msg[2]! << 8) | msg[3]!) & FLAG.TC) !== 0
}
