import { describe, expect, it } from 'vitest'
import { addressBytes, addressText, cidrContains, compileAcl, parseCidr } from '../../src/util/cidr.js'
import { isDnsHaError } from '../../src/util/errors.js'

describe('cidr', () => {
  it.each([
    ['10.0.0.0/8', '10.255.1.2', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['192.0.2.0/25', '192.0.2.127', true],
    ['192.0.2.0/25', '192.0.2.128', false],
    ['192.0.2.7', '192.0.2.7', true],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['::1', '::1', true],
    ['10.0.0.0/8', '::ffff:10.2.3.4', true],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['fe80::/10', 'fe80::1%eth0', true],
    ['0.0.0.0/32', '0.0.0.0', true],
    ['255.255.255.255/32', '255.255.255.255', true],
    ['0.0.0.0/0', '256.1.1.1', false],
    ['0.0.0.0/0', '01.2.3.4', false],
    ['0.0.0.0/0', '1.2.3', false],
    ['0.0.0.0/0', '1.2.3.4.5', false],
    ['0.0.0.0/0', '1..3.4', false],
    ['0.0.0.0/0', '1.2.3.4 ', false],
    ['0.0.0.0/0', '', false],
    ['10.0.0.0/8', '10.1.2.3%eth0', true],
  ])('%s contains %s: %s', (cidr, address, expected) => {
    expect(cidrContains(cidr, address)).toBe(expected)
  })

  it('is first-match-wins with negation, any, none and localhost', () => {
    const acl = compileAcl(['!10.1.0.0/16', '10.0.0.0/8', 'localhost'])
    expect(acl.match('10.1.2.3')).toBe(false)
    expect(acl.match('10.2.2.3')).toBe(true)
    expect(acl.match('127.0.0.1')).toBe(true)
    expect(acl.match('::1')).toBe(true)
    expect(acl.match('192.0.2.1')).toBeUndefined()
    expect(compileAcl(['any']).allows('192.0.2.1')).toBe(true)
    expect(compileAcl(['none']).allows('192.0.2.1')).toBe(false)
    expect(compileAcl('any').allows('not an address')).toBe(false)
  })

  it('parses IPv6 forms into bytes', () => {
    expect([...addressBytes('::ffff:1.2.3.4')!]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4])
    expect([...addressBytes('2001:db8::1')!].slice(0, 4)).toEqual([0x20, 0x01, 0x0d, 0xb8])
    expect(addressBytes('example.com')).toBeUndefined()
  })

  it('rejects malformed elements with ERR_CONFIG', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0/8', 'nonsense', '::1/129', '10.0.0.0/x']) {
      try {
        parseCidr(bad)
        expect.unreachable(bad)
      } catch (e) {
        expect(isDnsHaError(e, 'ERR_CONFIG')).toBe(true)
      }
    }
  })
})

describe('addressText', () => {
  it('writes dotted quads and RFC 5952 IPv6 (longest zero run as ::, a lone zero group kept)', () => {
    expect(addressText(Uint8Array.from([192, 0, 2, 1]))).toBe('192.0.2.1')
    expect(addressText(addressBytes('2001:db8:0:0:1:0:0:1')!)).toBe('2001:db8::1:0:0:1')
    expect(addressText(addressBytes('2001:db8:0:1:1:1:1:1')!)).toBe('2001:db8:0:1:1:1:1:1')
    expect(addressText(new Uint8Array(16))).toBe('::')
    expect(addressText(addressBytes('::1')!)).toBe('::1')
    expect(addressText(addressBytes('fe80::')!)).toBe('fe80::')
  })
})
