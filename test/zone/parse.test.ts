import { describe, expect, it } from 'vitest'
import { expandGenerate, formatRecord, isDnsHaErrorLike, parseZone, zoneRecords } from './imports.js'
import type { ZoneFileSource } from './imports.js'
import { errorOf, lines, rr } from './helpers.js'

const SOA = '@ 3600 IN SOA ns hostmaster 1 7200 900 1209600 300\n'

describe('parseZone syntax', () => {
  it('reads $ORIGIN, @, relative and absolute names, blank owner = previous owner', () => {
    const zone = parseZone(`${SOA}\tNS ns\n$ORIGIN sub.example.\nwww A 192.0.2.1\n\tAAAA 2001:DB8::1\nabs.other. A 192.0.2.2\n`, { origin: 'example.' })
    expect(lines(zone)).toEqual(rr(`example. 3600 IN SOA ns.example. hostmaster.example. 1 7200 900 1209600 300
example. 3600 IN NS ns.example.
www.sub.example. 3600 IN A 192.0.2.1
www.sub.example. 3600 IN AAAA 2001:db8::1
abs.other. 3600 IN A 192.0.2.2`))
  })

  it('accepts TTL units in any case, and TTL and class in either order', () => {
    const zone = parseZone('$TTL 1h\na 1W2d3h4m5s IN A 192.0.2.1\nb IN 2H A 192.0.2.2\nc 90 A 192.0.2.3\nd IN A 192.0.2.4\ne 1h30s A 192.0.2.5\n', { origin: 'example.' })
    expect([...zone.eachRecord()].map((r) => [r.name, r.ttl])).toEqual([
      ['a.example.', 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5], ['b.example.', 7200], ['c.example.', 90], ['d.example.', 3600], ['e.example.', 3630],
    ])
  })

  it('joins lines in parentheses and ignores comments anywhere', () => {
    const zone = parseZone('@ 300 IN SOA ( ns ; mname\n  hostmaster ; rname\n 1 ; serial\n 2 3 4\n 5 ) ; done\n; whole-line comment\n\n', { origin: 'example.' })
    expect(zone.soa?.data).toEqual({ mname: 'ns.example.', rname: 'hostmaster.example.', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 })
  })

  it('reads quoted strings with spaces and semicolons, several strings per TXT, and escapes', () => {
    const zone = parseZone('t 60 TXT "a b; c" plain "q\\"uote" "\\065\\\\" \\# \n', { origin: 'example.' })
    const data = zone.rrset('t.example.', 'TXT')?.records[0]?.data as Buffer[]
    expect(data.map((b) => b.toString('latin1'))).toEqual(['a b; c', 'plain', 'q"uote', 'A\\', '#'])
  })

  it('keeps \\DDD and \\X escapes in names, normalised, and compares them case-insensitively', () => {
    const zone = parseZone('a\\.b 60 A 192.0.2.1\n\\097\\066c 60 A 192.0.2.2\n', { origin: 'example.' })
    expect([...zone.eachRecord()].map((r) => r.name)).toEqual(['a\\.b.example.', 'aBc.example.'])
    expect(zone.has('ABC.EXAMPLE.')).toBe(true)
  })

  it('reads CLASSn, TYPEn and RFC 3597 generic rdata for known and unknown types', () => {
    const zone = parseZone('a 60 CLASS1 TYPE1 \\# 4 c0000201\nb 60 IN TYPE65280 \\# 3 ( 01 0203 )\nc 60 A \\# 4 C0000202\n', { origin: 'example.' })
    expect(zone.rrset('a.example.', 'A')?.records[0]?.data).toBe('192.0.2.1')
    expect(zone.rrset('b.example.', 'TYPE65280')?.records[0]).toMatchObject({ type: 'UNKNOWN_65280', data: Buffer.from([1, 2, 3]) })
    expect(zone.rrset('c.example.', 'A')?.records[0]?.data).toBe('192.0.2.2')
  })

  it('parses every type of the issue into dns-packet shapes or wire rdata', () => {
    const zone = parseZone(`${SOA}@ NS ns
@ MX 10 mail
@ SPF "v=spf1 -all"
@ CAA 128 issue "ca.example"
@ NSEC3PARAM 1 0 10 aabb
srv SRV 1 2 3 target
naptr NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp
h HINFO "PC" Linux
rp RP admin txt
ds DS 60485 RSASHA1 1 2BB183AF5F22588179A53B0A98631FAD1A292118
key DNSKEY 257 3 8 AwEAAQ==
sig RRSIG A 8 2 3600 20300101000000 1700000000 12345 example. AAEC
n NSEC next A MX RRSIG NSEC TYPE1234
n3 NSEC3 1 1 12 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr A RRSIG
t TLSA 3 1 1 00ff
f SSHFP 1 2 ${'ab'.repeat(32)}
s SVCB 1 . alpn=h2 port=443
s HTTPS 1 . ech="AAEC"
c CNAME target
d DNAME other.
p PTR host.
`, { origin: 'example.' })
    expect(zone.rrset('example.', 'CAA')?.records[0]?.data).toEqual({ flags: 128, tag: 'issue', value: 'ca.example' })
    expect(zone.rrset('ds.example.', 'DS')?.records[0]?.data).toMatchObject({ keyTag: 60485, algorithm: 5, digestType: 1 })
    expect(zone.rrset('sig.example.', 'RRSIG')?.records[0]?.data).toMatchObject({ typeCovered: 'A', expiration: 1893456000, inception: 1700000000, signersName: 'example.' })
    expect(zone.rrset('n.example.', 'NSEC')?.records[0]?.data.rrtypes).toEqual(['A', 'MX', 'RRSIG', 'NSEC', 'UNKNOWN_1234'])
    expect(zone.rrset('n3.example.', 'NSEC3')?.records[0]?.data.nextDomain).toHaveLength(20)
    expect(zone.rrset('f.example.', 'SSHFP')?.records[0]?.data).toEqual({ algorithm: 1, hash: 2, fingerprint: 'ab'.repeat(32) })
    expect(zone.rrset('s.example.', 'SVCB')?.records[0]?.data.toString('hex')).toBe('0001' + '00' + '0001000302' + '6832' + '00030002' + '01bb')
    expect(zone.rrset('s.example.', 'HTTPS')?.records[0]?.type).toBe('UNKNOWN_65')
    expect(zone.rrset('example.', 'NSEC3PARAM')?.records[0]?.data.toString('hex')).toBe('010000' + '0a' + '02aabb')
    expect(zone.size).toBe(22)
  })

  it('uses the SOA minimum with a warning when there is no TTL, then the last TTL (RFC 1035)', () => {
    const zone = parseZone('@ IN SOA ns h 1 2 3 4 555\n@ NS ns\nns 77 A 192.0.2.1\nx A 192.0.2.2\n', { origin: 'example.', fileName: 'z' })
    expect([...zone.eachRecord()].map((r) => r.ttl)).toEqual([555, 555, 77, 77])
    expect(zone.warnings.map((w) => [w.code, w.line, w.column])).toEqual([['no-ttl-soa-minimum', 1, 1], ['rfc1035-ttl', 2, 1]])
  })

  it('expands $GENERATE with ${offset,width,base} modifiers', () => {
    expect(expandGenerate('host-${0,3,d}', 7)).toBe('host-007')
    expect(expandGenerate('${10,4,x}-${0,2,X}-${0,0,o}', 250)).toBe('0104-FA-372')
    expect(expandGenerate('${0,4,n}', 0x1a)).toBe('a.1.')
    expect(expandGenerate('a\\$b$', 3)).toBe('a\\$b3') // BIND keeps the escape; the name or rdata parser reads `\$` as `$`
    const zone = parseZone('$TTL 60\n$GENERATE 1-5/2 r$ PTR h$.example.\n', { origin: '2.0.192.in-addr.arpa.' })
    expect([...zone.eachRecord()].map((r) => `${r.name} ${r.data}`)).toEqual([
      'r1.2.0.192.in-addr.arpa. h1.example.', 'r3.2.0.192.in-addr.arpa. h3.example.', 'r5.2.0.192.in-addr.arpa. h5.example.',
    ])
  })
})

