import { describe, expect, it } from 'vitest'
import { unsolicitedNaFrame } from '../../src/vrrp/ndisc.js'

const hex = (s: string): number[] => s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16))

describe('unsolicitedNaFrame', () => {
  it('is ICMPv6 type 136 from the VIP to ff02::1, hop limit 255, Override, target = VIP, our MAC as target link-layer address', () => {
    const frame = unsolicitedNaFrame('02:00:5e:10:20:30', 'fd00:dead::1')
    // Written by hand from RFC 4861 §4.4 and RFC 2464 §7; the checksum was computed separately
    // (Python, over the RFC 8200 §8.1 pseudo-header) and tshark calls it good in the namespace test.
    const expected = hex(
      '333300000001' + // destination: ff02::1 mapped to 33:33:00:00:00:01
        '02005e102030' + // source: our MAC
        '86dd' + // ethertype IPv6
        '60000000' + // version 6, traffic class 0, flow label 0
        '0020' + // payload length 32
        '3a' + // next header ICMPv6
        'ff' + // hop limit 255
        'fd00dead000000000000000000000001' + // source: the VIP
        'ff020000000000000000000000000001' + // destination: all nodes
        '88' + // type 136, Neighbour Advertisement
        '00' + // code 0
        '1f00' + // checksum
        '20000000' + // flags: Override only
        'fd00dead000000000000000000000001' + // target: the VIP
        '02' + // option: target link-layer address
        '01' + // length 1 (8 bytes)
        '02005e102030', // our MAC
    )
    expect([...frame]).toEqual(expected)
  })

  it('sets the Router flag when asked, and the checksum follows', () => {
    const frame = unsolicitedNaFrame('02:00:5e:10:20:30', 'fd00:dead::1', { router: true })
    expect(frame[14 + 40 + 4]).toBe(0xa0)
    // Computed separately: the one's-complement sum grows by 0x8000 (end-around carry), so 0x1f00 becomes 0x9eff.
    expect((frame[56]! << 8) | frame[57]!).toBe(0x9eff)
  })

  it('refuses a bad MAC or a non-IPv6 VIP', () => {
    expect(() => unsolicitedNaFrame('02:00:5e:10:20', 'fd00::1')).toThrow(/MAC/)
    expect(() => unsolicitedNaFrame('02:00:5e:10:20:30', '10.0.0.1')).toThrow(/IPv6/)
  })
})
