/**
 * {@link readWireRdata}: one record's rdata read off a DNS message straight into the zone's
 * compact form (the form the parser stores, see `addParsedRecord`): A as a 32-bit number, TXT as
 * its wire rdata in a latin1 string, names absolute with their case kept, repeated names and
 * strings shared. A zone transfer builds its zone from these without a dns-packet object per
 * record; the types that are rare in bulk go through dns-packet's codec for the one record.
 */
import dnsPacket from 'dns-packet'
import { latin1Text } from '../packet/latin1.js'
import { readName } from '../packet/wire.js'
import { DnsHaError } from '../util/errors.js'
import { share } from './kept-strings.js'
import { RR } from './rr-types.js'

/**
 * The compact rdata of the record whose rdata is `message[offset, offset + length)`, of type
 * `type`; `recordStart` is where the record (its owner name) begins, for the types read through
 * dns-packet. Throws `ERR_PACKET_MALFORMED` when the rdata is not well formed for its type.
 */
export function readWireRdata(message: Buffer, recordStart: number, type: number, offset: number, length: number): unknown {
  const end = offset + length
  switch (type) {
    case RR.A:
      if (length !== 4) throw malformed(`A rdata of ${length} bytes`)
      return message.readUInt32BE(offset)
    case RR.AAAA:
      if (length !== 16) throw malformed(`AAAA rdata of ${length} bytes`)
      return ipv6Text(message, offset)
    case RR.NS:
    case RR.CNAME:
    case RR.PTR:
    case RR.DNAME:
      return nameFilling(message, offset, end)
    case RR.MX: {
      if (length < 3) throw malformed('MX rdata truncated')
      return { preference: message.readUInt16BE(offset), exchange: nameFilling(message, offset + 2, end) }
    }
    case RR.SRV: {
      if (length < 7) throw malformed('SRV rdata truncated')
      return { priority: message.readUInt16BE(offset), weight: message.readUInt16BE(offset + 2), port: message.readUInt16BE(offset + 4), target: nameFilling(message, offset + 6, end) }
    }
    case RR.SOA: {
      const mname = readName(message, offset)
      const rname = readName(message, mname.end)
      if (rname.end + 20 !== end) throw malformed('SOA rdata length does not match its fields')
      const at = rname.end
      return {
        mname: mname.name, rname: rname.name, serial: message.readUInt32BE(at), refresh: message.readUInt32BE(at + 4),
        retry: message.readUInt32BE(at + 8), expire: message.readUInt32BE(at + 12), minimum: message.readUInt32BE(at + 16),
      }
    }
    case RR.TXT:
      if (length > 0) {
        let p = offset
        while (p < end) p += 1 + (message[p] as number)
        if (p !== end) throw malformed('TXT rdata is not a sequence of character-strings')
        return share(latin1Text(message, offset, end))
      }
  }
  return viaPacket(message, recordStart, end)
}

/** A name that must fill the rdata to its end (the rdata of NS, CNAME... and the tail of MX, SRV). */
function nameFilling(message: Buffer, offset: number, end: number): string {
  const { name, end: after } = readName(message, offset)
  if (after !== end) throw malformed('rdata length does not match its name')
  return share(name)
}

/**
 * IPv6 text as dns-packet writes it (groups in hex without leading zeros, the first run of two
 * or more zero groups as `::`), so a record from the wire equals the same record decoded before.
 */
function ipv6Text(b: Buffer, at: number): string {
  const groups = new Array<number>(8)
  let runStart = -1
  let runEnd = -1
  for (let g = 0, start = -1; g < 8; g++) {
    const v = ((b[at + 2 * g] as number) << 8) | (b[at + 2 * g + 1] as number)
    groups[g] = v
    if (runStart >= 0) continue
    if (v !== 0) start = -1
    else if (start < 0) start = g
    else if (g + 1 === 8 || (((b[at + 2 * g + 2] as number) << 8) | (b[at + 2 * g + 3] as number)) !== 0) {
      runStart = start
      runEnd = g + 1
    }
  }
  // Written as bytes and read as one flat string: concatenated pieces would be kept as a tree.
  let out = 0
  for (let g = 0; g < 8; g++) {
    if (g === runStart) {
      hex[out++] = 0x3a
      hex[out++] = 0x3a
      g = runEnd - 1
      continue
    }
    if (g !== 0 && g !== runEnd) hex[out++] = 0x3a
    const v = groups[g] as number
    for (let shift = v > 0xfff ? 12 : v > 0xff ? 8 : v > 0xf ? 4 : 0; shift >= 0; shift -= 4) hex[out++] = HEX_DIGITS[(v >> shift) & 0xf] as number
  }
  return latin1Text(hex, 0, out)
}

// Scratch for ipv6Text: 8 groups of 4 digits and 7 colons at most.
const hex = Buffer.alloc(39)
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1')

// dns-packet's single-record codec (its typings leave it out).
const answerCodec = (dnsPacket as unknown as { answer: { decode: ((buf: Buffer, offset: number) => { type: string; data?: unknown }) & { bytes: number } } }).answer

/** The rdata of a type read in bulk rarely, through dns-packet, names made absolute. */
function viaPacket(message: Buffer, recordStart: number, end: number): unknown {
  let decoded: { type: string; data?: unknown }
  try {
    decoded = answerCodec.decode(message, recordStart)
  } catch (cause) {
    throw malformed(`rdata does not decode: ${(cause as Error).message}`)
  }
  if (recordStart + answerCodec.decode.bytes !== end) throw malformed('rdata length does not match its fields')
  return absoluteNames(decoded.type, decoded.data)
}

/** The rdata fields that hold names, per dns-packet type (`''`: the rdata is the name). */
const NAME_FIELDS: Readonly<Record<string, readonly string[]>> = {
  NS: [''],
  CNAME: [''],
  PTR: [''],
  DNAME: [''],
  SOA: ['mname', 'rname'],
  MX: ['exchange'],
  SRV: ['target'],
  NAPTR: ['replacement'],
  RRSIG: ['signersName'],
  NSEC: ['nextDomain'],
  RP: ['mbox', 'txt'],
}

/**
 * dns-packet's data in the zone's shape: names absolute (dns-packet drops the trailing dot) and
 * SSHFP fingerprints in lower case, as the zone parser keeps them.
 */
export function absoluteNames(type: string, data: unknown): unknown {
  const fields = NAME_FIELDS[type]
  if (fields !== undefined) {
    if (fields[0] === '') return absolute(String(data))
    const copy = { ...(data as Record<string, unknown>) }
    for (const f of fields) if (typeof copy[f] === 'string') copy[f] = absolute(copy[f] as string)
    return copy
  }
  if (type === 'SSHFP' && typeof (data as { fingerprint?: unknown })?.fingerprint === 'string') {
    return { ...(data as object), fingerprint: (data as { fingerprint: string }).fingerprint.toLowerCase() }
  }
  return data
}

/** A name with its trailing dot. */
export function absolute(name: string): string {
  if (name === '' || name === '.') return '.'
  return name.endsWith('.') ? name : name + '.'
}

function malformed(message: string): DnsHaError {
  return new DnsHaError('ERR_PACKET_MALFORMED', message)
}
