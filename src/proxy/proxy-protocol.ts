/**
 * The PROXY protocol version 2 header (HAProxy's specification): the binary preamble a proxy
 * sends first on a connection to a member so the member learns the real client address and port.
 * Only the PROXY command over TCP is produced: AF_INET when both ends are IPv4 (IPv4-mapped IPv6
 * addresses count as IPv4), AF_INET6 otherwise, with any IPv4 end written as `::ffff:a.b.c.d`.
 */
import { addressBytes } from '../util/cidr.js'
import { DnsHaError } from '../util/errors.js'

/** One end of a proxied connection. */
export interface ProxyEndpoint {
  address: string
  port: number
}

/** The 12-byte signature every v2 header starts with. */
export const PROXY_V2_SIGNATURE: Uint8Array = Uint8Array.of(0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a)

/** Version 2 (high nibble), command PROXY (low nibble 1). */
const VERSION_PROXY = 0x21
/** Address family (high nibble: 1 INET, 2 INET6) and transport (low nibble: 1 STREAM). */
const TCP_OVER_IPV4 = 0x11
const TCP_OVER_IPV6 = 0x21

/**
 * The PROXY v2 header for a TCP connection from `source` (the client) to `destination` (the
 * address the client connected to). Throws `ERR_PROXY_ADDRESS` for an address that is not an IP
 * literal or a port outside 0–65535.
 */
export function encodeProxyV2Header(source: ProxyEndpoint, destination: ProxyEndpoint): Uint8Array {
  const src = endpointBytes(source)
  const dst = endpointBytes(destination)
  const v4 = src.length === 4 && dst.length === 4
  const srcAddr = v4 ? src : toV6(src)
  const dstAddr = v4 ? dst : toV6(dst)
  const length = srcAddr.length * 2 + 4
  const out = new Uint8Array(16 + length)
  out.set(PROXY_V2_SIGNATURE, 0)
  out[12] = VERSION_PROXY
  out[13] = v4 ? TCP_OVER_IPV4 : TCP_OVER_IPV6
  out[14] = length >> 8
  out[15] = length & 0xff
  out.set(srcAddr, 16)
  out.set(dstAddr, 16 + srcAddr.length)
  const ports = 16 + srcAddr.length * 2
  out[ports] = source.port >> 8
  out[ports + 1] = source.port & 0xff
  out[ports + 2] = destination.port >> 8
  out[ports + 3] = destination.port & 0xff
  return out
}

/** The address bytes, IPv4-mapped IPv6 folded to 4 bytes. */
function endpointBytes(end: ProxyEndpoint): Uint8Array {
  const bytes = addressBytes(end.address)
  if (!bytes) throw new DnsHaError('ERR_PROXY_ADDRESS', `PROXY header: "${end.address}" is not an IP address`)
  if (!Number.isInteger(end.port) || end.port < 0 || end.port > 65535) throw new DnsHaError('ERR_PROXY_ADDRESS', `PROXY header: port ${end.port} is out of range`)
  if (bytes.length === 16 && isV4Mapped(bytes)) return bytes.slice(12)
  return bytes
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false
  return b[10] === 0xff && b[11] === 0xff
}

function toV6(b: Uint8Array): Uint8Array {
  if (b.length === 16) return b
  const out = new Uint8Array(16)
  out[10] = 0xff
  out[11] = 0xff
  out.set(b, 12)
  return out
}
