// nsupdate (BIND) against our DnsServer + Authority({ store, update }): TSIG-signed adds and
// deletes over UDP and TCP (-v), each seen by dig at once; prerequisites that fail answered with
// their rcode (nsupdate prints "update failed: <RCODE>"); a wrong secret refused by the server's
// TSIG check (NOTAUTH/BADSIG), a key without a grant REFUSED, names outside the grant REFUSED.
// Skips when nsupdate or dig is absent.
import { execFile, spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { UpdateResponder } from '../../src/records/update-responder.js'
import { ZoneStore } from '../../src/records/zone-store.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { createKeyring } from '../../src/tsig/index.js'
import { checkZone } from '../../src/zone/check.js'
import { exampleZone, tempDir } from '../records/helpers.js'

const haveTools = spawnSync('nsupdate', ['-V']).error === undefined && spawnSync('dig', ['-v']).error === undefined
const haveKnsupdate = haveTools && spawnSync('knsupdate', ['-h']).error === undefined
if (haveTools && !haveKnsupdate) console.warn('skipping the knsupdate case: knsupdate is not installed (apt-get install knot-dnsutils)')
if (!haveTools) console.warn('skipping nsupdate interop: nsupdate or dig is not installed (apt-get install bind9-dnsutils)')

const SECRET = 'a2V5LWZvci10aGUtdHNpZy1pbnRlcm9wLXRlc3QtIQ=='
const WRONG = 'c29tZS1vdGhlci1zZWNyZXQtZW50aXJlbHktLS0tIQ=='
let server: DnsServer
let store: ZoneStore
let port = 0
const temp = tempDir()

beforeAll(async () => {
  if (!haveTools) return
  store = await ZoneStore.open({ dir: temp.dir, zones: [exampleZone()] })
  const update = new UpdateResponder({
    store,
    allowUpdate: [
      { key: 'ddns-key', names: 'zonesub' },
      { key: 'dyn-key', names: ['*.dyn.example.com.'], types: ['A', 'TXT'] },
    ],
  })
  const keyring = createKeyring([
    { name: 'ddns-key', algorithm: 'hmac-sha256', secret: SECRET },
    { name: 'dyn-key', algorithm: 'hmac-sha256', secret: SECRET },
    { name: 'no-grant', algorithm: 'hmac-sha256', secret: SECRET },
  ])
  server = new DnsServer({ handler: new Authority({ store, update }), tsig: keyring })
  port = (await server.listen({ port: 0, address: '127.0.0.1' })).port
})
afterAll(async () => {
  await server?.close()
  await store?.close()
  temp.cleanup()
})

function run(tool: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile(tool, args, { timeout: 15_000 }, (_error, stdout, stderr) => resolve(`${stdout}${stderr}`))
    if (input !== undefined) child.stdin!.end(input)
  })
}
const nsupdate = (key: string, commands: string[], tcp: boolean, secret = SECRET): Promise<string> =>
  run('nsupdate', [...(tcp ? ['-v'] : []), '-t', '3', '-y', `hmac-sha256:${key}:${secret}`], [`server 127.0.0.1 ${port}`, 'zone example.com.', ...commands, 'send', ''].join('\n'))
const knsupdate = (key: string, commands: string[], tcp: boolean): Promise<string> =>
  run('knsupdate', [...(tcp ? ['-v'] : []), '-t', '3', '-y', `hmac-sha256:${key}:${SECRET}`], [`server 127.0.0.1 ${port}`, 'zone example.com.', ...commands, 'send', ''].join('\n'))