describe('$INCLUDE', () => {
  const files = (map: Record<string, string>): ZoneFileSource => ({
    readFileSync: (p) => {
      const t = map[p]
      if (t === undefined) throw new Error('ENOENT')
      return t
    },
    readFile: async (p) => {
      const t = map[p]
      if (t === undefined) throw new Error('ENOENT')
      return t
    },
  })

  it('includes relative to the including file, with an origin, restoring the origin after', () => {
    const fs = files({ '/z/hosts.inc': 'www A 192.0.2.1\n', '/z/sub/more.inc': 'x A 192.0.2.9\n' })
    const zone = parseZone('$TTL 60\n$INCLUDE hosts.inc\n$INCLUDE sub/more.inc sub.example.\nafter A 192.0.2.3\n', { origin: 'example.', fileName: '/z/db', files: fs, include: 'allow' })
    expect([...zone.eachRecord()].map((r) => r.name)).toEqual(['after.example.', 'x.sub.example.', 'www.example.'])
    expect(zone.positionOf(zone.rrset('www.example.', 'A')?.records[0] as never)).toEqual({ file: '/z/hosts.inc', line: 1, column: 1 })
  })

  it('detects loops, and honours deny and jail policies, with the position of the directive', () => {
    const fs = files({ '/z/a': '$TTL 60\n$INCLUDE b\n', '/z/b': '$INCLUDE a\n' })
    const loop = errorOf(() => parseZone('$INCLUDE a\n', { origin: 'example.', fileName: '/z/db', files: fs, include: 'allow' }))
    expect(loop.code).toBe('ERR_ZONE_INCLUDE')
    expect([loop.file, loop.line, loop.column]).toEqual(['/z/b', 1, 1])
    expect(errorOf(() => parseZone('x 1 A 192.0.2.1\n$INCLUDE a\n', { origin: 'example.', fileName: '/z/db', files: fs, include: 'deny' })).message).toBe("/z/db:2:1: $INCLUDE is not allowed (include policy 'deny': zone text does not read files unless given include: { jail: dir } or 'allow')")
    expect(errorOf(() => parseZone('$INCLUDE ../etc/passwd\n', { origin: 'example.', fileName: '/z/db', files: fs, include: { jail: '/z' } })).message).toMatch(/^\/z\/db:1:1: \$INCLUDE file '..\/etc\/passwd' is outside \/z \(include policy jail\)$/)
  })
})

