/**
 * Upstream responses inspected on the wire, without a decode: the rcode, the offsets of every
 * TTL field (OPT excluded), the smallest TTL and the RFC 2308 negative TTL, and where the OPT
 * record sits, so a cache can store a response as bytes and later hand out a copy with its TTLs
 * counted down. The forwarder's cache and the proxy pool's packet cache both build on it.
 */
import { FLAG, TYPE, TYPE_OPT } from './constants.js'
import { skipName } from './wire.js'

/** What {@link inspectResponse} learns about an upstream response. */
export interface ResponseInfo {
  rcode: number
  truncated: boolean
  ancount: number
  /** Offsets of the TTL fields of every record except OPT. */
  ttlOffsets: number[]
  /** Smallest TTL among the answer records (or among all records when there are no answers); `undefined` when there are none. */
  minTtl: number | undefined
  /** RFC 2308 §5: min(SOA TTL, SOA MINIMUM) of the first SOA in the authority section. */
  soaNegativeTtl: number | undefined
  /** Offset where the OPT record starts when it is the last record, else `undefined`. */
  optStart: number | undefined
  /** True when there is an OPT record that is not the last one (cannot be stripped by cutting). */
  optInside: boolean
}

/**
 * Walks an upstream response's sections. Throws `ERR_PACKET_MALFORMED` (from the wire readers)
 * or a plain error when a record runs past the end; callers treat that as a garbage answer.
 */
export function inspectResponse(buf: Uint8Array): ResponseInfo {
  if (buf.length < 12) throw new Error('response shorter than a header')
  const flags = (buf[2]! << 8) | buf[3]!
  const qd = (buf[4]! << 8) | buf[5]!
  const an = (buf[6]! << 8) | buf[7]!
  const ns = (buf[8]! << 8) | buf[9]!
  const ar = (buf[10]! << 8) | buf[11]!
  let pos = 12
  for (let i = 0; i < qd; i++) pos = skipName(buf, pos) + 4
  if (pos > buf.length) throw new Error('question runs past the end')
  const info: ResponseInfo = {
    rcode: flags & 0xf,
    truncated: (flags & FLAG.TC) !== 0,
    ancount: an,
    ttlOffsets: [],
    minTtl: undefined,
    soaNegativeTtl: undefined,
    optStart: undefined,
    optInside: false,
  }
  let minAnswer: number | undefined
  let minAll: number | undefined
  const total = an + ns + ar
  for (let i = 0; i < total; i++) {
    const start = pos
    pos = skipName(buf, pos)
    if (pos + 10 > buf.length) throw new Error('record header runs past the end')
    const type = (buf[pos]! << 8) | buf[pos + 1]!
    const ttlAt = pos + 4
    const ttl = ((buf[ttlAt]! << 24) | (buf[ttlAt + 1]! << 16) | (buf[ttlAt + 2]! << 8) | buf[ttlAt + 3]!) >>> 0
    const rdlength = (buf[pos + 8]! << 8) | buf[pos + 9]!
    const rdata = pos + 10
    if (rdata + rdlength > buf.length) throw new Error('record data runs past the end')
    if (type === TYPE_OPT) {
      if (i === total - 1 && i >= an + ns) info.optStart = start
      else info.optInside = true
    } else {
      info.ttlOffsets.push(ttlAt)
      const t = ttl > 0x7fffffff ? 0 : ttl // RFC 2181 §8: a TTL with the top bit set counts as zero
      if (i < an) minAnswer = minAnswer === undefined ? t : Math.min(minAnswer, t)
      minAll = minAll === undefined ? t : Math.min(minAll, t)
      if (type === TYPE.SOA && i >= an && i < an + ns && info.soaNegativeTtl === undefined) {
        // SOA RDATA: MNAME, RNAME, then SERIAL REFRESH RETRY EXPIRE MINIMUM (32 bits each).
        const afterNames = skipName(buf, skipName(buf, rdata))
        if (afterNames + 20 <= rdata + rdlength) {
          const m = afterNames + 16
          const minimum = ((buf[m]! << 24) | (buf[m + 1]! << 16) | (buf[m + 2]! << 8) | buf[m + 3]!) >>> 0
          info.soaNegativeTtl = Math.min(t, minimum)
        }
      }
    }
    pos = rdata + rdlength
  }
  info.minTtl = minAnswer ?? minAll
  return info
}

/**
 * The stored form of an upstream response: the OPT record cut off (our own is added per client)
 * and `arcount` lowered to match. Returns a fresh copy; `undefined` when OPT sits inside the
 * additional section and cannot be cut cleanly.
 */
export function stripOpt(buf: Uint8Array, info: ResponseInfo): Uint8Array | undefined {
  if (info.optInside) return undefined
  const end = info.optStart ?? buf.length
  const out = new Uint8Array(end)
  out.set(buf.subarray(0, end))
  if (info.optStart !== undefined) {
    const ar = ((out[10]! << 8) | out[11]!) - 1
    out[10] = ar >> 8
    out[11] = ar & 0xff
  }
  return out
}

/** Rewrites every TTL field in place: `ttl(original)` gives the value to write. */
export function rewriteTtls(buf: Uint8Array, offsets: readonly number[], ttl: (original: number) => number): void {
  for (const at of offsets) {
    const original = ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0
    writeU32(buf, at, ttl(original))
  }
}

/** Writes `v` as a big-endian 32-bit unsigned integer at `at`. */
export function writeU32(buf: Uint8Array, at: number, v: number): void {
  buf[at] = (v >>> 24) & 0xff
  buf[at + 1] = (v >>> 16) & 0xff
  buf[at + 2] = (v >>> 8) & 0xff
  buf[at + 3] = v & 0xff
}
