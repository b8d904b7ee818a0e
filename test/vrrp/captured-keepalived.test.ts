// Adverts captured from a real keepalived 2.2.7 (dumpcap on the peer's veth, in the namespace
// lab of test/vrrp/namespace-capture.test.ts, which rewrites these files with
// DNSHA_WRITE_FIXTURES=1) decode with decodeVrrpPacket to the fields of the keepalived.conf that
// produced them: vrid 157, priority 150, advert_int 1, VIP 10.172.56.100 (IPv4) or fd00:dead::1
// (IPv6), auth PASS "dnsha" for v2. Each file is one IP packet (header included) in hex.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { decodeVrrpPacket, encodeVrrpPacket, type VrrpPacket } from '../../src/vrrp/packet.js'
import { splitIpPacket } from './pcap.js'

const fixture = (name: string): Uint8Array => Uint8Array.from(Buffer.from(readFileSync(new URL(`./fixtures/${name}.hex`, import.meta.url), 'utf8').trim(), 'hex'))

const cases: { name: string; source: string; destination: string; packet: VrrpPacket }[] = [
  { name: 'keepalived-v2-pass', source: '10.172.56.1', destination: '224.0.0.18', packet: { version: 2, vrid: 157, priority: 150, advertIntervalMs: 1000, addresses: ['10.172.56.100'], auth: { type: 'pass', password: 'dnsha' } } },
  { name: 'keepalived-v3-ipv4', source: '10.172.56.1', destination: '224.0.0.18', packet: { version: 3, vrid: 157, priority: 150, advertIntervalMs: 1000, addresses: ['10.172.56.100'] } },
  { name: 'keepalived-v3-ipv6', source: 'fe80::4c2b:a9ff:feb1:80cb', destination: 'ff02::12', packet: { version: 3, vrid: 157, priority: 150, advertIntervalMs: 1000, addresses: ['fd00:dead::1'] } },
]

describe('adverts captured from keepalived', () => {
  for (const c of cases) {
    it(`${c.name} decodes to keepalived.conf's fields, and we encode the very same bytes`, () => {
      const ip = splitIpPacket(fixture(c.name))!
      expect(ip).toMatchObject({ source: c.source, destination: c.destination, ttl: 255, protocol: 112 })
      expect(decodeVrrpPacket(ip.payload, ip)).toEqual({ ok: true, packet: c.packet })
      // Byte for byte: our encoder writes what keepalived wrote (checksum included).
      expect([...encodeVrrpPacket(c.packet, ip)]).toEqual([...ip.payload])
    })
  }

  it('one flipped bit in a captured advert is a checksum drop, not a wrong packet', () => {
    for (const c of cases) {
      const ip = splitIpPacket(fixture(c.name))!
      const bytes = Uint8Array.from(ip.payload)
      bytes[2]! ^= 0x01 // priority 150 -> 151
      expect(decodeVrrpPacket(bytes, ip)).toMatchObject({ ok: false, reason: 'checksum' })
    }
  })

  it('an IPv6 advert checked against the wrong source fails its pseudo-header checksum', () => {
    const ip = splitIpPacket(fixture('keepalived-v3-ipv6'))!
    expect(decodeVrrpPacket(ip.payload, { source: 'fe80::1', destination: ip.destination })).toMatchObject({ ok: false, reason: 'checksum' })
  })
})
