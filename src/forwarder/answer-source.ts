/**
 * Where an answer came from, and the callback every answering part reports through, so the
 * forwarder counts and announces answers in one place whichever part built them.
 */
import type { DnsQuery } from '../server/query.js'

/** Where an answer came from. */
export type AnswerSource = 'hosts' | 'rule' | 'local' | 'cache' | 'upstream' | 'stale' | 'failure'

/** Counts an answer, announces it to `query` listeners, and hands back `bytes`. */
export type ReportAnswer = (query: DnsQuery, source: AnswerSource, rcode: number, bytes: Uint8Array) => Uint8Array
