// Writes classic pcap files of VRRP messages wrapped in an IP header (TTL/hop limit 255,
// protocol 112), so an independent dissector (tshark) can read what we encode.
import { addressBytes, addressText } from '../../src/util/cidr.js'

/** Linktypes of raw IP captures. */
const LINKTYPE_IPV4 = 228
const LINKTYPE_IPV6 = 229

export interface Framed {
  bytes: Uint8Array
  source: string
  destination: string
}

export function ipPacket({ bytes, source, destination }: Framed): Uint8Array {
  const src = addressBytes(source)!
  const dst = addressBytes(destination)!
  if (src.length === 4) {
    const out = new Uint8Array(20 + bytes.length)
    const view = new DataView(out.buffer)
    out[0] = 0x45
    out[1] = 0xc0
    view.setUint16(2, out.length)
    out[8] = 255
    out[9] = 112
    out.set(src, 12)
    out.set(dst, 16)
    let sum = 0
    for (let i = 0; i < 20; i += 2) sum += view.getUint16(i)
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
    view.setUint16(10, ~sum & 0xffff)
    out.set(bytes, 20)
    return out
  }
  const out = new Uint8Array(40 + bytes.length)
  const view = new DataView(out.buffer)
  out[0] = 0x60
  view.setUint16(4, bytes.length)
  out[6] = 112
  out[7] = 255
  out.set(src, 8)
  out.set(dst, 24)
  out.set(bytes, 40)
  return out
}

/** A pcap file holding `packets` (all of one IP family). */
export function pcapFile(packets: Framed[]): Uint8Array {
  const family = addressBytes(packets[0]!.source)!.length === 4 ? 4 : 6
  const frames = packets.map(ipPacket)
  const out = new Uint8Array(24 + frames.reduce((n, f) => n + 16 + f.length, 0))
  const view = new DataView(out.buffer)
  view.setUint32(0, 0xa1b2c3d4, true)
  view.setUint16(4, 2, true)
  view.setUint16(6, 4, true)
  view.setUint32(16, 65535, true)
  view.setUint32(20, family === 4 ? LINKTYPE_IPV4 : LINKTYPE_IPV6, true)
  let at = 24
  frames.forEach((f, i) => {
    view.setUint32(at, 1_700_000_000 + i, true)
    view.setUint32(at + 8, f.length, true)
    view.setUint32(at + 12, f.length, true)
    out.set(f, at + 16)
    at += 16 + f.length
  })
  return out
}

/** The frames of a classic pcap file (either byte order) and its linktype; throws on what is not one. */
export function readPcap(file: Uint8Array): { linktype: number; frames: Uint8Array[] } {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  const magic = view.getUint32(0, true)
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d
  if (!little && view.getUint32(0, false) !== 0xa1b2c3d4 && view.getUint32(0, false) !== 0xa1b23c4d) throw new Error('not a classic pcap file')
  const linktype = view.getUint32(20, little)
  const frames: Uint8Array[] = []
  for (let at = 24; at + 16 <= file.length; ) {
    const length = view.getUint32(at + 8, little)
    frames.push(file.subarray(at + 16, at + 16 + length))
    at += 16 + length
  }
  return { linktype, frames }
}

/** An IP packet (IPv4 or IPv6, no extension headers) split into what decodeVrrpPacket needs; undefined for anything else. */
export function splitIpPacket(packet: Uint8Array): { source: string; destination: string; ttl: number; protocol: number; payload: Uint8Array } | undefined {
  const version = packet[0]! >> 4
  if (version === 4) {
    const header = (packet[0]! & 0x0f) * 4
    const total = (packet[2]! << 8) | packet[3]!
    return { source: addressText(packet.subarray(12, 16)), destination: addressText(packet.subarray(16, 20)), ttl: packet[8]!, protocol: packet[9]!, payload: packet.subarray(header, total) }
  }
  if (version === 6 && packet.length >= 40) {
    const length = (packet[4]! << 8) | packet[5]!
    return { source: addressText(packet.subarray(8, 24)), destination: addressText(packet.subarray(24, 40)), ttl: packet[7]!, protocol: packet[6]!, payload: packet.subarray(40, 40 + length) }
  }
  return undefined
}
