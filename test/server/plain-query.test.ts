import dnsPacket from 'dns-packet'
import type { Packet } from 'dns-packet'
import { describe, expect, it } from 'vitest'
import type { PlainQuery } from '../../src/server/plain-query.js'
import { readPlainQuery } from '../../src/server/plain-query.js'
import { opt } from './helpers.js'

const client = { address: '127.0.0.2', port: 5353, family: 'IPv4' as const }

function read(bytes: Uint8Array, cap = 1232): PlainQuery | undefined {
  const into: PlainQuery = { raw: Buffer.alloc(0), questionEnd: 0, ednsVariant: 0, maxUdpSize: 0, client: { address: '', port: 0, family: 'IPv4' } }
  return readPlainQuery(Buffer.from(bytes), cap, client, into) ? into : undefined
}

function query(packet: Partial<Packet> = {}): Buffer {
  return dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: 'www.example.test', type: 'A' }], ...packet })
}

describe('readPlainQuery', () => {
  it('takes a query without EDNS: question end, 512 bytes, the client', () => {
    const q = read(query())
    expect(q).toMatchObject({ questionEnd: 12 + 18 + 4, ednsVariant: 0, maxUdpSize: 512, client })
  })

  it('takes a bare OPT: the DO bit and the payload size, clamped to 512 and to the server cap', () => {
    expect(read(query({ additionals: [opt(4096)] }))).toMatchObject({ ednsVariant: 1, maxUdpSize: 1232 })
    expect(read(query({ additionals: [opt(4096)] }), 4096)).toMatchObject({ maxUdpSize: 4096 })
    expect(read(query({ additionals: [opt(100)] }))).toMatchObject({ maxUdpSize: 512 })
    expect(read(query({ additionals: [opt(1400, { flags: dnsPacket.DNSSEC_OK })] }))).toMatchObject({ ednsVariant: 2, maxUdpSize: 1232 })
  })

  it('takes the root name', () => {
    expect(read(query({ questions: [{ name: '.', type: 'NS' }] }))).toMatchObject({ questionEnd: 17 })
  })

  it('leaves everything else to the full path', () => {
    const rejected: [string, Uint8Array][] = [
      ['a response', dnsPacket.encode({ type: 'response', id: 7, questions: [{ name: 'a.test', type: 'A' }] })],
      ['NOTIFY', query({ flags: 4 << 11 })],
      ['two questions', query({ questions: [{ name: 'a.test', type: 'A' }, { name: 'b.test', type: 'A' }] })],
      ['no question', query({ questions: [] })],
      ['an answer record', query({ answers: [{ name: 'a.test', type: 'A', ttl: 1, data: '192.0.2.1' }] })],
      ['an authority record', query({ authorities: [{ name: 'a.test', type: 'A', ttl: 1, data: '192.0.2.1' }] })],
      ['two additional records', query({ additionals: [opt(), opt()] })],
      ['an additional that is not OPT', query({ additionals: [{ name: 'a.test', type: 'A', ttl: 1, data: '192.0.2.1' }] })],
      ['EDNS version 1', query({ additionals: [opt(1232, { ednsVersion: 1 })] })],
      ['EDNS options', query({ additionals: [opt(1232, { options: [{ code: 'COOKIE', data: Buffer.alloc(8) }] })] })],
      ['trailing bytes', Buffer.concat([query(), Buffer.from([0])])],
      ['a truncated question', query().subarray(0, 30)],
    ]
    for (const [what, bytes] of rejected) expect(read(bytes), what).toBeUndefined()
  })

  it('leaves a compressed question name to the full path', () => {
    const bytes = query()
    // Replace the question name with a pointer to offset 12 (a loop-free but compressed name).
    const pointer = Buffer.concat([bytes.subarray(0, 12), Buffer.from([0xc0, 12]), bytes.subarray(bytes.length - 4)])
    expect(read(pointer)).toBeUndefined()
  })

  it('leaves extended rcode bits in the OPT to the full path', () => {
    const bytes = query({ additionals: [opt()] })
    const withRcode = Buffer.from(bytes)
    withRcode[bytes.length - 6] = 1 // extended rcode byte of the OPT TTL
    expect(read(withRcode)).toBeUndefined()
    expect(read(bytes)).toBeDefined()
  })
})
