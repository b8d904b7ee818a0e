import dnsPacket from 'dns-packet'
import type { Answer } from 'dns-packet'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeMessage } from '../../src/packet/encode-message.js'

const answers = [
  { name: 'www.example.test.', type: 'CNAME', class: 'IN', ttl: 300, data: 'web.example.test.' },
  { name: 'web.example.test.', type: 'A', class: 'IN', ttl: 300, data: '192.0.2.1' },
] as Answer[]
const authorities = [
  { name: 'example.test.', type: 'NS', class: 'IN', ttl: 3600, data: 'ns1.example.test.' },
  { name: 'example.test.', type: 'SOA', class: 'IN', ttl: 300, data: { mname: 'ns1.example.test.', rname: 'hostmaster.example.test.', serial: 7, refresh: 1, retry: 2, expire: 3, minimum: 4 } },
] as Answer[]
const additionals = [
  { name: 'example.test.', type: 'MX', class: 'IN', ttl: 60, data: { preference: 10, exchange: 'mail.example.test.' } },
  { name: '_sip._udp.example.test.', type: 'SRV', class: 'IN', ttl: 60, data: { priority: 1, weight: 2, port: 5060, target: 'sip.example.test.' } },
  { name: 'txt.example.test.', type: 'TXT', class: 'IN', ttl: 60, data: ['hello', 'world'] },
  { name: 'v6.example.test.', type: 'AAAA', class: 'IN', ttl: 60, data: '2001:db8::1' },
] as Answer[]

describe('encodeMessage', () => {
  it('round-trips through dns-packet and is smaller than the uncompressed encoding', () => {
    const init = { id: 77, flags: 0x8400, question: { name: 'WWW.example.test.', type: 1, class: 1 }, answers, authorities, additionals }
    const { bytes, optRdlengthOffset } = encodeMessage(init)
    expect(optRdlengthOffset).toBe(-1)
    const decoded = dnsPacket.decode(bytes)
    expect(decoded.id).toBe(77)
    expect(decoded.questions![0]).toMatchObject({ name: 'WWW.example.test', type: 'A' })
    const strip = (rs: Answer[]) => rs.map((r) => JSON.parse(JSON.stringify(r).replace(/\.(")/g, '$1').replace(/"class":"IN",?/g, '')))
    expect(strip(decoded.answers as Answer[]).map((r) => r.data)).toEqual(strip(answers).map((r) => r.data))
    expect(decoded.authorities!.map((r) => r.type)).toEqual(['NS', 'SOA'])
    expect((decoded.authorities![1] as { data: { serial: number } }).data.serial).toBe(7)
    expect(decoded.additionals!.map((r) => r.type)).toEqual(['MX', 'SRV', 'TXT', 'AAAA'])
    const plain = dnsPacket.encode({ type: 'response', id: 77, flags: 0x8400, questions: [{ name: 'WWW.example.test', type: 'A' }], answers, authorities, additionals })
    expect(bytes.length).toBeLessThan(plain.length)
  })

  it('compresses owner names to the question, so they follow its case', () => {
    const { bytes } = encodeMessage({ id: 1, flags: 0x8400, question: { name: 'wWw.Example.test.', type: 1, class: 1 }, answers: [{ name: 'www.example.test.', type: 'A', ttl: 1, data: '192.0.2.1' } as Answer], authorities: [], additionals: [] })
    expect(dnsPacket.decode(bytes).answers![0]!.name).toBe('wWw.Example.test')
    expect(bytes.readUInt16BE(12 + 18 + 4)).toBe(0xc00c)
  })

  it('writes OPT last and reports where its RDLENGTH is', () => {
    const { bytes, optRdlengthOffset } = encodeMessage({ id: 1, flags: 0x8400, question: { name: 'a.test.', type: 1, class: 1 }, answers: [], authorities: [], additionals: additionals.slice(0, 1), opt: { udpPayloadSize: 1232, extendedRcode: 0, flags: 0x8000 } })
    expect(optRdlengthOffset).toBe(bytes.length - 2)
    const opt = dnsPacket.decode(bytes).additionals!.at(-1) as unknown as { type: string; udpPayloadSize: number; flags: number }
    expect(opt).toMatchObject({ type: 'OPT', udpPayloadSize: 1232, flags: 0x8000 })
  })

  it('handles escaped labels', () => {
    const { bytes } = encodeMessage({ id: 1, flags: 0, question: { name: 'a\\.b.test.', type: 1, class: 1 }, answers: [{ name: 'a\\.b.test.', type: 'A', ttl: 1, data: '192.0.2.1' } as Answer], authorities: [], additionals: [] })
    expect(bytes[12]).toBe(3) // "a.b" is one 3-byte label
    expect(bytes.length).toBe(12 + (1 + 3 + 1 + 4 + 1) + 4 + (2 + 2 + 2 + 4 + 2 + 4)) // owner is a pointer
  })

  it('never produces a message dns-packet cannot decode (random names and addresses)', () => {
    const label = fc.stringMatching(/^[a-zA-Z0-9-]{1,20}$/)
    const name = fc.array(label, { minLength: 1, maxLength: 5 }).map((ls) => ls.join('.') + '.')
    fc.assert(
      fc.property(name, fc.array(fc.tuple(name, fc.ipV4()), { maxLength: 8 }), (qname, rows) => {
        const rrs = rows.map(([n, ip]) => ({ name: n, type: 'A', ttl: 5, data: ip }) as Answer)
        const { bytes } = encodeMessage({ id: 9, flags: 0x8000, question: { name: qname, type: 1, class: 1 }, answers: rrs, authorities: [], additionals: [] })
        const d = dnsPacket.decode(bytes)
        expect(d.answers!.map((r) => `${r.name.toLowerCase()}.`)).toEqual(rrs.map((r) => r.name.toLowerCase()))
      }),
      { numRuns: 200 },
    )
  })
})
