// RecordStreamEncoder and axfrMessages against the generic encoder they replace for AXFR
// (encodeRecordStream over axfrRecords): byte for byte, for zones kept in columns, kept as objects,
// and half way between; names needing compression; long TXT; message boundaries; TSIG reserve.
import { readFileSync } from 'node:fs'
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { encodeRecordStream } from '../../src/packet/encode-message.js'
import { axfrMessages, axfrRecords, transferMessages } from '../../src/transfer/axfr-out.js'
import type { TransferHead } from '../../src/transfer/axfr-out.js'
import { RecordStreamEncoder } from '../../src/transfer/record-stream-encoder.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { parseZone, typeNumber } from '../../src/zone/index.js'
import { Zone } from '../../src/zone/zone.js'

const HEAD: TransferHead = { id: 0x1234, flags: 0x8400, question: { name: 'example.org.', type: 252, class: 1 } }
const fixture = (file: string) => readFileSync(new URL(`../fixtures/zones/${file}`, import.meta.url), 'utf8')

/** Every type the zone parser reads, names with escapes and in mixed case, rdata names in and out of the zone. */
const EVERY_TYPE = `$ORIGIN example.org.
$TTL 300
@ SOA ns1 hostmaster 7 3600 600 86400 300
@ NS ns1
@ NS NS2.Example.ORG.
ns1 A 192.0.2.1
NS2 AAAA 2001:db8::2
lead AAAA ::2:3:4:5:6:7:8
v4tail AAAA ::ffff:192.0.2.1
a\\.b A 192.0.2.3
\\065bc.sub A 192.0.2.4
caf\\233 A 192.0.2.5
CAF\\233 TXT "latin-1 owner, upper case"
_x._tcp SRV 0 5 443 Target.Example.ORG.
_y._tcp SRV 0 5 443 t\\.x.example.org.
mx MX 10 Mail.example.org.
alias CNAME www.other.net.
ptr PTR host.example.org.
dname DNAME example.net.
naptr NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp
caa CAA 0 issue "letsencrypt.org"
hinfo HINFO "PC" "Linux"
rp RP admin.example.org. txt
ds DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118
cds CDS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118
key DNSKEY 257 3 8 AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29euxhJhVVLOyQbSEW0O8gcCjFFVQUTf6v58fLjwBd0YI0EzrAcQqBGCzh/RStIoO8g0NfnfL2MTJRkxoXbfDaUeVPQuYEhg37NZWAJQ9VnMVDxP/VHL496M/QZxkjf5/Efucp2gaDX6RS6CXpoY68LsvPVjR0ZSwzz1apAzvN9dlzEheX7ICJBBtuA6G3LQpzW5hOA2hzCTMjJPJ8LbqF6dsV6DoBQzgul0sGIcGOYl7OyQdXfZ57relSQageu+ipAdTTJ25AsRTAoub8ONGcLmqrAmRLKBP1dfwhYB4N7knNnulqQxA+Uk1ihz0=
sig RRSIG A 8 3 300 20250101000000 20240101000000 60485 example.org. AwEAAQ==
nsec NSEC next.example.org. A MX RRSIG NSEC
nsec3 NSEC3 1 0 10 AABBCCDD 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S A RRSIG
@ NSEC3PARAM 1 0 0 -
tlsa TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
sshfp SSHFP 1 1 aa549bfe898489c02d1715d97d79c57ba2fa76ab
spf SPF "v=spf1 -all"
uri URI 10 1 "https://example.org/"
loc LOC 60 9 N 24 39 E 10 20 2000 20
wks WKS 10.0.0.1 tcp ( 0 1 2 21 smtp )
apl APL 1:192.168.32.0/21 !1:192.168.38.0/28
hip HIP 2 200100107B1A74DF365639CC39F1D578 AwEAAQ== rvs.example.com.
eui EUI48 00-00-5e-00-53-2a
pgp OPENPGPKEY AQID
svc SVCB 1 . alpn=h2,h3 port=8443 ipv4hint=192.0.2.1
svc HTTPS 0 www.example.org.
unk TYPE65280 \\# 4 0a000001
empty TYPE731 \\# 0
gen-a A \\# 4 c0000201
txt TXT "a" "b c" "\\255\\000"
deep.er.and.deeper.sub A 192.0.2.9
`

