// bogus-priv's ranges, boundary by boundary, as the dnsmasq 2.90 binary decides them (each row
// was checked against `dnsmasq --bogus-priv` with a recording upstream: true = answered NXDOMAIN
// locally, false = forwarded).
import { describe, expect, it } from 'vitest'
import { isPrivateReverse, reverseName, suffixes } from '../../src/forwarder/names.js'

const v4 = (address: string): string => reverseName(address)!

/** A reverse name from 32 hex digits, most significant first. */
const v6 = (hex: string): string => `${[...hex].reverse().join('.')}.ip6.arpa.`

describe('isPrivateReverse (dnsmasq 2.90 bogus-priv)', () => {
  it.each([
    // 0.0.0.0/8 ("this network")
    ['0.0.0.0', true],
    ['0.255.255.255', true],
    ['1.0.0.0', false],
    // 10.0.0.0/8
    ['9.255.255.255', false],
    ['10.0.0.0', true],
    ['10.255.255.255', true],
    ['11.0.0.0', false],
    // 100.64.0.0/10 (CGNAT): forwarded by 2.90
    ['100.63.255.255', false],
    ['100.64.0.0', false],
    ['100.127.255.255', false],
    ['100.128.0.0', false],
    // 127.0.0.0/8
    ['126.255.255.255', false],
    ['127.0.0.1', true],
    ['127.255.255.255', true],
    ['128.0.0.0', false],
    // 169.254.0.0/16
    ['169.253.255.255', false],
    ['169.254.0.0', true],
    ['169.254.255.255', true],
    ['169.255.0.0', false],
    // 172.16.0.0/12
    ['172.15.255.255', false],
    ['172.16.0.0', true],
    ['172.31.255.255', true],
    ['172.32.0.0', false],
    // 192.0.2.0/24 (TEST-NET-1)
    ['192.0.1.255', false],
    ['192.0.2.0', true],
    ['192.0.2.255', true],
    ['192.0.3.0', false],
    // 192.168.0.0/16
    ['192.167.255.255', false],
    ['192.168.0.0', true],
    ['192.168.255.255', true],
    ['192.169.0.0', false],
    // 198.51.100.0/24 (TEST-NET-2)
    ['198.51.99.255', false],
    ['198.51.100.0', true],
    ['198.51.100.255', true],
    ['198.51.101.0', false],
    // 203.0.113.0/24 (TEST-NET-3)
    ['203.0.112.255', false],
    ['203.0.113.0', true],
    ['203.0.113.255', true],
    ['203.0.114.0', false],
    // 255.255.255.255/32
    ['255.255.255.254', false],
    ['255.255.255.255', true],
    // not in the list
    ['224.0.0.1', false],
    ['240.0.0.1', false],
    ['198.18.0.1', false],
    ['192.0.0.1', false],
    ['8.8.8.8', false],
  ])('IPv4 %s: %s', (address, expected) => {
    expect(isPrivateReverse(v4(address))).toBe(expected)
  })

  const z = '0'.repeat(32)
  const f = 'f'.repeat(32)
  it.each([
    ['::', z, true],
    ['::1', `${z.slice(0, 31)}1`, true],
    ['::2', `${z.slice(0, 31)}2`, false],
    ['fe7f:ffff:...', `fe7f${f.slice(4)}`, false],
    ['fe80::', `fe80${z.slice(4)}`, true],
    ['febf:ffff:...', `febf${f.slice(4)}`, true],
    ['fec0::', `fec0${z.slice(4)}`, true],
    ['feff:ffff:...', `feff${f.slice(4)}`, true],
    ['ff00::', `ff00${z.slice(4)}`, false],
    ['fbff:ffff:...', `fbff${f.slice(4)}`, false],
    ['fc00:: (not fd00::/8)', `fc00${z.slice(4)}`, false],
    ['fcff:ffff:...', `fcff${f.slice(4)}`, false],
    ['fd00::', `fd00${z.slice(4)}`, true],
    ['fdff:ffff:...', `fdff${f.slice(4)}`, true],
    ['2001:db7:ffff:...', `20010db7${f.slice(8)}`, false],
    ['2001:db8::', `20010db8${z.slice(8)}`, true],
    ['2001:db8:ffff:...', `20010db8${f.slice(8)}`, true],
    ['2001:db9::', `20010db9${z.slice(8)}`, false],
    ['::ffff:10.0.0.1', '00000000000000000000ffff0a000001', true],
    ['::ffff:127.0.0.1', '00000000000000000000ffff7f000001', true],
    ['::ffff:0.0.0.1', '00000000000000000000ffff00000001', true],
    ['::ffff:100.64.0.1', '00000000000000000000ffff64400001', false],
    ['::ffff:8.8.8.8', '00000000000000000000ffff08080808', false],
    ['::10.0.0.1 (IPv4-compatible)', '0000000000000000000000000a000001', false],
    ['64:ff9b::10.0.0.1', '0064ff9b00000000000000000a000001', false],
    ['2000::', `2000${z.slice(4)}`, false],
  ])('IPv6 %s: %s', (_label, hex, expected) => {
    expect(isPrivateReverse(v6(hex))).toBe(expected)
  })

  it.each([
    // Partial names: missing octets/nibbles are zero, as dnsmasq reads them.
    ['10.in-addr.arpa.', true],
    ['1.0.10.in-addr.arpa.', true],
    ['168.192.in-addr.arpa.', true],
    ['16.172.in-addr.arpa.', true],
    ['17.172.in-addr.arpa.', true],
    ['172.in-addr.arpa.', false],
    ['64.100.in-addr.arpa.', false],
    ['254.169.in-addr.arpa.', true],
    ['169.in-addr.arpa.', false],
    ['127.in-addr.arpa.', true],
    ['0.in-addr.arpa.', true],
    ['192.in-addr.arpa.', false],
    ['0.192.in-addr.arpa.', false],
    ['2.0.192.in-addr.arpa.', true],
    ['100.51.198.in-addr.arpa.', true],
    ['51.198.in-addr.arpa.', false],
    ['255.255.255.in-addr.arpa.', false],
    // Extra labels are ignored, a non-number label makes it no reverse name at all.
    ['1.1.1.1.10.in-addr.arpa.', true],
    ['256.10.in-addr.arpa.', true],
    ['x.10.in-addr.arpa.', false],
    ['a.1.0.0.127.in-addr.arpa.', false],
    ['in-addr.arpa.', false],
    ['d.f.ip6.arpa.', true],
    ['c.f.ip6.arpa.', false],
    ['8.e.f.ip6.arpa.', true],
    ['7.e.f.ip6.arpa.', false],
    ['b.e.f.ip6.arpa.', true],
    ['e.f.ip6.arpa.', false],
    ['f.ip6.arpa.', false],
    ['0.ip6.arpa.', true],
    ['8.b.d.0.1.0.0.2.ip6.arpa.', true],
    ['b.d.0.1.0.0.2.ip6.arpa.', false],
    ['x.d.f.ip6.arpa.', false],
    ['ip6.arpa.', false],
    [`${'0.'.repeat(33)}ip6.arpa.`, true],
    // Case and a missing trailing dot do not matter; other names are never private.
    ['1.0.0.10.IN-ADDR.ARPA', true],
    ['1.0.0.127.in-addr.arpa.example.', false],
    ['www.example.com.', false],
  ])('%s: %s', (name, expected) => {
    expect(isPrivateReverse(name)).toBe(expected)
  })
})

describe('suffixes', () => {
  it('walks to the root and keeps escaped dots inside their label', () => {
    expect([...suffixes('a.b.')]).toEqual(['a.b.', 'b.', '.'])
    expect([...suffixes('a\\.b.c.')]).toEqual(['a\\.b.c.', 'c.', '.'])
    expect([...suffixes('.')]).toEqual(['.'])
  })
})
