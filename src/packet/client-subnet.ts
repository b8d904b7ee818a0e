/**
 * EDNS Client Subnet (RFC 7871) on the wire: read the option from a message, add it to a query
 * on its way to an upstream (as a proxy or forwarder does, so the server sees who is really
 * asking), and take back out of the answer what the proxy added, so the client gets the answer
 * it would have got without us (no OPT when it sent none, RFC 6891 §7; no ECS it did not ask for).
 */
import { addressBytes, addressText } from '../util/cidr.js'
import { DEFAULT_UDP_PAYLOAD, TYPE_OPT } from './constants.js'
import type { WireEdns } from './wire.js'
import { ednsOptions, readEdns, readHeader, readQuestion } from './wire.js'

/** The EDNS option code of Client Subnet. */
export const EDNS_CLIENT_SUBNET = 8

/** A Client Subnet option, decoded. */
export interface ClientSubnet {
  /** 1 for IPv4, 2 for IPv6 (the IANA address family numbers). */
  family: 1 | 2
  /** How many leading bits of `address` the sender vouches for. */
  sourcePrefix: number
  /** In answers: how many bits the answer depends on; 0 in queries. */
  scopePrefix: number
  /** The subnet's address, the bits past `sourcePrefix` zero (`'198.51.100.0'`, `'2001:db8::'`). */
  address: string
  /** The option's address bytes as sent (ceil(sourcePrefix / 8) of them). */
  addressBytes: Uint8Array
}

/** How much of a client's address a proxy passes on (RFC 7871 §11.1 recommends 24 and 56). */
export interface ClientSubnetOptions {
  /** Default 24. */
  ipv4Prefix?: number
  /** Default 56. */
  ipv6Prefix?: number
  /** Replace an ECS option the client sent (default false: keep it, as dnsdist does without `setECSOverride`). */
  override?: boolean
}

/** What {@link addClientSubnet} changed, for {@link removeAddedClientSubnet} to undo in the answer. */
export type ClientSubnetChange = 'none' | 'option' | 'opt'

/**
 * The Client Subnet option of a message (pass `edns` when already found), `undefined` when it
 * has none or the option is malformed (an unknown family, a prefix too long, or not exactly
 * ceil(sourcePrefix / 8) address bytes; RFC 7871 §7.1.1 says FORMERR, we ignore it, as NSD does
 * with options it does not use). Throws `ERR_PACKET_MALFORMED` only when `edns` is not given
 * and the message itself does not parse.
 */
export function decodeClientSubnet(message: Uint8Array, edns?: WireEdns): ClientSubnet | undefined {
  const opt = edns ?? findEdns(message)
  if (!opt || opt.optionsLength === 0) return undefined
  for (const { code, data } of ednsOptions(message, opt)) {
    if (code !== EDNS_CLIENT_SUBNET || data.length < 4) continue
    const family = (data[0]! << 8) | data[1]!
    const sourcePrefix = data[2]!
    const size = family === 1 ? 4 : family === 2 ? 16 : 0
    const sent = data.subarray(4)
    if (size === 0 || sourcePrefix > size * 8 || sent.length !== Math.ceil(sourcePrefix / 8)) return undefined
    const full = new Uint8Array(size)
    full.set(sent)
    return { family: family as 1 | 2, sourcePrefix, scopePrefix: data[3]!, address: addressText(full), addressBytes: Uint8Array.from(sent) }
  }
  return undefined
}

/**
 * `query` with a Client Subnet option for `client` (truncated to the configured prefix): the
 * option is added to the query's OPT record, or an OPT record is added when it has none. A
 * query that already carries ECS is left as it is unless `override`. Throws
 * `ERR_PACKET_MALFORMED` when the query does not parse.
 */
