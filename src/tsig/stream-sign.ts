/**
 * {@link TsigStreamSigner}: signing the messages of one TCP answer stream (an AXFR or IXFR, RFC
 * 8945 §5.3.1). The first message is signed as any response is (its MAC covers the request's MAC
 * and the full TSIG variables); every later one's MAC covers the prior message's MAC, the message
 * and the timers only. RFC 8945 lets up to 99 messages in between go unsigned; we sign every one,
 * as BIND and Knot do, which is the simplest thing a verifier can check.
 */
import { computeStreamMac } from './mac.js'
import { encodeTsigRecord } from './record.js'
import { appendRecord, DEFAULT_FUDGE, sign } from './sign.js'
import type { TsigRequestContext } from './verify-request.js'

/** Signs the messages of one stream, in the order they are sent. */
export class TsigStreamSigner {
  private priorMac: Uint8Array | undefined
  private count = 0

  /** `context` is the verified request the stream answers; `fudge` defaults to 300 seconds. */
  constructor(
    private readonly context: TsigRequestContext,
    private readonly fudge: number = DEFAULT_FUDGE,
  ) {}

  /** How many messages have been signed so far. */
  get signed(): number {
    return this.count
  }

  /** `message` (final: id set, no TSIG yet) with its TSIG appended; call once per message, in order. */
  sign(message: Uint8Array, nowSeconds: number): Buffer {
    const key = this.context.key
    this.count++
    if (this.priorMac === undefined) {
      const first = sign(message, key, this.context.requestMac, nowSeconds, this.fudge, {})
      this.priorMac = first.mac
      return first.bytes
    }
    const id = (message[0]! << 8) | message[1]!
    const mac = computeStreamMac({
      secret: key.secret,
      hash: key.hash,
      priorMac: this.priorMac,
      unsigned: [],
      message,
      originalId: id,
      arcount: (message[10]! << 8) | message[11]!,
      timeSigned: nowSeconds,
      fudge: this.fudge,
    })
    this.priorMac = mac
    const record = encodeTsigRecord({ nameWire: key.nameWire, algorithmWire: key.algorithmWire, timeSigned: nowSeconds, fudge: this.fudge, mac, originalId: id, error: 0, otherData: EMPTY })
    return appendRecord(message, record)
  }
}

const EMPTY = new Uint8Array(0)
