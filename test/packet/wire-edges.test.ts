import { describe, expect, it } from 'vitest'
import { ednsOptions, namesEqual, opcodeOf, readEdns, readFlags, readHeader, readId, readName, readQuestion, skipName, writeId } from '../../src/packet/wire.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { errorOf } from '../support/error-of.js'

const malformed = (fn: () => unknown, message: string): void => {
  const error = errorOf(fn)
  expect(isDnsHaError(error, 'ERR_PACKET_MALFORMED')).toBe(true)
  expect((error as Error).message).toBe(message)
}

const header = (qd: number, an: number, ns: number, ar: number): number[] => [0x12, 0x34, 0x01, 0x00, 0, qd, 0, an, 0, ns, 0, ar]
// a.test. A IN
const question = [1, 0x61, 4, 0x74, 0x65, 0x73, 0x74, 0, 0, 1, 0, 1]
const optRecord = (size: number, ext: number, version: number, flags: number, options: number[] = []): number[] => [
  0, 0, 41, size >> 8, size & 0xff, ext, version, flags >> 8, flags & 0xff, options.length >> 8, options.length & 0xff, ...options,
]
const aRecord = [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]

describe('header fields', () => {
  it('reads and writes the id and flags big-endian', () => {
    const buf = Uint8Array.from(header(1, 0, 0, 0))
    expect(readId(buf)).toBe(0x1234)
    expect(readFlags(Uint8Array.of(0, 0, 0x85, 0x80))).toBe(0x8580)
    writeId(buf, 0xfedc)
    expect([...buf.subarray(0, 4)]).toEqual([0xfe, 0xdc, 0x01, 0x00])
    writeId(buf, 0x100ff)
    expect([...buf.subarray(0, 2)]).toEqual([0x00, 0xff])
  })

  it('takes the opcode from bits 11-14 only', () => {
    expect(opcodeOf(0x2800)).toBe(5)
    expect(opcodeOf(0xffff)).toBe(15)
    expect(opcodeOf(0x8000 | (4 << 11) | 0x07ff)).toBe(4)
  })

  it('reads every count and refuses fewer than 12 bytes', () => {
    expect(readHeader(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12))).toEqual({ id: 0x0102, flags: 0x0304, qdcount: 0x0506, ancount: 0x0708, nscount: 0x090a, arcount: 0x0b0c })
    malformed(() => readHeader(new Uint8Array(11)), 'message shorter than a header')
  })
})

describe('readQuestion', () => {
  it('needs all four bytes of type and class', () => {
    const full = Uint8Array.from([...header(1, 0, 0, 0), ...question])
    expect(readQuestion(full)).toEqual({ name: 'a.test.', type: 1, class: 1, end: full.length })
    malformed(() => readQuestion(full.subarray(0, full.length - 1)), 'question truncated')
    const chaos = Uint8Array.from([...header(1, 0, 0, 0), 0, 0x01, 0x02, 0x00, 0x03])
    expect(readQuestion(chaos)).toEqual({ name: '.', type: 0x0102, class: 3, end: 17 })
    expect(readQuestion(Buffer.from([9, 9, ...question]), 2)).toMatchObject({ name: 'a.test.', end: 2 + question.length })
  })
})

