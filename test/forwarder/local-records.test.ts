// dnsmasq's local records (cname, txt-record, srv-host, ptr-record, host-record, address=/d/#)
// answered by the Forwarder, and a servers-file re-read on reload. Expected answers are written
// as zone lines, as dnsmasq 2.90 gives them for the same configuration.
import { describe, expect, it } from 'vitest'
import { Forwarder } from '../../src/forwarder/forwarder.js'
import type { ForwarderOptions } from '../../src/forwarder/forwarder.js'
import { parseDnsmasqConf } from '../../src/forwarder/parse-dnsmasq-conf.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { seededRandom } from '../../src/util/random.js'
import type { Decoded } from './helpers.js'
import { answering, ask, datas, MemoryFiles, upstream } from './helpers.js'

function setup(options: ForwarderOptions = {}) {
  const clock = new FakeClock()
  const network = new MemoryNetwork({ clock })
  const forwarder = new Forwarder({ clock, network, random: seededRandom(7), ...options })
  return { clock, network, forwarder }
}

/** Answer records as zone lines (`owner ttl TYPE data`), in answer order. */
function zoneLines(r: Decoded): string[] {
  return (r.answers ?? []).map((a) => {
    const d = (a as { data: unknown }).data
    let data: string
    if (a.type === 'TXT') data = (d as Buffer[]).map((b) => JSON.stringify(b.toString())).join(' ')
    else if (a.type === 'SRV') {
      const s = d as { priority: number; weight: number; port: number; target: string }
      data = `${s.priority} ${s.weight} ${s.port} ${s.target || '.'}`
    } else data = String(d || '.')
    return `${a.name} ${(a as { ttl: number }).ttl} ${a.type} ${data}`
  })
}

const CONF = parseDnsmasqConf(
  [
    'no-hosts',
    'no-resolv',
    'cname=alias.lan,alias2.lan,web.lan',
    'cname=far.lan,www.example.com,300',
    'cname=chain.lan,alias.lan',
    'cname=tohr.lan,hr.lan',
    'cname=loop1.lan,loop2.lan',
    'cname=loop2.lan,loop1.lan',
    'txt-record=txt.lan,"hello world","second"',
    'txt-record=empty.lan',
    'txt-record=web.lan,"web txt"',
    'srv-host=_ldap._tcp.lan,ldap.lan,389,5,10',
    'srv-host=_nope._tcp.lan',
    'srv-host=_x._tcp.lan,web.lan,80',
    'srv-host=_x._tcp.lan,web2.lan,81,1',
    'ptr-record=_http._tcp.lan,"My Web._http._tcp.lan"',
    'ptr-record=9.9.9.10.in-addr.arpa,nine.lan',
    'ptr-record=noptr.lan',
    'host-record=hr.lan,hr2.lan,10.2.2.2,fd00::2,120',
    'address=/null.test/#',
    'server=10.0.0.53',
  ].join('\n'),
)

describe('Forwarder: dnsmasq local records', () => {
  const local = async (name: string, type: string) => {
    const { forwarder, network } = setup({ ...CONF, hosts: '10.1.1.1 web.lan' })
    const up = answering('192.0.2.1')
    await upstream(network, '10.0.0.53', up)
    const r = await ask(forwarder, name, type)
    return { r, calls: up.calls }
  }

  it.each([
    ['alias.lan', 'A', ['alias.lan 0 CNAME web.lan', 'web.lan 0 A 10.1.1.1']],
    ['ALIAS2.lan', 'A', ['ALIAS2.lan 0 CNAME web.lan', 'web.lan 0 A 10.1.1.1']],
    ['alias.lan', 'AAAA', ['alias.lan 0 CNAME web.lan']],
    ['alias.lan', 'CNAME', ['alias.lan 0 CNAME web.lan']],
    ['alias.lan', 'TXT', ['alias.lan 0 CNAME web.lan', 'web.lan 0 TXT "web txt"']],
    ['alias.lan', 'ANY', ['alias.lan 0 CNAME web.lan', 'web.lan 0 A 10.1.1.1', 'web.lan 0 TXT "web txt"']],
    ['far.lan', 'A', ['far.lan 300 CNAME www.example.com']],
    ['chain.lan', 'A', ['chain.lan 0 CNAME alias.lan', 'alias.lan 0 CNAME web.lan', 'web.lan 0 A 10.1.1.1']],
    ['chain.lan', 'CNAME', ['chain.lan 0 CNAME alias.lan']],
    ['tohr.lan', 'AAAA', ['tohr.lan 0 CNAME hr.lan', 'hr.lan 120 AAAA fd00::2']],
    ['txt.lan', 'TXT', ['txt.lan 0 TXT "hello world" "second"']],
    ['empty.lan', 'TXT', ['empty.lan 0 TXT ""']],
    ['web.lan', 'TXT', ['web.lan 0 TXT "web txt"']],
    ['web.lan', 'A', ['web.lan 0 A 10.1.1.1']],
    ['_ldap._tcp.lan', 'SRV', ['_ldap._tcp.lan 0 SRV 5 10 389 ldap.lan']],
    ['_nope._tcp.lan', 'SRV', ['_nope._tcp.lan 0 SRV 0 0 1 .']],
    ['_x._tcp.lan', 'SRV', ['_x._tcp.lan 0 SRV 0 0 80 web.lan', '_x._tcp.lan 0 SRV 1 0 81 web2.lan']],
    ['_http._tcp.lan', 'PTR', ['_http._tcp.lan 0 PTR my web._http._tcp.lan']],
    ['9.9.9.10.in-addr.arpa', 'PTR', ['9.9.9.10.in-addr.arpa 0 PTR nine.lan']],
    ['noptr.lan', 'PTR', ['noptr.lan 0 PTR .']],
    ['hr.lan', 'A', ['hr.lan 120 A 10.2.2.2']],
    ['hr2.lan', 'AAAA', ['hr2.lan 120 AAAA fd00::2']],
    ['hr.lan', 'ANY', ['hr.lan 120 A 10.2.2.2', 'hr.lan 120 AAAA fd00::2']],
    ['2.2.2.10.in-addr.arpa', 'PTR', ['2.2.2.10.in-addr.arpa 120 PTR hr.lan']],
    [`2.${'0.'.repeat(29)}d.f.ip6.arpa`, 'PTR', [`2.${'0.'.repeat(29)}d.f.ip6.arpa 120 PTR hr.lan`]],
    ['null.test', 'A', ['null.test 0 A 0.0.0.0']],
    ['x.null.test', 'AAAA', ['x.null.test 0 AAAA ::']],
  ])('%s %s: answered here, NOERROR with AA', async (name, type, expected) => {
    const { r, calls } = await local(name, type)
    expect([r.rcode, r.flag_aa, r.flag_ra]).toEqual(['NOERROR', true, true])
    expect(zoneLines(r).sort()).toEqual([...expected].sort())
    expect(calls).toBe(0)
  })

  it.each([
    ['txt.lan', 'A'],
    ['hr.lan', 'MX'],
    ['_ldap._tcp.lan', 'A'],
    ['null.test', 'MX'],
  ])('%s %s: a type the local records lack is forwarded, as dnsmasq', async (name, type) => {
    const { r, calls } = await local(name, type)
    expect(calls).toBe(1)
    expect(r.flag_aa).toBe(false)
  })

  it('ends a CNAME loop instead of following it forever', async () => {
    const { r, calls } = await local('loop1.lan', 'A')
    expect(r.rcode).toBe('NOERROR')
    expect(zoneLines(r)[0]).toBe('loop1.lan 0 CNAME loop2.lan')
    expect(zoneLines(r).length).toBeLessThanOrEqual(10)
    expect(calls).toBe(0)
  })

  it('counts aliases and local-record names as existing for names kept local (NODATA, not NXDOMAIN)', async () => {
    const { forwarder } = setup({ ...CONF, local: ['lan'], hosts: '10.1.1.1 web.lan' })
    expect((await ask(forwarder, 'txt.lan', 'A')).rcode).toBe('NOERROR')
    expect((await ask(forwarder, '_tcp.lan', 'SRV')).rcode).toBe('NOERROR')
    expect((await ask(forwarder, 'nothing.lan', 'A')).rcode).toBe('NXDOMAIN')
  })

  it('refuses a host-record with a bad address at construction', () => {
    expect(() => setup({ hostRecords: [{ names: ['x.lan'], addresses: ['10.0.0.999'] }] })).toThrow(/not an IP address/)
  })
})

