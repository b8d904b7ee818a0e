import dnsPacket from 'dns-packet'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { typeCode, typeName } from '../../src/packet/constants.js'
import { ednsOptions, readEdns, readHeader, readName, readQuestion, skipName, uncompressedNameEnd, writeId, readId } from '../../src/packet/wire.js'
import { isDnsHaError } from '../../src/util/errors.js'

const encode = (p: Parameters<typeof dnsPacket.encode>[0]) => dnsPacket.encode({ type: 'query', id: 0x1234, ...p })

describe('wire reads', () => {
  it('reads header and question without a decode', () => {
    const buf = encode({ flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: 'WwW.Example.COM', type: 'AAAA' }] })
    const h = readHeader(buf)
    expect(h).toMatchObject({ id: 0x1234, qdcount: 1, ancount: 0, nscount: 0, arcount: 0 })
    expect(h.flags & 0x0100).toBe(0x0100)
    const q = readQuestion(buf)
    expect(q).toEqual({ name: 'WwW.Example.COM.', type: 28, class: 1, end: buf.length })
  })

  it('reads the root name and escapes special bytes in presentation form', () => {
    expect(readName(Uint8Array.of(0), 0)).toEqual({ name: '.', end: 1 })
    const raw = Uint8Array.of(3, 0x61, 0x2e, 0x00, 1, 0x5c, 0)
    expect(readName(raw, 0).name).toBe('a\\.\\000.\\\\.')
  })

  it('follows backward compression pointers and rejects forward ones and loops', () => {
    // dns-packet does not compress, so write the pointer by hand: answer owner → offset 12.
    const q = encode({ questions: [{ name: 'a.example.com', type: 'A' }] })
    const res = Buffer.concat([q, Buffer.from([0xc0, 12])])
    expect(readName(res, q.length)).toEqual({ name: 'a.example.com.', end: q.length + 2 })
    // A pointer into the middle of a name: 'example.com.' starts at offset 14.
    expect(readName(Buffer.concat([q, Buffer.from([0xc0, 14])]), q.length).name).toBe('example.com.')
    const loop = Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1])
    expect(() => readQuestion(loop)).toThrow(/forward compression pointer/)
    const forward = Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 14, 0, 1, 0, 1])
    expect(() => readQuestion(forward)).toThrow(/compression pointer/)
  })

  it('rejects names over 255 bytes and labels of reserved types', () => {
    const long = Buffer.concat([...Array.from({ length: 5 }, () => Buffer.from([63, ...Buffer.alloc(63, 0x61)])), Buffer.from([0])])
    expect(() => readName(long, 0)).toThrow(/255/)
    expect(() => readName(Uint8Array.of(0x40, 0), 0)).toThrow(/label type/)
  })

  it('finds the OPT record, its options, and counts duplicates', () => {
    const buf = encode({
      questions: [{ name: 'a.test', type: 'A' }],
      additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 4096, flags: dnsPacket.DNSSEC_OK, options: [{ code: 'CLIENT_SUBNET', ip: '192.0.2.0', sourcePrefixLength: 24 }] } as never],
    })
    const h = readHeader(buf)
    const edns = readEdns(buf, h, readQuestion(buf).end)!
    expect(edns).toMatchObject({ udpPayloadSize: 4096, version: 0, count: 1 })
    expect(edns.flags & 0x8000).toBe(0x8000)
    const options = [...ednsOptions(buf, edns)]
    expect(options.map((o) => o.code)).toEqual([8])
    const two = encode({ questions: [{ name: 'a.test', type: 'A' }], additionals: [{ name: '.', type: 'OPT' } as never, { name: '.', type: 'OPT' } as never] })
    expect(readEdns(two, readHeader(two), readQuestion(two).end)!.count).toBe(2)
    const small = encode({ questions: [{ name: 'a.test', type: 'A' }], additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 100 } as never] })
    expect(readEdns(small, readHeader(small), readQuestion(small).end)!.udpPayloadSize).toBe(512)
  })

  it('patches ids in place', () => {
    const buf = encode({ questions: [{ name: 'a.test', type: 'A' }] })
    writeId(buf, 0xbeef)
    expect(readId(buf)).toBe(0xbeef)
    expect(dnsPacket.decode(buf).id).toBe(0xbeef)
  })

  it('maps type names and codes both ways, including TYPEn', () => {
    expect(typeName(1)).toBe('A')
    expect(typeName(65280)).toBe('TYPE65280')
    expect(typeCode('aaaa')).toBe(28)
    expect(typeCode('TYPE65280')).toBe(65280)
    expect(typeCode('NOPE')).toBeUndefined()
  })

  it('never throws anything but ERR_PACKET_MALFORMED on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        const buf = Buffer.from(bytes)
        try {
          const h = readHeader(buf)
          const q = h.qdcount > 0 ? readQuestion(buf) : undefined
          readEdns(buf, h, q?.end ?? 12)
          skipName(buf, 12)
        } catch (e) {
          if (!isDnsHaError(e, 'ERR_PACKET_MALFORMED')) throw e
        }
      }),
      { numRuns: 3000 },
    )
  })

  it('reads a name the same from a Buffer (scratch fast path) and a plain Uint8Array (general reader)', () => {
    // Mostly letters (the fast path), sometimes any bytes (escapes: the general reader).
    const label = fc.tuple(fc.boolean(), fc.uint8Array({ minLength: 1, maxLength: 63 })).map(([letters, b]) => (letters ? b.map((c) => 0x61 + (c % 26)) : b))
    fc.assert(
      fc.property(fc.array(label, { minLength: 0, maxLength: 6 }), (labels) => {
        const wire = Uint8Array.from([...labels.flatMap((l) => [l.length, ...l]), 0])
        const read = (buf: Uint8Array): string => {
          try {
            return JSON.stringify(readName(buf, 0))
          } catch (error) {
            return (error as Error).message
          }
        }
        expect(read(Buffer.from(wire))).toBe(read(wire))
      }),
      { numRuns: 2000 },
    )
  })

  it('accepts a name of exactly 255 wire bytes and rejects 256 on both paths', () => {
    const name = (total: number): Buffer => {
      // Labels of 63 'a' until the remainder, then the root byte: `total` bytes in all.
      const parts: number[] = []
      let left = total - 1
      while (left > 0) {
        const len = Math.min(63, left - 1)
        parts.push(len, ...Array.from({ length: len }, () => 0x61))
        left -= len + 1
      }
      return Buffer.from([...parts, 0])
    }
    expect(readName(name(255), 0).end).toBe(255)
    expect(readName(Uint8Array.from(name(255)), 0).end).toBe(255)
    expect(() => readName(name(256), 0)).toThrow(/255/)
    expect(() => readName(Uint8Array.from(name(256)), 0)).toThrow(/255/)
  })
})