describe('readName', () => {
  const both = (bytes: number[], offset = 0): Array<{ name: string; end: number }> => [readName(Buffer.from(bytes), offset), readName(Uint8Array.from(bytes), offset)]

  it('escapes unprintable and special bytes the same on both paths', () => {
    const special = [0x2e, 0x5c, 0x22, 0x28, 0x29, 0x3b, 0x40, 0x24]
    for (const [name] of [both([8, ...special, 0])]) expect(name!.name).toBe('\\.\\\\\\"\\(\\)\\;\\@\\$.')
    expect(both([5, 0x00, 0x20, 0x21, 0x7e, 0x7f, 0]).map((r) => r.name)).toEqual(['\\000\\032!~\\127.', '\\000\\032!~\\127.'])
    expect(both([2, 0xff, 0x41, 0])[1]).toEqual({ name: '\\255A.', end: 4 })
    expect(both([3, 0x61, 0x2d, 0x5f, 1, 0x2a, 0]).map((r) => r.name)).toEqual(['a-_.*.', 'a-_.*.'])
  })

  it('reads a 63-byte label and refuses a 64-byte one', () => {
    const label63 = [63, ...new Array<number>(63).fill(0x61), 0]
    for (const r of both(label63)) expect(r).toEqual({ name: `${'a'.repeat(63)}.`, end: 65 })
    for (const buf of [Buffer.from([64, ...new Array<number>(64).fill(0x61), 0]), Uint8Array.from([64, ...new Array<number>(64).fill(0x61), 0])]) {
      malformed(() => readName(buf, 0), 'unknown label type')
    }
  })

  it('refuses names that run past the end, on both paths', () => {
    const cases: Array<[number[], string]> = [
      [[3, 0x61, 0x62], 'label runs past the end'],
      [[1, 0x61, 1], 'label runs past the end'],
      [[1, 0x61], 'name runs past the end'],
      [[], 'name runs past the end'],
    ]
    for (const [bytes, message] of cases) {
      malformed(() => readName(Buffer.from(bytes), 0), message)
      malformed(() => readName(Uint8Array.from(bytes), 0), message)
    }
    malformed(() => readName(Buffer.from([1, 0x61, 0xc0]), 0), 'compression pointer truncated')
    malformed(() => readName(Buffer.from([0x80, 0]), 0), 'unknown label type')
  })

  it('follows pointer chains backwards only, ending just past the first pointer', () => {
    // offset 0: a.test.  offset 8: b.<ptr 0>  offset 12: c.<ptr 8>
    const bytes = [1, 0x61, 4, 0x74, 0x65, 0x73, 0x74, 0, 1, 0x62, 0xc0, 0, 1, 0x63, 0xc0, 8, 0xc0, 12]
    for (const [r] of [both(bytes, 12)]) expect(r).toEqual({ name: 'c.b.a.test.', end: 16 })
    expect(readName(Buffer.from(bytes), 16)).toEqual({ name: 'c.b.a.test.', end: 18 })
    malformed(() => readName(Buffer.from([0xc0, 0]), 0), 'forward compression pointer')
    malformed(() => readName(Buffer.from([0, 0xc0, 1]), 1), 'forward compression pointer')
    expect(readName(Buffer.from([0, 0xc0, 0]), 1)).toEqual({ name: '.', end: 3 })
    expect(both([0])).toEqual([{ name: '.', end: 1 }, { name: '.', end: 1 }])
    expect(both([7, 0], 1)).toEqual([{ name: '.', end: 2 }, { name: '.', end: 2 }])
  })

  it('counts pointed-to labels against 255 bytes', () => {
    // 4 labels of 62 bytes (252 bytes with length bytes), then a pointer to "a." (3 more: 255 with the root).
    const four = Array.from({ length: 4 }, () => [62, ...new Array<number>(62).fill(0x62)]).flat()
    const ok = [1, 0x61, 0, ...four, 0xc0, 0]
    expect(readName(Buffer.from(ok), 3).end).toBe(ok.length)
    expect(readName(Buffer.from(ok), 3).name).toBe(`${`${'b'.repeat(62)}.`.repeat(4)}a.`)
    const tooLong = [2, 0x61, 0x61, 0, ...four, 0xc0, 0]
    malformed(() => readName(Buffer.from(tooLong), 4), 'name longer than 255 bytes')
  })
})

describe('skipName', () => {
  it('steps over labels and stops after a pointer', () => {
    expect(skipName(Uint8Array.from([9, 1, 0x61, 0]), 1)).toBe(4)
    expect(skipName(Uint8Array.from([1, 0x61, 0xc0, 0]), 0)).toBe(4)
    expect(skipName(Uint8Array.from([0]), 0)).toBe(1)
    malformed(() => skipName(Uint8Array.from([1, 0x61]), 0), 'name runs past the end')
    malformed(() => skipName(Uint8Array.from([1, 0x61, 0xc0]), 0), 'compression pointer truncated')
    malformed(() => skipName(Uint8Array.from([0x40, 0]), 0), 'unknown label type')
    malformed(() => skipName(Uint8Array.from([0x80, 0]), 0), 'unknown label type')
  })
})

