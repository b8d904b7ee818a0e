import dnsPacket from 'dns-packet'
import type { Answer } from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { encodeMessage } from '../../src/packet/encode-message.js'
import type { MessageInit } from '../../src/packet/encode-message.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { errorOf } from '../support/error-of.js'

const message = (over: Partial<MessageInit>): MessageInit => ({
  id: 0xabcd,
  flags: 0x8180,
  question: { name: 'example.test.', type: 1, class: 1 },
  answers: [],
  authorities: [],
  additionals: [],
  ...over,
})

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('encodeMessage on the wire', () => {
  it('writes header, question and compressed RDATA byte for byte', () => {
    const { bytes } = encodeMessage(
      message({
        answers: [{ name: 'example.test.', type: 'CNAME', class: 'IN', ttl: 0x01020304, data: 'www.example.test.' } as Answer],
        authorities: [{ name: 'example.test.', type: 'NS', ttl: 1, data: 'ns.Example.TEST.' } as Answer],
      }),
    )
    const expected = [
      'abcd8180' + '0001' + '0001' + '0001' + '0000',
      '076578616d706c650474657374' + '00' + '0001' + '0001', // example.test. A IN (offset 12)
      'c00c' + '0005' + '0001' + '01020304' + '0006' + '03777777c00c', // CNAME www.<ptr 12>
      'c00c' + '0002' + '0001' + '00000001' + '0005' + '026e73c00c', // NS ns.<ptr 12>: case-insensitive suffix match
    ].join('')
    expect(hex(bytes)).toBe(expected)
  })

  it('compresses PTR targets and folds only ASCII letters when matching suffixes', () => {
    const { bytes } = encodeMessage(
      message({
        question: { name: '1.2.0.192.in-addr.arpa.', type: 12, class: 1 },
        answers: [{ name: '1.2.0.192.in-addr.arpa.', type: 'PTR', ttl: 1, data: 'host.2.0.192.IN-ADDR.ARPA.' } as Answer],
      }),
    )
    // RDATA: host.<pointer to "2.0.192.in-addr.arpa." at offset 14>
    expect(hex(bytes.subarray(bytes.length - 9))).toBe('0007' + '04686f7374' + 'c00e')
    // Latin-1 letters are bytes, not case variants (RFC 4343 folds A-Z only): the owner byte 0xE0
    // must not become a pointer to the question's 0xC0.
    const latin1 = encodeMessage(message({ question: { name: '\xc0.test.', type: 1, class: 1 }, answers: [{ name: '\xe0.test.', type: 'A', ttl: 1, data: '192.0.2.1' } as Answer] }))
    expect(hex(latin1.bytes.subarray(12))).toBe('01c004746573740000010001' + '01e0c00e' + '0001000100000001' + '0004c0000201')
  })

  it('counts OPT in ARCOUNT and writes it as RFC 6891 lays it out', () => {
    const { bytes, optRdlengthOffset } = encodeMessage(
      message({
        additionals: [{ name: 'example.test.', type: 'A', ttl: 5, data: '192.0.2.1' } as Answer],
        opt: { udpPayloadSize: 1232, extendedRcode: 1, flags: 0x8000, options: Uint8Array.of(0, 10, 0, 2, 0xaa, 0xbb) },
      }),
    )
    expect(bytes.readUInt16BE(10)).toBe(2)
    const opt = bytes.subarray(bytes.length - 17)
    expect(hex(opt)).toBe('00' + '0029' + '04d0' + '01' + '00' + '8000' + '0006' + '000a0002aabb')
    expect(optRdlengthOffset).toBe(bytes.length - 8)
    const plain = encodeMessage(message({ opt: { udpPayloadSize: 512, extendedRcode: 0, flags: 0 } }))
    expect(hex(plain.bytes.subarray(plain.bytes.length - 11))).toBe('00002902000000000000' + '00'.slice(0, 2))
    expect(plain.bytes.readUInt16BE(10)).toBe(1)
    expect(plain.optRdlengthOffset).toBe(plain.bytes.length - 2)
  })

  it('defaults class to IN, TTL to 0, and reads any type and class spelling', () => {
    const { bytes } = encodeMessage(
      message({
        answers: [
          { name: 'a.example.test.', type: 'a', data: '192.0.2.1' } as unknown as Answer,
          { name: 'b.example.test.', type: 'TXT', class: 'CH', ttl: 9, data: 'x' } as Answer,
          { name: 'c.example.test.', type: 'A', class: 'BOGUS', ttl: 9, data: '192.0.2.3' } as unknown as Answer,
        ],
      }),
    )
    const d = dnsPacket.decode(bytes)
    expect(d.answers!.map((r) => [r.name, r.type, (r as { class: string }).class, (r as { ttl: number }).ttl])).toEqual([
      ['a.example.test', 'A', 'IN', 0],
      ['b.example.test', 'TXT', 'CH', 9],
      ['c.example.test', 'A', 'IN', 9],
    ])
  })

  it('fills MX and SOA numbers it is not given with 0', () => {
    const { bytes } = encodeMessage(
      message({
        answers: [
          { name: 'example.test.', type: 'MX', ttl: 1, data: { exchange: 'mx.example.test.' } } as Answer,
          { name: 'example.test.', type: 'SOA', ttl: 1, data: { mname: 'ns.example.test.', rname: 'h.example.test.' } } as Answer,
        ],
      }),
    )
    // MX: preference 0, then mx.<ptr>; SOA: ns.<ptr> h.<ptr> and five zero numbers.
    expect(hex(bytes.subarray(30))).toBe(
      'c00c000f0001000000010007' + '0000' + '026d78c00c' + 'c00c000600010000000100' + '1d' + '026e73c00c' + '0168c00c' + '00'.repeat(20),
    )
    const soa = dnsPacket.decode(bytes).answers![1] as unknown as { data: Record<string, unknown> }
    expect(soa.data).toEqual({ mname: 'ns.example.test', rname: 'h.example.test', serial: 0, refresh: 0, retry: 0, expire: 0, minimum: 0 })
  })

  it('refuses records it cannot write, with ERR_ENCODE', () => {
    const unknown = errorOf(() => encodeMessage(message({ answers: [{ name: 'x.test.', type: 'BOGUS', data: '' } as unknown as Answer] })))
    expect(isDnsHaError(unknown, 'ERR_ENCODE')).toBe(true)
    expect((unknown as Error).message).toBe('unknown type BOGUS')
    const broken = errorOf(() => encodeMessage(message({ answers: [{ name: 'x.test.', type: 'SRV', data: null } as unknown as Answer] })))
    expect(isDnsHaError(broken, 'ERR_ENCODE')).toBe(true)
    expect((broken as Error).message).toBe('cannot encode SRV record of x.test.')
    expect((broken as Error).cause).toBeInstanceOf(Error)
  })

  it('refuses empty and over-long labels in names it compresses, and takes 63 bytes', () => {
    for (const name of ['a..test.', '.a.test.', `${'x'.repeat(64)}.test.`]) {
      const error = errorOf(() => encodeMessage(message({ answers: [{ name, type: 'A', ttl: 1, data: '192.0.2.1' } as Answer] })))
      expect(isDnsHaError(error, 'ERR_ENCODE')).toBe(true)
      expect((error as Error).message).toBe(`bad label in ${JSON.stringify(name)}`)
    }
    const ok = `${'x'.repeat(63)}.test.`
    const { bytes } = encodeMessage(message({ answers: [{ name: ok, type: 'A', ttl: 1, data: '192.0.2.1' } as Answer] }))
    expect(dnsPacket.decode(bytes).answers![0]!.name).toBe(ok.slice(0, -1))
  })

  it('encodes the root name as one zero byte', () => {
    const { bytes } = encodeMessage(message({ question: { name: '.', type: 2, class: 1 }, answers: [{ name: '.', type: 'NS', ttl: 1, data: 'a.root.' } as Answer] }))
    expect(hex(bytes.subarray(12))).toBe('00' + '0002' + '0001' + '00' + '0002' + '0001' + '00000001' + '0008' + '0161' + '04726f6f74' + '00')
  })

  it('stops at 65,535 bytes', () => {
    const big = Array.from({ length: 300 }, () => ({ name: 'example.test.', type: 'TXT', ttl: 1, data: ['x'.repeat(255)] }) as Answer)
    const error = errorOf(() => encodeMessage(message({ answers: big })))
    expect(isDnsHaError(error, 'ERR_ENCODE')).toBe(true)
  })

  it('returns its own bytes: a later encode does not overwrite an earlier answer', () => {
    const first = encodeMessage(message({ answers: [{ name: 'example.test.', type: 'A', ttl: 1, data: '192.0.2.1' } as Answer] })).bytes
    const copy = Buffer.from(first)
    encodeMessage(message({ id: 1, question: { name: 'other.test.', type: 28, class: 1 } }))
    expect(first).toEqual(copy)
  })
})