describe('uncompressedNameEnd', () => {
  const wire = (name: string): Buffer => dnsPacket.encode({ type: 'query', id: 1, questions: [{ name, type: 'A' }] })

  it('is the offset past the root label of a plain name, the root name included', () => {
    const q = wire('www.example.test')
    expect(uncompressedNameEnd(q, 12, q.length)).toBe(12 + 18)
    const root = wire('.')
    expect(uncompressedNameEnd(root, 12, root.length)).toBe(13)
  })

  it('takes a 255-byte name and refuses longer ones, pointers, bad labels and names past the limit', () => {
    const longest = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)].join('.')
    const q = wire(longest)
    expect(uncompressedNameEnd(q, 12, q.length)).toBe(12 + 255)
    // 256 bytes: 63-byte labels are legal one by one, the sum is not.
    const tooLong = Buffer.concat([q.subarray(0, 12), Buffer.from([63]), Buffer.alloc(63, 0x61), Buffer.from([63]), Buffer.alloc(63, 0x61), Buffer.from([63]), Buffer.alloc(63, 0x61), Buffer.from([62]), Buffer.alloc(62, 0x61), Buffer.from([0])])
    expect(uncompressedNameEnd(tooLong, 12, tooLong.length)).toBe(-1)
    const pointer = Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x00, 0, 1, 0, 1])
    expect(uncompressedNameEnd(pointer, 12, pointer.length)).toBe(-1)
    const badLabel = Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 1, 0, 1])
    expect(uncompressedNameEnd(badLabel, 12, badLabel.length)).toBe(-1)
    const www = wire('www.example.test')
    expect(uncompressedNameEnd(www, 12, 12 + 17)).toBe(-1)
  })
})
