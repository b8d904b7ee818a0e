/**
 * Cases where parseZone, formatZone and checkZone once disagreed with BIND 9.18
 * (named-compilezone / named-checkzone -i local); each expectation is BIND's reading.
 */
import { describe, expect, it } from 'vitest'
import { ZoneSyntaxError, checkZone, expandGenerate, formatZone, parseZone } from './imports.js'
import type { ZoneFileSource } from './imports.js'
import { errorOf, lines, rr } from './helpers.js'

const HEAD = '$TTL 1h\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n'

function owners(text: string): string[] {
  return [...parseZone(text, { origin: 'example.' }).eachRecord()].map((r) => r.name)
}

describe('$GENERATE as BIND expands it', () => {
  it('writes nibbles without a trailing dot, width counting characters', () => {
    expect(expandGenerate('${0,0,n}', 0x12)).toBe('2.1')
    expect(expandGenerate('${0,1,n}', 0x12)).toBe('2.1')
    expect(expandGenerate('${0,2,n}', 0x12)).toBe('2.1')
    expect(expandGenerate('${0,3,N}', 0xab)).toBe('B.A')
    expect(expandGenerate('${0,6,n}', 0x12)).toBe('2.1.0.')
    expect(expandGenerate('${0,7,n}', 0x12)).toBe('2.1.0.0')
    expect(owners('$TTL 1h\n$GENERATE 17-17 h${0,0,n} A 192.0.2.1\n')).toEqual(['h1.1.example.'])
  })

  it('lets an offset go below zero: %d signed, o/x/X/n unsigned 32-bit', () => {
    expect(expandGenerate('h${-20}', 17)).toBe('h-3')
    expect(expandGenerate('h${-20,3,d}', 18)).toBe('h-02')
    expect(expandGenerate('h${-20,3,x}', 17)).toBe('hfffffffd')
    expect(expandGenerate('h${-20,0,o}', 17)).toBe('h37777777775')
    expect(expandGenerate('h${-20,0,n}', 17)).toBe('hd.f.f.f.f.f.f.f')
    expect(owners('$TTL 1h\n$GENERATE 17-18 h${-20} A 192.0.2.1\n')).toEqual(['h-2.example.', 'h-3.example.'])
  })

  it('refuses a value above 2^31-1 and a malformed modifier', () => {
    expect(expandGenerate('${2147483647}', 1)).toBeUndefined()
    expect(expandGenerate('${1,3,d', 1)).toBeUndefined()
    const e = errorOf(() => parseZone('$TTL 1h\n$GENERATE 17-18 h${2147483647} A 192.0.2.1\n', { origin: 'example.', fileName: 'g' }))
    expect([e.line, e.column, e.text]).toEqual([2, 17, 'h${2147483647}'])
  })

  it('keeps a backslash escape as it is and makes $$ a literal $', () => {
    expect(expandGenerate('h\\$$', 17)).toBe('h\\$17')
    expect(expandGenerate('h$$$', 17)).toBe('h$17')
    expect(owners('$TTL 1h\n$GENERATE 17-17 h\\$$ A 192.0.2.1\n')).toEqual(['h\\$17.example.'])
  })

  it('reads a quoted rhs as the rdata text: "10 mail$" for MX, several TXT strings, \\" unescaped', () => {
    const zone = parseZone(`${HEAD}$GENERATE 1-2 h$ MX "10 mail$"\n$GENERATE 1-1 t$ TXT "a\\$b $ \\"x y\\""\n`, { origin: 'example.' })
    expect(lines(zone).filter((l) => / (MX|TXT) /.test(l))).toEqual(rr(`h1.example. 3600 IN MX 10 mail1.example.
h2.example. 3600 IN MX 10 mail2.example.
t1.example. 3600 IN TXT "a$b" "1" "x y"`))
  })

  it('takes one rdata token, like BIND ("extra input text"), and places rdata errors on the $GENERATE line', () => {
    const extra = errorOf(() => parseZone('$TTL 1h\n$GENERATE 1-2 h$ MX 10 mail$\n', { origin: 'example.', fileName: 'g' }))
    expect([extra.file, extra.line, extra.column, extra.text]).toEqual(['g', 2, 24, 'mail$'])
    const bad = errorOf(() => parseZone('$TTL 1h\n\n$GENERATE 1-2 h$ MX "x mail$"\n', { origin: 'example.', fileName: 'g' }))
    expect([bad.line, bad.column, bad.text]).toEqual([3, 21, 'x mail$'])
    expect(bad.reason).toMatch(/bad MX preference 'x'/)
  })
})

