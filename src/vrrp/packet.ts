/**
 * The VRRP advertisement on the wire: VRRPv3 (RFC 5798 §5, IPv4 and IPv6, checksum over the IP
 * pseudo-header) and VRRPv2 (RFC 3768, IPv4 only, checksum over the VRRP message alone, with the
 * simple-text password keepalived calls `auth_type PASS`).
 *
 * Encoding our own packet throws a `DnsHaError` (`ERR_VRRP_ENCODE`) on values the wire cannot
 * carry: that is a configuration bug. Decoding network input never throws: it answers a
 * {@link VrrpDecodeResult} the router drops and counts.
 */
import { DnsHaError } from '../util/errors.js'
import { addressBytes, addressText } from '../util/cidr.js'

/** IP protocol number of VRRP (both versions). */
export const VRRP_PROTOCOL = 112
/** The IPv4 multicast group adverts go to when no unicast peers are configured. */
export const VRRP_MULTICAST_V4 = '224.0.0.18'
/** The IPv6 multicast group adverts go to when no unicast peers are configured. */
export const VRRP_MULTICAST_V6 = 'ff02::12'

/** Authentication carried by a VRRPv2 advert (RFC 3768 §5.3.6); VRRPv3 has none. */
export type VrrpAuth =
  | { type: 'none' }
  /** Simple text password (auth type 1, keepalived `auth_type PASS`): up to 8 bytes, zero-padded. */
  | { type: 'pass'; password: string }
  /** IP Authentication Header (auth type 2, keepalived `auth_type AH`): decoded, never produced here. */
  | { type: 'ah' }

/** One VRRP advertisement, version-independent. */
export interface VrrpPacket {
  version: 2 | 3
  /** Virtual router id, 1..255. */
  vrid: number
  /** 0 (the master is stopping) .. 255 (the address owner). */
  priority: number
  /** Advertisement interval in ms: whole seconds 1..255 s for v2, centiseconds 10..40950 ms for v3. */
  advertIntervalMs: number
  /** The virtual addresses (all IPv4, or all IPv6 for v3 over IPv6). */
  addresses: string[]
  /** v2 only; absent means none. */
  auth?: VrrpAuth
}

/** The IP addresses around a packet: v3 checksums cover them (the pseudo-header). */
export interface VrrpAddressing {
  /** The sender's primary address (IP source). */
  source: string
  /** Where it goes (IP destination): the multicast group or a unicast peer. */
  destination: string
}

/** Why an incoming advert was dropped: the codec's reasons, then the router's. */
export type VrrpDropReason =
  | 'truncated'
  | 'length'
  | 'version'
  | 'type'
  | 'checksum'
  | 'family'
  | 'interval'
  | 'vrid'
  | 'auth'
  | 'ttl'
  | 'unknown-peer'
  | 'owner'

/** What {@link decodeVrrpPacket} answers: the packet, or why it must be dropped. */
export type VrrpDecodeResult = { ok: true; packet: VrrpPacket } | { ok: false; reason: VrrpDropReason; detail: string }

const HEADER = 8
const AUTH_DATA = 8
const ADVERTISEMENT = 1

