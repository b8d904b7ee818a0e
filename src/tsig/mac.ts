/**
 * The MAC of RFC 8945 §4.3: an HMAC over, in order, the request MAC (responses only), the message
 * as it was before the TSIG was added, and the TSIG variables. The message part is fed in as the
 * original bytes plus a patched 12-byte header, so nothing the size of the message is copied.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { writeUint48 } from './record.js'

/** Everything the MAC covers besides the message itself. */
export interface MacInput {
  /** The key secret and hash. */
  secret: Uint8Array
  hash: string
  /** The MAC of the request this message answers (responses only); digested with its 2-byte length. */
  requestMac?: Uint8Array | undefined
  /** The message without its TSIG record. */
  message: Uint8Array
  /** The id and ARCOUNT the header had before the TSIG was added (§4.3.3: original id, count without the TSIG). */
  originalId: number
  arcount: number
  /** Key and algorithm names in canonical wire form. */
  nameWire: Uint8Array
  algorithmWire: Uint8Array
  timeSigned: number
  fudge: number
  error: number
  otherData: Uint8Array
}

const CLASS_ANY_TTL_0 = Buffer.from([0x00, 0xff, 0, 0, 0, 0])

/** The full (untruncated) MAC of a message. */
export function computeMac(input: MacInput): Buffer {
  const hmac = createHmac(input.hash, input.secret)
  if (input.requestMac !== undefined) {
    hmac.update(Buffer.from([input.requestMac.length >> 8, input.requestMac.length & 0xff]))
    hmac.update(input.requestMac)
  }
  const header = Buffer.from(input.message.subarray(0, 12))
  header.writeUInt16BE(input.originalId, 0)
  header.writeUInt16BE(input.arcount, 10)
  hmac.update(header)
  hmac.update(input.message.subarray(12))
  // TSIG variables (§4.3.3): name, class ANY, TTL 0, algorithm, time, fudge, error, other len + data.
  hmac.update(input.nameWire)
  hmac.update(CLASS_ANY_TTL_0)
  hmac.update(input.algorithmWire)
  const fixed = Buffer.allocUnsafe(12)
  writeUint48(fixed, input.timeSigned, 0)
  fixed.writeUInt16BE(input.fudge, 6)
  fixed.writeUInt16BE(input.error, 8)
  fixed.writeUInt16BE(input.otherData.length, 10)
  hmac.update(fixed)
  hmac.update(input.otherData)
  return hmac.digest()
}

/** Compares two MACs of equal length in constant time (no early exit an attacker could time). */
export function macsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Throws when this Node build cannot compute `hash` (e.g. MD5 under FIPS). */
export function assertHashAvailable(hash: string, secret: Uint8Array): void {
  createHmac(hash, secret)
}

/** What a later message of a TSIG-signed stream is digested with (RFC 8945 §5.3.1). */
export interface StreamMacInput {
  secret: Uint8Array
  hash: string
  /** The MAC of the previous signed message, digested with its 2-byte length. */
  priorMac: Uint8Array
  /** The unsigned messages since that one, whole, in order. */
  unsigned: readonly Uint8Array[]
  /** This message without its TSIG record. */
  message: Uint8Array
  /** Its original id and ARCOUNT without the TSIG. */
  originalId: number
  arcount: number
  timeSigned: number
  fudge: number
}

/**
 * The full MAC of a later message of a signed stream (AXFR/IXFR, RFC 8945 §5.3.1): the prior
 * MAC, every message since it (the unsigned ones whole), this message without its TSIG, and the
 * TSIG timers only (Time Signed and Fudge), not the other TSIG variables.
 */
export function computeStreamMac(input: StreamMacInput): Buffer {
  const hmac = createHmac(input.hash, input.secret)
  hmac.update(Buffer.from([input.priorMac.length >> 8, input.priorMac.length & 0xff]))
  hmac.update(input.priorMac)
  for (const m of input.unsigned) hmac.update(m)
  const header = Buffer.from(input.message.subarray(0, 12))
  header.writeUInt16BE(input.originalId, 0)
  header.writeUInt16BE(input.arcount, 10)
  hmac.update(header)
  hmac.update(input.message.subarray(12))
  const timers = Buffer.allocUnsafe(8)
  writeUint48(timers, input.timeSigned, 0)
  timers.writeUInt16BE(input.fudge, 6)
  hmac.update(timers)
  return hmac.digest()
}
