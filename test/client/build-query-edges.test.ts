// The edges of building a client query: the accepted ranges of type, class and EDNS payload
// size, the errors a caller sees, EDNS options sent as given, and DNS 0x20 touching only the
// letters of the question name (never its type, class or anything after it).
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { buildQuery, prepareAttempt, randomizeNameCase, templateFromMessage } from '../../src/client/build-query.js'
import { readQuestion } from '../../src/packet/wire.js'
import { isDnsHaError } from '../../src/util/errors.js'
import type { Random } from '../../src/util/random.js'

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (e) {
    return e
  }
  throw new Error('expected a throw')
}

/** A Random that always draws `value` and counts its draws. */
function fixed(value: number): Random & { draws: number } {
  const r = {
    draws: 0,
    int(max: number) {
      r.draws++
      return value % max
    },
  }
  return r
}

describe('buildQuery: ranges and errors', () => {
  it('accepts TYPE65535 and CLASS65535, the largest codes', () => {
    const q = readQuestion(buildQuery('x.example.', 'TYPE65535', 'CLASS65535', { edns: false }).bytes)
    expect([q.type, q.class]).toEqual([65535, 65535])
  })

  it.each([
    ['type', () => buildQuery('x.example.', 'NOPE', 'IN'), /unknown query type "NOPE"/],
    ['type above 65535', () => buildQuery('x.example.', 'TYPE65536', 'IN'), /unknown query type "TYPE65536"/],
    ['class', () => buildQuery('x.example.', 'A', 'NOPE'), /unknown query class "NOPE"/],
    ['class above 65535', () => buildQuery('x.example.', 'A', 'CLASS65536'), /unknown query class "CLASS65536"/],
    ['empty name', () => buildQuery('', 'A', 'IN'), /query name must be a non-empty string/],
    ['non-string name', () => buildQuery(42 as never, 'A', 'IN'), /query name must be a non-empty string/],
  ])('rejects an unknown %s with ERR_CONFIG naming it', (_label, fn, message) => {
    const e = thrown(fn)
    expect(isDnsHaError(e, 'ERR_CONFIG')).toBe(true)
    expect((e as Error).message).toMatch(message)
  })

  it('a name too long for DNS is ERR_CONFIG naming it, with the wire error as cause', () => {
    const long = `${Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.')}.`
    const e = thrown(() => buildQuery(long, 'A', 'IN')) as Error & { cause?: unknown }
    expect(isDnsHaError(e, 'ERR_CONFIG')).toBe(true)
    expect(e.message).toContain('is not a valid DNS name')
    expect(e.message).toContain('aaaa')
    expect(e.cause).toBeInstanceOf(Error)
  })

  it('EDNS payload size: 512 and 65535 are accepted, 511 and 65536 are ERR_CONFIG naming the value', () => {
    for (const size of [512, 65535]) {
      const d = dnsPacket.decode(buildQuery('x.', 'A', 'IN', { edns: { udpPayloadSize: size } }).bytes)
      expect(d.additionals).toEqual([expect.objectContaining({ type: 'OPT', udpPayloadSize: size })])
    }
    for (const size of [511, 65536, 1232.5]) {
      const e = thrown(() => buildQuery('x.', 'A', 'IN', { edns: { udpPayloadSize: size } }))
      expect(isDnsHaError(e, 'ERR_CONFIG')).toBe(true)
      expect((e as Error).message).toBe(`EDNS udpPayloadSize must be an integer from 512 to 65535, got ${size}`)
    }
  })

  it('sends the EDNS options given, and none when none are given', () => {
    const cookie = Buffer.from('0102030405060708', 'hex')
    const withCookie = dnsPacket.decode(buildQuery('x.', 'A', 'IN', { edns: { options: [{ code: 10, data: cookie } as never] } }).bytes)
    const opt = withCookie.additionals![0] as unknown as { options: { code: number; data: Buffer }[] }
    expect(opt.options).toEqual([expect.objectContaining({ code: 10, data: cookie })])
    const bare = dnsPacket.decode(buildQuery('x.', 'A', 'IN', { edns: { udpPayloadSize: 1400 } }).bytes)
    expect((bare.additionals![0] as unknown as { options: unknown[] }).options).toEqual([])
  })
})