describe('owners and TTLs as BIND reads them', () => {
  it('refuses a blank owner before any owner ("no current owner name")', () => {
    const e = errorOf(() => parseZone('\tA 192.0.2.1\n$TTL 1h\n', { origin: 'example.', defaultTtl: 60, fileName: 'z' }))
    expect([e.line, e.column, e.reason]).toEqual([1, 2, expect.stringMatching(/^no current owner name/)])
  })

  it('an included file starts with the including file\'s owner, and the includer keeps its own after', () => {
    const files: ZoneFileSource = {
      readFileSync: () => '\tTXT "first line"\nw A 192.0.2.5\n',
      readFile: async () => '\tTXT "first line"\nw A 192.0.2.5\n',
    }
    const zone = parseZone(`${HEAD}before A 192.0.2.9\n$INCLUDE c.inc sub\n\tA 192.0.2.3\n`, { origin: 'example.', fileName: '/z/db', files, include: 'allow' })
    expect(lines(zone).filter((l) => l.startsWith('before') || l.startsWith('w.')).sort()).toEqual(rr(`before.example. 3600 IN A 192.0.2.3
before.example. 3600 IN A 192.0.2.9
before.example. 3600 IN TXT "first line"
w.sub.example. 3600 IN A 192.0.2.5`).sort())
  })

  it('the streaming reader passes the owner into an include too', async () => {
    const files: ZoneFileSource = {
      readFileSync: (p) => (p === '/z/db' ? `${HEAD}before A 192.0.2.9\n$INCLUDE c.inc\n` : '\tTXT "x"\n'),
      readFile: async (p) => (p === '/z/db' ? `${HEAD}before A 192.0.2.9\n$INCLUDE c.inc\n` : '\tTXT "x"\n'),
    }
    const { readZoneFile } = await import('./imports.js')
    const zone = await readZoneFile('/z/db', { origin: 'example.', files })
    expect(zone.rrset('before.example.', 'TXT')?.records.length).toBe(1)
  })

  it('takes trailing digits after a unit for no TTL (1h30 is an unknown type to BIND)', () => {
    expect(errorOf(() => parseZone('$TTL 1h30\n', { origin: 'example.' })).reason).toBe("bad TTL '1h30'")
    expect(errorOf(() => parseZone('$TTL 1h\na 1h30 A 192.0.2.1\n', { origin: 'example.' })).text).toBe('1h30')
    expect(parseZone('a 1h30s A 192.0.2.1\n', { origin: 'example.' }).rrset('a.example.', 'A')?.ttl).toBe(3630)
  })
})

describe('RFC 3597 rdata of known types becomes the type\'s own data, as in BIND', () => {
  it('decodes every structured type into the same data as its presentation form', () => {
    const generic = parseZone(`$TTL 1h
mx MX \\# 8 000a 046d61696c 00
ns NS \\# 4 026e7300
srv SRV \\# 7 0001 0002 0003 00
aaaa AAAA \\# 16 20010db8000000000000000000000001
caa CAA \\# 13 0005697373756563612e6f7267
ds DS \\# 24 0001 08 01 0123456789abcdef0123456789abcdef01234567
hinfo HINFO \\# 6 02 61 22 02 62 5c
naptr NAPTR \\# 9 0001 0002 01 53 00 00 00
rp RP \\# 2 00 00
ptr PTR \\# 7 03 41 2e 62 01 5c 00
soa SOA \\# 27 026e7300 016800 00000001 00000002 00000003 00000004 00000005
dnskey DNSKEY \\# 6 0100 03 08 abcd
tlsa TLSA \\# 5 03 01 01 abcd
sshfp SSHFP \\# 22 01 01 0123456789abcdef0123456789abcdef01234567
nsec NSEC \\# 8 01 61 00 00 03 60 00 08
nsec3 NSEC3 \\# 16 01 00 000a 02 abcd 05 0102030405 00 01 60
rrsig RRSIG \\# 23 0001 08 02 00000e10 65000000 64000000 1234 00 abcdef01
`, { origin: 'example.' })
    const text = parseZone(`$TTL 1h
mx MX 10 mail.
ns NS ns.
srv SRV 1 2 3 .
aaaa AAAA 2001:db8::1
caa CAA 0 issue "ca.org"
ds DS 1 8 1 0123456789abcdef0123456789abcdef01234567
hinfo HINFO "a\\"" "b\\\\"
naptr NAPTR 1 2 "S" "" "" .
rp RP . .
ptr PTR A\\.b.\\\\.
soa SOA ns. h. 1 2 3 4 5
dnskey DNSKEY 256 3 8 q80=
tlsa TLSA 3 1 1 abcd
sshfp SSHFP 1 1 0123456789abcdef0123456789abcdef01234567
nsec NSEC a. A NS ISDN
nsec3 NSEC3 1 0 10 abcd 04106105 A NS
rrsig RRSIG A 8 2 3600 1694498816 1677721600 4660 . q83vAQ==
`, { origin: 'example.' })
    expect([...generic.eachRecord()]).toEqual([...text.eachRecord()])
    expect(generic.rrset('mx.example.', 'MX')?.records[0]).toMatchObject({ type: 'MX', data: { preference: 10, exchange: 'mail.' } })
  })

  it('refuses malformed wire rdata of a known type, like BIND', () => {
    const zone = parseZone('$TTL 1h\nt MX \\# 2 000a\nv CNAME \\# 2 c000\nw SOA \\# 2 0000\n', { origin: 'example.', fileName: 'b', collectErrors: true })
    expect(zone.errors.map((e) => `${e.line}:${e.column} ${e.reason}`)).toEqual([
      '2:11 bad generic rdata for MX: rdata too short',
      '3:14 bad generic rdata for CNAME: compressed or malformed name',
      '4:12 bad generic rdata for SOA: rdata too short',
    ])
  })

  it('lets checkZone see an MX written as \\# pointing at a CNAME', () => {
    const zone = parseZone(`${HEAD}@ MX \\# 17 000a 05616c696173 076578616d706c65 00\nalias CNAME ns\n`, { origin: 'example.' })
    expect(checkZone(zone).findings.map((f) => f.code)).toEqual(['mx-is-cname'])
  })
})

