/**
 * Answers to requests that failed verification (RFC 8945 §5.2, §5.3.2): the caller builds a
 * NOTAUTH response, this adds the TSIG carrying the error. BADKEY and BADSIG answers are unsigned
 * (MAC size 0): signing would need a key or request MAC we cannot trust. BADTIME answers are
 * signed, echo the request's Time Signed, and carry our clock in Other Data so the client can
 * see the skew.
 */
import { writeUint48 } from './record.js'
import { encodeTsigRecord, recordNamesWire, TSIG_ERROR } from './record.js'
import { appendRecord, signResponse } from './sign.js'
import type { TsigVerifyResult } from './verify-request.js'

/** A failed verification, as {@link verifyRequest} reports it. */
export type TsigFailure = Extract<TsigVerifyResult, { status: 'badkey' | 'badsig' | 'badtime' }>

/** `message` (a NOTAUTH response) with the TSIG record that reports `failure`. */
export function tsigErrorAnswer(message: Uint8Array, failure: TsigFailure, nowSeconds: number): Buffer {
  if (failure.status === 'badtime') {
    const otherData = Buffer.alloc(6)
    writeUint48(otherData, nowSeconds, 0)
    return signResponse(message, failure.context, nowSeconds, {
      error: TSIG_ERROR.BADTIME,
      timeSigned: failure.context.timeSigned,
      fudge: failure.context.fudge,
      otherData,
    })
  }
  const record = failure.record
  const { nameWire, algorithmWire } = recordNamesWire(record)
  const tsig = encodeTsigRecord({
    nameWire,
    algorithmWire,
    timeSigned: record.timeSigned,
    fudge: record.fudge,
    mac: new Uint8Array(0),
    originalId: (message[0]! << 8) | message[1]!,
    error: failure.status === 'badkey' ? TSIG_ERROR.BADKEY : TSIG_ERROR.BADSIG,
    otherData: new Uint8Array(0),
  })
  return appendRecord(message, tsig)
}
