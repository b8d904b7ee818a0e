/**
 * DNS-rebind protection (dnsmasq's stop-dns-rebind, rebind-localhost-ok, rebind-domain-ok):
 * dnsmasq 2.90's private ranges, the emptied NOERROR answer with EDE 15, the counter, never
 * cached; and the options as parseDnsmasqConf reads them. The same behaviour is checked against
 * the dnsmasq binary in test/interop/forwarder-dnsmasq.test.ts.
 */
import dnsPacket from 'dns-packet'
import type { Answer } from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { Forwarder } from '../../src/forwarder/forwarder.js'
import type { ForwarderOptions } from '../../src/forwarder/forwarder.js'
import { parseDnsmasqConf } from '../../src/forwarder/parse-dnsmasq-conf.js'
import { isPrivateIpv4, isPrivateIpv6 } from '../../src/forwarder/rebind.js'
import { addressBytes } from '../../src/util/cidr.js'
import type { DnsQuery } from '../../src/server/query.js'
import { respond } from '../../src/server/respond.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import { seededRandom } from '../../src/util/random.js'
import { ask, datas, upstream } from './helpers.js'

const bytes = (a: string): Uint8Array => addressBytes(a) as Uint8Array

describe('private ranges (dnsmasq 2.90 private_net / private_net6)', () => {
  it.each([
    ['10.0.0.1', true], ['172.16.0.1', true], ['172.31.255.255', true], ['172.32.0.1', false], ['192.168.1.1', true],
    ['169.254.1.1', true], ['192.0.2.1', true], ['198.51.100.1', true], ['203.0.113.1', true], ['255.255.255.255', true],
    ['127.0.0.1', true], ['0.0.0.1', true], ['100.64.0.1', false], ['224.0.0.1', false], ['240.0.0.1', false], ['93.184.216.34', false],
  ])('IPv4 %s private: %s', (a, expected) => {
    expect(isPrivateIpv4(bytes(a), false)).toBe(expected)
  })

  it.each([
    ['fd00::1', true], ['fc00::1', false], ['fe80::1', true], ['febf::1', true], ['fec0::1', true], ['::1', true], ['::', true],
    ['2001:db8::1', true], ['2001:db9::1', false], ['::ffff:10.0.0.1', true], ['::ffff:93.184.216.34', false], ['::ffff:127.0.0.1', true], ['2606:4700::1', false],
  ])('IPv6 %s private: %s', (a, expected) => {
    expect(isPrivateIpv6(bytes(a), false)).toBe(expected)
  })

  it('rebind-localhost-ok exempts 127/8, 0/8, ::1 and :: (and their mapped forms), nothing else', () => {
    expect(['127.0.0.1', '0.0.0.1'].map((a) => isPrivateIpv4(bytes(a), true))).toEqual([false, false])
    expect(['::1', '::', '::ffff:127.0.0.1', 'fe80::1'].map((a) => isPrivateIpv6(bytes(a), true))).toEqual([false, false, false, true])
    expect(isPrivateIpv4(bytes('10.0.0.1'), true)).toBe(true)
  })
})

/** The hostile upstream: answers by the first label, a few with CNAMEs and foreign records. */
function rebinding(q: DnsQuery) {
  const name = q.question!.name
  const label = name.split('.')[0]!.toLowerCase()
  const type = q.question!.type
  const a = (owner: string, data: string): Answer => ({ name: owner, type: 'A', ttl: 300, data })
  if (label === 'cname') return respond(q, { ra: true, answers: [{ name, type: 'CNAME', ttl: 300, data: 'inner.rb.test' }, a('inner.rb.test', '10.0.0.2')] })
  if (label === 'foreign') return respond(q, { ra: true, answers: [a(name, '93.184.216.34'), a('other.rb.test', '10.0.0.9')] })
  const data: Record<string, string> = { ten: '10.0.0.1', lo: '127.0.0.1', pub: '93.184.216.34', v6: 'fd00::1' }
  const d = data[label]
  if (d === undefined) return respond(q, { ra: true })
  if (type === 'AAAA' && d.includes(':')) return respond(q, { ra: true, answers: [{ name, type: 'AAAA', ttl: 300, data: d }] })
  if (type === 'A' && !d.includes(':')) return respond(q, { ra: true, answers: [a(name, d)] })
  return respond(q, { ra: true })
}

async function setup(options: ForwarderOptions) {
  const clock = new FakeClock()
  const network = new MemoryNetwork({ clock })
  let calls = 0
  await upstream(network, '10.53.0.1', (q: DnsQuery) => {
    calls++
    return rebinding(q)
  })
  const forwarder = new Forwarder({ clock, network, random: seededRandom(3), servers: [{ address: '10.53.0.1' }], ...options })
  return { forwarder, calls: () => calls }
}

