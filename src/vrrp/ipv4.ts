/**
 * The IPv4 header of a raw VRRP socket: the kernel hands a raw IPv4 socket every received
 * datagram with its IP header, and with IP_HDRINCL we write our own (as keepalived does) so the
 * source address and the TTL of 255 are exactly what RFC 5798 asks, whatever the routing table
 * would pick. Pure byte work; the socket lives in node-host.ts.
 */
import { addressBytes } from '../util/cidr.js'

/** What a received IPv4 datagram carries for VRRP. */
export interface Ipv4Datagram {
  source: string
  destination: string
  ttl: number
  protocol: number
  /** The payload after the header (and its options), cut to the header's total length. */
  payload: Uint8Array
}

/** IP precedence "internetwork control" (0xc0), as keepalived marks its adverts. */
const TOS_INTERNETWORK_CONTROL = 0xc0

/**
 * Parses an IPv4 datagram; `undefined` when it is not one (short, not version 4, header length
 * below 20 or beyond the data, total length inconsistent). Never throws.
 */
export function parseIpv4Datagram(bytes: Uint8Array): Ipv4Datagram | undefined {
  if (bytes.length < 20 || bytes[0]! >> 4 !== 4) return undefined
  const headerLength = (bytes[0]! & 0x0f) * 4
  const total = (bytes[2]! << 8) | bytes[3]!
  if (headerLength < 20 || headerLength > bytes.length || total < headerLength || total > bytes.length) return undefined
  return {
    source: `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`,
    destination: `${bytes[16]}.${bytes[17]}.${bytes[18]}.${bytes[19]}`,
    ttl: bytes[8]!,
    protocol: bytes[9]!,
    payload: bytes.subarray(headerLength, total),
  }
}

/**
 * An IPv4 datagram around `payload`: no options, TTL `ttl` (default 255), DF clear, header
 * checksum filled in (the kernel fills it again with IP_HDRINCL; a capture shows a good one
 * either way). Throws on an address that is not IPv4: callers pass checked addresses.
 */
export function encodeIpv4Datagram(payload: Uint8Array, source: string, destination: string, protocol: number, ttl = 255, id = 0): Uint8Array {
  const src = addressBytes(source)
  const dst = addressBytes(destination)
  if (src?.length !== 4 || dst?.length !== 4) throw new Error(`not IPv4 addresses: ${source} -> ${destination}`)
  const out = new Uint8Array(20 + payload.length)
  const view = new DataView(out.buffer)
  out[0] = 0x45
  out[1] = TOS_INTERNETWORK_CONTROL
  view.setUint16(2, out.length)
  view.setUint16(4, id & 0xffff)
  out[8] = ttl
  out[9] = protocol
  out.set(src, 12)
  out.set(dst, 16)
  view.setUint16(10, ipv4HeaderChecksum(out.subarray(0, 20)))
  out.set(payload, 20)
  return out
}

/** The ones'-complement checksum of an IPv4 header (its checksum field taken as zero). */
export function ipv4HeaderChecksum(header: Uint8Array): number {
  let sum = 0
  for (let i = 0; i + 1 < header.length; i += 2) if (i !== 10) sum += (header[i]! << 8) | header[i + 1]!
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return ~sum & 0xffff
}
