/**
 * {@link TransferFailureCode} and {@link transferFailure}: every way a transfer in can fail, as a
 * `DnsHaError` (`ERR_TRANSFER_IN`) whose message a person can read and whose `details.reason`
 * a program can switch on.
 */
import { DnsHaError } from '../util/errors.js'

/**
 * Why a transfer in failed (`details.reason` of an `ERR_TRANSFER_IN` error, and of the
 * `failed` event): the answer's rcode (`rcode`), a stream that does not start with the zone's
 * SOA (`not-soa-first`), ends before the closing SOA (`truncated`), holds a record outside the
 * zone (`outside-zone`), fails TSIG (`tsig`), carries an older serial than ours
 * (`serial-backwards`), an IXFR that does not fit our copy (`ixfr-mismatch`: a deletion of a
 * record we do not have, a step from another serial), an IXFR answered with a newer SOA alone
 * (`ixfr-soa-only`), records after the closing SOA (`trailing-records`), an undecodable or
 * foreign message (`malformed`), no data for the idle timeout (`stalled`), the overall timeout
 * (`timeout`), the size bound (`too-large`), a result that is not a servable zone
 * (`zone-invalid`), or the network (`network`).
 */
export type TransferFailureCode =
  | 'rcode'
  | 'not-soa-first'
  | 'truncated'
  | 'outside-zone'
  | 'tsig'
  | 'serial-backwards'
  | 'ixfr-mismatch'
  | 'ixfr-soa-only'
  | 'trailing-records'
  | 'malformed'
  | 'stalled'
  | 'timeout'
  | 'too-large'
  | 'zone-invalid'
  | 'network'
  | 'aborted'

/** An `ERR_TRANSFER_IN` error with `details.reason` set to `reason`. */
export function transferFailure(reason: TransferFailureCode, message: string, cause?: unknown): DnsHaError {
  return new DnsHaError('ERR_TRANSFER_IN', message, { details: { reason }, ...(cause !== undefined ? { cause } : {}) })
}

/** The failure code of an error from a transfer, `undefined` for other errors. */
export function transferFailureCode(error: unknown): TransferFailureCode | undefined {
  const e = error as { code?: unknown; details?: { reason?: unknown } } | undefined
  return e?.code === 'ERR_TRANSFER_IN' ? (e.details?.reason as TransferFailureCode) : undefined
}
