// What goes on the wire for a handler's answer: what the server fills in, how it echoes or strips
// EDNS (RFC 6891), the minimal error answers, and the truncated form of a UDP answer.
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { encodeResponse, headerOnlyResponse, truncateResponse } from '../../src/server/encode-response.js'
import { DnsQuery } from '../../src/server/query.js'
import { opt } from './helpers.js'

const policy = { maxUdpSize: 1400 }
const RD = 0x0100
const CD = 0x0010
const AA = 0x0400
const TC = 0x0200
const QR = 0x8000

const query = (extra: Record<string, unknown> = {}) =>
  DnsQuery.from({ id: 4321, flags: RD | CD, questions: [{ name: 'WwW.example.test', type: 'AAAA' }], ...extra } as never)
const decode = (bytes: Uint8Array) => dnsPacket.decode(Buffer.from(bytes)) as dnsPacket.DecodedPacket & { rcode: string; flags: number }
const optOf = (p: dnsPacket.DecodedPacket) => p.additionals?.find((a) => a.type === 'OPT') as
  | { udpPayloadSize: number; extendedRcode: number; ednsVersion: number; flags: number; options: unknown[] }
  | undefined

describe('encodeResponse: what the server fills in', () => {
  it('copies the id, the question as asked, RD and CD when the handler sets neither flags nor question', () => {
    const p = decode(encodeResponse(query(), { type: 'response', answers: [] }, policy))
    expect(p.id).toBe(4321)
    expect(p.type).toBe('response')
    expect(p.questions).toEqual([{ name: 'WwW.example.test', type: 'AAAA', class: 'IN' }])
    expect(p.flags & RD).toBe(RD)
    expect(p.flags & CD).toBe(CD)
    expect(p.flags & AA).toBe(0)
    expect(p.rcode).toBe('NOERROR')
    expect(p.answers).toEqual([])
    expect(p.authorities).toEqual([])
  })

  it("keeps the handler's flags, rcode, question and sections", () => {
    const packet = {
      type: 'response' as const,
      flags: AA | 3,
      questions: [{ name: 'other.test', type: 'A' as const, class: 'IN' as const }],
      answers: [{ name: 'other.test', type: 'A' as const, ttl: 60, data: '192.0.2.1' }],
      authorities: [{ name: 'test', type: 'NS' as const, ttl: 60, data: 'ns.test' }],
    }
    const p = decode(encodeResponse(query(), packet, policy))
    expect(p.flags & AA).toBe(AA)
    expect(p.flags & RD).toBe(0)
    expect(p.rcode).toBe('NXDOMAIN')
    expect(p.questions?.[0]?.name).toBe('other.test')
    expect(p.answers?.map((a) => (a as { data: string }).data)).toEqual(['192.0.2.1'])
    expect(p.authorities?.map((a) => (a as { data: string }).data)).toEqual(['ns.test'])
  })

  it('a numeric rcode wins over the low bits of flags', () => {
    const p = decode(encodeResponse(query(), { type: 'response', flags: AA | 3, rcode: 5 } as never, policy))
    expect(p.rcode).toBe('REFUSED')
    expect(p.flags & AA).toBe(AA)
  })

  it('answers an EDNS query with our OPT: our payload size, version 0, no options, DO echoed', () => {
    const plain = decode(encodeResponse(query({ additionals: [opt(4096)] }), { type: 'response' }, policy))
    expect(optOf(plain)).toMatchObject({ udpPayloadSize: 1400, extendedRcode: 0, ednsVersion: 0, flags: 0 })
    expect(optOf(plain)!.options).toEqual([])
    const withDo = decode(encodeResponse(query({ additionals: [opt(4096, { flags: 0x8000 })] }), { type: 'response' }, policy))
    expect(optOf(withDo)!.flags).toBe(0x8000)
    expect(withDo.additionals).toHaveLength(1)
  })

  it("keeps the handler's own OPT for an EDNS query, alongside its other additionals", () => {
    const packet = {
      type: 'response' as const,
      additionals: [{ name: 'ns.test', type: 'A' as const, ttl: 60, data: '192.0.2.53' }, opt(999)],
    }
    const p = decode(encodeResponse(query({ additionals: [opt(4096)] }), packet, policy))
    expect(p.additionals?.map((a) => a.type)).toEqual(['A', 'OPT'])
    expect(optOf(p)!.udpPayloadSize).toBe(999)
  })

  it('an extended rcode (BADVERS, 16) travels in our OPT, replacing the handler\'s', () => {
    const packet = { type: 'response' as const, rcode: 16, additionals: [{ name: 'ns.test', type: 'A' as const, ttl: 60, data: '192.0.2.53' }, opt(999)] }
    const bytes = encodeResponse(query({ additionals: [opt(4096)] }), packet as never, policy)
    const p = decode(bytes)
    expect(p.flags & 0xf).toBe(0)
    const ours = optOf(p)!
    expect(ours.extendedRcode).toBe(1)
    expect(ours.udpPayloadSize).toBe(1400)
    expect(p.additionals?.filter((a) => a.type === 'OPT')).toHaveLength(1)
    expect(p.additionals?.[0]?.type).toBe('A')
  })

  it('sends no OPT to a query without one, even when the handler added it (RFC 6891 §7)', () => {
    const packet = { type: 'response' as const, additionals: [{ name: 'ns.test', type: 'A' as const, ttl: 60, data: '192.0.2.53' }, opt(999)] }
    const p = decode(encodeResponse(query(), packet, policy))
    expect(p.additionals?.map((a) => a.type)).toEqual(['A'])
    expect(decode(encodeResponse(query(), { type: 'response' }, policy)).additionals).toEqual([])
  })
})