describe('readEdns', () => {
  const edns = (bytes: number[]) => {
    const buf = Uint8Array.from(bytes)
    const h = readHeader(buf)
    return readEdns(buf, h, readQuestion(buf).end)
  }

  it('reads the OPT fields and raises a payload under 512 to 512', () => {
    const bytes = [...header(1, 0, 0, 1), ...question, ...optRecord(511, 3, 1, 0x8001, [0, 8, 0, 0])]
    expect(edns(bytes)).toEqual({ udpPayloadSize: 512, extendedRcode: 3, version: 1, flags: 0x8001, optionsOffset: 12 + 12 + 11, optionsLength: 4, count: 1 })
    expect(edns([...header(1, 0, 0, 1), ...question, ...optRecord(513, 0, 0, 0)])!.udpPayloadSize).toBe(513)
    expect(edns([...header(1, 0, 0, 1), ...question, ...optRecord(65535, 0, 0, 0)])!.udpPayloadSize).toBe(65535)
  })

  it('finds OPT after answer, authority and other additional records, and only among the additionals', () => {
    const bytes = [...header(1, 1, 1, 2), ...question, ...aRecord, ...optRecord(4096, 0, 0, 0), ...aRecord, ...optRecord(1400, 0, 0, 0)]
    // The OPT in the authority section is not the message's OPT.
    expect(edns(bytes)).toMatchObject({ udpPayloadSize: 1400, count: 1 })
    expect(edns([...header(1, 1, 0, 0), ...question, ...optRecord(4096, 0, 0, 0)])).toBeUndefined()
    expect(edns([...header(1, 0, 0, 1), ...question, ...aRecord])).toBeUndefined()
    expect(edns([...header(1, 0, 0, 0), ...question])).toBeUndefined()
  })

  it('walks further questions and counts a second OPT', () => {
    const bytes = [...header(2, 0, 0, 2), ...question, ...question, ...optRecord(1232, 0, 0, 0), ...optRecord(4096, 0, 0, 0)]
    expect(edns(bytes)).toMatchObject({ udpPayloadSize: 1232, count: 2, optionsOffset: 12 + 24 + 11 })
  })

  it('refuses an OPT owned by another name and records that run past the end', () => {
    const owned = [...header(1, 0, 0, 1), ...question, 1, 0x61, 0, ...optRecord(1232, 0, 0, 0).slice(1)]
    malformed(() => edns(owned), 'OPT owner is not the root')
    const pointerOwner = [...header(1, 0, 0, 1), ...question, 0xc0, 12, ...optRecord(1232, 0, 0, 0).slice(1)]
    malformed(() => edns(pointerOwner), 'OPT owner is not the root')
    const short = [...header(1, 0, 0, 1), ...question, ...optRecord(1232, 0, 0, 0).slice(0, 10)]
    malformed(() => edns(short), 'record header truncated')
    const exact = [...header(1, 0, 0, 1), ...question, ...optRecord(1232, 0, 0, 0, [0, 1, 0, 0])]
    expect(edns(exact)!.optionsLength).toBe(4)
    malformed(() => edns(exact.slice(0, -1)), 'record data runs past the end')
  })
})

describe('ednsOptions', () => {
  const options = (opts: number[], length = opts.length) => {
    const bytes = Uint8Array.from([...header(1, 0, 0, 1), ...question, ...optRecord(1232, 0, 0, 0, opts)])
    const e = readEdns(bytes, readHeader(bytes), readQuestion(bytes).end)!
    return [...ednsOptions(bytes, { ...e, optionsLength: length })].map((o) => [o.code, [...o.data]])
  }

  it('yields each option, empty ones included, and stops at a truncated one', () => {
    expect(options([0, 10, 0, 2, 0xaa, 0xbb, 0x01, 0x02, 0, 0])).toEqual([[10, [0xaa, 0xbb]], [0x0102, []]])
    expect(options([0, 10, 0, 3, 0xaa, 0xbb])).toEqual([])
    expect(options([0, 10, 0, 2, 0xaa, 0xbb, 0, 12, 0])).toEqual([[10, [0xaa, 0xbb]]])
    expect(options([0, 10, 0, 2, 0xaa, 0xbb], 5)).toEqual([])
    expect(options([0, 10, 0, 0], 4)).toEqual([[10, []]])
    expect(options([0, 10, 0, 0], 3)).toEqual([])
  })
})

describe('namesEqual', () => {
  it('ignores ASCII case and nothing else', () => {
    expect(namesEqual('WWW.Example.', 'www.example.')).toBe(true)
    expect(namesEqual('a.', 'b.')).toBe(false)
    expect(namesEqual('a.', 'a..')).toBe(false)
    expect(namesEqual('', '')).toBe(true)
  })
})
