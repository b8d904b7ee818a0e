/**
 * {@link AnswerMemo}: responses already built, keyed by the question exactly as spelled plus the
 * header bits that shape the answer. A repeated question is one map read: no lower-casing, no
 * routing, no building. Hosts and rule answers stay valid until the next reload; cache answers
 * until their TTLs would tick down by another second.
 */
import { FLAG } from '../packet/constants.js'
import type { DnsQuery } from '../server/query.js'
import type { AnswerSource } from './answer-source.js'

/** A response built for one exact question spelling and header variant, reusable until `validUntil`. */
export interface Memo {
  qtype: number
  qclass: number
  variant: number
  bytes: Uint8Array
  validUntil: number
  source: AnswerSource
  rcode: number
}

/** The memo table, bounded by `limit` entries. */
export class AnswerMemo {
  private memo = new Map<string, Memo[]>()
  private size = 0

  constructor(private readonly limit: number) {}

  /** The still-valid memo for a question as spelled on the wire. */
  get(name: string, qtype: number, qclass: number, variant: number, now: number): Memo | undefined {
    // Keyed by the name string the server already read: no key to build for a repeated question.
    const memos = this.memo.get(name)
    if (memos === undefined) return undefined
    for (const m of memos) {
      if (m.qtype === qtype && m.qclass === qclass && m.variant === variant && m.validUntil > now) return m
    }
    return undefined
  }

  /** Remembers `bytes` as the answer to `query` (asked as `name`) until `validUntil`. */
  set(name: string, query: DnsQuery, source: AnswerSource, rcode: number, bytes: Uint8Array, validUntil: number): void {
    // Bounded the simple way: a full memo starts over (it refills from the tables at once).
    if (this.size >= this.limit) this.clear()
    const q = query.wireQuestion!
    const memo: Memo = { qtype: q.type, qclass: q.class, variant: answerVariant(query), bytes, validUntil, source, rcode }
    const list = this.memo.get(name)
    if (list === undefined) this.memo.set(name, [memo])
    else {
      // Replace an expired twin rather than growing the list.
      const i = list.findIndex((m) => m.qtype === memo.qtype && m.qclass === memo.qclass && m.variant === memo.variant)
      if (i >= 0) list[i] = memo
      else list.push(memo)
    }
    this.size++
  }

  /** Forgets everything (after a reload the tables behind the answers changed). */
  clear(): void {
    this.memo = new Map()
    this.size = 0
  }
}

/** The header bits that shape an answer: RD, CD, and whether the client sent EDNS and DO. */
export function answerVariant(query: DnsQuery): number {
  return (query.header.flags & (FLAG.RD | FLAG.CD)) | (query.edns === undefined ? 0 : query.dnssecOk ? 2 : 1)
}
