/**
 * The checks a signed message goes through once its key is known (RFC 8945 §5.2.2-5.2.3): MAC
 * length, MAC value in constant time, then the time window. Shared by requests and responses.
 */
import { minimumMacSize } from './algorithms.js'
import type { ResolvedTsigKey } from './key.js'
import { computeMac, macsEqual } from './mac.js'
import type { TsigRecord } from './record.js'

/** The outcome of {@link checkRecord}. */
export type RecordCheck = 'ok' | 'badsig' | 'badtime' | { formerr: string }

/**
 * Checks `record` (read from `raw`) against `key`. Truncated MACs are accepted down to
 * {@link minimumMacSize} (§5.2.2.1); longer than the hash or shorter than that is FORMERR.
 */
export function checkRecord(raw: Uint8Array, record: TsigRecord, key: ResolvedTsigKey, nowSeconds: number, requestMac?: Uint8Array): RecordCheck {
  const size = record.mac.length
  if (size > key.macSize) return { formerr: `MAC longer than ${key.algorithm} produces` }
  if (size < minimumMacSize(key.algorithm)) return { formerr: `MAC shorter than ${minimumMacSize(key.algorithm)} bytes` }
  const message = raw.subarray(0, record.offset)
  const arcount = ((raw[10]! << 8) | raw[11]!) - 1
  const full = computeMac({
    secret: key.secret,
    hash: key.hash,
    requestMac,
    message,
    originalId: record.originalId,
    arcount,
    nameWire: key.nameWire,
    algorithmWire: key.algorithmWire,
    timeSigned: record.timeSigned,
    fudge: record.fudge,
    error: record.error,
    otherData: record.otherData,
  })
  if (!macsEqual(full.subarray(0, size), record.mac)) return 'badsig'
  // Checked only after the MAC, so an unauthenticated message cannot learn our clock (§5.2.3).
  if (Math.abs(nowSeconds - record.timeSigned) > record.fudge) return 'badtime'
  return 'ok'
}