describe('syntax errors carry file:line:column and the offending text', () => {
  const cases: Array<[string, string, number, number, string, string]> = [
    ['unknown type', '$TTL 60\nwww   BOGUS 1\n', 2, 7, 'BOGUS', "unknown RR type 'BOGUS'"],
    ['bad IPv4', '$TTL 60\nwww A 192.0.2.300\n', 2, 7, '192.0.2.300', "bad IPv4 address '192.0.2.300'"],
    ['missing rdata', '$TTL 60\nmx MX 10\n', 2, 9, '', 'missing MX exchange'],
    ['extra rdata', '$TTL 60\na A 192.0.2.1 junk\n', 2, 15, 'junk', "extra rdata 'junk'"],
    ['bad TTL', 'a 12x A 192.0.2.1\n', 1, 3, '12x', "bad TTL '12x'"],
    ['no TTL', 'a A 192.0.2.1\n', 1, 1, 'a', 'no TTL specified'],
    ['unclosed paren', '$TTL 60\n@ SOA ns h (\n 1 2 3 4 5\n', 2, 12, '(', 'unbalanced parentheses: "(" not closed'],
    ['stray paren', '$TTL 60\na A 192.0.2.1 )\n', 2, 15, ')', 'unbalanced parentheses'],
    ['unterminated quote', '$TTL 60\nt TXT "abc\n', 2, 7, '"abc', 'unterminated quoted string'],
    ['class mismatch', '$TTL 60\na CH A 192.0.2.1\n', 2, 3, 'CH', 'class CH does not match zone class IN'],
    ['unknown directive', '$FOO bar\n', 1, 1, '$FOO', "unknown directive '$FOO'"],
    ['generic length', '$TTL 60\nx TYPE9 \\# 3 0102\n', 2, 14, '0102', 'generic rdata length 3 does not match 2 bytes of data'],
    ['long label', `$TTL 60\n${'a'.repeat(64)} A 192.0.2.1\n`, 2, 1, 'a'.repeat(64), `bad owner name '${'a'.repeat(64)}': label longer than 63 bytes`],
  ]
  it.each(cases)('%s', (_name, text, line, column, token, reason) => {
    const e = errorOf(() => parseZone(text, { origin: 'example.', fileName: 'db.test' }))
    expect(isDnsHaErrorLike(e)).toBe(true)
    expect(e.code).toBe('ERR_ZONE_SYNTAX')
    expect([e.file, e.line, e.column, e.text, e.reason]).toEqual(['db.test', line, column, token, reason])
    expect(e.message).toBe(`db.test:${line}:${column}: ${reason}`)
  })

  it('collectErrors gathers every error of the file and keeps the good records', () => {
    const zone = parseZone('$TTL 60\na A 1.2.3\nb A 192.0.2.2\nc BOGUS x\nd TXT "open\ne A 192.0.2.5\n', { origin: 'example.', fileName: 'f', collectErrors: true })
    expect(zone.errors.map((e) => `${e.line}:${e.column}`)).toEqual(['2:5', '4:3', '5:7'])
    expect([...zone.eachRecord()].map((r) => r.name)).toEqual(['b.example.', 'e.example.'])
  })
})