function concat(messages: Iterable<Uint8Array>): { sizes: number[]; bytes: Buffer } {
  const list = [...messages]
  return { sizes: list.map((m) => m.length), bytes: Buffer.concat(list) }
}

/** The AXFR of `zone` both ways: the generic encoder over record objects, and the column walk. */
function both(zone: Zone, size = 16384, reserve = 0) {
  const head = { ...HEAD, question: { ...HEAD.question, name: zone.origin } }
  const old = concat(encodeRecordStream(head, axfrRecords(zone) as Iterable<never>, size, reserve))
  const now = concat(axfrMessages(head, zone, size, reserve))
  return { old, now }
}

/** The hosts zone of the transfer bench, small: mostly A, some AAAA, TXT and MX. */
function hosts(n: number, origin = 'example.org.'): Zone {
  const lines = ['$TTL 300', '@ SOA ns1 hostmaster 1 3600 600 86400 300', '@ NS ns1', 'ns1 A 192.0.2.1']
  for (let i = 0; i < n; i++) {
    lines.push(`h${i} A 10.0.${i >> 8}.${i & 255}`)
    if (i % 3 === 0) lines.push(`H${i} AAAA 2001:db8::${i.toString(16)}`)
    if (i % 5 === 0) lines.push(`h${i} TXT "v=spf1 ip4:10.0.${i >> 8}.0/24 -all"`)
    if (i % 7 === 0) lines.push(`h${i} MX 10 mail${i % 10}`)
  }
  return parseZone(lines.join('\n') + '\n', { origin })
}

/** Looks up every name of `zone`, which turns its column nodes into objects. */
function materialise(zone: Zone): void {
  for (const node of [...zone.nodes()]) zone.get(node.name)
}

/** Copies `zone` into a new Zone record by record through `add` (every record an object). */
function asObjects(zone: Zone): Zone {
  const copy = new Zone(zone.origin)
  for (const r of zone.eachRecord()) copy.add({ ...r })
  return copy
}

describe('axfrMessages: the same bytes as encodeRecordStream over axfrRecords', () => {
  const zones: [string, () => Zone][] = [
    ['every type', () => parseZone(EVERY_TYPE, { origin: 'example.org.' })],
    ['features.zone', () => parseZone(fixture('features.zone'), { origin: 'example.org.' })],
    ['bind-parity.zone', () => parseZone(fixture('bind-parity.zone'), { origin: 'example.net.' })],
    ['3,000 hosts', () => hosts(3000)],
  ]
  it.each(zones)('%s, kept in columns, as objects, and as a copy built by add()', (_, make) => {
    for (const prepare of [(z: Zone) => z, (z: Zone) => (materialise(z), z), asObjects]) {
      const zone = prepare(make())
      const { old, now } = both(zone)
      expect(now.sizes).toEqual(old.sizes)
      expect(now.bytes.equals(old.bytes)).toBe(true)
    }
  })

  it.each([
    [512, 0],
    [512, 200],
    [1000, 0],
    [16384, 90],
    [65535, 0],
  ])('message boundaries: %i bytes, %i reserved', (size, reserve) => {
    const zone = hosts(4000)
    const { old, now } = both(zone, size, reserve)
    expect(now.sizes.length).toBeGreaterThan(1)
    expect(now.sizes).toEqual(old.sizes)
    expect(now.bytes.equals(old.bytes)).toBe(true)
    // Filled up to the limit: each message but the last is within it, and one more record would not have fitted.
    const limit = Math.max(512, Math.min(size, 65535) - reserve)
    for (const s of now.sizes) expect(s).toBeLessThanOrEqual(limit)
    for (const s of now.sizes.slice(0, -1)) expect(s).toBeGreaterThan(limit - 80)
  })

  it('decodes to SOA, every other record, SOA, with the question in the first message only', () => {
    const zone = parseZone(EVERY_TYPE, { origin: 'example.org.' })
    const messages = [...axfrMessages(HEAD, zone, 600, 0)]
    expect(messages.length).toBeGreaterThan(3)
    const decoded = messages.map((m) => dnsPacket.decode(Buffer.from(m)))
    expect(decoded.map((d) => d.questions?.length)).toEqual(decoded.map((_, i) => (i === 0 ? 1 : 0)))
    const answers = decoded.flatMap((d) => d.answers ?? [])
    expect(answers).toHaveLength(zone.size + 1)
    expect(answers[0]!.type).toBe('SOA')
    expect(answers.at(-1)!.type).toBe('SOA')
    expect(answers.filter((a) => a.type === 'SOA')).toHaveLength(2)
    // In the zone's order (names compared by type: dns-packet decodes escaped and Latin-1 labels its own way).
    const type = (t: string) => typeNumber(t)
    expect(answers.map((a) => type(a.type)).slice(1, -1)).toEqual(zone.records.filter((r) => r.type !== 'SOA').map((r) => type(r.type)))
    expect(answers.filter((a) => a.name === 'deep.er.and.deeper.sub.example.org')).toHaveLength(1)
  })

  it('a zone looked up while its transfer is paused between messages sends what it held when the transfer began', () => {
    const zone = hosts(3000)
    const expected = concat(axfrMessages(HEAD, zone.clone(), 2048, 0))
    const got: Uint8Array[] = []
    const names = [...zone.nodes()].map((n) => n.name)
    let i = 0
    for (const m of axfrMessages(HEAD, zone, 2048, 0)) {
      got.push(m)
      // Each pause turns the next 200 names into objects (their rdata leaves the columns).
      for (const name of names.slice(i, i + 200)) zone.get(name)
      i += 200
    }
    expect(concat(got).bytes.equals(expected.bytes)).toBe(true)
  })
})

