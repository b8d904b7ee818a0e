/**
 * The bytes a stub client sends: a query message built from a question (or taken as given), and
 * the per-attempt touches — a fresh id and, for DNS 0x20, a fresh mix of upper and lower case in
 * the qname. Pure functions over buffers; {@link query} does the I/O.
 */
import dnsPacket from 'dns-packet'
import type { PacketOpt } from 'dns-packet'
import { classCode, DEFAULT_UDP_PAYLOAD, FLAG, typeCode } from '../packet/constants.js'
import type { WireQuestion } from '../packet/wire.js'
import { readHeader, readQuestion, writeId } from '../packet/wire.js'
import { DnsHaError } from '../util/errors.js'
import type { Random } from '../util/random.js'

/** How a built query speaks EDNS (RFC 6891); `false` sends no OPT record. */
export type QueryEdns = boolean | { udpPayloadSize?: number; do?: boolean; options?: PacketOpt[] }

/** What {@link buildQuery} needs besides the question. */
export interface BuildQueryOptions {
  /** Default: EDNS on with a 1232-byte payload (DNS Flag Day 2020). */
  edns?: QueryEdns
  /** RD flag (default true). */
  recursionDesired?: boolean
}

/** A query message ready to be sent, with its question as read back from the bytes. */
export interface QueryTemplate {
  /** The message; its id is 0 until an attempt writes a fresh one. */
  bytes: Buffer
  /** The question as it sits on the wire (the name keeps its case). */
  question: WireQuestion
}

/** The default EDNS UDP payload size we advertise: packet's `DEFAULT_UDP_PAYLOAD` (1232), under the client's older name. */
export const DEFAULT_UDP_PAYLOAD_SIZE = DEFAULT_UDP_PAYLOAD

/**
 * Encodes a one-question query. Type and class may be names (`'A'`, `'TYPE65280'`, `'CH'`).
 * Throws `ERR_CONFIG` for an unknown type or class or a name that does not encode.
 */
export function buildQuery(name: string, type: string, klass: string, options: BuildQueryOptions = {}): QueryTemplate {
  const qtype = typeCode(type)
  if (qtype === undefined || qtype > 0xffff) throw new DnsHaError('ERR_CONFIG', `unknown query type ${JSON.stringify(type)}`)
  const qclass = classCode(klass)
  if (qclass === undefined || qclass > 0xffff) throw new DnsHaError('ERR_CONFIG', `unknown query class ${JSON.stringify(klass)}`)
  if (typeof name !== 'string' || name.length === 0) throw new DnsHaError('ERR_CONFIG', 'query name must be a non-empty string')
  const edns = options.edns ?? true
  const additionals = []
  if (edns !== false) {
    const settings = edns === true ? {} : edns
    const size = settings.udpPayloadSize ?? DEFAULT_UDP_PAYLOAD_SIZE
    if (!Number.isInteger(size) || size < 512 || size > 65535) {
      throw new DnsHaError('ERR_CONFIG', `EDNS udpPayloadSize must be an integer from 512 to 65535, got ${size}`)
    }
    additionals.push({
      name: '.',
      type: 'OPT',
      udpPayloadSize: size,
      extendedRcode: 0,
      ednsVersion: 0,
      flags: settings.do ? dnsPacket.DNSSEC_OK : 0,
      options: settings.options ?? [],
    })
  }
  let bytes: Buffer
  try {
    // Encoded as type A / class IN, then patched: dns-packet does not know every TYPEnnn/CLASSnnn.
    bytes = dnsPacket.encode({
      type: 'query',
      id: 0,
      flags: options.recursionDesired === false ? 0 : FLAG.RD,
      questions: [{ name, type: 'A', class: 'IN' }],
      additionals: additionals as never,
    })
  } catch (cause) {
    throw new DnsHaError('ERR_CONFIG', `cannot encode a query for ${JSON.stringify(name)}`, { cause })
  }
  let question: WireQuestion
  try {
    question = readQuestion(bytes)
  } catch (cause) {
    // dns-packet does not check label or name length; our wire reader does.
    throw new DnsHaError('ERR_CONFIG', `query name ${JSON.stringify(name)} is not a valid DNS name`, { cause })
  }
  bytes.writeUInt16BE(qtype, question.end - 4)
  bytes.writeUInt16BE(qclass, question.end - 2)
  return { bytes, question: { ...question, type: qtype, class: qclass } }
}

/**
 * Takes a complete query message as given (a relayed client query). Throws
 * `ERR_PACKET_MALFORMED` when its header or first question cannot be read, since the answer
 * could then not be matched.
 */
export function templateFromMessage(message: Uint8Array): QueryTemplate {
  const bytes = Buffer.from(message)
  const header = readHeader(bytes)
  if (header.qdcount < 1) throw new DnsHaError('ERR_PACKET_MALFORMED', 'query message has no question')
  return { bytes, question: readQuestion(bytes) }
}

/**
 * A copy of `template` for one attempt: a fresh random id and, when `randomizeCase` is set, the
 * qname's ASCII letters in a fresh random case (DNS 0x20). Returns the bytes and the question as
 * now written, which the answer must echo.
 */
export function prepareAttempt(template: QueryTemplate, random: Random, randomizeCase: boolean): { bytes: Buffer; id: number; question: WireQuestion } {
  const bytes = Buffer.from(template.bytes)
  const id = random.int(0x10000)
  writeId(bytes, id)
  if (!randomizeCase) return { bytes, id, question: template.question }
  randomizeNameCase(bytes, 12, random)
  return { bytes, id, question: readQuestion(bytes) }
}

/**
 * Flips the case of each ASCII letter of the (uncompressed) name at `offset` at random, in
 * place. Stops at a compression pointer, which a question name at offset 12 never needs.
 */
export function randomizeNameCase(buf: Buffer, offset: number, random: Random): void {
  let pos = offset
  // Stryker disable next-line EqualityOperator: at pos === length the read is undefined, `end` NaN, and the loop ends unchanged
  while (pos < buf.length) {
    const len = buf[pos]!
    if (len === 0 || (len & 0xc0) !== 0) return
    const end = Math.min(buf.length, pos + 1 + len)
    for (let i = pos + 1; i < end; i += 32) {
      // One 32-bit draw decides up to 32 letters.
      const bits = random.int(0x1_0000_0000)
      // Stryker disable next-line EqualityOperator,LogicalOperator: letters past bit 31 are set again by the next draw; length bytes are never letters
      for (let j = 0; j < 32 && i + j < end; j++) {
        const c = buf[i + j]!
        const isLetter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
        if (isLetter) buf[i + j] = (bits >>> j) & 1 ? c | 0x20 : c & ~0x20
      }
    }
    pos = end
  }
}