/** Encodes an advertisement for the given source and destination (v3 checksums depend on them). */
export function encodeVrrpPacket(packet: VrrpPacket, addressing: VrrpAddressing): Uint8Array {
  const family = familyOf(addressing.source, 'source')
  familyOf(addressing.destination, 'destination')
  check(Number.isInteger(packet.vrid) && packet.vrid >= 1 && packet.vrid <= 255, `vrid ${packet.vrid} is outside 1..255`)
  check(Number.isInteger(packet.priority) && packet.priority >= 0 && packet.priority <= 255, `priority ${packet.priority} is outside 0..255`)
  check(packet.addresses.length <= 255, `${packet.addresses.length} addresses: at most 255 fit`)
  const addresses = packet.addresses.map((a) => {
    const bytes = addressBytes(a)
    check(bytes !== undefined && bytes.length === (family === 4 ? 4 : 16), `address ${a} is not an IPv${family} address like the source ${addressing.source}`)
    return bytes!
  })
  const size = family === 4 ? 4 : 16
  if (packet.version === 2) {
    check(family === 4, 'VRRPv2 is IPv4 only (RFC 3768)')
    const seconds = packet.advertIntervalMs / 1000
    check(Number.isInteger(seconds) && seconds >= 1 && seconds <= 255, `VRRPv2 carries the interval in whole seconds 1..255, not ${packet.advertIntervalMs} ms`)
    const out = new Uint8Array(HEADER + addresses.length * size + AUTH_DATA)
    out[0] = 0x20 | ADVERTISEMENT
    out[1] = packet.vrid
    out[2] = packet.priority
    out[3] = addresses.length
    const auth = packet.auth ?? { type: 'none' }
    check(auth.type !== 'ah', 'AH authentication is decoded but not produced')
    out[4] = auth.type === 'pass' ? 1 : 0
    out[5] = seconds
    addresses.forEach((a, i) => out.set(a, HEADER + i * size))
    if (auth.type === 'pass') out.set(passwordBytes(auth.password), HEADER + addresses.length * size)
    writeChecksum(out, checksum(out, 0))
    return out
  }
  check(packet.version === 3, `unknown VRRP version ${String(packet.version)}`)
  check(packet.auth === undefined || packet.auth.type === 'none', 'VRRPv3 has no authentication (RFC 5798 §9)')
  const centis = packet.advertIntervalMs / 10
  check(Number.isInteger(centis) && centis >= 1 && centis <= 0xfff, `VRRPv3 carries the interval in centiseconds 1..4095 (10..40950 ms), not ${packet.advertIntervalMs} ms`)
  const out = new Uint8Array(HEADER + addresses.length * size)
  out[0] = 0x30 | ADVERTISEMENT
  out[1] = packet.vrid
  out[2] = packet.priority
  out[3] = addresses.length
  out[4] = centis >> 8
  out[5] = centis & 0xff
  addresses.forEach((a, i) => out.set(a, HEADER + i * size))
  writeChecksum(out, checksum(out, pseudoHeaderSum(addressing, out.length)))
  return out
}

/** Decodes an advertisement; malformed, wrong-version or bad-checksum input answers `{ ok: false }`, never throws. */
export function decodeVrrpPacket(bytes: Uint8Array, addressing: VrrpAddressing): VrrpDecodeResult {
  const source = addressBytes(addressing.source)
  const destination = addressBytes(addressing.destination)
  if (!source || !destination) return drop('family', `source ${addressing.source} or destination ${addressing.destination} is not an IP address`)
  if (source.length !== destination.length) return drop('family', `source ${addressing.source} and destination ${addressing.destination} are of different families`)
  if (bytes.length < HEADER) return drop('truncated', `${bytes.length} bytes, a VRRP header is ${HEADER}`)
  const version = bytes[0]! >> 4
  const type = bytes[0]! & 0x0f
  if (version !== 2 && version !== 3) return drop('version', `version ${version}, expected 2 or 3`)
  if (type !== ADVERTISEMENT) return drop('type', `type ${type}, only 1 (advertisement) exists`)
  const size = source.length
  const count = bytes[3]!
  if (version === 2) {
    if (size !== 4) return drop('family', 'VRRPv2 over IPv6')
    const expected = HEADER + count * 4 + AUTH_DATA
    if (bytes.length < expected) return drop('truncated', `${bytes.length} bytes, ${count} addresses and the auth data need ${expected}`)
    if (checksum(bytes.subarray(0, expected), 0) !== 0) return drop('checksum', 'VRRPv2 checksum does not verify')
    const authType = bytes[4]!
    const seconds = bytes[5]!
    if (seconds === 0) return drop('interval', 'advertisement interval 0')
    const authData = bytes.subarray(HEADER + count * 4, expected)
    const auth: VrrpAuth = authType === 1 ? { type: 'pass', password: passwordText(authData) } : authType === 2 ? { type: 'ah' } : { type: 'none' }
    if (authType > 2) return drop('auth', `auth type ${authType} is not 0, 1 or 2`)
    return { ok: true, packet: { version: 2, vrid: bytes[1]!, priority: bytes[2]!, advertIntervalMs: seconds * 1000, addresses: readAddresses(bytes, count, 4), auth } }
  }
  const expected = HEADER + count * size
  if (bytes.length < expected) return drop('truncated', `${bytes.length} bytes, ${count} IPv${size === 4 ? 4 : 6} addresses need ${expected}`)
  if (bytes.length > expected) return drop('length', `${bytes.length} bytes, ${count} addresses make ${expected}`)
  if (checksum(bytes, pseudoHeaderSum(addressing, bytes.length)) !== 0) return drop('checksum', 'VRRPv3 checksum (with the IP pseudo-header) does not verify')
  const centis = ((bytes[4]! & 0x0f) << 8) | bytes[5]!
  if (centis === 0) return drop('interval', 'advertisement interval 0')
  return { ok: true, packet: { version: 3, vrid: bytes[1]!, priority: bytes[2]!, advertIntervalMs: centis * 10, addresses: readAddresses(bytes, count, size) } }
}