describe('RecordStreamEncoder', () => {
  const soa = (serial: number) => ({ name: 'example.org.', type: 'SOA', class: 'IN', ttl: 300, data: { mname: 'ns1.example.org.', rname: 'h.example.org.', serial, refresh: 1, retry: 2, expire: 3, minimum: 4 } })

  it('transferMessages (IXFR sequences of record objects) writes what encodeRecordStream writes, and tallies it', () => {
    const records = [soa(2), soa(1), ...hosts(500).records.slice(0, 300), soa(2), ...hosts(800, 'example.org.').records.slice(400), soa(2)]
    const tally = { records: 0, messages: 0, bytes: 0 }
    let done = 0
    const now = concat(transferMessages(HEAD, records, 4096, 0, tally, () => done++))
    const old = concat(encodeRecordStream(HEAD, records as never, 4096))
    expect(now.bytes.equals(old.bytes)).toBe(true)
    expect(tally).toEqual({ records: records.length, messages: now.sizes.length, bytes: now.bytes.length })
    expect(done).toBe(1)
  })

  it('compresses owners and rdata names against the names already in the message, ignoring ASCII case only', () => {
    const enc = new RecordStreamEncoder(HEAD, 16384)
    enc.addRecord({ name: 'WWW.Example.ORG.', type: 'A', class: 'IN', ttl: 1, data: '192.0.2.1' })
    enc.addRecord({ name: 'mx.example.org.', type: 'MX', class: 'IN', ttl: 1, data: { preference: 1, exchange: 'www.example.org.' } })
    enc.addRecord({ name: '\u00e0.example.org.', type: 'A', class: 'IN', ttl: 1, data: '192.0.2.2' })
    enc.addRecord({ name: '\u00c0.example.org.', type: 'A', class: 'IN', ttl: 1, data: '192.0.2.3' })
    const m = enc.finish()!
    // Question: example.org at 12. WWW.Example.ORG points its suffix there (c00c); the MX exchange
    // points at WWW's first label; 0xC0 and 0xE0 are different labels (RFC 4343 folds ASCII only).
    const hex = m.toString('hex')
    expect(hex).toContain('03575757c00c') // WWW + pointer to example.org
    const wwwAt = m.indexOf(Buffer.from('03575757', 'hex'))
    expect(hex).toContain('0001' + (0xc000 | wwwAt).toString(16)) // MX preference 1, exchange -> WWW...
    expect(hex).toContain('01e0c00c')
    expect(hex).toContain('01c0c00c')
    const decoded = dnsPacket.decode(m)
    // The suffix is the question's copy, so it decodes in the question's case.
    expect(decoded.answers!.slice(0, 2).map((a) => a.name)).toEqual(['WWW.example.org', 'mx.example.org'])
    expect(((decoded.answers![1] as { data: unknown }).data as { exchange: string }).exchange).toBe('WWW.example.org')
  })

  it('names past 16 KiB into a message are written out (a pointer holds 14 bits), as encodeRecordStream does', () => {
    const zone = hosts(3000)
    const { old, now } = both(zone, 65535)
    expect(now.sizes[0]).toBeGreaterThan(0x4000)
    expect(now.bytes.equals(old.bytes)).toBe(true)
  })

  it('long TXT: a record over the limit goes alone in its message; one over 65,535 bytes throws ERR_ENCODE', () => {
    const long = Array.from({ length: 100 }, (_, i) => `"${String(i % 10).repeat(255)}"`).join(' ')
    const zone = parseZone(`$TTL 1\n@ SOA ns1 h 1 1 1 1 1\n@ NS ns1\na TXT "short"\nbig TXT ${long}\nz TXT "after"\n`, { origin: 'example.org.' })
    const { old, now } = both(zone)
    expect(now.bytes.equals(old.bytes)).toBe(true)
    expect(now.sizes).toHaveLength(3)
    expect(now.sizes[1]).toBeGreaterThan(25_600)
    expect(dnsPacket.decode(Buffer.from(now.bytes.subarray(now.sizes[0]!, now.sizes[0]! + now.sizes[1]!))).answers).toHaveLength(1)
    const huge = Array.from({ length: 260 }, () => `"${'x'.repeat(255)}"`).join(' ')
    const tooBig = parseZone(`$TTL 1\n@ SOA ns1 h 1 1 1 1 1\nbig TXT ${huge}\n`, { origin: 'example.org.', maxZoneBytes: 0 } as never)
    expect(() => [...axfrMessages(HEAD, tooBig, 16384, 0)]).toThrow(expect.objectContaining({ code: 'ERR_ENCODE' }))
  })

  it('a record that does not encode throws ERR_ENCODE, as encodeRecordStream does', () => {
    const enc = new RecordStreamEncoder(HEAD, 16384)
    const bad = [
      { name: 'a..example.org.', type: 'A', class: 'IN', ttl: 1, data: '192.0.2.1' },
      { name: `${'x'.repeat(64)}.example.org.`, type: 'A', class: 'IN', ttl: 1, data: '192.0.2.1' },
      { name: 'a.example.org.', type: 'NOSUCHTYPE', class: 'IN', ttl: 1, data: '' },
      { name: 'a.example.org.', type: 'CAA', class: 'IN', ttl: 1, data: 42 },
    ]
    for (const r of bad) {
      let caught: unknown
      try {
        enc.addRecord(r)
      } catch (e) {
        caught = e
      }
      expect(isDnsHaError(caught, 'ERR_ENCODE')).toBe(true)
      expect(() => [...encodeRecordStream(HEAD, [r] as never, 16384)]).toThrow()
    }
  })

  it('writes AAAA `::2:3:4:5:6:7:8` as its 16 bytes (dns-packet drops the last group)', () => {
    const zone = parseZone(EVERY_TYPE, { origin: 'example.org.' })
    for (const z of [zone, asObjects(zone)]) {
      const answers = [...axfrMessages(HEAD, z, 16384, 0)].flatMap((m) => (dnsPacket.decode(Buffer.from(m)).answers ?? []) as { name: string; data: unknown }[])
      const lead = answers.find((a) => a.name === 'lead.example.org')!
      expect(lead.data).toBe('0:2:3:4:5:6:7:8')
      expect(answers.find((a) => a.name === 'v4tail.example.org')!.data).toBe('::ffff:c000:201')
    }
  })
})
