/**
 * {@link TsigStreamVerifier}: checking the TSIG of a multi-message answer (AXFR, IXFR) to a
 * request we signed, RFC 8945 §5.3.1. The first message must be signed, like any answer, over
 * the request's MAC; each later signed message over the prior MAC, the messages since it and
 * its own timers. Up to 99 unsigned messages may sit between two signed ones, and the last
 * message must be signed: {@link TsigStreamVerifier.finish} says whether it was.
 */
import { minimumMacSize } from './algorithms.js'
import { computeStreamMac, macsEqual } from './mac.js'
import { readTsig } from './record.js'
import type { TsigRequestContext } from './verify-request.js'
import { verifyResponse } from './verify-response.js'

/** The verdict on one message of a stream (or on its end). */
export type TsigStreamResult =
  | { status: 'ok' }
  /** An unsigned message, allowed where it is; the next signed one covers it. */
  | { status: 'unsigned' }
  /** The stream cannot be trusted from here on: `reason` says why, for people. */
  | { status: 'failed'; reason: string }

/** The most unsigned messages in a row (RFC 8945 §5.3.1: "no more than 99"). */
export const MAX_UNSIGNED_RUN = 99

/** Verifies the messages of one signed stream, in order. */
export class TsigStreamVerifier {
  private priorMac: Buffer | undefined
  private unsigned: Buffer[] = []
  private failed: string | undefined

  /** `context` is what signing the request gave ({@link signRequest}). */
  constructor(private readonly context: TsigRequestContext) {}

  /** Checks the next message `raw` at `nowSeconds`. After a failure, every later call fails too. */
  verify(raw: Uint8Array, nowSeconds: number): TsigStreamResult {
    if (this.failed !== undefined) return { status: 'failed', reason: this.failed }
    const result = this.check(raw, nowSeconds)
    if (result.status === 'failed') this.failed = result.reason
    return result
  }

  /** Whether the stream ended correctly: the last message was signed (and nothing failed). */
  finish(): TsigStreamResult {
    if (this.failed !== undefined) return { status: 'failed', reason: this.failed }
    if (this.priorMac === undefined) return { status: 'failed', reason: 'no signed message' }
    if (this.unsigned.length > 0) return { status: 'failed', reason: `the last ${this.unsigned.length} message(s) are not signed` }
    return { status: 'ok' }
  }

  private check(raw: Uint8Array, nowSeconds: number): TsigStreamResult {
    if (this.priorMac === undefined) {
      const first = verifyResponse(raw, this.context, nowSeconds)
      if (first.status !== 'ok') return { status: 'failed', reason: `first message: ${describe(first)}` }
      const found = readTsig(raw)
      this.priorMac = found.status === 'found' ? found.record.mac : Buffer.alloc(0)
      return { status: 'ok' }
    }
    const found = readTsig(raw)
    if (found.status === 'formerr') return { status: 'failed', reason: `malformed TSIG: ${found.reason}` }
    if (found.status === 'none') {
      if (this.unsigned.length >= MAX_UNSIGNED_RUN) return { status: 'failed', reason: `more than ${MAX_UNSIGNED_RUN} unsigned messages in a row` }
      this.unsigned.push(Buffer.from(raw))
      return { status: 'unsigned' }
    }
    const record = found.record
    const key = this.context.key
    if (record.keyName !== key.name) return { status: 'failed', reason: `signed with another key (${record.keyName})` }
    if (record.error !== 0) return { status: 'failed', reason: `the server reported TSIG error ${record.error}` }
    const size = record.mac.length
    if (size > key.macSize || size < minimumMacSize(key.algorithm)) return { status: 'failed', reason: `MAC of ${size} bytes` }
    const full = computeStreamMac({
      secret: key.secret,
      hash: key.hash,
      priorMac: this.priorMac,
      unsigned: this.unsigned,
      message: raw.subarray(0, record.offset),
      originalId: record.originalId,
      arcount: ((raw[10]! << 8) | raw[11]!) - 1,
      timeSigned: record.timeSigned,
      fudge: record.fudge,
    })
    if (!macsEqual(full.subarray(0, size), record.mac)) return { status: 'failed', reason: 'bad signature (BADSIG)' }
    if (Math.abs(nowSeconds - record.timeSigned) > record.fudge) return { status: 'failed', reason: 'signed outside the time window (BADTIME)' }
    this.priorMac = record.mac
    this.unsigned = []
    return { status: 'ok' }
  }
}

function describe(result: ReturnType<typeof verifyResponse>): string {
  switch (result.status) {
    case 'none':
      return 'not signed'
    case 'badkey':
      return 'signed with another key (BADKEY)'
    case 'badsig':
      return 'bad signature (BADSIG)'
    case 'badtime':
      return 'signed outside the time window (BADTIME)'
    case 'rejected':
      return `the server refused our signature (TSIG error ${result.error})`
    case 'formerr':
      return `malformed TSIG: ${result.reason}`
    default:
      return result.status
  }
}