describe('headerOnlyResponse: the minimal answers (FORMERR, REFUSED, SERVFAIL, NOTAUTH)', () => {
  it('copies the id and question, sets QR and the rcode, zeroes the other counts', () => {
    const q = query()
    const bytes = headerOnlyResponse(q, q.header.flags & RD, 5, policy)
    expect(bytes.length).toBe(q.wireQuestion!.end)
    expect(bytes.readUInt16BE(0)).toBe(4321)
    expect(bytes.readUInt16BE(2)).toBe(QR | RD | 5)
    expect([bytes.readUInt16BE(4), bytes.readUInt16BE(6), bytes.readUInt16BE(8), bytes.readUInt16BE(10)]).toEqual([1, 0, 0, 0])
    expect(decode(bytes).questions).toEqual([{ name: 'WwW.example.test', type: 'AAAA', class: 'IN' }])
  })

  it('without the question when asked: a 12-byte header, QDCOUNT 0', () => {
    const bytes = headerOnlyResponse(query(), 0, 1, policy, false)
    expect(bytes.length).toBe(12)
    expect(bytes.readUInt16BE(4)).toBe(0)
    expect(bytes.readUInt16BE(2)).toBe(QR | 1)
  })

  it('a query with other records (ANCOUNT, ARCOUNT) gets all those counts zeroed', () => {
    const raw = Buffer.from(dnsPacket.encode({ type: 'query', id: 8, questions: [{ name: 'a.test', type: 'A' }], answers: [{ name: 'a.test', type: 'A', ttl: 1, data: '192.0.2.1' }], authorities: [{ name: 'a.test', type: 'A', ttl: 1, data: '192.0.2.2' }] }))
    const q = new DnsQuery(raw, { address: '127.0.0.1', port: 1, family: 'IPv4' }, 'udp')
    const bytes = headerOnlyResponse(q, 0, 1, policy)
    expect([bytes.readUInt16BE(4), bytes.readUInt16BE(6), bytes.readUInt16BE(8), bytes.readUInt16BE(10)]).toEqual([1, 0, 0, 0])
    expect(bytes.length).toBe(q.wireQuestion!.end)
  })

  it('adds our OPT when the query had one: root owner, payload size, extended rcode, version 0, DO echoed, no options', () => {
    const q = query({ additionals: [opt(4096, { flags: 0x8000 })] })
    const bytes = headerOnlyResponse(q, 0, 16, policy)
    const end = q.wireQuestion!.end
    expect(bytes.length).toBe(end + 11)
    expect(bytes.readUInt16BE(10)).toBe(1)
    expect(bytes.readUInt16BE(2) & 0xf).toBe(0) // 16: low bits 0, upper bits in the OPT
    expect([...bytes.subarray(end)]).toEqual([0, 0, 41, 1400 >> 8, 1400 & 0xff, 1, 0, 0x80, 0, 0, 0])
    const p = decode(bytes)
    expect(optOf(p)).toMatchObject({ udpPayloadSize: 1400, extendedRcode: 1, ednsVersion: 0, flags: 0x8000 })
  })

  it('the OPT of an answer to a query without DO has the flags clear', () => {
    const q = query({ additionals: [opt(4096)] })
    const bytes = headerOnlyResponse(q, 0, 2, policy)
    const end = q.wireQuestion!.end
    expect([...bytes.subarray(end)]).toEqual([0, 0, 41, 1400 >> 8, 1400 & 0xff, 0, 0, 0, 0, 0, 0])
  })
})

describe('truncateResponse: a UDP answer that does not fit', () => {
  it('keeps the flags and rcode of the answer, sets TC, keeps only the question', () => {
    const q = query()
    const full = encodeResponse(q, { type: 'response', flags: AA | RD | 3, answers: [{ name: 'WwW.example.test', type: 'AAAA', ttl: 60, data: '2001:db8::1' }] }, policy)
    const bytes = truncateResponse(q, full, policy)
    const p = decode(bytes)
    expect(p.id).toBe(4321)
    expect(p.type).toBe('response')
    expect(p.flags & (AA | RD | TC)).toBe(AA | RD | TC)
    expect(p.rcode).toBe('NXDOMAIN')
    expect(p.answers).toEqual([])
    expect(p.questions).toEqual([{ name: 'WwW.example.test', type: 'AAAA', class: 'IN' }])
  })
})