describe('Forwarder: servers-file', () => {
  it('reads server= lines at start and again on reload, like dnsmasq on SIGHUP', async () => {
    const files = new MemoryFiles()
    files.set('/etc/servers.conf', 'server=10.0.0.1\nserver=/corp.example/10.0.0.2')
    const { forwarder, network } = setup({ files, serversFile: '/etc/servers.conf', watch: false })
    const one = answering('192.0.2.1')
    const two = answering('192.0.2.2')
    const three = answering('192.0.2.3')
    await upstream(network, '10.0.0.1', one)
    await upstream(network, '10.0.0.2', two)
    await upstream(network, '10.0.0.3', three)
    await forwarder.start()
    expect(datas(await ask(forwarder, 'www.example.com', 'A'))).toEqual(['192.0.2.1'])
    expect(datas(await ask(forwarder, 'host.corp.example', 'A'))).toEqual(['192.0.2.2'])
    files.set('/etc/servers.conf', 'server=10.0.0.3\nserver=/corp.example/10.0.0.1\nrev-server=10.0.0.0/8,10.0.0.2')
    const result = await forwarder.reload()
    expect(result.ok).toBe(true)
    expect(datas(await ask(forwarder, 'other.example.com', 'A'))).toEqual(['192.0.2.3'])
    expect(datas(await ask(forwarder, 'new.corp.example', 'A'))).toEqual(['192.0.2.1'])
    expect(forwarder.snapshot().defaultServers).toEqual([{ address: '10.0.0.3', port: 53 }])
    await ask(forwarder, '1.0.0.10.in-addr.arpa', 'PTR')
    expect(two.calls).toBe(2)
    await forwarder.close()
  })

  it('keeps the last good servers-file when an edit is broken, and reports file:line:column', async () => {
    const files = new MemoryFiles()
    files.set('/etc/servers.conf', 'server=10.0.0.1')
    const { forwarder, network } = setup({ files, serversFile: '/etc/servers.conf', watch: false })
    const one = answering('192.0.2.1')
    await upstream(network, '10.0.0.1', one)
    await forwarder.start()
    files.set('/etc/servers.conf', 'server=10.0.0.2\nserver=10.0.0.300')
    const result = await forwarder.reload()
    expect(result.ok).toBe(false)
    expect(result.errors).toEqual([{ file: '/etc/servers.conf', message: '/etc/servers.conf:2:8: "10.0.0.300" is not an IP address' }])
    expect(datas(await ask(forwarder, 'www.example.com', 'A'))).toEqual(['192.0.2.1'])
    await forwarder.close()
  })

  it('fails start() naming a missing servers-file', async () => {
    const { forwarder } = setup({ files: new MemoryFiles(), serversFile: '/etc/none.conf', watch: false })
    const e = await forwarder.start().then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(isDnsHaError(e, 'ERR_CONFIG')).toBe(true)
    expect((e as Error).message).toContain('/etc/none.conf')
  })
})
