/**
 * Signing: appending a TSIG record to a finished message (RFC 8945 §4.3, §5.3). A request's MAC
 * covers the message and the TSIG variables; a response's MAC also covers the request's MAC, which
 * ties the answer to the question. The message's ARCOUNT is incremented; nothing else changes.
 */
import type { ResolvedTsigKey } from './key.js'
import { computeMac } from './mac.js'
import { encodeTsigRecord, tsigRecordLength } from './record.js'
import type { TsigRequestContext } from './verify-request.js'

/** Options for {@link signRequest} and {@link signResponse}. */
export interface TsigSignOptions {
  /** Allowed clock skew in seconds (default 300, RFC 8945 §10). */
  fudge?: number
  /** The TSIG error field (default 0; BADTIME answers set 18). */
  error?: number
  /** Other Data (a BADTIME answer carries the server's time here, 6 bytes). */
  otherData?: Uint8Array
  /** Time Signed, when it must not be `nowSeconds` (a BADTIME answer echoes the request's). */
  timeSigned?: number
}

/** A signed request and what checking its answer needs. */
export interface SignedRequest {
  bytes: Buffer
  /** Pass to {@link verifyResponse} (and, server side, what {@link signResponse} takes). */
  context: TsigRequestContext
}

/** Default fudge: five minutes, as RFC 8945 recommends and BIND and Knot use. */
export const DEFAULT_FUDGE = 300

/** Signs a request (query, NOTIFY, UPDATE) with `key` at `nowSeconds` (Unix time). */
export function signRequest(message: Uint8Array, key: ResolvedTsigKey, nowSeconds: number, options: TsigSignOptions = {}): SignedRequest {
  const fudge = options.fudge ?? DEFAULT_FUDGE
  const timeSigned = options.timeSigned ?? nowSeconds
  const { bytes, mac } = sign(message, key, undefined, timeSigned, fudge, options)
  return { bytes, context: { key, requestMac: mac, timeSigned, fudge } }
}

/**
 * Signs a response to the request `context` came from. `message` is the final response (id and
 * truncation already applied); leave {@link tsigSpace} bytes of room under any size limit.
 */
export function signResponse(message: Uint8Array, context: TsigRequestContext, nowSeconds: number, options: TsigSignOptions = {}): Buffer {
  return sign(message, context.key, context.requestMac, options.timeSigned ?? nowSeconds, options.fudge ?? DEFAULT_FUDGE, options).bytes
}

/** How many bytes signing a response with `key` adds (the room to keep when truncating). */
export function tsigSpace(key: ResolvedTsigKey, otherLength = 0): number {
  return tsigRecordLength(key.nameWire, key.algorithmWire, key.macSize, otherLength)
}

/**
 * Signs `message` with `key`, its MAC covering `requestMac` first when given (a response, or a
 * later message of a stream covering the prior MAC); returns the signed bytes and the full MAC.
 * The building block of {@link signRequest}, {@link signResponse} and the stream signer.
 */
export function sign(
  message: Uint8Array,
  key: ResolvedTsigKey,
  requestMac: Uint8Array | undefined,
  timeSigned: number,
  fudge: number,
  options: TsigSignOptions,
): { bytes: Buffer; mac: Buffer } {
  const id = (message[0]! << 8) | message[1]!
  const arcount = (message[10]! << 8) | message[11]!
  const error = options.error ?? 0
  const otherData = options.otherData ?? EMPTY
  const mac = computeMac({
    secret: key.secret,
    hash: key.hash,
    requestMac,
    message,
    originalId: id,
    arcount,
    nameWire: key.nameWire,
    algorithmWire: key.algorithmWire,
    timeSigned,
    fudge,
    error,
    otherData,
  })
  const record = encodeTsigRecord({ nameWire: key.nameWire, algorithmWire: key.algorithmWire, timeSigned, fudge, mac, originalId: id, error, otherData })
  return { bytes: appendRecord(message, record), mac }
}

/** `message` with `record` appended as one more additional record. */
export function appendRecord(message: Uint8Array, record: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(message.length + record.length)
  out.set(message, 0)
  out.set(record, message.length)
  out.writeUInt16BE(((message[10]! << 8) | message[11]!) + 1, 10)
  return out
}

const EMPTY = new Uint8Array(0)
