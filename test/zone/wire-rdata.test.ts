// readWireRdata: rdata off the wire into the zone's compact form, equal (as the zone gives it
// back) to what dns-packet decodes for the same bytes, compressed names included; malformed
// rdata refused.
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { isDnsHaError } from '../../src/util/errors.js'
import { readWireRdata } from '../../src/zone/wire-rdata.js'
import { compactRecord } from '../../src/zone/zone.js'
import { zoneRecordFromWire } from '../../src/transfer/wire-records.js'

type Answer = { name: string; type: string; ttl: number; class: 'IN'; data: unknown }

/** An answer message holding `answers`, and each record's [start, rdata offset, rdata length, type]. */
function message(answers: Answer[]): { buf: Buffer; records: [number, number, number, number][] } {
  const buf = Buffer.from(dnsPacket.encode({ type: 'response', id: 1, flags: 0, answers } as dnsPacket.Packet))
  const records: [number, number, number, number][] = []
  let pos = 12
  for (let i = 0; i < answers.length; i++) {
    const start = pos
    while (buf[pos] !== 0 && (buf[pos]! & 0xc0) !== 0xc0) pos += buf[pos]! + 1
    pos += buf[pos] === 0 ? 1 : 2
    const type = buf.readUInt16BE(pos)
    const length = buf.readUInt16BE(pos + 8)
    records.push([start, pos + 10, length, type])
    pos += 10 + length
  }
  return { buf, records }
}

/** What the zone gives back for `answer` read through readWireRdata, and what the dns-packet path gave. */
function both(answer: Answer): { ours: unknown; theirs: unknown } {
  const { buf, records } = message([answer])
  const [start, offset, length, type] = records[0]!
  const ours = compactRecord(answer.name + '.', type, 'IN', answer.ttl, readWireRdata(buf, start, type, offset, length))
  const decoded = dnsPacket.decode(buf).answers![0]!
  const theirs = zoneRecordFromWire({ ...decoded, class: 'IN' } as never)
  return { ours: { ...ours, type: ours.type }, theirs }
}

describe('readWireRdata', () => {
  it('reads the common types as the dns-packet path does (names absolute, A/TXT compact)', () => {
    const cases: Answer[] = [
      { name: 'a.example', type: 'A', ttl: 300, class: 'IN', data: '192.0.2.255' },
      { name: 'a.example', type: 'AAAA', ttl: 300, class: 'IN', data: '2001:db8::1' },
      { name: 'a.example', type: 'NS', ttl: 300, class: 'IN', data: 'ns1.Example' },
      { name: 'a.example', type: 'CNAME', ttl: 300, class: 'IN', data: 'b.example' },
      { name: 'a.example', type: 'PTR', ttl: 300, class: 'IN', data: 'b.example' },
      { name: 'a.example', type: 'DNAME', ttl: 300, class: 'IN', data: 'b.example' },
      { name: 'a.example', type: 'MX', ttl: 300, class: 'IN', data: { preference: 10, exchange: 'mail.example' } },
      { name: 'a.example', type: 'SRV', ttl: 300, class: 'IN', data: { priority: 1, weight: 2, port: 53, target: 'dns.example' } },
      { name: 'example', type: 'SOA', ttl: 300, class: 'IN', data: { mname: 'ns1.example', rname: 'host.example', serial: 4294967295, refresh: 1, retry: 2, expire: 3, minimum: 4 } },
      { name: 'a.example', type: 'TXT', ttl: 300, class: 'IN', data: ['v=spf1 -all', '', 'x'.repeat(255)] },
      { name: 'a.example', type: 'CAA', ttl: 300, class: 'IN', data: { flags: 128, tag: 'issue', value: 'ca.example' } },
      { name: 'a.example', type: 'SSHFP', ttl: 300, class: 'IN', data: { algorithm: 1, hash: 1, fingerprint: 'ABCDEF0123'.repeat(4) } },
      { name: 'a.example', type: 'NAPTR', ttl: 300, class: 'IN', data: { order: 1, preference: 2, flags: 'u', services: 'E2U+sip', regexp: '!^.*$!sip:a@b!', replacement: '.' } },
    ]
    for (const c of cases) {
      const { ours, theirs } = both(c)
      expect(ours, c.type).toEqual(theirs)
    }
  })

  it('writes IPv6 as dns-packet does, for every pattern of zero groups', () => {
    const bytes = Buffer.alloc(16)
    for (let pattern = 0; pattern < 256; pattern++) {
      for (let g = 0; g < 8; g++) bytes.writeUInt16BE(pattern & (1 << g) ? (g === 3 ? 0xabc : 0x100 * g + 1) : 0, 2 * g)
      expect(readWireRdata(bytes, 0, 28, 0, 16), `pattern ${pattern}`).toBe((dnsPacket as unknown as { aaaa: { decode(b: Buffer, o: number): string } }).aaaa.decode(Buffer.concat([Buffer.of(0, 16), bytes]), 0))
    }
  })

  it('follows compression pointers in rdata names', () => {
    // dns-packet does not compress: point the MX exchange at the owner by hand.
    const { buf, records } = message([{ name: 'mail.example', type: 'MX', ttl: 1, class: 'IN', data: { preference: 5, exchange: 'x' } }])
    const [start, offset] = records[0]!
    buf.writeUInt16BE(2 + 2, offset - 2) // rdlength: preference + pointer
    buf.writeUInt16BE(0xc000 | start, offset + 2)
    expect(readWireRdata(buf.subarray(0, offset + 4), start, 15, offset, 4)).toEqual({ preference: 5, exchange: 'mail.example.' })
  })

  it('refuses rdata that does not fit its type', () => {
    const malformed = (f: () => unknown): void => {
      let error: unknown
      try {
        f()
      } catch (e) {
        error = e
      }
      expect(isDnsHaError(error, 'ERR_PACKET_MALFORMED'), String(error)).toBe(true)
    }
    const a = message([{ name: 'a', type: 'A', ttl: 1, class: 'IN', data: '192.0.2.1' }])
    const [start, offset] = a.records[0]!
    malformed(() => readWireRdata(a.buf, start, 1, offset, 3))
    malformed(() => readWireRdata(a.buf, start, 28, offset, 4))
    // A name that stops short of the rdata's end.
    const ns = message([{ name: 'a', type: 'NS', ttl: 1, class: 'IN', data: 'b' }])
    malformed(() => readWireRdata(Buffer.concat([ns.buf, Buffer.of(0)]), ns.records[0]![0], 2, ns.records[0]![1], ns.records[0]![2] + 1))
    // TXT whose last string runs past the rdata.
    const txt = message([{ name: 'a', type: 'TXT', ttl: 1, class: 'IN', data: ['abc'] }])
    malformed(() => readWireRdata(txt.buf, txt.records[0]![0], 16, txt.records[0]![1], 3))
    // SOA with a field missing.
    const soa = message([{ name: 'a', type: 'SOA', ttl: 1, class: 'IN', data: { mname: 'a', rname: 'b', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 1 } }])
    malformed(() => readWireRdata(soa.buf, soa.records[0]![0], 6, soa.records[0]![1], soa.records[0]![2] - 4))
    malformed(() => readWireRdata(Buffer.of(0xc0), 0, 2, 0, 1))
  })
})