describe('templateFromMessage', () => {
  it('refuses a message whose QDCOUNT is 0 even when question-like bytes follow the header', () => {
    const message = dnsPacket.encode({ type: 'query', id: 1, questions: [{ name: 'x.example', type: 'A', class: 'IN' }] })
    message.writeUInt16BE(0, 4)
    const e = thrown(() => templateFromMessage(message))
    expect(isDnsHaError(e, 'ERR_PACKET_MALFORMED')).toBe(true)
    expect((e as Error).message).toBe('query message has no question')
  })
})

describe('randomizeNameCase (DNS 0x20)', () => {
  const LOWER_ALL = 0xffffffff // bit set: lower case
  const ALTERNATE = 0x55555555 // bits 0, 2, 4...: lower, upper, lower...

  it('sets each letter of each label from its own bit of the draw, label by label', () => {
    const t = buildQuery('abcdef.ghijkl.', 'A', 'IN', { edns: false })
    const bytes = Buffer.from(t.bytes)
    randomizeNameCase(bytes, 12, fixed(ALTERNATE))
    expect(readQuestion(bytes).name).toBe('aBcDeF.gHiJkL.')
  })

  it('changes only ASCII letters, A to Z and a to z inclusive: _ and ~ beside them stay', () => {
    const t = buildQuery('AZaz_~09-.', 'A', 'IN', { edns: false })
    const label = (random: Random) => {
      const bytes = Buffer.from(t.bytes)
      randomizeNameCase(bytes, 12, random)
      return bytes.subarray(13, 23).toString('latin1')
    }
    expect(label(fixed(LOWER_ALL)).slice(0, 9)).toBe('azaz_~09-')
    expect(label(fixed(0)).slice(0, 9)).toBe('AZAZ_~09-')
  })

  it('draws once per 32 letters of a label: a 32-letter label takes one draw, 33 take two', () => {
    for (const [len, draws] of [
      [32, 2],
      [33, 3],
    ] as const) {
      const t = buildQuery(`${'a'.repeat(len)}.bc.`, 'A', 'IN', { edns: false })
      const r = fixed(LOWER_ALL)
      randomizeNameCase(Buffer.from(t.bytes), 12, r)
      expect(r.draws).toBe(draws)
    }
  })

  it('stops at the root label: type HTTPS (0x0041, a letter byte) and what follows stay as they are', () => {
    const t = buildQuery('www.example.', 'HTTPS', 'IN', { edns: false })
    const tail = Buffer.from('ABCDEFGH')
    const bytes = Buffer.concat([t.bytes, tail])
    randomizeNameCase(bytes, 12, fixed(LOWER_ALL))
    const q = readQuestion(bytes)
    expect(q.type).toBe(65)
    expect(bytes.subarray(q.end).toString()).toBe('ABCDEFGH')
  })

  it('stops at a compression pointer: the bytes after it stay as they are', () => {
    const header = Buffer.alloc(12)
    const bytes = Buffer.concat([header, Buffer.from([3, 0x57, 0x57, 0x57, 0xc0, 0x0c]), Buffer.from('ABCDEFGH')])
    randomizeNameCase(bytes, 12, fixed(LOWER_ALL))
    expect(bytes.subarray(13, 16).toString()).toBe('www')
    expect(bytes.subarray(18).toString()).toBe('ABCDEFGH')
  })

  it('with randomizeCase a prepared attempt keeps the qtype and qclass bytes', () => {
    const t = buildQuery('www.example.', 'HTTPS', 'IN')
    const { bytes, question } = prepareAttempt(t, fixed(LOWER_ALL), true)
    expect(readQuestion(bytes)).toMatchObject({ type: 65, class: 1 })
    expect(question).toMatchObject({ type: 65, class: 1 })
  })
})