describe('compression pointers stay within 14 bits', () => {
  // TXT records pad the message so a name lands at or past offset 0x4000, where no pointer can reach.
  const padTo = (target: number, start: number): Answer[] => {
    // Each TXT record: 2 (pointer) + 10 + 1 + n bytes of RDATA; owner points at the question.
    const rrs: Answer[] = []
    const txt = (size: number): Answer => ({ name: 'example.test.', type: 'TXT', ttl: 1, data: ['p'.repeat(size - 13)] }) as Answer
    let left = target - start
    while (left > 2 * 268) {
      rrs.push(txt(268))
      left -= 268
    }
    const half = Math.floor(left / 2)
    rrs.push(txt(half), txt(left - half))
    return rrs
  }

  for (const at of [0x3fff, 0x4000, 0x4001]) {
    it(`decodes names repeated after one written at offset ${at.toString(16)}`, () => {
      const start = 12 + 14 + 4
      const answers = [
        ...padTo(at, start),
        { name: 'late.example.test.', type: 'A', ttl: 1, data: '192.0.2.1' } as Answer,
        { name: 'late.example.test.', type: 'A', ttl: 1, data: '192.0.2.2' } as Answer,
        { name: 'x.late.example.test.', type: 'CNAME', ttl: 1, data: 'late.example.test.' } as Answer,
      ]
      const { bytes } = encodeMessage(message({ answers }))
      const lateAt = bytes.indexOf(Buffer.from('\x04late', 'latin1'))
      expect(lateAt).toBe(at)
      const tail = dnsPacket.decode(bytes).answers!.slice(-3)
      expect(tail.map((r) => [r.name, (r as { data: unknown }).data])).toEqual([
        ['late.example.test', '192.0.2.1'],
        ['late.example.test', '192.0.2.2'],
        ['x.late.example.test', 'late.example.test'],
      ])
      const pointers = bytes.subarray(lateAt + 5 + 2 + 14)
      if (at < 0x4000) expect(pointers.readUInt16BE(0)).toBe(0xc000 | at)
      else expect(pointers.subarray(0, 5).toString('latin1')).toBe('\x04late')
    })
  }
})
