// respond(): the packet a handler returns, with what it copies from the query and what it decides.
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { DnsQuery } from '../../src/server/query.js'
import { respond } from '../../src/server/respond.js'

const AA = 0x0400
const TC = 0x0200
const RD = 0x0100
const RA = 0x0080
const AD = 0x0020
const CD = 0x0010

const query = (flags: number) => DnsQuery.from({ id: 77, flags, questions: [{ name: 'Host.Example.test', type: 'MX' }] })

describe('respond()', () => {
  it('copies id, question, opcode, RD and CD; sets nothing else by default', () => {
    const p = respond(query((2 << 11) | RD | CD | AA | TC | RA | AD))
    expect(p.id).toBe(77)
    expect(p.type).toBe('response')
    expect(p.flags).toBe((2 << 11) | RD | CD)
    expect(p.questions).toEqual([{ name: 'Host.Example.test.', type: 'MX', class: 'IN' }])
    expect(p.answers).toEqual([])
    expect(p.authorities).toEqual([])
    expect(p.additionals).toEqual([])
    expect('rcode' in p).toBe(false)
  })

  it('sets AA, RA, AD and TC each only when asked', () => {
    expect(respond(query(0), { aa: true }).flags).toBe(AA)
    expect(respond(query(0), { ra: true }).flags).toBe(RA)
    expect(respond(query(0), { ad: true }).flags).toBe(AD)
    expect(respond(query(0), { tc: true }).flags).toBe(TC)
    expect(respond(query(0), { aa: false, ra: false, ad: false, tc: false }).flags).toBe(0)
  })

  it('takes the rcode by name or number into the low bits', () => {
    expect(respond(query(RD), { rcode: 'NXDOMAIN' }).flags).toBe(RD | 3)
    expect(respond(query(RD), { rcode: 5 }).flags).toBe(RD | 5)
  })

  it('an extended rcode (above 15) is kept whole for the server to put in EDNS; 15 is not extended', () => {
    const badvers = respond(query(0), { rcode: 'BADVERS' })
    expect(badvers.rcode).toBe(16)
    expect(badvers.flags! & 0xf).toBe(0)
    expect('rcode' in respond(query(0), { rcode: 15 })).toBe(false)
  })

  it('keeps the sections a handler gives', () => {
    const answers = [{ name: 'Host.Example.test', type: 'MX' as const, ttl: 60, data: { preference: 10, exchange: 'mx.example.test' } }]
    const authorities = [{ name: 'example.test', type: 'NS' as const, ttl: 60, data: 'ns.example.test' }]
    const additionals = [{ name: 'mx.example.test', type: 'A' as const, ttl: 60, data: '192.0.2.25' }]
    const p = respond(query(0), { answers, authorities, additionals })
    expect(p.answers).toBe(answers)
    expect(p.authorities).toBe(authorities)
    expect(p.additionals).toBe(additionals)
  })

  it('a query without a question gets an answer without one', () => {
    const raw = Buffer.from(dnsPacket.encode({ type: 'query', id: 5, questions: [] }))
    const q = new DnsQuery(raw, { address: '127.0.0.1', port: 1, family: 'IPv4' }, 'udp')
    expect(respond(q).questions).toEqual([])
  })
})
