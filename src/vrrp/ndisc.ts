/**
 * The unsolicited Neighbour Advertisement a new master sends for each IPv6 VIP (RFC 4861
 * §7.2.6), the IPv6 counterpart of the gratuitous ARP: neighbours that cached the address move
 * it to our MAC at once. Byte for byte what keepalived 2.2 builds (ndisc.c): Ethernet to
 * 33:33:00:00:00:01, IPv6 from the VIP to ff02::1 with hop limit 255 (receivers drop ND with any
 * other), ICMPv6 type 136 with the Override flag, target = the VIP, and a target link-layer
 * address option carrying our MAC. Pure byte work; the AF_PACKET socket lives in node-host.ts.
 */
import { addressBytes } from '../util/cidr.js'
import { parseMac } from './arp.js'

/** Ethertype of IPv6. */
export const ETHERTYPE_IPV6 = 0x86dd

const ICMPV6 = 58
const NEIGHBOUR_ADVERTISEMENT = 136
const FLAG_ROUTER = 0x80
const FLAG_OVERRIDE = 0x20
const OPTION_TARGET_LINK_LAYER_ADDRESS = 2
/** ff02::1, all nodes on the link. */
const ALL_NODES = Uint8Array.of(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)

/**
 * The 86-byte Ethernet frame of an unsolicited NA for `vip` from `mac`. `router` sets the R flag
 * (keepalived does when the interface forwards). Throws on a bad MAC or a non-IPv6 VIP: callers
 * pass checked values.
 */
export function unsolicitedNaFrame(mac: string, vip: string, options: { router?: boolean } = {}): Uint8Array {
  const hw = parseMac(mac)
  const target = addressBytes(vip)
  if (!hw) throw new Error(`not a MAC address: ${mac}`)
  if (target?.length !== 16) throw new Error(`a Neighbour Advertisement is for IPv6 addresses, not ${vip}`)
  const icmpLength = 4 + 4 + 16 + 8
  const frame = new Uint8Array(14 + 40 + icmpLength)
  const view = new DataView(frame.buffer)
  // Ethernet: the all-nodes group mapped to 33:33 + its last 32 bits (RFC 2464 §7).
  frame.set([0x33, 0x33, 0, 0, 0, 1], 0)
  frame.set(hw, 6)
  view.setUint16(12, ETHERTYPE_IPV6)
  // IPv6 header.
  const ip = 14
  frame[ip] = 0x60
  view.setUint16(ip + 4, icmpLength)
  frame[ip + 6] = ICMPV6
  frame[ip + 7] = 255
  frame.set(target, ip + 8)
  frame.set(ALL_NODES, ip + 24)
  // ICMPv6 Neighbour Advertisement.
  const icmp = ip + 40
  frame[icmp] = NEIGHBOUR_ADVERTISEMENT
  frame[icmp + 4] = FLAG_OVERRIDE | (options.router ? FLAG_ROUTER : 0)
  frame.set(target, icmp + 8)
  frame[icmp + 24] = OPTION_TARGET_LINK_LAYER_ADDRESS
  frame[icmp + 25] = 1 // length in units of 8 bytes
  frame.set(hw, icmp + 26)
  view.setUint16(icmp + 2, icmpv6Checksum(target, ALL_NODES, frame.subarray(icmp)))
  return frame
}

/** The ICMPv6 checksum (RFC 4443 §2.3): over the IPv6 pseudo-header and the message, its checksum field zero. */
export function icmpv6Checksum(source: Uint8Array, destination: Uint8Array, message: Uint8Array): number {
  let sum = 0
  for (const a of [source, destination]) for (let i = 0; i < 16; i += 2) sum += (a[i]! << 8) | a[i + 1]!
  sum += (message.length >>> 16) + (message.length & 0xffff) + ICMPV6
  for (let i = 0; i < message.length; i += 2) if (i !== 2) sum += (message[i]! << 8) | (message[i + 1] ?? 0)
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return ~sum & 0xffff
}
