// DnsQuery as a handler sees it: what it reads from the wire up front, and the defaults it falls
// back on when the query lacks a question or EDNS.
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { DnsQuery } from '../../src/server/query.js'
import { DnsHaError } from '../../src/util/errors.js'
import { opt } from './helpers.js'

const client = { address: '192.0.2.7', port: 5300, family: 'IPv4' as const }
const ask = (extra: Record<string, unknown> = {}, cap?: number) =>
  DnsQuery.from({ id: 9, questions: [{ name: 'Www.Example.TEST', type: 'A' }], ...extra } as never, cap === undefined ? {} : { maxUdpSizeCap: cap })

describe('DnsQuery: the largest UDP answer a client takes', () => {
  it('is 512 without EDNS', () => {
    expect(ask().maxUdpSize).toBe(512)
  })

  it('is the client payload size with EDNS, when under the server cap', () => {
    expect(ask({ additionals: [opt(1400)] }, 4096).maxUdpSize).toBe(1400)
  })

  it('is capped by the server (default 1232) when the client offers more', () => {
    expect(ask({ additionals: [opt(4096)] }).maxUdpSize).toBe(1232)
    expect(ask({ additionals: [opt(4096)] }, 2000).maxUdpSize).toBe(2000)
  })

  it('is never below 512, even when the client offers less', () => {
    expect(ask({ additionals: [opt(100)] }).maxUdpSize).toBe(512)
  })
})

describe('DnsQuery: header, question and EDNS read from the wire', () => {
  it('keeps the question as the client spelled it, with type and class as names', () => {
    const raw = Buffer.from(dnsPacket.encode({ type: 'query', id: 1, questions: [{ name: 'MiXeD.test', type: 'A', class: 'CH' }] }))
    raw.writeUInt16BE(65280, raw.length - 4) // a type without a name: TYPEnnnnn (RFC 3597)
    const q = new DnsQuery(raw, client, 'udp')
    expect(q.question).toEqual({ name: 'MiXeD.test.', type: 'TYPE65280', class: 'CH' })
    expect(q.qtype).toBe(65280)
    expect(q.qclass).toBe(3)
    // Read once: the same object on every call.
    expect(q.question).toBe(q.question)
  })

  it('without a question: no question, qtype 0, class IN', () => {
    const raw = Buffer.alloc(12)
    raw.writeUInt16BE(77, 0)
    const q = new DnsQuery(raw, client, 'udp')
    expect(q.question).toBeUndefined()
    expect(q.wireQuestion).toBeUndefined()
    expect(q.qtype).toBe(0)
    expect(q.qclass).toBe(1)
    expect(q.id).toBe(77)
    expect(q.edns).toBeUndefined()
  })

  it('finds the OPT record of a message without a question (a NOTIFY-style header with ARCOUNT 1)', () => {
    const raw = Buffer.from(dnsPacket.encode({ type: 'query', id: 3, questions: [], additionals: [opt(1400, { flags: 0x8000 })] }))
    const q = new DnsQuery(raw, client, 'udp', 4096)
    expect(q.header.qdcount).toBe(0)
    expect(q.edns?.udpPayloadSize).toBe(1400)
    expect(q.maxUdpSize).toBe(1400)
    expect(q.dnssecOk).toBe(true)
  })

  it('reports the DO bit only when the client set it', () => {
    expect(ask({ additionals: [opt(1232, { flags: 0x8000 })] }).dnssecOk).toBe(true)
    expect(ask({ additionals: [opt(1232)] }).dnssecOk).toBe(false)
    expect(ask().dnssecOk).toBe(false)
  })

  it('reports RD as the client set it, and the opcode', () => {
    expect(ask({ flags: 0x0100 }).recursionDesired).toBe(true)
    expect(ask({ flags: 0 }).recursionDesired).toBe(false)
    expect(ask({ flags: 0x0010 }).recursionDesired).toBe(false) // CD is not RD
    expect(ask({ flags: 4 << 11 }).opcode).toBe(4)
  })

  it('from() fills in a loopback UDP client unless told otherwise', () => {
    const q = ask()
    expect(q.client).toEqual({ address: '127.0.0.1', port: 53000, family: 'IPv4' })
    expect(q.transport).toBe('udp')
    const t = DnsQuery.from({ id: 1, questions: [{ name: 'a.test', type: 'A' }] }, { transport: 'tcp', client: { address: '::1', family: 'IPv6' } })
    expect(t.transport).toBe('tcp')
    expect(t.client).toEqual({ address: '::1', port: 53000, family: 'IPv6' })
  })
})

describe('DnsQuery: the full decode and the verified key', () => {
  it('decodes the whole message on first use and keeps it', () => {
    const q = ask({ additionals: [opt(1232)] })
    const packet = q.packet
    expect(packet.id).toBe(9)
    expect(packet.questions?.[0]?.name).toBe('Www.Example.TEST')
    expect(q.packet).toBe(packet)
  })

  it('a message whose records do not decode throws ERR_PACKET_MALFORMED (answered FORMERR), with the cause', () => {
    const good = Buffer.from(dnsPacket.encode({ type: 'query', id: 5, questions: [{ name: 'a.test', type: 'A' }] }))
    // One answer record whose owner is a compression pointer past the end: the header, question
    // and EDNS scan read fine, the full decode does not.
    const record = Buffer.from([0xc0, 0xff, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1])
    const raw = Buffer.concat([good, record])
    raw.writeUInt16BE(1, 6)
    const q = new DnsQuery(raw, client, 'udp')
    expect(q.question?.name).toBe('a.test.')
    let thrown: unknown
    try {
      void q.packet
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(DnsHaError)
    expect((thrown as DnsHaError).code).toBe('ERR_PACKET_MALFORMED')
    expect((thrown as DnsHaError).message).toBe('query does not decode')
    expect((thrown as Error).cause).toBeInstanceOf(Error)
  })

  it('has no key until the server records a verified TSIG, then names it', () => {
    const q = ask()
    expect(q.tsig).toBeUndefined()
    expect(q.tsigContext).toBeUndefined()
    const context = { key: { name: 'transfer-key.', algorithm: 'hmac-sha256' }, requestMac: Buffer.alloc(32), timeSigned: 1, fudge: 300 }
    q.setVerifiedTsig(context as never)
    expect(q.tsig).toEqual({ keyName: 'transfer-key.', algorithm: 'hmac-sha256' })
    expect(q.tsig).toBe(q.tsig)
    expect(q.tsigContext).toBe(context)
  })
})
