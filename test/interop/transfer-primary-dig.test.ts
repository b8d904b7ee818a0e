// dig against our primary: `dig axfr` and `dig ixfr=N` (with and without TSIG, over TCP and UDP),
// each answer checked record for record against the zone versions it should carry. Skips when dig
// is not installed.
import { execFile, spawnSync } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { createKeyring } from '../../src/tsig/index.js'
import { formatRecord, parseZone } from '../../src/zone/index.js'
import type { Zone } from '../../src/zone/zone.js'

const run = promisify(execFile)
const have = spawnSync('dig', ['-v']).status === 0
if (!have) console.warn('skipping transfer-primary-dig: dig is not installed (apt-get install bind9-dnsutils)')

const SECRET = Buffer.alloc(32, 0x42).toString('base64')
const ORIGIN = 'xfr.test.'

function version(serial: number, ...extra: string[]): Zone {
  const hosts = Array.from({ length: 1500 }, (_, i) => `h${i} A 10.1.${i >> 8}.${i & 255}`)
  return parseZone(['$TTL 300', `@ IN SOA ns1 hostmaster ${serial} 3600 600 86400 300`, '@ NS ns1', 'ns1 A 192.0.2.1', 'mail MX 10 ns1', 'txt TXT "a b" "c"', ...hosts, ...extra, ''].join('\n'), { origin: ORIGIN })
}

/** The records of dig's output, in order, each in our zone-file text (so both sides print alike). */
function digRecords(output: string): string[] {
  const text = output
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith(';') && !/\sANY\s+TSIG\s/.test(l))
    .join('\n')
  // One record per line: parse each alone so duplicates (the SOA twice) and order survive.
  return text.split('\n').map((line) => formatRecord(parseZone(`${line}\n`, { origin: ORIGIN, check: false } as never).records[0]!))
}

const lines = (...records: { name: string }[]) => records.map((r) => formatRecord(r as never))

describe.skipIf(!have)('dig axfr / ixfr against our primary', () => {
  let server: DnsServer
  let port = 0
  let auth: Authority
  const v1 = version(1, 'www A 192.0.2.10')
  const v2 = version(2, 'www A 192.0.2.11')
  const v3 = version(3, 'www A 192.0.2.11', 'new AAAA 2001:db8::3')

  beforeAll(async () => {
    auth = new Authority({ zones: [v1], allowTransfer: ['127.0.0.1', 'key:xfr-key'], notify: false })
    auth.replaceZone(v2)
    auth.replaceZone(v3)
    server = new DnsServer({ handler: auth, tsig: createKeyring([{ name: 'xfr-key', algorithm: 'hmac-sha256', secret: SECRET }]) })
    port = (await server.listen({ port: 0, address: '127.0.0.1' })).port
  })
  afterAll(async () => {
    await server.close()
    await auth.close()
  })

  const dig = async (...args: string[]) => (await run('dig', ['@127.0.0.1', '-p', String(port), ...args], { maxBuffer: 64 << 20 })).stdout

  it('dig axfr: SOA, every record of the zone, SOA, in several messages', async () => {
    const out = await dig(ORIGIN, 'AXFR')
    const got = digRecords(out)
    const soa = formatRecord(v3.soa!)
    expect(got[0]).toBe(soa)
    expect(got[got.length - 1]).toBe(soa)
    expect(got.slice(1, -1).sort()).toEqual(v3.records.filter((r) => r.type !== 'SOA').map((r) => formatRecord(r)).sort())
    expect(out).toMatch(new RegExp(`XFR size: ${v3.size + 1} records \\(messages [2-9]`))
  })

  it('dig -y axfr: every message signed, verified by dig', async () => {
    const out = await dig('-y', `hmac-sha256:xfr-key:${SECRET}`, ORIGIN, 'AXFR')
    expect(out).not.toMatch(/failed|BADSIG|tsig verify/i)
    // Every message carries its TSIG (dig prints one per message).
    expect(out.match(/\sANY\s+TSIG\s/g)!.length).toBe(Number(/messages (\d+)/.exec(out)![1]))
    expect(digRecords(out)).toHaveLength(v3.size + 1)
  })

  it('dig -y with the wrong secret: BADSIG, nothing transferred', async () => {
    const out = await dig('-y', `hmac-sha256:xfr-key:${Buffer.alloc(32, 1).toString('base64')}`, ORIGIN, 'AXFR').catch((e: { stdout: string }) => e.stdout)
    expect(out).toMatch(/BADSIG/)
    expect(out).not.toMatch(/XFR size/)
  })

  it('dig ixfr=1: both changes, record for record', async () => {
    const soa = (z: Zone) => formatRecord(z.soa!)
    const got = digRecords(await dig(ORIGIN, 'IXFR=1'))
    expect(got).toEqual([
      soa(v3),
      soa(v1),
      ...lines(v1.rrset('www.xfr.test.', 'A')!.records[0]!),
      soa(v2),
      ...lines(v2.rrset('www.xfr.test.', 'A')!.records[0]!),
      soa(v2),
      soa(v3),
      ...lines(v3.rrset('new.xfr.test.', 'AAAA')!.records[0]!),
      soa(v3),
    ])
  })

  it('dig ixfr=3 (current): the SOA alone; dig +notcp ixfr=1 over UDP: the SOA alone', async () => {
    expect(digRecords(await dig(ORIGIN, 'IXFR=3'))).toEqual([formatRecord(v3.soa!)])
    expect(digRecords(await dig('+notcp', ORIGIN, 'IXFR=1'))).toEqual([formatRecord(v3.soa!)])
  })

  it('dig ixfr=0 (older than the journal): the whole zone in AXFR form', async () => {
    const got = digRecords(await dig(ORIGIN, 'IXFR=0'))
    expect(got).toHaveLength(v3.size + 1)
    expect(got.slice(1, -1).sort()).toEqual(v3.records.filter((r) => r.type !== 'SOA').map((r) => formatRecord(r)).sort())
  })
})

