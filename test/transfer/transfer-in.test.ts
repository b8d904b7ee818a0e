// transferIn against a scripted primary: IXFR sequences of several steps applied to a copy, an
// AXFR-style answer to an IXFR, the lone SOA (up to date, or newer: an error the secondary turns
// into AXFR), error rcodes, and the bounds (bytes, overall timeout).
import { afterEach, describe, expect, it } from 'vitest'
import { FakeClock, flush, MemoryNetwork } from '../../src/testing/index.js'
import { transferIn } from '../../src/transfer/transfer-in.js'
import type { TransferInOptions } from '../../src/transfer/transfer-in.js'
import { seededRandom } from '../../src/util/random.js'
import { formatZone, parseZone } from '../../src/zone/index.js'
import type { Zone } from '../../src/zone/zone.js'
import { FakePrimary } from './fake-primary.js'

const ORIGIN = 'example.com.'
const text = (serial: number, body: string) => `$ORIGIN example.com.\n$TTL 300\n@ SOA ns1 hostmaster ${serial} 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.1\n${body}\n`
const zoneOf = (serial: number, body: string): Zone => parseZone(text(serial, body), { origin: ORIGIN })

let primary: FakePrimary
let clock: FakeClock
afterEach(async () => primary?.stop())

async function setup(serial: number, body: string): Promise<TransferInOptions> {
  clock = new FakeClock()
  const network = new MemoryNetwork({ clock })
  primary = new FakePrimary({ network, clock, origin: ORIGIN, zone: text(serial, body) })
  await primary.start()
  return { origin: ORIGIN, server: { address: '10.0.0.1' }, kind: 'axfr', network, clock, random: seededRandom(5) }
}

async function errorOf(p: Promise<unknown>): Promise<{ code?: string; message: string; details?: { reason?: string } }> {
  try {
    await p
  } catch (e) {
    return e as never
  }
  throw new Error('did not reject')
}