/** The Extended DNS Error info codes of a response's OPT. */
function edeCodes(r: ReturnType<typeof dnsPacket.decode>): number[] {
  const opt = (r.additionals ?? []).find((x) => x.type === 'OPT') as { options?: { code: number; data?: Buffer }[] } | undefined
  return (opt?.options ?? []).filter((o) => o.code === 15).map((o) => o.data!.readUInt16BE(0))
}

describe('Forwarder with stopDnsRebind', () => {
  it('answers NOERROR with no records and EDE 15 (Blocked), counts it, and never caches it', async () => {
    const { forwarder, calls } = await setup({ stopDnsRebind: true })
    const r = await ask(forwarder, 'ten.rb.test', 'A')
    expect([r.rcode, datas(r), r.authorities?.length, edeCodes(r)]).toEqual(['NOERROR', [], 0, [15]])
    const plain = await ask(forwarder, 'ten.rb.test', 'A', { edns: false })
    expect([plain.rcode, datas(plain), plain.additionals?.length]).toEqual(['NOERROR', [], 0])
    expect(calls()).toBe(2) // the second question went upstream again
    expect(forwarder.snapshot().rebindBlocked).toBe(2)
    expect(datas(await ask(forwarder, 'pub.rb.test', 'A'))).toEqual(['93.184.216.34'])
    expect(datas(await ask(forwarder, 'v6.rb.test', 'AAAA'))).toEqual([])
    expect(forwarder.snapshot().rebindBlocked).toBe(3)
  })

  it('follows the CNAME chain, and does not look at records for other names (as dnsmasq)', async () => {
    const { forwarder } = await setup({ stopDnsRebind: true })
    expect(datas(await ask(forwarder, 'cname.rb.test', 'A'))).toEqual([])
    expect(datas(await ask(forwarder, 'foreign.rb.test', 'A'))).toEqual(['93.184.216.34', '10.0.0.9'])
    expect(forwarder.snapshot().rebindBlocked).toBe(1)
  })

  it('rebindLocalhostOk lets loopback through; rebindDomainOk exempts a domain and the names below it', async () => {
    const { forwarder } = await setup({ stopDnsRebind: true, rebindLocalhostOk: true, rebindDomainOk: ['ok.test'] })
    expect(datas(await ask(forwarder, 'lo.rb.test', 'A'))).toEqual(['127.0.0.1'])
    expect(datas(await ask(forwarder, 'ten.rb.test', 'A'))).toEqual([])
    expect(datas(await ask(forwarder, 'ten.ok.test', 'A'))).toEqual(['10.0.0.1'])
    expect(datas(await ask(forwarder, 'ten.notok.test', 'A'))).toEqual([])
  })

  it('is off by default, as in dnsmasq', async () => {
    const { forwarder } = await setup({})
    expect(datas(await ask(forwarder, 'ten.rb.test', 'A'))).toEqual(['10.0.0.1'])
    expect(forwarder.snapshot().rebindBlocked).toBe(0)
  })
})

describe('parseDnsmasqConf rebind options', () => {
  it('reads stop-dns-rebind, rebind-localhost-ok and both rebind-domain-ok forms', () => {
    const c = parseDnsmasqConf('stop-dns-rebind\nrebind-localhost-ok\nrebind-domain-ok=/a.test/b.test/\nrebind-domain-ok=c.test\nno-resolv\nno-hosts\n')
    expect([c.stopDnsRebind, c.rebindLocalhostOk, c.rebindDomainOk]).toEqual([true, true, ['a.test', 'b.test', 'c.test']])
    const none = parseDnsmasqConf('no-resolv\nno-hosts\n')
    expect([none.stopDnsRebind, none.rebindLocalhostOk, none.rebindDomainOk]).toEqual([undefined, undefined, undefined])
  })

  it('rejects a value on the flags and junk after the domain list, at the line and column', () => {
    expect(() => parseDnsmasqConf('stop-dns-rebind=yes\n')).toThrow(/stop-dns-rebind takes no value/)
    expect(() => parseDnsmasqConf('rebind-domain-ok=/a.test/1.2.3.4\n')).toThrow(/1:26: rebind-domain-ok takes only \/domain\/ lists/)
  })
})

