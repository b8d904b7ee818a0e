// writeIPv6 (the AAAA writer of the message encoders) against a hand-written table, the older
// ipv6Bytes, and Node's own address parser (net.isIP for what is an address, net.BlockList for
// which address it is).
import { BlockList, isIP } from 'node:net'
import { describe, expect, it } from 'vitest'
import dnsPacket from 'dns-packet'
import { writeIPv6 } from '../../src/packet/address-wire.js'
import { encodeMessage } from '../../src/packet/encode-message.js'
import { ipv6Bytes } from '../../src/zone/address-codecs.js'

/** The 16 bytes writeIPv6 gives, as hex, or undefined when it refuses the text. */
function written(text: string): string | undefined {
  const out = Buffer.alloc(20, 0xee)
  if (!writeIPv6(text, out, 2)) return undefined
  // Nothing outside the 16 bytes is touched.
  expect([out[0], out[1], out[18], out[19]]).toEqual([0xee, 0xee, 0xee, 0xee])
  return out.subarray(2, 18).toString('hex')
}

/** True when Node reads `text` and the eight groups of `hex` as one address. */
function nodeAgrees(text: string, hex: string): boolean {
  const list = new BlockList()
  list.addAddress(text, 'ipv6')
  return list.check(hex.match(/..../g)!.join(':'), 'ipv6')
}

describe('writeIPv6', () => {
  it.each([
    // A `::` for one zero group at the start: dns-packet 5.6 writes 0000 0002 ... 0007 (the 8 lost).
    ['::2:3:4:5:6:7:8', '00000002000300040005000600070008'],
    ['1::3:4:5:6:7:8', '00010000000300040005000600070008'],
    ['1:2:3:4:5:6::8', '00010002000300040005000600000008'],
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['1::', '00010000000000000000000000000000'],
    ['2001:DB8::1', '20010db8000000000000000000000001'],
    ['2001:db8:0:0:1:0:0:1', '20010db8000000000001000000000001'],
    ['fe80::abcd:ef01', 'fe8000000000000000000000abcdef01'],
    ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
    ['::192.0.2.1', '000000000000000000000000c0000201'],
    ['1:2:3:4:5:6:192.0.2.1', '000100020003000400050006c0000201'],
    ['64:ff9b::1.2.3.4', '0064ff9b000000000000000001020304'],
  ])('%s', (text, hex) => {
    expect(written(text)).toBe(hex)
    expect(ipv6Bytes(text).toString('hex')).toBe(hex)
    expect(nodeAgrees(text, hex)).toBe(true)
  })

  it.each(['', ':', ':::', '1', '1:2', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3', '1:2:3:4:5:6:7:8::', '::1:2:3:4:5:6:7:8', '12345::', 'g::', '1:', ':1', '1:2:3:4:5:6:7:', '::ffff:1.2.3', '::ffff:1.2.3.256', '::ffff:01.2.3.4', '1.2.3.4', '::1.2.3.4:5', '1:2:3:4:5:6:7:1.2.3.4', ' ::1', '::1 '])('refuses %j (as Node does)', (text) => {
    expect(written(text)).toBeUndefined()
    expect(isIP(text)).not.toBe(6)
  })

  it('agrees with Node on random strings of address characters: the same verdict, the same address', () => {
    let seed = 11
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff
      return (seed >>> 8) % n
    }
    const alphabet = '0123456789abcdefABCDEF::::..'
    // Mostly addresses: eight groups, a run of them maybe written as `::`, the last two maybe as a
    // dotted quad, and now and then one character changed (mostly no longer an address).
    const address = () => {
      const g = Array.from({ length: 8 }, () => (random(3) === 0 ? 0 : random(0x10000)))
      const quad = random(4) === 0 ? `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}` : undefined
      const parts = (quad ? g.slice(0, 6) : g).map((x) => x.toString(16))
      if (quad) parts.push(quad)
      let text = parts.join(':')
      if (random(2) === 0) {
        const from = random(parts.length)
        const to = from + 1 + random(parts.length - from)
        text = `${parts.slice(0, from).join(':')}::${parts.slice(to).join(':')}`
      }
      if (random(5) === 0) {
        const at = random(text.length)
        text = text.slice(0, at) + alphabet[random(alphabet.length)] + text.slice(at + 1)
      }
      return text
    }
    let valid = 0
    for (let i = 0; i < 20_000; i++) {
      const text = random(2) === 0 ? Array.from({ length: random(40) }, () => alphabet[random(alphabet.length)]).join('') : address()
      const hex = written(text)
      expect([text, hex !== undefined]).toEqual([text, isIP(text) === 6])
      if (hex !== undefined) {
        valid++
        expect([text, nodeAgrees(text, hex)]).toEqual([text, true])
      }
    }
    expect(valid).toBeGreaterThan(2000)
  })
})

describe('encodeMessage writes AAAA with writeIPv6', () => {
  it('an answer of ::2:3:4:5:6:7:8 carries its 16 bytes (dns-packet alone writes 0000 0002 ... 0007)', () => {
    const answers = ['::2:3:4:5:6:7:8', '2001:db8::1', '::ffff:192.0.2.1'].map((data) => ({ name: 'a.example.', type: 'AAAA', class: 'IN', ttl: 1, data }) as never)
    const { bytes } = encodeMessage({ id: 1, flags: 0x8400, question: { name: 'a.example.', type: 28, class: 1 }, answers, authorities: [], additionals: [] })
    const decoded = dnsPacket.decode(bytes).answers as { data: string }[]
    expect(decoded.map((a) => a.data)).toEqual(['0:2:3:4:5:6:7:8', '2001:db8::1', '::ffff:c000:201'])
    expect(bytes.includes(Buffer.from('00000002000300040005000600070008', 'hex'))).toBe(true)
  })
})
