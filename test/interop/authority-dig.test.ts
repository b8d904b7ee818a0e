// dig and kdig as clients of the Authority on a real DnsServer. Skips when neither is installed.
import { execFile, spawnSync } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { parseZone } from '../../src/zone/index.js'

const run = promisify(execFile)
const haveDig = spawnSync('dig', ['-v']).error === undefined
const haveKdig = spawnSync('kdig', ['--version']).error === undefined
if (!haveDig) console.warn('skipping authority dig interop: dig is not installed (apt-get install bind9-dnsutils)')
if (!haveKdig) console.warn('skipping authority kdig interop: kdig is not installed (apt-get install knot-dnsutils)')

const ZONE = `$ORIGIN example.test.
$TTL 3600
@ SOA ns1 hostmaster 2024010101 7200 3600 1209600 300
@ NS ns1
@ MX 10 mail
ns1 A 192.0.2.53
mail A 192.0.2.25
www A 192.0.2.80
web CNAME www
*.apps A 192.0.2.100
sub NS ns.sub
ns.sub A 192.0.2.153
`

let server: DnsServer
let port = 0

beforeAll(async () => {
  if (!haveDig && !haveKdig) return
  server = new DnsServer({ handler: new Authority({ zones: [parseZone(ZONE, { origin: 'example.test.' })], version: 'dns-ha test' }) })
  port = (await server.listen({ port: 0, address: '127.0.0.1' })).port
})
afterAll(async () => {
  await server?.close()
})

describe.skipIf(!haveDig)('dig against the Authority', () => {
  const dig = async (...args: string[]): Promise<string> => (await run('dig', ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', ...args])).stdout

  it('a positive answer with aa, the record, the apex NS and glue', async () => {
    const out = await dig('www.example.test', 'A')
    expect(out).toMatch(/status: NOERROR/)
    expect(out).toMatch(/flags: qr aa rd;/)
    expect(out).toMatch(/www\.example\.test\.\s+3600\s+IN\s+A\s+192\.0\.2\.80/)
    expect(out).toMatch(/AUTHORITY SECTION:\nexample\.test\.\s+3600\s+IN\s+NS\s+ns1\.example\.test\./)
    expect(out).toMatch(/ADDITIONAL SECTION:[\s\S]*ns1\.example\.test\.\s+3600\s+IN\s+A\s+192\.0\.2\.53/)
  })

  it('NXDOMAIN with the SOA at the negative TTL, CNAME chains, wildcards, referrals', async () => {
    const nx = await dig('nope.example.test', 'A')
    expect(nx).toMatch(/status: NXDOMAIN/)
    expect(nx).toMatch(/example\.test\.\s+300\s+IN\s+SOA\s+ns1\.example\.test\. hostmaster\.example\.test\. 2024010101/)
    const cname = await dig('web.example.test', 'A', '+noall', '+answer')
    expect(cname).toMatch(/web\.example\.test\.\s+3600\s+IN\s+CNAME\s+www\.example\.test\.\n.*192\.0\.2\.80/)
    expect(await dig('Foo.Apps.example.test', 'A', '+short')).toBe('192.0.2.100\n')
    const referral = await dig('host.sub.example.test', 'A', '+norecurse')
    expect(referral).toMatch(/flags: qr;/)
    expect(referral).toMatch(/sub\.example\.test\.\s+3600\s+IN\s+NS\s+ns\.sub\.example\.test\./)
    expect(referral).toMatch(/ns\.sub\.example\.test\.\s+3600\s+IN\s+A\s+192\.0\.2\.153/)
  })

  it('TCP, EDNS with DO echoed, and CH TXT version.bind', async () => {
    expect(await dig('www.example.test', 'A', '+tcp', '+short')).toBe('192.0.2.80\n')
    const edns = await dig('www.example.test', 'A', '+dnssec')
    expect(edns).toMatch(/EDNS: version: 0, flags: do; udp: 1232/)
    expect(await dig('version.bind', 'TXT', 'CH', '+short')).toBe('"dns-ha test"\n')
    expect(await dig('www.example.org', 'A')).toMatch(/status: REFUSED/)
  })

  it('0x20: the mixed-case question comes back as sent (dig prints the reply\'s question)', async () => {
    for (let i = 0; i < 2; i++) {
      const out = await dig('WwW.eXample.TEST', 'A', '+nocomments')
      expect(out).toMatch(/^;WwW\.eXample\.TEST\.\s+IN\s+A/m)
      expect(out).toMatch(/^WwW\.eXample\.TEST\.\s+3600\s+IN\s+A\s+192\.0\.2\.80/m)
    }
  })
})

describe.skipIf(!haveKdig)('kdig against the Authority', () => {
  const kdig = async (...args: string[]): Promise<string> => (await run('kdig', ['@127.0.0.1', '-p', String(port), '+time=2', '+retry=0', ...args])).stdout

  it('answers A, MX with additional, NODATA', async () => {
    expect(await kdig('www.example.test', 'A', '+short')).toBe('192.0.2.80\n')
    const mx = await kdig('example.test', 'MX')
    expect(mx).toMatch(/status: NOERROR/)
    expect(mx).toMatch(/example\.test\.\s+3600\s+IN\s+MX\s+10 mail\.example\.test\./)
    expect(mx).toMatch(/mail\.example\.test\.\s+3600\s+IN\s+A\s+192\.0\.2\.25/)
    const nodata = await kdig('www.example.test', 'AAAA')
    expect(nodata).toMatch(/status: NOERROR/)
    expect(nodata).toMatch(/AUTHORITY SECTION:\s*\n;?\s*example\.test\.\s+300\s+IN\s+SOA/)
  })

  it('TCP and referrals', async () => {
    expect(await kdig('www.example.test', 'A', '+tcp', '+short')).toBe('192.0.2.80\n')
    const referral = await kdig('x.sub.example.test', 'A', '+norec')
    expect(referral).toMatch(/Flags: qr;/)
    expect(referral).toMatch(/sub\.example\.test\.\s+3600\s+IN\s+NS\s+ns\.sub\.example\.test\./)
  })
})
