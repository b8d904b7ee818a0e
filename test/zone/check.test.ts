import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { checkZone, parseZone, readZoneFile } from './imports.js'

const shared = fileURLToPath(new URL('../fixtures/testdata/zones/', import.meta.url))

function findings(text: string, origin = 'example.'): string[] {
  return checkZone(parseZone(text, { origin, fileName: 'db' })).findings.map((f) => `${f.severity} ${f.code} ${f.file}:${f.line}:${f.column}`)
}

describe('checkZone', () => {
  it('accepts a sound zone', () => {
    const r = checkZone(parseZone('$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n', { origin: 'example.' }))
    expect(r).toEqual({ ok: true, findings: [] })
  })

  it('reports each problem at its record position', () => {
    expect(findings(`$TTL 60
@ SOA ns h 1 2 3 4 5
@ NS ns
@ MX 10 alias
ns A 192.0.2.1
alias CNAME ns
alias A 192.0.2.9
two CNAME ns
two CNAME alias
out.other. A 192.0.2.7
sub NS ns.sub
ttl 60 A 192.0.2.1
ttl 70 A 192.0.2.2
`).sort()).toEqual([
      'error cname-and-other-data db:6:1',
      'error multiple-cname db:9:1',
      'warning mx-is-cname db:4:1',
      'warning ns-no-address db:11:1',
      'warning out-of-zone db:10:1',
      'warning ttl-mismatch db:13:1',
    ])
    expect(findings('$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n')).toEqual([])
  })

  it('says a file without SOA is not a zone, and finds a missing apex NS', () => {
    expect(findings('$TTL 60\nns A 192.0.2.1\n')).toEqual(['error no-soa db:2:1', 'error no-apex-ns db:2:1'])
  })
})

describe('checkZone on the shared testdata (BIND verdicts)', () => {
  it.each([
    ['vipshop.zone', 'vipshop.com.'], ['db.local', 'localhost.'], ['db.127', '127.in-addr.arpa.'], ['db.empty', 'example.'],
  ])('%s is OK', async (file, origin) => {
    const r = checkZone(await readZoneFile(shared + file, { origin }))
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([])
  })

  it.each([
    ['localhost.zone', 'localhost.', '1D.localhost.', 9],
    ['localhost.rev', '0.0.127.in-addr.arpa.', 'IN.0.0.127.in-addr.arpa.', 8],
  ])('%s has no NS records, and the column-0 record is pointed at', async (file, origin, owner, line) => {
    const zone = await readZoneFile(shared + file, { origin })
    const r = checkZone(zone)
    expect(r.ok).toBe(false)
    const noNs = r.findings.find((f) => f.code === 'no-apex-ns')
    expect(noNs).toMatchObject({ file: shared + file, line: file === 'localhost.zone' ? 3 : 2, column: 1, message: `${origin}: has no NS records` })
    expect(r.findings.find((f) => f.code === 'owner-looks-like-field')).toMatchObject({ name: owner, line, column: 1 })
  })

  it('root.hints parses but is not a zone', async () => {
    const zone = await readZoneFile(shared + 'root.hints', { origin: '.' })
    expect(zone.size).toBeGreaterThan(20)
    expect(checkZone(zone).findings[0]).toMatchObject({ code: 'no-soa', message: expect.stringContaining('has 0 SOA records') })
  })

  it('dnspython-example.zone: errors carry positions; everything supported loads', async () => {
    const zone = await readZoneFile(shared + 'dnspython-example.zone', { origin: 'example.', collectErrors: true })
    expect(zone.size).toBeGreaterThan(140)
    for (const e of zone.errors) expect(e.message).toMatch(/dnspython-example\.zone:\d+:\d+: /)
    expect(zone.rrset('unknown2.example.', 'TYPE999')?.records[0]?.data).toEqual(Buffer.from('0a0000010a000001', 'hex'))
  })
})
