/**
 * Finding and reading the TSIG record of a message straight off the wire (RFC 8945 §4.2): it must
 * be the last additional record, of class ANY with TTL 0, and there must be only one. Bytes from
 * the network never throw here: a broken record is a `formerr` result.
 */
import { readName, skipName } from '../packet/wire.js'
import { isDnsHaError } from '../util/errors.js'
import { nameToWire } from '../packet/names.js'

/** A TSIG record as read from a message. */
export interface TsigRecord {
  /** The key name, lower case with a trailing dot. */
  keyName: string
  /** The algorithm name, lower case with a trailing dot. */
  algorithmName: string
  /** Seconds since the epoch (48 bits). */
  timeSigned: number
  /** Allowed clock skew in seconds. */
  fudge: number
  mac: Buffer
  originalId: number
  /** The TSIG error field (0, or one of {@link TSIG_ERROR}). */
  error: number
  otherData: Buffer
  /** Where the TSIG record starts: the message without it is `raw.subarray(0, offset)`. */
  offset: number
}

/** What {@link readTsig} found. */
export type TsigReadResult =
  | { status: 'none' }
  | { status: 'found'; record: TsigRecord }
  | { status: 'formerr'; reason: string }

/** RR type TSIG. */
export const TYPE_TSIG = 250
/** Class ANY, the only class a TSIG record may have. */
export const CLASS_ANY = 255

/** The TSIG error field values (RFC 8945 §4.3, IANA "TSIG/TKEY error" registry). */
export const TSIG_ERROR = {
  NOERROR: 0,
  BADSIG: 16,
  BADKEY: 17,
  BADTIME: 18,
  BADMODE: 19,
  BADNAME: 20,
  BADALG: 21,
  BADTRUNC: 22,
} as const

/** Finds the message's TSIG record and reads it. */
export function readTsig(raw: Uint8Array): TsigReadResult {
  if (raw.length < 12) return { status: 'formerr', reason: 'message shorter than a header' }
  const qdcount = (raw[4]! << 8) | raw[5]!
  const total = ((raw[6]! << 8) | raw[7]!) + ((raw[8]! << 8) | raw[9]!) + ((raw[10]! << 8) | raw[11]!)
  const arcount = (raw[10]! << 8) | raw[11]!
  if (arcount === 0) return { status: 'none' }
  try {
    let pos = 12
    for (let i = 0; i < qdcount; i++) pos = skipName(raw, pos) + 4
    for (let i = 0; i < total; i++) {
      const start = pos
      pos = skipName(raw, pos)
      if (pos + 10 > raw.length) return { status: 'formerr', reason: 'record header truncated' }
      const type = (raw[pos]! << 8) | raw[pos + 1]!
      const rdlength = (raw[pos + 8]! << 8) | raw[pos + 9]!
      const rdata = pos + 10
      if (rdata + rdlength > raw.length) return { status: 'formerr', reason: 'record data runs past the end' }
      if (type === TYPE_TSIG) {
        if (i !== total - 1) return { status: 'formerr', reason: 'TSIG is not the last record' }
        return readRecord(raw, start, pos, rdata, rdlength)
      }
      pos = rdata + rdlength
    }
    return { status: 'none' }
  } catch (error) {
    if (isDnsHaError(error, 'ERR_PACKET_MALFORMED')) return { status: 'formerr', reason: error.message }
    throw error
  }
}