describe('transferIn', () => {
  it('AXFR: the whole zone, over several messages', async () => {
    const o = await setup(7, 'www A 192.0.2.10\nmail A 192.0.2.20')
    const r = await transferIn(o)
    expect(r).toMatchObject({ kind: 'axfr', serial: 7, records: 6 })
    expect(r.messages).toBe(2)
    expect(formatZone(r.zone!)).toBe(formatZone(zoneOf(7, 'www A 192.0.2.10\nmail A 192.0.2.20')))
  })

  it('AXFR keeps every record type as the zone file has it (names in rdata absolute)', async () => {
    const body = [
      'www AAAA 2001:db8::1',
      'alias CNAME www',
      '@ MX 10 mail',
      'mail A 192.0.2.20',
      '_sip._tcp SRV 0 5 5060 www',
      'txt TXT "a b" "c"',
      '@ CAA 0 issue "ca.example"',
      'ptr PTR www.example.com.',
      'sub NS ns.sub',
      'ns.sub A 192.0.2.53',
      'sub DS 12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE4F6E1A2B3C4D5E6F708192A3',
      'svc HTTPS 1 . alpn=h2',
      'n NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp',
      'sp SPF "v=spf1 -all"',
      'tl TLSA 3 1 1 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF',
      'ss SSHFP 1 1 0123456789ABCDEF0123456789ABCDEF01234567',
      'rp RP admin.example.com. txt.example.com.',
      'dn DNAME example.net.',
      'hi HINFO "PC" "Linux"',
    ].join('\n')
    const o = await setup(9, body)
    const r = await transferIn(o)
    expect(formatZone(r.zone!)).toBe(formatZone(zoneOf(9, body)))
    // And an IXFR deleting every one of them finds each in a copy read from the zone file.
    primary.setZone(text(10, ''))
    const d = await transferIn({ ...o, kind: 'ixfr', current: zoneOf(9, body) })
    expect(d.kind).toBe('ixfr')
    expect(formatZone(d.zone!)).toBe(formatZone(zoneOf(10, '')))
  })

  it('AXFR: a zone over a limit fails at the record that crosses it; a record of another class is malformed', async () => {
    const o = await setup(3, 'www A 192.0.2.1\nwww A 192.0.2.2\nwww A 192.0.2.3\nx A 192.0.2.4\ny A 192.0.2.5')
    const perType = await errorOf(transferIn({ ...o, limits: { maxRecordsPerType: 2 } }))
    expect(perType.details?.reason).toBe('zone-invalid')
    expect(perType.message).toMatch(/too many A records at www\.example\.com\. \(maxRecordsPerType 2\)/)
    const total = await errorOf(transferIn({ ...o, limits: { maxRecords: 6 } }))
    expect(total.details?.reason).toBe('zone-invalid')
    expect(total.message).toMatch(/maxRecords 6/)
    // Within the limits (the SOA, NS, ns1 A and five more: 8), the zone needs no second walk to pass them.
    const r = await transferIn({ ...o, limits: { maxRecords: 8, maxRecordsPerType: 3 } })
    expect(r.zone!.size).toBe(8)
    const soa = primary.zone.soa!
    primary.script = () => ({ messages: [[soa, { name: 'www.example.com.', type: 'A', class: 'CH', ttl: 1, data: '192.0.2.1' }, soa]] })
    const chaos = await errorOf(transferIn(o))
    expect(chaos.details?.reason).toBe('malformed')
    expect(chaos.message).toMatch(/www\.example\.com\. A has class CH/)
  })

  it('IXFR of two steps applied to our copy; the copy itself is untouched', async () => {
    const o = await setup(1, 'www A 192.0.2.10')
    primary.setZone(text(2, 'www A 192.0.2.11'))
    primary.setZone(text(3, 'www A 192.0.2.11\nnew TXT "hello"'))
    const current = zoneOf(1, 'www A 192.0.2.10')
    const before = formatZone(current)
    // SOA(3) | SOA(1) -www(.10) SOA(2) +www(.11) | SOA(2) SOA(3) +new | SOA(3)
    const soa = (s: number) => ({ ...primary.zone.soa!, data: { ...primary.zone.soa!.data, serial: s } })
    const rr = (name: string, type: string, data: unknown) => ({ name, type, class: 'IN', ttl: 300, data })
    primary.script = () => ({
      messages: [[soa(3), soa(1), rr('www.example.com.', 'A', '192.0.2.10'), soa(2)], [rr('www.example.com.', 'A', '192.0.2.11'), soa(2), soa(3), rr('new.example.com.', 'TXT', [Buffer.from('hello')])], [soa(3)]],
    })
    const r = await transferIn({ ...o, kind: 'ixfr', current })
    expect(r).toMatchObject({ kind: 'ixfr', serial: 3, records: 9 })
    expect(formatZone(r.zone!)).toBe(formatZone(zoneOf(3, 'www A 192.0.2.11\nnew TXT "hello"')))
    expect(formatZone(current)).toBe(before)
    expect(primary.requests).toEqual([{ type: 'IXFR', serial: 1 }])
  })

  it('an AXFR-style answer to an IXFR is a full zone', async () => {
    const o = await setup(1, 'www A 192.0.2.10')
    primary.setZone(text(5, 'www A 192.0.2.55'))
    primary.script = () => ({ messages: primary.chunk([primary.zone.soa!, ...[...primary.zone.eachRecord()].filter((r) => r.type !== 'SOA'), primary.zone.soa!]) })
    const r = await transferIn({ ...o, kind: 'ixfr', current: zoneOf(1, 'www A 192.0.2.10') })
    expect(r.kind).toBe('axfr')
    expect(formatZone(r.zone!)).toBe(formatZone(zoneOf(5, 'www A 192.0.2.55')))
  })

  it('a lone SOA with our serial: up to date; with a newer one: ixfr-soa-only', async () => {
    const o = await setup(4, 'www A 192.0.2.10')
    const r = await transferIn({ ...o, kind: 'ixfr', current: zoneOf(4, 'www A 192.0.2.10') })
    expect(r).toMatchObject({ kind: 'up-to-date', zone: undefined, serial: 4 })
    primary.script = () => ({ messages: [[primary.zone.soa!]] })
    const e = await errorOf(transferIn({ ...o, kind: 'ixfr', current: zoneOf(3, 'www A 192.0.2.10') }))
    expect(e.details?.reason).toBe('ixfr-soa-only')
  })

  it('an error rcode fails with its name', async () => {
    const o = await setup(4, 'www A 192.0.2.10')
    primary.script = () => ({ messages: [], rcode: 5 })
    const e = await errorOf(transferIn(o))
    expect(e.details?.reason).toBe('rcode')
    expect(e.message).toContain('REFUSED')
  })

  it('too large: fails past maxBytes', async () => {
    const o = await setup(4, Array.from({ length: 50 }, (_, i) => `h${i} A 192.0.2.${i}`).join('\n'))
    const e = await errorOf(transferIn({ ...o, maxBytes: 500 }))
    expect(e.details?.reason).toBe('too-large')
  })

  it('the overall timeout bounds a primary that trickles', async () => {
    const o = await setup(4, 'www A 192.0.2.10')
    primary.script = () => ({ messages: [[primary.zone.soa!]], then: 'stall' })
    const p = errorOf(transferIn({ ...o, timeoutMs: 3000, idleTimeoutMs: 10_000 }))
    await flush()
    await clock.advanceAsync(3000)
    expect((await p).details?.reason).toBe('timeout')
  })
})
