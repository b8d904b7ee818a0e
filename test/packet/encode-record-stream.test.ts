import dnsPacket from 'dns-packet'
import type { Answer } from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { encodeRecordStream } from '../../src/packet/encode-message.js'

const head = { id: 99, flags: 0x8400, question: { name: 'example.', type: 252, class: 1 } }
const records = (n: number): Answer[] => Array.from({ length: n }, (_, i) => ({ name: `host-${i}.example.`, type: 'A', ttl: 60, class: 'IN', data: `10.0.${i >> 8}.${i & 255}` }) as Answer)

describe('encodeRecordStream', () => {
  it('packs every record, in order, into messages no larger than the limit, the question in the first only', () => {
    const input = records(2000)
    const messages = [...encodeRecordStream(head, input, 4096)]
    expect(messages.length).toBeGreaterThan(5)
    const decoded = messages.map((m) => dnsPacket.decode(m))
    for (const m of messages) expect(m.length).toBeLessThanOrEqual(4096)
    expect(decoded[0]!.questions).toEqual([{ name: 'example', type: 'AXFR', class: 'IN' }])
    for (const d of decoded.slice(1)) expect(d.questions).toEqual([])
    for (const d of decoded) {
      expect(d.id).toBe(99)
      expect(d.type).toBe('response')
      expect(d.flags).toBe(0x400) // dns-packet reports QR as type
    }
    const names = decoded.flatMap((d) => d.answers!.map((a) => `${a.name} ${(a as { data: string }).data}`))
    expect(names).toEqual(input.map((r) => `${r.name.slice(0, -1)} ${(r as { data: string }).data}`))
  })

  it('compresses names within a message', () => {
    const [one] = [...encodeRecordStream(head, records(50), 65535)]
    const plain = dnsPacket.encode({ type: 'response', id: 99, flags: 0x8400, questions: [{ name: 'example.', type: 'AXFR' }], answers: records(50) })
    // Each owner after the first points at "example." (7 bytes saved per name).
    expect(one!.length).toBeLessThanOrEqual(plain.length - 49 * 7)
  })

  it('keeps `reserve` bytes free in every message', () => {
    const messages = [...encodeRecordStream(head, records(500), 2048, 100)]
    for (const m of messages) expect(m.length).toBeLessThanOrEqual(1948)
  })

  it('gives a record larger than the limit a message of its own', () => {
    const big = { name: 'big.example.', type: 'TXT', ttl: 60, class: 'IN', data: Array.from({ length: 10 }, () => 'x'.repeat(200)) } as Answer
    const messages = [...encodeRecordStream(head, [...records(3), big, ...records(2)], 1024)]
    const counts = messages.map((m) => dnsPacket.decode(m).answers!.length)
    expect(counts).toEqual([3, 1, 2])
  })

  it('yields nothing for no records', () => {
    expect([...encodeRecordStream(head, [], 1024)]).toEqual([])
  })
})

describe('encodeRecordStream: records of one owner', () => {
  it('points a repeated owner at its first copy, and writes A and Buffer TXT as dns-packet would', () => {
    const txt = [Buffer.from('v=spf1 -all'), Buffer.alloc(0), Buffer.from([0, 255])]
    const input = [
      { name: 'www.example.', type: 'A', ttl: 1, class: 'IN', data: '192.0.2.1' },
      { name: 'www.example.', type: 'TXT', ttl: 1, class: 'IN', data: txt },
      { name: 'www.example.', type: 'A', ttl: 1, class: 'IN', data: '255.0.20.9' },
      { name: 'Www.example.', type: 'MX', ttl: 1, class: 'IN', data: { preference: 1, exchange: 'www.example.' } },
      { name: 'mail.example.', type: 'A', ttl: 1, class: 'IN', data: '10.0.0.1' },
    ] as Answer[]
    const [message] = [...encodeRecordStream(head, input, 65535)]
    const decoded = dnsPacket.decode(message!)
    expect(decoded.answers!.map((a) => [a.name, a.type, (a as { data: unknown }).data])).toEqual([
      ['www.example', 'A', '192.0.2.1'],
      ['www.example', 'TXT', txt],
      ['www.example', 'A', '255.0.20.9'],
      ['www.example', 'MX', { preference: 1, exchange: 'www.example' }], // compression folds case (RFC 4343)
      ['mail.example', 'A', '10.0.0.1'],
    ])
    // Header 12 + question 13 (example.); www. then a pointer to example. (6); after that the
    // owner www.example. is a 2-byte pointer each time: the second and third records, MX's
    // owner (case differs: compression folds it) and its exchange; mail. then a pointer (7).
    const rr = 10
    expect(message!.length).toBe(12 + 13 + (6 + rr + 4) + (2 + rr + 12 + 1 + 3) + (2 + rr + 4) + (2 + rr + 2 + 2) + (7 + rr + 4))
  })
})
