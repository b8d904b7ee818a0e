import { describe, expect, it } from 'vitest'
import { encodeIpv4Datagram, ipv4HeaderChecksum, parseIpv4Datagram } from '../../src/vrrp/ipv4.js'

const hex = (s: string): Uint8Array => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)))

describe('parseIpv4Datagram', () => {
  it('reads source, destination, TTL, protocol and cuts the payload at the total length', () => {
    // 45 c0 0024 (36) ... ttl ff proto 70 ... 10.77.1.1 -> 224.0.0.18, 16 bytes of payload, 2 bytes of Ethernet padding after it
    const datagram = hex('45c0 0024 0001 0000 ff70 0000 0a4d0101 e0000012' + '2133 9601 0001 0000 0a4d0164 0000 0000' + 'eeee')
    const ip = parseIpv4Datagram(datagram)!
    expect(ip).toMatchObject({ source: '10.77.1.1', destination: '224.0.0.18', ttl: 255, protocol: 112 })
    expect([...ip.payload]).toEqual([...datagram.subarray(20, 36)])
  })

  it('skips IP options (IHL > 5)', () => {
    const datagram = hex('46c0 001c 0000 0000 ff70 0000 0a000001 e0000012 94040000 aabbccdd') // router alert option
    const ip = parseIpv4Datagram(datagram)!
    expect([...ip.payload]).toEqual([0xaa, 0xbb, 0xcc, 0xdd])
  })

  it('reads a header with nothing after it as an empty payload', () => {
    const bare = encodeIpv4Datagram(new Uint8Array(0), '10.0.0.1', '10.0.0.2', 112)
    expect(parseIpv4Datagram(bare)?.payload.length).toBe(0)
  })

  it('drops what is not an IPv4 datagram', () => {
    const good = encodeIpv4Datagram(new Uint8Array(8), '10.0.0.1', '10.0.0.2', 112)
    expect(parseIpv4Datagram(good.subarray(0, 19))).toBeUndefined() // short
    const v6 = good.slice()
    v6[0] = 0x65
    expect(parseIpv4Datagram(v6)).toBeUndefined()
    const ihl4 = good.slice()
    ihl4[0] = 0x44
    expect(parseIpv4Datagram(ihl4)).toBeUndefined()
    const ihlBeyond = good.slice(0, 24)
    ihlBeyond[0] = 0x47 // 28-byte header in 24 bytes
    ihlBeyond[3] = 24
    expect(parseIpv4Datagram(ihlBeyond)).toBeUndefined()
    const longTotal = good.slice()
    longTotal[3] = good.length + 1
    expect(parseIpv4Datagram(longTotal)).toBeUndefined()
    const shortTotal = good.slice()
    shortTotal[2] = 0
    shortTotal[3] = 19
    expect(parseIpv4Datagram(shortTotal)).toBeUndefined()
    expect(parseIpv4Datagram(good)).toBeDefined()
  })
})

describe('encodeIpv4Datagram', () => {
  it('writes the header keepalived writes: TOS 0xc0, TTL 255, protocol 112, a correct checksum', () => {
    const out = encodeIpv4Datagram(Uint8Array.of(1, 2, 3, 4), '10.77.1.1', '224.0.0.18', 112, 255, 0x1234)
    expect([...out]).toEqual([...hex('45c0 0018 1234 0000 ff70 ' + out[10]!.toString(16).padStart(2, '0') + out[11]!.toString(16).padStart(2, '0') + ' 0a4d0101 e0000012 01020304')])
    // The ones'-complement sum over a header with a correct checksum is 0xffff.
    let sum = 0
    for (let i = 0; i < 20; i += 2) sum += (out[i]! << 8) | out[i + 1]!
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
    expect(sum).toBe(0xffff)
  })

  it('matches a checksum computed by hand (RFC 1071 example header)', () => {
    // The classic example: 4500 0073 0000 4000 4011 [b861] c0a8 0001 c0a8 00c7
    expect(ipv4HeaderChecksum(hex('4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7'))).toBe(0xb861)
    // The checksum field itself is left out of the sum.
    expect(ipv4HeaderChecksum(hex('4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7'))).toBe(0xb861)
  })

  it('round-trips through the parser and refuses non-IPv4 addresses', () => {
    const out = encodeIpv4Datagram(Uint8Array.of(9, 8), '192.0.2.1', '192.0.2.2', 112, 64)
    expect(parseIpv4Datagram(out)).toMatchObject({ source: '192.0.2.1', destination: '192.0.2.2', ttl: 64, protocol: 112 })
    expect(() => encodeIpv4Datagram(new Uint8Array(0), '2001:db8::1', '192.0.2.2', 112)).toThrow(/not IPv4/)
  })
})