const dig = async (name: string, type: string): Promise<string> => (await run('dig', ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', '+short', name, type])).trim()

describe.skipIf(!haveTools)('nsupdate -y against ZoneStore + UpdateResponder', () => {
  for (const tcp of [false, true]) {
    const via = tcp ? 'TCP (-v)' : 'UDP'
    it(`adds and deletes over ${via}, each seen by dig with a new serial`, async () => {
      const host = `h-${tcp ? 'tcp' : 'udp'}.example.com.`
      const serial0 = store.serial('example.com.')
      expect(await nsupdate('ddns-key', [`update add ${host} 300 A 192.0.2.77`, `update add ${host} 300 TXT "made by nsupdate"`], tcp)).toBe('')
      expect(await dig(host, 'A')).toBe('192.0.2.77')
      expect(await dig(host, 'TXT')).toBe('"made by nsupdate"')
      expect(Number((await dig('example.com.', 'SOA')).split(' ')[2])).toBe(serial0 + 1)
      expect(await nsupdate('ddns-key', [`update delete ${host} A 192.0.2.77`], tcp)).toBe('')
      expect(await dig(host, 'A')).toBe('')
      expect(await dig(host, 'TXT')).toBe('"made by nsupdate"')
      expect(await nsupdate('ddns-key', [`update delete ${host}`], tcp)).toBe('')
      expect(await dig(host, 'TXT')).toBe('')
      expect(store.serial('example.com.')).toBe(serial0 + 3)
    })

    it(`failed prerequisites over ${via} get their rcode and change nothing`, async () => {
      const serial0 = store.serial('example.com.')
      const cases: [string, string][] = [
        ['prereq yxdomain nothere.example.com.', 'NXDOMAIN'],
        ['prereq nxdomain www.example.com.', 'YXDOMAIN'],
        ['prereq yxrrset www.example.com. TXT', 'NXRRSET'],
        ['prereq nxrrset www.example.com. A', 'YXRRSET'],
        ['prereq yxrrset www.example.com. A 192.0.2.10', 'NXRRSET'],
      ]
      for (const [prereq, rcode] of cases) {
        const out = await nsupdate('ddns-key', [prereq, 'update add p.example.com. 300 A 192.0.2.5'], tcp)
        expect(out, prereq).toMatch(new RegExp(`update failed: ${rcode}`))
      }
      expect(await dig('p.example.com.', 'A')).toBe('')
      expect(store.serial('example.com.')).toBe(serial0)
      // A value-dependent prerequisite that holds.
      expect(await nsupdate('ddns-key', ['prereq yxrrset www.example.com. A 192.0.2.10', 'prereq yxrrset www.example.com. A 192.0.2.11', 'prereq nxdomain p.example.com.', 'update add p.example.com. 300 A 192.0.2.5'], tcp)).toBe('')
      expect(await dig('p.example.com.', 'A')).toBe('192.0.2.5')
      expect(await nsupdate('ddns-key', ['update delete p.example.com.'], tcp)).toBe('')
    })
  }

  it('a wrong secret is refused by the TSIG check (BADSIG), an ungranted key and a name outside the grant REFUSED', async () => {
    const serial0 = store.serial('example.com.')
    const bad = await nsupdate('ddns-key', ['update add bad.example.com. 300 A 192.0.2.6'], false, WRONG)
    expect(bad).toMatch(/NOTAUTH|BADSIG|tsig verify failure/i)
    expect(await nsupdate('no-grant', ['update add bad.example.com. 300 A 192.0.2.6'], false)).toMatch(/update failed: REFUSED/)
    expect(await nsupdate('dyn-key', ['update add bad.example.com. 300 A 192.0.2.6'], false)).toMatch(/update failed: REFUSED/)
    expect(await nsupdate('dyn-key', ['update add host.dyn.example.com. 300 MX 10 mx.example.com.'], false)).toMatch(/update failed: REFUSED/)
    expect(await dig('bad.example.com.', 'A')).toBe('')
    expect(store.serial('example.com.')).toBe(serial0)
    expect(await nsupdate('dyn-key', ['update add host.dyn.example.com. 300 A 192.0.2.8'], true)).toBe('')
    expect(await dig('host.dyn.example.com.', 'A')).toBe('192.0.2.8')
  })

  it('RFC 2136 §3.4.2: deleting the SOA or every apex NS, or a CNAME beside data, is ignored (NOERROR, nothing changed)', async () => {
    const serial0 = store.serial('example.com.')
    expect(await nsupdate('ddns-key', ['update delete example.com. SOA', 'update delete example.com. NS', 'update add www.example.com. 300 CNAME mx.example.com.'], false)).toBe('')
    expect(store.serial('example.com.')).toBe(serial0)
    expect(await dig('example.com.', 'NS')).toMatch(/ns1\.example\.com\./)
    expect(checkZone(store.zone('example.com.')).ok).toBe(true)
  })

  it('an update to a zone we do not have is NOTAUTH', async () => {
    const out = await run('nsupdate', ['-y', `hmac-sha256:ddns-key:${SECRET}`, '-t', '3'], [`server 127.0.0.1 ${port}`, 'zone example.org.', 'update add a.example.org. 300 A 192.0.2.1', 'send', ''].join('\n'))
    expect(out).toMatch(/update failed: NOTAUTH/)
  })

  // Knot's client too: the same wire protocol, another implementation of it.
  it.skipIf(!haveKnsupdate)('knsupdate -y adds and deletes over UDP and TCP, a failed prerequisite gets its rcode', async () => {
    for (const tcp of [false, true]) {
      const host = `k-${tcp ? 'tcp' : 'udp'}.example.com.`
      const serial0 = store.serial('example.com.')
      expect(await knsupdate('ddns-key', [`update add ${host} 300 A 192.0.2.99`], tcp)).not.toMatch(/error|fail/i)
      expect(await dig(host, 'A')).toBe('192.0.2.99')
      expect(store.serial('example.com.')).toBe(serial0 + 1)
      expect(await knsupdate('ddns-key', ['prereq nxdomain www.example.com.', `update delete ${host} A`], tcp)).toMatch(/YXDOMAIN/)
      expect(await dig(host, 'A')).toBe('192.0.2.99')
      expect(await knsupdate('ddns-key', [`update delete ${host} A`], tcp)).not.toMatch(/error|fail/i)
      expect(await dig(host, 'A')).toBe('')
      expect(store.serial('example.com.')).toBe(serial0 + 2)
    }
  })
})
