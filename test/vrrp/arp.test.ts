import { describe, expect, it } from 'vitest'
import { gratuitousArpFrame, parseMac } from '../../src/vrrp/arp.js'

const hex = (s: string): number[] => s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16))

describe('gratuitousArpFrame', () => {
  it('is an Ethernet broadcast ARP request with sender = target = the VIP, as keepalived sends it', () => {
    const frame = gratuitousArpFrame('02:00:5e:10:20:30', '10.77.1.100')
    // Written by hand from RFC 826, field by field; keepalived 2.2.7's frames (captured with
    // dumpcap on a veth) differ only in the MACs.
    const expected = hex(
      'ffffffffffff' + // destination: broadcast
        '02005e102030' + // source: our MAC
        '0806' + // ethertype ARP
        '0001' + // hardware type Ethernet
        '0800' + // protocol type IPv4
        '06' + // hardware length
        '04' + // protocol length
        '0001' + // op: request
        '02005e102030' + // sender hardware address
        '0a4d0164' + // sender protocol address 10.77.1.100
        'ffffffffffff' + // target hardware address: broadcast, as keepalived
        '0a4d0164', // target protocol address 10.77.1.100
    )
    expect([...frame]).toEqual(expected)
  })

  it('refuses a bad MAC or a non-IPv4 VIP', () => {
    expect(() => gratuitousArpFrame('02:00:5e:10:20', '10.0.0.1')).toThrow(/MAC/)
    expect(() => gratuitousArpFrame('02:00:5e:10:20:30', '2001:db8::1')).toThrow(/IPv4/)
  })
})

describe('parseMac', () => {
  it('reads six hex pairs and nothing else', () => {
    expect([...parseMac('AA:bb:0c:00:ff:01')!]).toEqual([0xaa, 0xbb, 0x0c, 0x00, 0xff, 0x01])
    expect(parseMac('aa:bb:cc:dd:ee')).toBeUndefined()
    expect(parseMac('aa:bb:cc:dd:ee:fg')).toBeUndefined()
    expect(parseMac('aa:bb:cc:dd:ee:f')).toBeUndefined()
    expect(parseMac('aa-bb-cc-dd-ee-ff')).toBeUndefined()
    expect(parseMac('aab:bb:cc:dd:ee:ff')).toBeUndefined()
    expect(parseMac('aa:bb:cc:dd:ee:ffa')).toBeUndefined()
  })
})