describe('formatZone keeps the case BIND keeps', () => {
  it('writes a name absolute when its origin part is spelled in another case', () => {
    const zone = parseZone(`${HEAD}EXAMPLE. TXT "apex"\nMail.EXAMPLE. A 192.0.2.2\nWWW A 192.0.2.3\nx CNAME Mail.EXAMPLE.\n`, { origin: 'example.' })
    const out = formatZone(zone)
    expect(out).toMatch(/^EXAMPLE\.\s+IN TXT\s+"apex"$/m)
    expect(out).toMatch(/^Mail\.EXAMPLE\.\s+IN A\s+192\.0\.2\.2$/m)
    expect(out).toMatch(/^WWW\s+IN A\s+192\.0\.2\.3$/m)
    expect(out).toMatch(/CNAME\s+Mail\.EXAMPLE\.$/m)
    expect(lines(parseZone(out, { origin: 'example.' }))).toEqual(lines(zone))
  })
})

describe('checkZone severities follow named-checkzone -i local', () => {
  const codes = (extra: string): string[] =>
    checkZone(parseZone(`${HEAD}alias CNAME ns\n${extra}`, { origin: 'example.', fileName: 'db' })).findings.map((f) => `${f.severity} ${f.code} ${f.line}`)

  it('refuses the zone for its apex NS only', () => {
    expect(codes('@ NS alias\n')).toEqual(['error ns-is-cname 6'])
    expect(codes('@ NS nowhere\n')).toEqual(['error ns-no-address 6'])
  })

  it('reports delegation, MX and SRV problems as warnings, with required and sibling glue', () => {
    expect(codes('sub NS alias\n')).toEqual(['warning ns-is-cname 6'])
    expect(codes('sub NS ns.sub\n')).toEqual(['warning ns-no-address 6'])
    expect(codes('@ MX 10 alias\n')).toEqual(['warning mx-is-cname 6'])
    expect(codes('@ MX 10 nowhere\n')).toEqual(['warning mx-no-address 6'])
    expect(codes('x SRV 0 0 1 alias\ny SRV 0 0 1 nowhere\n')).toEqual(['warning srv-is-cname 6', 'warning srv-no-address 7'])
    expect(codes('sub NS ns.other\nother NS ns.other\n').sort()).toEqual(['warning ns-no-address 6', 'warning ns-no-address 7'])
  })

  it('leaves an apex NS below a delegation to the delegation\'s glue check', () => {
    expect(codes('@ NS ns.sub\nsub NS ns.sub\n')).toEqual(['warning ns-no-address 7'])
    expect(codes('@ NS ns.sub\nsub NS ns.sub\nns.sub A 192.0.2.8\n')).toEqual([])
  })
})

