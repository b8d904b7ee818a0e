/**
 * Verifying the answer to a request we signed (RFC 8945 §5.3, client side). Besides our own
 * checks (`badkey`, `badsig`, `badtime`), the server may report that it could not verify us:
 * `rejected` carries its TSIG error (and, for BADTIME, its clock).
 */
import { checkRecord } from './check-record.js'
import { readTsig, TSIG_ERROR } from './record.js'
import type { TsigRequestContext } from './verify-request.js'

/** The verdict on a response. */
export type TsigResponseResult =
  | { status: 'ok' }
  /** The response carries no TSIG: RFC 8945 §5.3 says a signed request's answer must be signed, so callers should refuse it. */
  | { status: 'none' }
  /** The server reported a TSIG error; `serverTime` is its clock (BADTIME only). */
  | { status: 'rejected'; error: number; serverTime?: number }
  | { status: 'badkey' | 'badsig' | 'badtime' }
  | { status: 'formerr'; reason: string }

/** Checks response bytes `raw` against the request `context` came from, at `nowSeconds`. */
export function verifyResponse(raw: Uint8Array, context: TsigRequestContext, nowSeconds: number): TsigResponseResult {
  const found = readTsig(raw)
  if (found.status !== 'found') return found
  const record = found.record
  if (record.keyName !== context.key.name) return { status: 'badkey' }
  // BADKEY and BADSIG answers are unsigned by design (§5.3.2): nothing to check, just report.
  if (record.error !== TSIG_ERROR.NOERROR && record.mac.length === 0) return { status: 'rejected', error: record.error }
  const check = checkRecord(raw, record, context.key, nowSeconds, context.requestMac)
  if (typeof check === 'object') return { status: 'formerr', reason: check.formerr }
  // A signed BADTIME answer echoes our own Time Signed, so its window check passes; report the error.
  if (check === 'badsig') return { status: 'badsig' }
  if (record.error !== TSIG_ERROR.NOERROR) {
    const o = record.otherData
    return o.length === 6 ? { status: 'rejected', error: record.error, serverTime: o.readUIntBE(0, 6) } : { status: 'rejected', error: record.error }
  }
  return check === 'badtime' ? { status: 'badtime' } : { status: 'ok' }
}