function readRecord(raw: Uint8Array, start: number, typeAt: number, rdata: number, rdlength: number): TsigReadResult {
  const klass = (raw[typeAt + 2]! << 8) | raw[typeAt + 3]!
  const ttl = ((raw[typeAt + 4]! << 24) | (raw[typeAt + 5]! << 16) | (raw[typeAt + 6]! << 8) | raw[typeAt + 7]!) >>> 0
  if (klass !== CLASS_ANY) return { status: 'formerr', reason: 'TSIG class is not ANY' }
  if (ttl !== 0) return { status: 'formerr', reason: 'TSIG TTL is not 0' }
  const end = rdata + rdlength
  const keyName = readName(raw, start).name.toLowerCase()
  const algorithm = readName(raw, rdata)
  let pos = algorithm.end
  if (pos + 10 > end) return { status: 'formerr', reason: 'TSIG data truncated' }
  const timeSigned = ((raw[pos]! << 8) | raw[pos + 1]!) * 2 ** 32 + (((raw[pos + 2]! << 24) | (raw[pos + 3]! << 16) | (raw[pos + 4]! << 8) | raw[pos + 5]!) >>> 0)
  const fudge = (raw[pos + 6]! << 8) | raw[pos + 7]!
  const macSize = (raw[pos + 8]! << 8) | raw[pos + 9]!
  pos += 10
  if (pos + macSize + 6 > end) return { status: 'formerr', reason: 'TSIG MAC runs past the record' }
  const mac = Buffer.from(raw.subarray(pos, pos + macSize))
  pos += macSize
  const originalId = (raw[pos]! << 8) | raw[pos + 1]!
  const error = (raw[pos + 2]! << 8) | raw[pos + 3]!
  const otherLength = (raw[pos + 4]! << 8) | raw[pos + 5]!
  pos += 6
  if (pos + otherLength !== end) return { status: 'formerr', reason: 'TSIG data length does not add up' }
  const otherData = Buffer.from(raw.subarray(pos, end))
  return {
    status: 'found',
    record: { keyName, algorithmName: algorithm.name.toLowerCase(), timeSigned, fudge, mac, originalId, error, otherData, offset: start },
  }
}

/** The TSIG record bytes for `fields`, as it is appended to a message (names uncompressed). */
export function encodeTsigRecord(fields: {
  nameWire: Uint8Array
  algorithmWire: Uint8Array
  timeSigned: number
  fudge: number
  mac: Uint8Array
  originalId: number
  error: number
  otherData: Uint8Array
}): Buffer {
  const rdlength = fields.algorithmWire.length + 16 + fields.mac.length + fields.otherData.length
  const out = Buffer.allocUnsafe(fields.nameWire.length + 10 + rdlength)
  out.set(fields.nameWire, 0)
  let pos = out.writeUInt16BE(TYPE_TSIG, fields.nameWire.length)
  pos = out.writeUInt16BE(CLASS_ANY, pos)
  pos = out.writeUInt32BE(0, pos)
  pos = out.writeUInt16BE(rdlength, pos)
  out.set(fields.algorithmWire, pos)
  pos += fields.algorithmWire.length
  pos = writeUint48(out, fields.timeSigned, pos)
  pos = out.writeUInt16BE(fields.fudge, pos)
  pos = out.writeUInt16BE(fields.mac.length, pos)
  out.set(fields.mac, pos)
  pos += fields.mac.length
  pos = out.writeUInt16BE(fields.originalId, pos)
  pos = out.writeUInt16BE(fields.error, pos)
  pos = out.writeUInt16BE(fields.otherData.length, pos)
  out.set(fields.otherData, pos)
  return out
}

/** How many bytes {@link encodeTsigRecord} will produce, so a message can leave room for it. */
export function tsigRecordLength(nameWire: Uint8Array, algorithmWire: Uint8Array, macSize: number, otherLength = 0): number {
  return nameWire.length + 10 + algorithmWire.length + 16 + macSize + otherLength
}

/** Writes a 48-bit unsigned integer (TSIG's Time Signed) big-endian; returns the offset after it. */
export function writeUint48(buf: Buffer, value: number, at: number): number {
  buf.writeUInt16BE(Math.floor(value / 2 ** 32) & 0xffff, at)
  buf.writeUInt32BE(value >>> 0, at + 2)
  return at + 6
}

/** The record's key and algorithm names in the canonical wire form the MAC covers. */
export function recordNamesWire(record: TsigRecord): { nameWire: Buffer; algorithmWire: Buffer } {
  return {
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: readTsig already lower-cases the key name
    nameWire: nameToWire(record.keyName, { lowerCase: true }),
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: readTsig already lower-cases the algorithm name
    algorithmWire: nameToWire(record.algorithmName, { lowerCase: true }),
  }
}