export function addClientSubnet(query: Uint8Array, client: string, options: ClientSubnetOptions = {}): { message: Uint8Array; change: ClientSubnetChange } {
  const bytes = addressBytes(client)
  if (!bytes) return { message: query, change: 'none' }
  const v4 = bytes.length === 4
  const prefix = clampPrefix(v4 ? (options.ipv4Prefix ?? 24) : (options.ipv6Prefix ?? 56), v4 ? 32 : 128)
  const option = encodeOption(v4 ? 1 : 2, prefix, bytes)
  const header = readHeader(query)
  const questionEnd = header.qdcount > 0 ? readQuestion(query).end : 12
  const edns = readEdns(query, header, questionEnd)
  if (!edns) {
    // A bare OPT record at the end: root owner, our payload size, no flags, the one option.
    const out = new Uint8Array(query.length + 11 + option.length)
    out.set(query)
    const at = query.length
    out[at + 2] = TYPE_OPT
    out[at + 3] = DEFAULT_UDP_PAYLOAD >> 8
    out[at + 4] = DEFAULT_UDP_PAYLOAD & 0xff
    out[at + 9] = option.length >> 8
    out[at + 10] = option.length & 0xff
    out.set(option, at + 11)
    writeCount(out, 10, header.arcount + 1)
    return { message: out, change: 'opt' }
  }
  const existing = optionSpan(query, edns, EDNS_CLIENT_SUBNET)
  if (existing && !options.override) return { message: query, change: 'none' }
  // Splice: the old ECS option (if any) out, ours in at the end of the OPT RDATA.
  const removeStart = existing?.start ?? edns.optionsOffset + edns.optionsLength
  const removeEnd = existing?.end ?? removeStart
  const optEnd = edns.optionsOffset + edns.optionsLength
  const parts = [query.subarray(0, removeStart), query.subarray(removeEnd, optEnd), option, query.subarray(optEnd)]
  const out = concat(parts)
  writeCount(out, edns.optionsOffset - 2, edns.optionsLength - (removeEnd - removeStart) + option.length)
  return { message: out, change: existing ? 'none' : 'option' }
}

/**
 * `answer` without what {@link addClientSubnet} added to its query: the whole OPT record when
 * the client sent none (`'opt'`), or the ECS option when the client's OPT had none (`'option'`).
 * An answer that does not parse is returned unchanged (the caller's checks reject it).
 */
export function removeAddedClientSubnet(answer: Uint8Array, change: ClientSubnetChange): Uint8Array {
  if (change === 'none') return answer
  let edns: WireEdns | undefined
  try {
    edns = findEdns(answer)
  } catch {
    return answer
  }
  if (!edns) return answer
  if (change === 'opt') {
    // The OPT record is root (1 byte) + 10 bytes of fixed fields before its RDATA.
    const start = edns.optionsOffset - 11
    const out = concat([answer.subarray(0, start), answer.subarray(edns.optionsOffset + edns.optionsLength)])
    writeCount(out, 10, ((answer[10]! << 8) | answer[11]!) - 1)
    return out
  }
  const span = optionSpan(answer, edns, EDNS_CLIENT_SUBNET)
  if (!span) return answer
  const out = concat([answer.subarray(0, span.start), answer.subarray(span.end)])
  writeCount(out, edns.optionsOffset - 2, edns.optionsLength - (span.end - span.start))
  return out
}

function findEdns(message: Uint8Array): WireEdns | undefined {
  const header = readHeader(message)
  return readEdns(message, header, header.qdcount > 0 ? readQuestion(message).end : 12)
}

/** Where option `code` sits in the OPT RDATA (its 4-byte header included). */
function optionSpan(message: Uint8Array, edns: WireEdns, code: number): { start: number; end: number } | undefined {
  let pos = edns.optionsOffset
  const end = pos + edns.optionsLength
  while (pos + 4 <= end) {
    const len = (message[pos + 2]! << 8) | message[pos + 3]!
    if (((message[pos]! << 8) | message[pos + 1]!) === code) return { start: pos, end: Math.min(end, pos + 4 + len) }
    pos += 4 + len
  }
  return undefined
}

/** The option: family, source prefix, scope 0, and only the bytes the prefix covers, the rest of the last one zeroed (RFC 7871 §6). */
function encodeOption(family: 1 | 2, prefix: number, address: Uint8Array): Uint8Array {
  const length = Math.ceil(prefix / 8)
  const out = new Uint8Array(8 + length)
  out[1] = EDNS_CLIENT_SUBNET
  out[3] = 4 + length
  out[5] = family
  out[6] = prefix
  out.set(address.subarray(0, length), 8)
  if (prefix % 8 !== 0) out[8 + length - 1]! &= 0xff << (8 - (prefix % 8))
  return out
}

function clampPrefix(prefix: number, max: number): number {
  return Math.max(0, Math.min(max, Math.floor(prefix)))
}

function writeCount(buf: Uint8Array, at: number, value: number): void {
  buf[at] = value >> 8
  buf[at + 1] = value & 0xff
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0
  for (const p of parts) length += p.length
  const out = new Uint8Array(length)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