describe('$INCLUDE jail', () => {
  it('refuses a symbolic link inside the jail that leads out of it, and accepts names starting with ..', async () => {
    const { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const dir = mkdtempSync(join(tmpdir(), 'dns-ha-jail-'))
    try {
      mkdirSync(join(dir, 'jail'))
      writeFileSync(join(dir, 'secret.inc'), 'secret A 192.0.2.66\n')
      writeFileSync(join(dir, 'jail', '..hosts.inc'), 'www A 192.0.2.1\n')
      symlinkSync(join(dir, 'secret.inc'), join(dir, 'jail', 'link.inc'))
      const main = join(dir, 'jail', 'db')
      const options = { origin: 'example.', fileName: main, include: { jail: join(dir, 'jail') } }
      const e = errorOf(() => parseZone('$TTL 1h\n$INCLUDE link.inc\n', options))
      expect([e.code, e.line, e.column]).toEqual(['ERR_ZONE_INCLUDE', 2, 1])
      expect(e.reason).toMatch(/outside/)
      expect(parseZone('$TTL 1h\n$INCLUDE ..hosts.inc\n', options).rrset('www.example.', 'A')?.records.length).toBe(1)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('collectErrors keeps line numbers right after a lexer error', () => {
  it('reports each error of a file on the line named-checkzone names', () => {
    const text = `$TTL 1h
a A 1.2.3
c TXT "open
d A 192.0.2.1
e MX ( 10
  )
f A 192.0.2.1 extra
l A 192.0.2.1 )
m A 1.2.3
`
    const zone = parseZone(text, { origin: 'example.', fileName: 'errs', collectErrors: true })
    expect(zone.errors.map((e) => `${e.line}:${e.column}`)).toEqual(['2:5', '3:7', '5:10', '7:15', '8:15', '9:5'])
    expect(zone.positionOf(zone.rrset('d.example.', 'A')?.records[0] as never)).toEqual({ file: 'errs', line: 4, column: 1 })
  })
})

describe('zoneRecords collects errors and warnings where the caller can see them', () => {
  it('fills the errors and warnings arrays given, and keeps going', async () => {
    const { zoneRecords } = await import('./imports.js')
    const errors: ZoneSyntaxError[] = []
    const warnings: Array<{ code: string }> = []
    const names: string[] = []
    const chunks = async function* (): AsyncGenerator<string> {
      yield 'a 60 A 1.2.3\nb 60 A 192.0.2.2\nc TXT "open\n'
      yield 'd A 192.0.2.4\n'
    }
    for await (const r of zoneRecords(chunks(), { origin: 'example.', fileName: 's', collectErrors: true, errors, warnings: warnings as never })) names.push(r.name)
    expect(names).toEqual(['b.example.', 'd.example.'])
    expect(errors.map((e) => `${e.file}:${e.line}:${e.column}`)).toEqual(['s:1:8', 's:3:7'])
    expect(warnings.map((w) => w.code)).toEqual(['rfc1035-ttl'])
  })

  it('refuses collectErrors without an array to collect into', async () => {
    const { zoneRecords } = await import('./imports.js')
    const one = async function* (): AsyncGenerator<string> {
      yield 'a 60 A 1.2.3\n'
    }
    await expect(zoneRecords(one(), { origin: 'example.', collectErrors: true }).next()).rejects.toMatchObject({ code: 'ERR_CONFIG' })
  })
})

describe('digest lengths as BIND checks them', () => {
  const zone = (line: string): string => `$TTL 300\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\nsub NS ns\n${line}\n`

  it.each([
    ['sub DS 1 8 2 abcd', 'digest of type 2 must be 32 bytes, not 2'],
    ['sub DS 1 8 1 ' + 'ab'.repeat(21), 'digest of type 1 must be 20 bytes, not 21'],
    ['sub CDS 1 8 4 ' + 'ab'.repeat(32), 'digest of type 4 must be 48 bytes, not 32'],
    ['h SSHFP 1 2 abcd', 'fingerprint of type 2 must be 32 bytes, not 2'],
    ['sub DS \\# 6 0001 08 02 abcd', 'digest of type 2 must be 32 bytes, not 2'],
  ])('refuses %s at the digest', (line, message) => {
    const e = errorOf(() => parseZone(zone(line), { origin: 'example.', fileName: 'db' }))
    expect(e.message).toContain(message)
    expect(e.line).toBe(6)
  })

  it('takes the right lengths, and any length for other digest types', () => {
    const text = zone(['sub DS 1 8 2 ' + 'ab'.repeat(32), 'sub DS 1 8 1 ' + 'cd'.repeat(20), 'sub DS 1 8 3 abcd', 'h SSHFP 1 1 ' + 'ef'.repeat(20), 'h SSHFP 1 3 abcd'].join('\n'))
    expect(parseZone(text, { origin: 'example.' }).size).toBe(9)
  })
})
