/**
 * Presentation-format rdata → dns-packet data (for types dns-packet models) or wire-format
 * Buffers (RFC 3597 style, for every other type this module knows the presentation of): the
 * dispatch to each type's codec, and RFC 3597 `\# length hex` for every type.
 */
import { hasPacketCodec, packetTypeName, typeMnemonic, typeNumber } from '../packet/types.js'
import { isDnsHaError } from '../util/errors.js'
import { ZoneSyntaxError } from './errors.js'
import { genericToPresentation } from './generic-rdata.js'
import { Lexer } from './lexer.js'
import { COMPOSITE_CODECS } from './rdata-codecs-composite.js'
import { PACKET_CODECS } from './rdata-codecs-packet.js'
import type { PacketCodec, ParsedRdata } from './rdata-codecs-packet.js'
import { WIRE_CODECS } from './rdata-codecs-wire.js'
import type { WireCodec } from './rdata-codecs-wire.js'
import { RdataReader } from './rdata-reader.js'
import { parseUint } from './rdata-text.js'
import { RR } from './rr-types.js'
import { parseSvcb } from './svcb.js'

export type { ParsedRdata } from './rdata-codecs-packet.js'

/** The most rdata a record can carry (RFC 1035 §3.2.1: RDLENGTH is 16 bits). */
const MAX_RDATA = 65535

/** Each type's codec by number: dns-packet's structured types, then the wire ones. */
const CODECS = new Map<number, { packet: PacketCodec } | { wire: WireCodec }>()
for (const [mnemonic, packet] of Object.entries(PACKET_CODECS)) CODECS.set(typeNumber(mnemonic) as number, { packet })
const wireCodecs: Record<string, WireCodec> = { ...WIRE_CODECS, ...COMPOSITE_CODECS, SVCB: parseSvcb, HTTPS: parseSvcb }
for (const [mnemonic, wire] of Object.entries(wireCodecs)) CODECS.set(typeNumber(mnemonic) as number, { wire })

/**
 * Parses the rdata of `typeNum` from the reader's tokens. Handles RFC 3597 `\# len hex` for
 * every type.
 */
export function parseRdata(typeNum: number, r: RdataReader): ParsedRdata {
  const lex = r.lex
  if (r.i < lex.count && lex.tokens[r.i] === '\\#' && !lex.quoted[r.i]) return parseGeneric(typeNum, r)
  const key = packetTypeName(typeNum)
  const codec = CODECS.get(typeNum)
  if (codec === undefined) {
    // NULL among them: it has no presentation form but `\#`.
    throw r.error(`no presentation format known for type ${typeMnemonic(typeNum)}: write it as RFC 3597 generic rdata (\\# length hex)`, r.i)
  }
  const at = r.i
  try {
    if ('packet' in codec) return codec.packet(r, key, typeNum)
    const data = codec.wire(r, typeNum)
    if (data.length > MAX_RDATA) throw r.error(`rdata longer than ${MAX_RDATA} bytes`, at)
    return { type: key, data }
  } catch (e) {
    // The byte writer's limit: rdata is at most 65,535 bytes (RFC 1035 §3.2.1's RDLENGTH).
    if (isDnsHaError(e, 'ERR_ENCODE')) throw r.error(`rdata longer than ${MAX_RDATA} bytes`, at)
    throw e
  }
}

/** RFC 3597 `\# length hex...`. */
function parseGeneric(typeNum: number, r: RdataReader): ParsedRdata {
  r.i++
  const lt = r.word('generic rdata length')
  const len = parseUint(lt)
  if (len === undefined || len > 65535) throw r.error(`bad generic rdata length '${lt}'`, r.i - 1)
  const at = r.i
  const data = r.hexRest('generic rdata', len === 0)
  if (data.length !== len) throw r.error(`generic rdata length ${len} does not match ${data.length} bytes of data`, at)
  // Types whose dns-packet data is structured: decode the common ones, keep the rest as Buffers
  // under the `UNKNOWN_n` spelling, which dns-packet encodes as-is.
  if (typeNum === RR.A && len === 4) return { type: 'A', data: data.readUInt32BE(0) }
  if (typeNum === RR.TXT && data.length > 0) {
    let p = 0
    while (p < data.length) p += 1 + (data[p] as number)
    if (p !== data.length) throw r.error('generic TXT rdata is not a sequence of character-strings', at)
    return { type: 'TXT', data: data.toString('latin1') }
  }
  // Other structured types: read as BIND does, through the type's own form (same data as the
  // usual presentation; malformed wire rdata is an error). NULL has no other form.
  let text: string | undefined
  try {
    text = genericToPresentation(typeNum, data)
  } catch (e) {
    throw r.error(`bad generic rdata for ${typeMnemonic(typeNum)}: ${(e as Error).message}`, at)
  }
  if (text !== undefined) {
    const sub = new Lexer(`${text}\n`, r.lex.file)
    try {
      sub.readEntry()
      const sr = new RdataReader(sub, '.')
      const parsed = parseRdata(typeNum, sr)
      sr.end()
      return parsed
    } catch (e) {
      if (!(e instanceof ZoneSyntaxError)) throw e
      throw r.error(`bad generic rdata for ${typeMnemonic(typeNum)}: ${e.reason}`, at)
    }
  }
  // dns-packet's name when it takes wire rdata for the type (SPF, LOC...), as the zone gives it.
  return { type: hasPacketCodec(typeNum) ? `UNKNOWN_${typeNum}` : packetTypeName(typeNum), data }
}