/** The one's-complement checksum (RFC 1071) of `bytes`, starting from a partial `sum`. */
function checksum(bytes: Uint8Array, sum: number): number {
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!
  if (bytes.length % 2 === 1) sum += bytes[bytes.length - 1]! << 8
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return ~sum & 0xffff
}

/** The unfolded sum of the IPv4 (RFC 791) or IPv6 (RFC 8200 §8.1) pseudo-header for protocol 112. */
function pseudoHeaderSum(addressing: VrrpAddressing, length: number): number {
  const source = addressBytes(addressing.source)!
  const destination = addressBytes(addressing.destination)!
  let sum = 0
  for (const a of [source, destination]) for (let i = 0; i < a.length; i += 2) sum += (a[i]! << 8) | a[i + 1]!
  // IPv4: zero, protocol, 16-bit length; IPv6: 32-bit length, 24 zero bits, next header. Same sum either way for lengths < 65536.
  return sum + VRRP_PROTOCOL + length
}

function writeChecksum(out: Uint8Array, value: number): void {
  out[6] = value >> 8
  out[7] = value & 0xff
}

function readAddresses(bytes: Uint8Array, count: number, size: number): string[] {
  const out: string[] = []
  for (let i = 0; i < count; i++) out.push(addressText(bytes.subarray(HEADER + i * size, HEADER + (i + 1) * size)))
  return out
}

/** keepalived copies at most 8 bytes and zero-pads; we refuse a longer password instead of cutting it. */
function passwordBytes(password: string): Uint8Array {
  const bytes = new TextEncoder().encode(password)
  check(bytes.length >= 1 && bytes.length <= AUTH_DATA, `a PASS password is 1..8 bytes, ${JSON.stringify(password)} is ${bytes.length}`)
  const out = new Uint8Array(AUTH_DATA)
  out.set(bytes)
  return out
}

function passwordText(data: Uint8Array): string {
  const end = data.indexOf(0)
  return new TextDecoder().decode(end < 0 ? data : data.subarray(0, end))
}

function familyOf(address: string, what: string): 4 | 6 {
  const bytes = addressBytes(address)
  check(bytes !== undefined, `${what} ${JSON.stringify(address)} is not an IP address`)
  return bytes!.length === 4 ? 4 : 6
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new DnsHaError('ERR_VRRP_ENCODE', message)
}

function drop(reason: VrrpDropReason, detail: string): VrrpDecodeResult {
  return { ok: false, reason, detail }
}