// The AXFR encoder writes most rdata itself (A, AAAA, NS, CNAME, PTR, MX, SOA, TXT, SRV) and
// compresses names: dig reads every type back as the zone holds it, over many small signed
// messages, with names in mixed case and a TXT longer than a message's limit.
describe.skipIf(!have)('dig -y axfr of a zone of many types, in 1 KiB messages', () => {
  const origin = 'types.test.'
  const longTxt = Array.from({ length: 8 }, (_, i) => `"${String(i).repeat(255)}"`).join(' ')
  const hosts = Array.from({ length: 300 }, (_, i) => `Host${i}.Sub A 10.2.${i >> 8}.${i & 255}`)
  const zone = parseZone(
    [
      '$TTL 300',
      '@ SOA ns1 hostmaster 9 3600 600 86400 300',
      '@ NS ns1',
      '@ NS NS2.Types.TEST.',
      '@ MX 10 Mail',
      'ns1 A 192.0.2.1',
      'ns2 AAAA 2001:db8::2',
      'lead AAAA ::2:3:4:5:6:7:8',
      'www CNAME Mail.types.test.',
      'mail A 192.0.2.25',
      'ptr PTR host.example.net.',
      '_sip._tcp SRV 10 60 5060 sip.Types.test.',
      'naptr NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp',
      'caa CAA 0 issue "letsencrypt.org"',
      'ds DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118',
      'sshfp SSHFP 1 1 aa549bfe898489c02d1715d97d79c57ba2fa76ab',
      'tlsa TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      'hinfo HINFO "PC" "Linux"',
      'txt TXT "a b" "c"',
      `long TXT ${longTxt}`,
      ...hosts,
      '',
    ].join('\n'),
    { origin },
  )
  let server: DnsServer
  let auth: Authority
  let port = 0
  beforeAll(async () => {
    auth = new Authority({ zones: [zone], allowTransfer: ['key:xfr-key'], notify: false, transferMessageSize: 1024 })
    server = new DnsServer({ handler: auth, tsig: createKeyring([{ name: 'xfr-key', algorithm: 'hmac-sha256', secret: SECRET }]) })
    port = (await server.listen({ port: 0, address: '127.0.0.1' })).port
  })
  afterAll(async () => {
    await server.close()
    await auth.close()
  })

  it('verifies every message and reads every record as the zone holds it; the AAAA ::2:3:4:5:6:7:8 as 0:2:3:4:5:6:7:8', async () => {
    const out = (await run('dig', ['@127.0.0.1', '-p', String(port), '-y', `hmac-sha256:xfr-key:${SECRET}`, origin, 'AXFR'], { maxBuffer: 64 << 20 })).stdout
    expect(out).not.toMatch(/failed|BADSIG|tsig verify/i)
    const messages = Number(/messages (\d+)/.exec(out)![1])
    expect(messages).toBeGreaterThan(10)
    expect(out.match(/\sANY\s+TSIG\s/g)!.length).toBe(messages)
    const text = out.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';') && !/\sANY\s+TSIG\s/.test(l))
    const got = text.map((line) => formatRecord(parseZone(`${line}\n`, { origin, check: false } as never).records[0]!))
    expect(got).toHaveLength(zone.size + 1)
    expect(text.find((l) => l.startsWith('lead.types.test.'))).toMatch(/AAAA\s+0:2:3:4:5:6:7:8$/)
    const expected = zone.records.filter((r) => r.type !== 'SOA').map((r) => formatRecord(r.name.startsWith('lead.') ? { ...r, data: '0:2:3:4:5:6:7:8' } : r))
    // Compared without case: a compressed name reads back in the case of the copy it points at.
    const lower = (list: string[]) => list.map((l) => l.toLowerCase()).sort()
    expect(lower(got.slice(1, -1))).toEqual(lower(expected))
    expect(got).toContain('Host7.Sub.types.test. 300 IN A 10.2.0.7')
  })
})
