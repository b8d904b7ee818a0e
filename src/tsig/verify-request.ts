/**
 * Verifying a signed request on the server side (RFC 8945 §5.2). The result says how to answer:
 * `ok` (serve it and sign the answer), `badtime` (answer NOTAUTH, signed), `badkey`/`badsig`
 * (answer NOTAUTH, unsigned) or `formerr`.
 */
import { TSIG_ALGORITHMS } from './algorithms.js'
import type { ResolvedTsigKey } from './key.js'
import type { Keyring } from './keyring.js'
import { checkRecord } from './check-record.js'
import type { TsigRecord } from './record.js'
import { readTsig } from './record.js'

/** What answering a verified request needs: the key, and the request MAC the answer's MAC covers. */
export interface TsigRequestContext {
  key: ResolvedTsigKey
  /** The request's MAC as received (possibly truncated). */
  requestMac: Buffer
  /** The request's Time Signed and Fudge (a BADTIME answer echoes the time, §5.2.3). */
  timeSigned: number
  fudge: number
}

/** The verdict on a request. */
export type TsigVerifyResult =
  | { status: 'none' }
  | { status: 'ok'; context: TsigRequestContext }
  | { status: 'badtime'; context: TsigRequestContext }
  | { status: 'badkey' | 'badsig'; record: TsigRecord }
  | { status: 'formerr'; reason: string }

/**
 * Verifies the TSIG of request bytes `raw` against `keyring` at `nowSeconds` (Unix time):
 * `none` when the message carries no TSIG. An unknown key name, or a known name with another
 * algorithm, is `badkey`.
 */
export function verifyRequest(raw: Uint8Array, keyring: Keyring, nowSeconds: number): TsigVerifyResult {
  const found = readTsig(raw)
  if (found.status !== 'found') return found
  const record = found.record
  const key = keyring.get(record.keyName)
  if (!key || TSIG_ALGORITHMS[key.algorithm].wireName !== record.algorithmName) return { status: 'badkey', record }
  const check = checkRecord(raw, record, key, nowSeconds)
  if (typeof check === 'object') return { status: 'formerr', reason: check.formerr }
  if (check === 'badsig') return { status: 'badsig', record }
  const context: TsigRequestContext = { key, requestMac: record.mac, timeSigned: record.timeSigned, fudge: record.fudge }
  return { status: check, context }
}

