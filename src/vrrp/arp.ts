/**
 * The gratuitous ARP a new master sends for each IPv4 VIP, so switches and neighbours move the
 * address to its MAC at once instead of when their ARP cache expires: an Ethernet broadcast
 * carrying an ARP request whose sender and target protocol addresses are both the VIP (the
 * "ARP announcement" of RFC 5227 §2.3, and what keepalived sends). Pure byte work; the
 * AF_PACKET socket lives in node-host.ts.
 */
import { addressBytes } from '../util/cidr.js'

/** Ethertype of ARP. */
export const ETHERTYPE_ARP = 0x0806

/** `aa:bb:cc:dd:ee:ff` → 6 bytes; `undefined` when it is not a MAC address. */
export function parseMac(text: string): Uint8Array | undefined {
  const parts = text.split(':')
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) return undefined
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)))
}

/**
 * The 42-byte Ethernet frame of a gratuitous ARP for `vip` from `mac`: destination
 * ff:ff:ff:ff:ff:ff, ARP request (op 1), sender = target protocol address = the VIP, target
 * hardware address ff:ff:ff:ff:ff:ff, byte for byte what keepalived 2.2 sends (RFC 5227 says
 * receivers ignore that field). Throws on a bad MAC or a non-IPv4 VIP: callers pass checked values.
 */
export function gratuitousArpFrame(mac: string, vip: string): Uint8Array {
  const hw = parseMac(mac)
  const ip = addressBytes(vip)
  if (!hw) throw new Error(`not a MAC address: ${mac}`)
  if (ip?.length !== 4) throw new Error(`gratuitous ARP is for IPv4 addresses, not ${vip}`)
  const frame = new Uint8Array(42)
  frame.fill(0xff, 0, 6)
  frame.set(hw, 6)
  frame[12] = ETHERTYPE_ARP >> 8
  frame[13] = ETHERTYPE_ARP & 0xff
  frame.set([0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01], 14) // Ethernet, IPv4, hlen 6, plen 4, request
  frame.set(hw, 22)
  frame.set(ip, 28)
  frame.fill(0xff, 32, 38) // target hardware address
  frame.set(ip, 38)
  return frame
}