describe('zoneRecords (streaming)', () => {
  it('yields the same records from chunks split anywhere, parentheses and quotes across chunks', async () => {
    const text = `$TTL 60\n@ SOA ns h (\n 1 2 3 4 5 )\n@ NS ns\nt TXT "a b" ( "c"\n "d" )\n${Array.from({ length: 50 }, (_, i) => `h${i} A 192.0.2.${i}`).join('\n')}\n`
    const expected = lines(parseZone(text, { origin: 'example.' }))
    for (const size of [1, 7, 64]) {
      const chunks = async function* (): AsyncGenerator<string> {
        for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size)
      }
      const got = []
      for await (const r of zoneRecords(chunks(), { origin: 'example.' })) got.push(r)
      expect(got).toHaveLength(expected.length)
    }
  })
})

describe('zoneRecords record shapes', () => {
  it('gives the dns-packet shapes the zone gives (A as text, TXT as Buffer[])', async () => {
    const text = '$TTL 60\na A 192.0.2.1\nt TXT "x" "y"\ng TYPE1 \\# 4 c0000202\n'
    const got = []
    for await (const r of zoneRecords((async function* () { yield text })(), { origin: 'example.' })) got.push(r)
    expect(got).toEqual([
      { name: 'a.example.', type: 'A', class: 'IN', ttl: 60, data: '192.0.2.1' },
      { name: 't.example.', type: 'TXT', class: 'IN', ttl: 60, data: [Buffer.from('x'), Buffer.from('y')] },
      { name: 'g.example.', type: 'A', class: 'IN', ttl: 60, data: '192.0.2.2' },
    ])
    expect(got.map(formatRecord).sort()).toEqual(lines(parseZone(text, { origin: 'example.' })).sort())
  })
})