describe('bailiwick: the cache keeps only the question and its CNAME chain', () => {
  /** An upstream that adds records for other names to every section. */
  function hostile(q: DnsQuery) {
    const name = q.question!.name
    if (name.toLowerCase() === 'victim.test.') return respond(q, { ra: true, answers: [{ name, type: 'A', ttl: 300, data: '198.18.0.1' }] })
    if (name.toLowerCase().startsWith('nx')) {
      return respond(q, {
        rcode: 'NXDOMAIN', ra: true,
        authorities: [{ name: 'evil.test', type: 'SOA', ttl: 300, data: { mname: 'ns.evil.test', rname: 'h.evil.test', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 300 } } as never, { name: 'victim.test', type: 'A', ttl: 300, data: '6.6.6.6' } as never],
      })
    }
    return respond(q, {
      ra: true,
      answers: [{ name, type: 'CNAME', ttl: 300, data: 'target.evil.test' }, { name: 'target.evil.test', type: 'A', ttl: 300, data: '203.0.113.5' }, { name: 'victim.test', type: 'A', ttl: 300, data: '6.6.6.6' }],
      authorities: [{ name: 'victim.test', type: 'NS', ttl: 300, data: 'ns.evil.test' }],
      additionals: [{ name: 'ns.evil.test', type: 'A', ttl: 300, data: '6.6.6.7' }, { name: 'victim.test', type: 'AAAA', ttl: 300, data: '2001:db8::666' }],
    })
  }

  async function hostileSetup() {
    const clock = new FakeClock()
    const network = new MemoryNetwork({ clock })
    const seen: string[] = []
    await upstream(network, '10.53.0.2', (q: DnsQuery) => {
      seen.push(`${q.question!.name} ${q.question!.type}`)
      return hostile(q)
    })
    const forwarder = new Forwarder({ clock, network, random: seededRandom(5), servers: [{ address: '10.53.0.2' }], cacheSize: 100 })
    return { forwarder, seen, clock }
  }

  it('a cached answer carries the chain and nothing the upstream added for other names', async () => {
    const { forwarder, clock } = await hostileSetup()
    const fresh = await ask(forwarder, 'www.evil.test', 'A')
    // Relayed as the upstream sent it (dnsmasq does the same with a fresh reply)...
    expect((fresh.answers ?? []).map((a) => a.name)).toEqual(['www.evil.test', 'target.evil.test', 'victim.test'])
    clock.advance(1000)
    const cached = await ask(forwarder, 'www.evil.test', 'A')
    // ...but the cache holds only the CNAME chain: no authority, no additional, no victim.test.
    expect(forwarder.snapshot().answers.cache).toBe(1)
    expect((cached.answers ?? []).map((a) => `${a.name} ${a.type}`)).toEqual(['www.evil.test CNAME', 'target.evil.test A'])
    expect([cached.authorities?.length, (cached.additionals ?? []).filter((a) => a.type !== 'OPT').length]).toEqual([0, 0])
  })

  it('the records added for other names never answer a question about those names', async () => {
    const { forwarder, seen } = await hostileSetup()
    await ask(forwarder, 'www.evil.test', 'A')
    await ask(forwarder, 'nx1.evil.test', 'A')
    expect(datas(await ask(forwarder, 'victim.test', 'A'))).toEqual(['198.18.0.1'])
    expect(seen).toEqual(['www.evil.test. A', 'nx1.evil.test. A', 'victim.test. A']) // nothing about victim.test was cached
  })

  it('a negative answer keeps its SOA only when the SOA is above the name; the extra record goes', async () => {
    const { forwarder, clock } = await hostileSetup()
    await ask(forwarder, 'nx1.evil.test', 'A')
    clock.advance(1000)
    const cached = await ask(forwarder, 'nx1.evil.test', 'A')
    expect(forwarder.snapshot().answers.cache).toBe(1)
    expect([cached.rcode, (cached.authorities ?? []).map((a) => `${a.name} ${a.type}`)]).toEqual(['NXDOMAIN', ['evil.test SOA']])
  })

  it('an answer whose foreign record comes before the chain is not cached at all (bytes are cut, never re-encoded)', async () => {
    const clock = new FakeClock()
    const network = new MemoryNetwork({ clock })
    let calls = 0
    await upstream(network, '10.53.0.3', (q: DnsQuery) => {
      calls++
      const name = q.question!.name
      return respond(q, { ra: true, answers: [{ name: 'victim.test', type: 'A', ttl: 300, data: '6.6.6.6' }, { name, type: 'A', ttl: 300, data: '203.0.113.9' }] })
    })
    const forwarder = new Forwarder({ clock, network, random: seededRandom(5), servers: [{ address: '10.53.0.3' }] })
    await ask(forwarder, 'a.test', 'A')
    await ask(forwarder, 'a.test', 'A')
    expect(calls).toBe(2)
    expect(forwarder.snapshot().answers.cache).toBe(0)
  })
})

