import dnsPacket from 'dns-packet'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Forwarder } from '../../src/forwarder/forwarder.js'
import type { ForwarderOptions } from '../../src/forwarder/forwarder.js'
import type { StrategyName } from '../../src/pool/index.js'
import { respond } from '../../src/server/respond.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import { seededRandom } from '../../src/util/random.js'
import { dnsCheck } from '../../src/health/dns-check.js'
import { memberTarget } from '../../src/health/member-target.js'
import { HealthProber } from '../../src/health/prober.js'
import type { HealthChange } from '../../src/pool/index.js'
import type { DnsQuery } from '../../src/server/query.js'
import { answering, answerTo, ask, datas, ttls, makeQuery, MemoryFiles, rawUpstream, silent, upstream } from './helpers.js'

function setup(options: ForwarderOptions = {}) {
  const clock = new FakeClock()
  const network = new MemoryNetwork({ clock })
  const forwarder = new Forwarder({ clock, network, random: seededRandom(7), ...options })
  return { clock, network, forwarder }
}

const HOSTS = ['10.1.1.1 web.lan web www.lan', '10.1.1.2 db.lan', '10.1.1.1 other.lan', 'fd00::5 v6only.lan', '10.1.1.3 both.lan', 'fd00::3 both.lan', '10.1.1.4 bare'].join('\n')

describe('Forwarder: local answers', () => {
  it('answers hosts names authoritatively, A and AAAA, with the local TTL and the client’s case', async () => {
    const { forwarder } = setup({ hosts: HOSTS, localTtl: 7 })
    const a = await ask(forwarder, 'WEB.lan', 'A')
    expect(a.rcode).toBe('NOERROR')
    expect(a.flag_aa).toBe(true)
    expect(a.flag_qr).toBe(true)
    expect(a.id).toBe(777)
    expect(a.questions?.[0]?.name).toBe('WEB.lan')
    expect(a.answers?.map((r) => [r.name, r.type, (r as { ttl: number }).ttl, (r as { data: string }).data])).toEqual([['WEB.lan', 'A', 7, '10.1.1.1']])
    expect(datas(await ask(forwarder, 'both.lan', 'AAAA'))).toEqual(['fd00::3'])
    expect(datas(await ask(forwarder, 'www.lan', 'A'))).toEqual(['10.1.1.1'])
    expect(datas(await ask(forwarder, 'other.lan', 'A'))).toEqual(['10.1.1.1'])
  })

  it('answers PTR for hosts addresses with the first name of the first line', async () => {
    const { forwarder } = setup({ hosts: HOSTS })
    expect(datas(await ask(forwarder, '1.1.1.10.in-addr.arpa', 'PTR'))).toEqual(['web.lan'])
    expect(datas(await ask(forwarder, '5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa', 'PTR'))).toEqual(['v6only.lan'])
  })

  it('expands bare names with the domain (expand-hosts), PTR to the expanded name', async () => {
    const { forwarder } = setup({ hosts: HOSTS, expandHosts: true, domain: 'lan' })
    expect(datas(await ask(forwarder, 'bare.lan', 'A'))).toEqual(['10.1.1.4'])
    expect(datas(await ask(forwarder, 'bare', 'A'))).toEqual(['10.1.1.4'])
    expect(datas(await ask(forwarder, '4.1.1.10.in-addr.arpa', 'PTR'))).toEqual(['bare.lan'])
  })

  it('echoes EDNS only when the client sent it, with the DO bit', async () => {
    const { forwarder } = setup({ hosts: HOSTS })
    const plain = await ask(forwarder, 'web.lan', 'A', { edns: false })
    expect(plain.additionals).toEqual([])
    const edns = await ask(forwarder, 'web.lan', 'A', { dnssecOk: true })
    const o = edns.additionals?.[0] as unknown as { type: string; udpPayloadSize: number; flag_do: boolean }
    expect([o.type, o.udpPayloadSize, o.flag_do]).toEqual(['OPT', 1232, true])
  })

  it('address= rules cover the domain and below, # is the null address, no address is NXDOMAIN', async () => {
    const { forwarder } = setup({
      addresses: [
        { domain: 'ads.test', addresses: ['10.9.9.9'] },
        { domain: 'ads.test', addresses: ['2001:db8::9'] },
        { domain: 'null.test', addresses: ['#'] },
        { domain: 'nx.test', addresses: [] },
      ],
    })
    expect(datas(await ask(forwarder, 'x.y.ads.test', 'A'))).toEqual(['10.9.9.9'])
    expect(datas(await ask(forwarder, 'ads.test', 'AAAA'))).toEqual(['2001:db8::9'])
    expect(datas(await ask(forwarder, 'null.test', 'A'))).toEqual(['0.0.0.0'])
    expect(datas(await ask(forwarder, 'a.null.test', 'AAAA'))).toEqual(['::'])
    expect((await ask(forwarder, 'deep.nx.test', 'MX')).rcode).toBe('NXDOMAIN')
  })

  it('hosts win over address rules; local= is NXDOMAIN for names not in hosts', async () => {
    const { forwarder } = setup({ hosts: '10.2.2.2 known.corp.example', addresses: [{ domain: 'corp.example', addresses: ['10.0.0.1'] }], local: ['lan'] })
    expect(datas(await ask(forwarder, 'known.corp.example', 'A'))).toEqual(['10.2.2.2'])
    expect(datas(await ask(forwarder, 'other.corp.example', 'A'))).toEqual(['10.0.0.1'])
    const nx = await ask(forwarder, 'nothing.lan', 'A')
    expect(nx.rcode).toBe('NXDOMAIN')
    expect(nx.flag_aa).toBe(false)
    // A name hosts know under another type is NODATA, not NXDOMAIN (which would deny its A too).
    const hostsLocal = setup({ hosts: '10.2.2.3 printer.lan\n10.2.2.4 nas', local: ['lan'], domainNeeded: true })
    for (const [name, type] of [
      ['printer.lan', 'AAAA'],
      ['nas', 'MX'],
    ]) {
      const r = await ask(hostsLocal.forwarder, name!, type)
      expect([r.rcode, r.answers]).toEqual(['NOERROR', []])
    }
    expect((await ask(hostsLocal.forwarder, 'scanner', 'A')).rcode).toBe('NXDOMAIN')
  })

  it('domainNeeded keeps bare names and bogusPriv keeps private reverse names from upstream', async () => {
    const { network, forwarder } = setup({ servers: [{ address: '10.0.0.53' }], domainNeeded: true, bogusPriv: true })
    const up = answering('192.0.2.1')
    await upstream(network, '10.0.0.53', up)
    expect((await ask(forwarder, 'printer', 'A')).rcode).toBe('NXDOMAIN')
    const priv = await ask(forwarder, '5.5.5.10.in-addr.arpa', 'PTR')
    expect([priv.rcode, priv.flag_aa]).toEqual(['NXDOMAIN', true])
    expect((await ask(forwarder, '1.1.168.192.in-addr.arpa', 'PTR')).rcode).toBe('NXDOMAIN')
    expect((await ask(forwarder, '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa', 'PTR')).rcode).toBe('NXDOMAIN') // fd00::/8 (dnsmasq 2.90: not fc00::/8)
    expect(up.calls).toBe(0)
    expect(datas(await ask(forwarder, 'www.example.com', 'A'))).toEqual(['192.0.2.1'])
    expect(up.calls).toBe(1)
  })

  it('passes non-QUERY opcodes to the next handler', async () => {
    const { forwarder } = setup({ hosts: HOSTS })
    const q = makeQuery('web.lan', 'A')
    q.raw[2] = (q.raw[2]! & 0x87) | (4 << 3) // NOTIFY
    const notify = new (q.constructor as typeof import('../../src/server/query.js').DnsQuery)(q.raw, q.client, 'udp')
    expect(await forwarder.handle(notify, () => 'next' as never)).toBe('next')
  })
})

describe('Forwarder: parity with dnsmasq 2.90 (seen with dig against the real daemon)', () => {
  it('answers ANY for a hosts name with all its A and AAAA records, and ANY for a hosts address with its PTR', async () => {
    const { network, forwarder } = setup({ hosts: HOSTS, servers: [{ address: '10.0.0.53' }], domainNeeded: true })
    const up = answering('192.0.2.1')
    await upstream(network, '10.0.0.53', up)
    const both = await ask(forwarder, 'both.lan', 'ANY')
    expect([both.rcode, both.flag_aa]).toEqual(['NOERROR', true])
    expect(both.answers?.map((a) => `${a.type} ${String((a as { data: unknown }).data)}`).sort()).toEqual(['A 10.1.1.3', 'AAAA fd00::3'])
    expect(datas(await ask(forwarder, 'web', 'ANY'))).toEqual(['10.1.1.1'])
    const ptr = await ask(forwarder, '1.1.1.10.in-addr.arpa', 'ANY')
    expect([ptr.flag_aa, ptr.answers?.map((a) => a.type), datas(ptr)]).toEqual([true, ['PTR'], ['web.lan']])
    expect(up.calls).toBe(0)
  })

  it('answers ANY under an address= rule with the rule’s addresses', async () => {
    const { network, forwarder } = setup({ servers: [{ address: '10.0.0.53' }], addresses: [{ domain: 'null.test', addresses: ['#'] }, { domain: 'ads.test', addresses: ['10.9.9.9'] }] })
    const up = answering('192.0.2.1')
    await upstream(network, '10.0.0.53', up)
    const nul = await ask(forwarder, 'x.null.test', 'ANY')
    expect([nul.flag_aa, datas(nul).sort()]).toEqual([true, ['0.0.0.0', '::']])
    expect(datas(await ask(forwarder, 'ads.test', 'ANY'))).toEqual(['10.9.9.9'])
    expect(up.calls).toBe(0)
  })

  it('clears AD from upstream answers, and AA from answers served out of the cache', async () => {
    // dnsmasq 2.90 without proxy-dnssec never passes AD on (it validated nothing), and relays
    // AA only on the answer it just forwarded: its cache is not authoritative.
    const { clock, network, forwarder } = setup({ servers: [{ address: '10.0.0.53' }], maxStaleMs: 3_600_000, timeoutMs: 500 })
    const flags = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.AUTHENTIC_DATA
    const server = await upstream(network, '10.0.0.53', (q) => ({ ...(answering('192.0.2.1', 60).handle(q) as object), flags }) as never)
    const first = await ask(forwarder, 'a.example', 'A', { dnssecOk: true })
    expect([datas(first), first.flag_aa, first.flag_ad]).toEqual([['192.0.2.1'], true, false])
    const cached = await ask(forwarder, 'a.example', 'A', { dnssecOk: true })
    expect([datas(cached), cached.flag_aa, cached.flag_ad]).toEqual([['192.0.2.1'], false, false])
    await server.close()
    clock.advance(120_000)
    const q = ask(forwarder, 'a.example', 'A', { dnssecOk: true })
    await clock.advanceAsync(500)
    const stale = await q
    expect([datas(stale), stale.flag_aa, stale.flag_ad]).toEqual([['192.0.2.1'], false, false])
    await forwarder.close()
  })

  it('expands a bare hosts name with the domain of the range its address is in, else the default domain', async () => {
    const hosts = '10.1.1.4 bare\n192.168.0.7 printer\n127.0.0.1 localhost'
    const ranged = setup({ hosts, expandHosts: true, domainRanges: [{ domain: 'lan', range: '192.168.0.0/24' }] }).forwarder
    expect(datas(await ask(ranged, 'printer.lan', 'A'))).toEqual(['192.168.0.7'])
    expect(datas(await ask(ranged, '7.0.168.192.in-addr.arpa', 'PTR'))).toEqual(['printer.lan'])
    expect((await ask(ranged, 'bare.lan', 'A')).rcode).toBe('SERVFAIL') // not local: forwarded, and there is no upstream
    expect(datas(await ask(ranged, '1.0.0.127.in-addr.arpa', 'PTR'))).toEqual(['localhost'])
    const both = setup({ hosts, expandHosts: true, domain: 'home', domainRanges: [{ domain: 'lan', range: '192.168.0.0/24' }] }).forwarder
    expect(datas(await ask(both, 'bare.home', 'A'))).toEqual(['10.1.1.4'])
    expect(datas(await ask(both, 'printer.lan', 'A'))).toEqual(['192.168.0.7'])
    expect((await ask(both, 'printer.home', 'A')).rcode).toBe('SERVFAIL')
  })

  it('answers NODATA, not NXDOMAIN, for a kept-local name that has hosts names below it (an empty non-terminal)', async () => {
    const { network, forwarder } = setup({ hosts: '10.5.5.5 known.internal.test\n10.1.1.1 web.lan', servers: [{ address: '10.0.0.53' }], local: ['internal.test', 'empty.test'], domainNeeded: true })
    const up = answering('192.0.2.1')
    await upstream(network, '10.0.0.53', up)
    for (const [name, type, rcode] of [
      ['internal.test', 'A', 'NOERROR'],
      ['INTERNAL.test', 'MX', 'NOERROR'],
      ['sub.internal.test', 'A', 'NXDOMAIN'],
      ['empty.test', 'A', 'NXDOMAIN'],
      ['lan', 'A', 'NOERROR'],
      ['printer', 'A', 'NXDOMAIN'],
    ] as const) {
      const r = await ask(forwarder, name, type)
      expect([name, type, r.rcode, r.flag_aa, r.answers]).toEqual([name, type, rcode, false, []])
    }
    expect(up.calls).toBe(0)
  })
})

describe('Forwarder: forwarding and cache', () => {
  it('forwards, caches in wire format and counts TTLs down on the way out', async () => {
    const { clock, network, forwarder } = setup({ servers: [{ address: '10.0.0.53' }] })
    const up = answering('192.0.2.1', 300)
    await upstream(network, '10.0.0.53', up)
    const first = await ask(forwarder, 'www.example.com', 'A')
    expect(datas(first)).toEqual(['192.0.2.1'])
    expect(ttls(first)[0]).toBe(300)
    expect(first.flag_ra).toBe(true)
    clock.advance(100_500)
    const second = await ask(forwarder, 'WWW.example.COM', 'A', { id: 9 })
    expect(second.id).toBe(9)
    expect(second.questions?.[0]?.name).toBe('WWW.example.COM')
    expect(ttls(second)[0]).toBe(200)
    expect(up.calls).toBe(1)
    clock.advance(200_000)
    await ask(forwarder, 'www.example.com', 'A')
    expect(up.calls).toBe(2)
    expect(forwarder.snapshot().answers).toMatchObject({ upstream: 2, cache: 1 })
  })

  it('reuses a built cache answer only while its TTLs are exact, then counts down by the second', async () => {
    const { clock, network, forwarder } = setup({ servers: [{ address: '10.0.0.53' }] })
    const up = answering('192.0.2.1', 3)
    await upstream(network, '10.0.0.53', up)
    expect(ttls(await ask(forwarder, 'tick.example', 'A'))).toEqual([3])
    const ttlsSeen: number[] = []
    for (let i = 0; i < 6; i++) {
      ttlsSeen.push(ttls(await ask(forwarder, 'tick.example', 'A'))[0]!)
      clock.advance(500)
    }
    // 0, 0.5 s: 3; 1, 1.5 s: 2; 2, 2.5 s: 1; at 3 s the entry has expired and is fetched again.
    expect(ttlsSeen).toEqual([3, 3, 2, 2, 1, 1])
    expect(up.calls).toBe(1)
    expect(ttls(await ask(forwarder, 'tick.example', 'A'))).toEqual([3])
    expect(up.calls).toBe(2)
  })

  it('caches NXDOMAIN for the SOA negative TTL (RFC 2308), and not without SOA unless negTtl', async () => {
    const soa = { name: 'example.com', type: 'SOA', ttl: 3600, data: { mname: 'ns.example.com', rname: 'h.example.com', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 60 } }
    let calls = 0
    const handler = (query: Parameters<typeof respond>[0]) => {
      calls++
      const withSoa = query.question!.name.startsWith('soa')
      return respond(query, { rcode: 'NXDOMAIN', authorities: withSoa ? [soa as never] : [] })
    }
    const { clock, network, forwarder } = setup({ servers: [{ address: '10.0.0.53' }] })
    await upstream(network, '10.0.0.53', handler)
    const r = await ask(forwarder, 'soa.example.com', 'A')
    expect(r.rcode).toBe('NXDOMAIN')
    expect((r.authorities?.[0] as { ttl?: number } | undefined)?.ttl).toBe(60)
    await ask(forwarder, 'soa.example.com', 'A')
    expect(calls).toBe(1)
    clock.advance(61_000)
    await ask(forwarder, 'soa.example.com', 'A')
    expect(calls).toBe(2)
    await ask(forwarder, 'nosoa.example.com', 'A')
    await ask(forwarder, 'nosoa.example.com', 'A')
    expect(calls).toBe(4)

    const withNegTtl = setup({ servers: [{ address: '10.0.0.53' }], negTtl: 30 })
    calls = 0
    await upstream(withNegTtl.network, '10.0.0.53', handler)
    await ask(withNegTtl.forwarder, 'nosoa.example.com', 'A')
    await ask(withNegTtl.forwarder, 'nosoa.example.com', 'A')
    expect(calls).toBe(1)

    const noNeg = setup({ servers: [{ address: '10.0.0.53' }], negativeCache: false })
    calls = 0
    await upstream(noNeg.network, '10.0.0.53', handler)
    await ask(noNeg.forwarder, 'soa.example.com', 'A')
    await ask(noNeg.forwarder, 'soa.example.com', 'A')
    expect(calls).toBe(2)
  })

  it('clamps TTLs to maxTtl and minTtl', async () => {
    const { network, forwarder } = setup({ servers: [{ address: '10.0.0.53' }], maxTtl: 100, minTtl: 10 })
    await upstream(network, '10.0.0.53', (q) => respond(q, { answers: [{ name: q.question!.name, type: 'A', ttl: q.question!.name.startsWith('long') ? 9999 : 2, data: '192.0.2.1' }] }))
    expect(ttls(await ask(forwarder, 'long.example', 'A'))[0]).toBe(100)
    expect(ttls(await ask(forwarder, 'long.example', 'A'))[0]).toBe(100)
    // The clamped TTL is what every client sees, the first one included.
    expect(ttls(await ask(forwarder, 'short.example', 'A'))[0]).toBe(10)
    expect(ttls(await ask(forwarder, 'short.example', 'A'))[0]).toBe(10)
  })

  it('evicts the least recently used entry beyond cacheSize', async () => {
    const { network, forwarder } = setup({ servers: [{ address: '10.0.0.53' }], cacheSize: 2 })
    const up = answering('192.0.2.1')
    await upstream(network, '10.0.0.53', up)
    await ask(forwarder, 'a.example', 'A')
    await ask(forwarder, 'b.example', 'A')
    await ask(forwarder, 'a.example', 'A') // a is now the most recent
    await ask(forwarder, 'c.example', 'A') // evicts b
    expect(up.calls).toBe(3)
    await ask(forwarder, 'a.example', 'A')
    expect(up.calls).toBe(3)
    await ask(forwarder, 'b.example', 'A')
    expect(up.calls).toBe(4)
    expect(forwarder.snapshot().cache).toMatchObject({ size: 2, capacity: 2, evictions: 2 })
  })

  it('sends identical in-flight queries upstream once', async () => {
    const { clock, network, forwarder } = setup({ servers: [{ address: '10.0.0.53' }] })
    network.setLink('0.0.0.0', '10.0.0.53', { latencyMs: 20 })
    const up = answering('192.0.2.1')
    await upstream(network, '10.0.0.53', up)
    const pending = Array.from({ length: 5 }, (_, i) => ask(forwarder, 'same.example', 'A', { id: 100 + i }))
    await clock.advanceAsync(50)
    const results = await Promise.all(pending)
    expect(results.map((r) => r.id)).toEqual([100, 101, 102, 103, 104])
    expect(results.every((r) => datas(r)[0] === '192.0.2.1')).toBe(true)
    expect(up.calls).toBe(1)
    expect(forwarder.snapshot().deduplicated).toBe(4)
  })

  it('caps concurrent forwards (maxForwards) with SERVFAIL beyond the cap', async () => {
    const { clock, network, forwarder } = setup({ servers: [{ address: '10.0.0.53' }], maxForwards: 2 })
    network.setLink('0.0.0.0', '10.0.0.53', { latencyMs: 20 })
    await upstream(network, '10.0.0.53', answering('192.0.2.1'))
    const pending = ['a', 'b', 'c'].map((n) => ask(forwarder, `${n}.example`, 'A'))
    await clock.advanceAsync(50)
    const rcodes = (await Promise.all(pending)).map((r) => r.rcode)
    expect(rcodes).toEqual(['NOERROR', 'NOERROR', 'SERVFAIL'])
    expect(forwarder.snapshot().overflows).toBe(1)
  })

  it('routes server=/domain/ queries to their own upstreams, and # back to the defaults', async () => {
    const { network, forwarder } = setup({
      servers: [{ address: '10.0.0.53' }],
      domainServers: [
        { domain: 'corp.example', servers: [{ address: '10.1.1.1', port: 5353 }] },
        { domain: 'pub.corp.example', servers: 'default' },
      ],
    })
    await upstream(network, '10.0.0.53', answering('192.0.2.1'))
    await upstream(network, '10.1.1.1', answering('10.10.10.10'), 5353)
    expect(datas(await ask(forwarder, 'host.corp.example', 'A'))).toEqual(['10.10.10.10'])
    expect(datas(await ask(forwarder, 'www.pub.corp.example', 'A'))).toEqual(['192.0.2.1'])
    expect(datas(await ask(forwarder, 'www.example.org', 'A'))).toEqual(['192.0.2.1'])
  })

  it('answers SERVFAIL when there are no upstreams', async () => {
    const { forwarder } = setup()
    expect((await ask(forwarder, 'x.example', 'A')).rcode).toBe('SERVFAIL')
  })
})

describe('Forwarder: failover', () => {
  it('strict order: a dead first server costs one timeout, then is skipped, probed, and taken back', async () => {
    const { clock, network, forwarder } = setup({ strategy: 'strict', servers: [{ address: '10.0.0.1' }, { address: '10.0.0.2' }], timeoutMs: 1000, probeIntervalMs: 500, cacheSize: 0 })
    const events: string[] = []
    forwarder.on('upstream-down', (e) => events.push(`down ${e.server.address}`))
    forwarder.on('upstream-up', (e) => events.push(`up ${e.server.address}`))
    const first = await upstream(network, '10.0.0.1', silent)
    const second = answering('192.0.2.2')
    await upstream(network, '10.0.0.2', second)
    const q1 = ask(forwarder, 'a.example', 'A')
    await clock.advanceAsync(1000)
    expect(datas(await q1)).toEqual(['192.0.2.2'])
    expect(events).toEqual(['down 10.0.0.1'])
    // Known dead: answered at once, without moving the clock.
    expect(datas(await ask(forwarder, 'b.example', 'A'))).toEqual(['192.0.2.2'])
    // The dead server comes back; the background probe notices and strict order resumes.
    await first.close()
    const back = answering('192.0.2.1')
    await upstream(network, '10.0.0.1', back)
    await clock.advanceAsync(500)
    expect(events).toEqual(['down 10.0.0.1', 'up 10.0.0.1'])
    expect(datas(await ask(forwarder, 'c.example', 'A'))).toEqual(['192.0.2.1'])
    expect(forwarder.snapshot().upstreams.map((u) => [u.address, u.status])).toEqual([
      ['10.0.0.1', 'up'],
      ['10.0.0.2', 'up'],
    ])
    await forwarder.close()
  })

  it('falls back to the next upstream on SERVFAIL/REFUSED and passes SERVFAIL on when all do', async () => {
    const { network, forwarder } = setup({ strategy: 'strict', servers: [{ address: '10.0.0.1' }, { address: '10.0.0.2' }] })
    let secondMode: 'ok' | 'servfail' = 'ok'
    await upstream(network, '10.0.0.1', (q) => respond(q, { rcode: 'REFUSED' }))
    await upstream(network, '10.0.0.2', (q) => (secondMode === 'ok' ? respond(q, { answers: [{ name: q.question!.name, type: 'A', ttl: 60, data: '192.0.2.2' }] }) : respond(q, { rcode: 'SERVFAIL' })))
    expect(datas(await ask(forwarder, 'a.example', 'A'))).toEqual(['192.0.2.2'])
    secondMode = 'servfail'
    expect((await ask(forwarder, 'b.example', 'A')).rcode).toBe('SERVFAIL')
    // Rcode fallbacks are answers: nobody is marked down for them.
    expect(forwarder.snapshot().upstreams.every((u) => u.status === 'up')).toBe(true)
  })

  it('takes per-route fallback rcodes: NXDOMAIN from a split-horizon upstream moves on to the next', async () => {
    const { network, forwarder } = setup({
      strategy: 'strict',
      servers: [{ address: '10.0.0.53' }],
      domainServers: [{ domain: 'corp.example', servers: [{ address: '10.1.0.1' }, { address: '10.1.0.2' }], fallbackRcodes: ['NXDOMAIN', 'SERVFAIL'] }],
    })
    await upstream(network, '10.0.0.53', (q) => respond(q, { rcode: 'NXDOMAIN' }))
    await upstream(network, '10.1.0.1', (q) => respond(q, { rcode: 'NXDOMAIN' }))
    await upstream(network, '10.1.0.2', answering('10.1.9.9'))
    expect(datas(await ask(forwarder, 'app.corp.example', 'A'))).toEqual(['10.1.9.9'])
    // The default route keeps the default list, where NXDOMAIN is an answer.
    expect((await ask(forwarder, 'gone.example.org', 'A')).rcode).toBe('NXDOMAIN')
    expect(() => new Forwarder({ domainServers: [{ domain: 'x', servers: [{ address: '10.0.0.1' }], fallbackRcodes: ['NOPE' as never] }] })).toThrow(/NOPE/)
  })

  it('serves stale answers (RFC 8767) within maxStaleMs when every upstream fails', async () => {
    const { clock, network, forwarder } = setup({ servers: [{ address: '10.0.0.1' }], maxStaleMs: 3_600_000, staleTtl: 30, timeoutMs: 500 })
    const server = await upstream(network, '10.0.0.1', answering('192.0.2.1', 60))
    await ask(forwarder, 'a.example', 'A')
    await server.close()
    clock.advance(120_000) // expired
    const q = ask(forwarder, 'a.example', 'A')
    await clock.advanceAsync(500)
    const stale = await q
    expect(datas(stale)).toEqual(['192.0.2.1'])
    expect(ttls(stale)[0]).toBe(30)
    clock.advance(3_600_000) // past the stale window
    const q2 = ask(forwarder, 'a.example', 'A')
    await clock.advanceAsync(1000)
    expect((await q2).rcode).toBe('SERVFAIL')
    expect(forwarder.snapshot().answers).toMatchObject({ stale: 1, failure: 1 })
    await forwarder.close()
  })
})

describe.each<StrategyName>(['strict', 'all', 'fastest'])('Forwarder conformance with strategy %s', (strategy) => {
  it('answers, fails over from a silent upstream, and SERVFAILs when all are silent', async () => {
    const { clock, network, forwarder } = setup({ strategy, servers: [{ address: '10.0.0.1' }, { address: '10.0.0.2' }], timeoutMs: 800, cacheSize: 0 })
    const a = await upstream(network, '10.0.0.1', silent)
    const b = await upstream(network, '10.0.0.2', answering('192.0.2.2'))
    const q1 = ask(forwarder, 'x.example', 'A')
    await clock.advanceAsync(800)
    expect(datas(await q1)).toEqual(['192.0.2.2'])
    await b.close()
    await a.close()
    const q2 = ask(forwarder, 'y.example', 'A')
    await clock.advanceAsync(3000)
    expect((await q2).rcode).toBe('SERVFAIL')
    await forwarder.close()
  })
})

describe('Forwarder: anti-spoofing (RFC 5452)', () => {
  for (const [label, spoof] of [
    ['a wrong id', (msg: Buffer) => [{ bytes: withId(answerTo(msg, '6.6.6.6'), (msg.readUInt16BE(0) + 1) & 0xffff) }]],
    ['a wrong question', (msg: Buffer) => [{ bytes: answerTo(dnsPacket.encode({ id: msg.readUInt16BE(0), type: 'query', questions: [{ name: 'evil.example', type: 'A' }] }), '6.6.6.6') }]],
    ['a wrong source port', (msg: Buffer) => [{ bytes: answerTo(msg, '6.6.6.6'), fromPort: 54 }]],
    ['garbage', () => [{ bytes: Buffer.from('\x00\x01garbage that is not DNS at all') }]],
  ] as const) {
    it(`drops and counts ${label}, never caches it, and takes the real answer from the next upstream`, async () => {
      const { clock, network, forwarder } = setup({ strategy: 'strict', servers: [{ address: '10.0.0.1' }, { address: '10.0.0.2' }], timeoutMs: 500 })
      await rawUpstream(network, '10.0.0.1', spoof as never)
      await rawUpstream(network, '10.0.0.2', (msg) => [{ bytes: answerTo(msg, '192.0.2.2') }])
      const q = ask(forwarder, 'victim.example', 'A')
      await clock.advanceAsync(500)
      const r = await q
      expect(datas(r)).toEqual(['192.0.2.2'])
      const snap = forwarder.snapshot()
      expect(snap.mismatches).toBeGreaterThanOrEqual(1)
      expect(snap.upstreams[0]).toMatchObject({ address: '10.0.0.1', status: 'down' })
      expect(datas(await ask(forwarder, 'victim.example', 'A'))).toEqual(['192.0.2.2'])
      await forwarder.close()
    })
  }

  it('with randomizeCase, sends a mixed-case question and rejects an answer that does not echo it', async () => {
    const { clock, network, forwarder } = setup({ servers: [{ address: '10.0.0.1' }], randomizeCase: true, timeoutMs: 500 })
    const seen: string[] = []
    await rawUpstream(network, '10.0.0.1', (msg) => {
      const name = dnsPacket.decode(msg).questions![0]!.name
      seen.push(name)
      // A spoofer that does not know the case answers in lower case.
      const lowered = Buffer.from(msg)
      const q = dnsPacket.decode(lowered)
      return [{ bytes: answerTo(dnsPacket.encode({ ...q, questions: [{ ...q.questions![0]!, name: name.toLowerCase() }] }), '6.6.6.6') }]
    })
    const q = ask(forwarder, 'abcdefghijklmnop.example', 'A')
    await clock.advanceAsync(500)
    expect((await q).rcode).toBe('SERVFAIL')
    expect(seen[0]).not.toBe('abcdefghijklmnop.example')
    expect(seen[0]!.toLowerCase()).toBe('abcdefghijklmnop.example')
    expect(forwarder.snapshot().mismatches).toBe(1)
    expect(forwarder.snapshot().cache.size).toBe(0)
  })

  it('moves a truncated upstream answer to TCP', async () => {
    const { network, forwarder } = setup({ servers: [{ address: '10.0.0.1' }] })
    const many = Array.from({ length: 100 }, (_, i) => ({ name: 'big.example', type: 'AAAA' as const, ttl: 60, data: `2001:db8::${i.toString(16)}` }))
    await upstream(network, '10.0.0.1', (q) => respond(q, { answers: many.map((r) => ({ ...r, name: q.question!.name })) }))
    const r = await ask(forwarder, 'big.example', 'AAAA')
    expect(r.answers).toHaveLength(100)
    expect(r.flag_tc).toBe(false)
  })
})

describe('Forwarder: files and reload', () => {
  it('reads hosts and resolv files at start, reloads on change, keeps old data for a broken or deleted file', async () => {
    const files = new MemoryFiles()
    files.set('/etc/hosts', '10.0.0.1 one.lan')
    files.set('/etc/extra', '10.0.0.2 two.lan')
    files.set('/etc/resolv', 'nameserver 10.0.0.53')
    const { clock, network, forwarder } = setup({ files, hostsFiles: ['/etc/hosts', '/etc/extra'], resolvFile: '/etc/resolv', watchDebounceMs: 50 })
    await upstream(network, '10.0.0.53', answering('192.0.2.53'))
    await upstream(network, '10.0.0.54', answering('192.0.2.54'))
    const reloads: boolean[] = []
    forwarder.on('reload', (r) => reloads.push(r.ok))
    await forwarder.start()
    expect(files.watching).toBe(3)
    expect(datas(await ask(forwarder, 'one.lan', 'A'))).toEqual(['10.0.0.1'])
    expect(datas(await ask(forwarder, 'two.lan', 'A'))).toEqual(['10.0.0.2'])
    expect(datas(await ask(forwarder, 'www.example', 'A'))).toEqual(['192.0.2.53'])

    // An edit is picked up after the debounce.
    files.set('/etc/hosts', '10.0.0.11 one.lan\n10.0.0.12 new.lan')
    files.changed('/etc/hosts')
    files.changed('/etc/hosts')
    await clock.advanceAsync(50)
    await forwarder.reload() // waits for the watcher's reload too (reloads are serialised)
    expect(datas(await ask(forwarder, 'one.lan', 'A'))).toEqual(['10.0.0.11'])
    expect(datas(await ask(forwarder, 'new.lan', 'A'))).toEqual(['10.0.0.12'])

    // Corrupted and deleted files keep their previous contents; the errors are reported.
    files.set('/etc/hosts', '10.0.0.11 one.lan\n10.0.0.999 broken.lan')
    files.remove('/etc/extra')
    files.set('/etc/resolv', 'nameserver 10.0.0.54')
    const result = await forwarder.reload()
    expect(result.ok).toBe(false)
    expect(result.errors.map((e) => e.file)).toEqual(['/etc/hosts', '/etc/extra'])
    expect(result.errors[0]!.message).toContain('/etc/hosts:2')
    expect(datas(await ask(forwarder, 'new.lan', 'A'))).toEqual(['10.0.0.12'])
    expect(datas(await ask(forwarder, 'two.lan', 'A'))).toEqual(['10.0.0.2'])
    // The good file in the same reload did change.
    expect(datas(await ask(forwarder, 'other.example', 'A'))).toEqual(['192.0.2.54'])
    expect(forwarder.snapshot()).toMatchObject({ reloadErrors: 1, defaultServers: [{ address: '10.0.0.54', port: 53 }] })
    expect(reloads).toEqual([true, true, true, false])
    await forwarder.close()
    expect(files.watching).toBe(0)
  })

  it('start() rejects with ERR_CONFIG when a file is missing at start, and may be retried', async () => {
    const files = new MemoryFiles()
    const { forwarder } = setup({ files, hostsFiles: ['/nope'] })
    await expect(forwarder.start()).rejects.toMatchObject({ code: 'ERR_CONFIG' })
    files.set('/nope', '10.0.0.1 fixed.lan')
    await forwarder.start()
    expect(datas(await ask(forwarder, 'fixed.lan', 'A'))).toEqual(['10.0.0.1'])
    expect(files.watching).toBe(1)
    await forwarder.close()
  })

  it('overlapping start() calls share one start: neither resolves before the hosts are read', async () => {
    const files = new MemoryFiles()
    files.set('/hosts', '10.0.0.7 early.lan')
    const { forwarder } = setup({ files, hostsFiles: ['/hosts'] })
    const first = forwarder.start()
    const second = forwarder.start() // e.g. the app's own start() racing DnsServer.listen()
    await second
    expect(datas(await ask(forwarder, 'early.lan', 'A'))).toEqual(['10.0.0.7'])
    await first
    expect(files.watching).toBe(1) // one watcher, not two
    await forwarder.close()
  })
})

describe('Forwarder: hot paths stay on the wire', () => {
  it('answers hosts, rules and cache hits without decoding the query (query.packet is never read)', async () => {
    const { network, forwarder } = setup({ hosts: HOSTS, addresses: [{ domain: 'ads.test', addresses: ['10.9.9.9'] }], servers: [{ address: '10.0.0.53' }] })
    await upstream(network, '10.0.0.53', answering('192.0.2.1'))
    await ask(forwarder, 'cached.example', 'A') // fill the cache (the forward path may decode)
    for (const [name, type] of [
      ['web.lan', 'A'],
      ['1.1.1.10.in-addr.arpa', 'PTR'],
      ['x.ads.test', 'A'],
      ['cached.example', 'A'],
      ['cached.example', 'A'],
    ] as const) {
      const query = makeQuery(name, type)
      Object.defineProperty(query, 'packet', { get: () => expect.unreachable(`query.packet read for ${name}`) })
      const result = forwarder.handle(query, () => undefined)
      expect(result).toBeInstanceOf(Uint8Array) // synchronous bytes, no promise
    }
    expect(forwarder.snapshot().answers).toMatchObject({ hosts: 2, rule: 1, cache: 2 })
  })
})

describe('Forwarder: events and snapshot', () => {
  it('logs each query with its source and counts by source', async () => {
    const { network, forwarder } = setup({ hosts: '10.0.0.1 h.lan', servers: [{ address: '10.0.0.53' }] })
    await upstream(network, '10.0.0.53', answering('192.0.2.1'))
    const log: string[] = []
    forwarder.on('query', (e) => log.push(`${e.client.address} ${e.name} ${e.type} ${e.source} ${e.rcode}`))
    await ask(forwarder, 'h.lan', 'A', { client: { address: '192.0.2.77' } })
    await ask(forwarder, 'x.example', 'A', { client: { address: '192.0.2.77' } })
    await ask(forwarder, 'x.example', 'A', { client: { address: '192.0.2.77' } })
    expect(log).toEqual(['192.0.2.77 h.lan. A hosts 0', '192.0.2.77 x.example. A upstream 0', '192.0.2.77 x.example. A cache 0'])
    expect(forwarder.snapshot()).toMatchObject({ queries: 3, forwarded: 1, answers: { hosts: 1, upstream: 1, cache: 1 } })
  })

  it('rejects bad options with ERR_CONFIG', () => {
    expect(() => new Forwarder({ timeoutMs: 0 })).toThrow(/timeoutMs/)
    expect(() => new Forwarder({ strategy: 'random' as never })).toThrow(/strategy/)
    expect(() => new Forwarder({ addresses: [{ domain: 'x', addresses: ['nope'] }] })).toThrow(/not an IP/)
    expect(() => new Forwarder({ hosts: '1.2.3 x' })).toThrow(/inline hosts/)
  })
})

function withId(buf: Buffer, id: number): Buffer {
  const out = Buffer.from(buf)
  out.writeUInt16BE(id, 0)
  return out
}

describe('Forwarder: a name that exists here never gets NXDOMAIN (dnsmasq 2.90, RFC 8020)', () => {
  const SOA = { name: 'lan', type: 'SOA', ttl: 300, data: { mname: 'ns.lan', rname: 'h.lan', serial: 1, refresh: 60, retry: 60, expire: 600, minimum: 120 } }

  /** A forwarder whose only upstream says NXDOMAIN (with an SOA) to everything. */
  async function nxUpstream(options: ForwarderOptions = {}) {
    const env = setup({
      hosts: '10.2.2.2 printer.lan scanner.lan',
      addresses: [{ domain: 'wild.test', addresses: ['10.9.9.9'] }],
      servers: [{ address: '10.0.0.53' }],
      ...options,
    })
    const calls: string[] = []
    await upstream(env.network, '10.0.0.53', (q) => {
      calls.push(`${q.question!.name} ${q.question!.type}`)
      return respond(q, { rcode: 'NXDOMAIN', ra: true, authorities: [SOA as never] })
    })
    return { ...env, calls }
  }

  it.each([
    ['printer.lan', 'AAAA'], // hosts has only its IPv4
    ['scanner.lan', 'TXT'], // a hosts name, a type hosts never hold
    ['wild.test', 'AAAA'], // address=/wild.test/ with an IPv4 only
    ['deep.wild.test', 'MX'], // every name under an address= domain exists
    ['lan', 'A'], // has hosts names below it
  ])('%s %s: forwarded, and the upstream NXDOMAIN reaches the client as NODATA', async (name, type) => {
    const { forwarder, calls } = await nxUpstream()
    const r = await ask(forwarder, name, type)
    expect(calls).toEqual([`${name}. ${type}`])
    expect(r.rcode).toBe('NOERROR')
    expect(r.answers).toEqual([])
    expect(r.flag_aa).toBe(true)
    // The upstream's SOA stays, so the NODATA is cached downstream for its negative TTL.
    expect(r.authorities?.map((a) => a.type)).toEqual(['SOA'])
    expect(forwarder.snapshot().answers.upstream).toBe(1)
  })

  it('stays NODATA from the cache (not authoritative there), and from the memo', async () => {
    const { forwarder, calls } = await nxUpstream()
    await ask(forwarder, 'printer.lan', 'AAAA')
    for (let i = 0; i < 2; i++) {
      const r = await ask(forwarder, 'Printer.LAN', 'AAAA')
      expect(r.rcode).toBe('NOERROR')
      expect(r.flag_aa).toBe(false)
    }
    expect(calls).toHaveLength(1)
    expect(forwarder.snapshot().answers.cache).toBe(2)
  })

  it('reports NOERROR in the query event', async () => {
    const { forwarder } = await nxUpstream()
    const seen: number[] = []
    forwarder.on('query', (e) => seen.push(e.rcode))
    await ask(forwarder, 'scanner.lan', 'TXT')
    expect(seen).toEqual([0])
  })

  it('passes NXDOMAIN through for names that do not exist here, server= domains included', async () => {
    const { forwarder } = await nxUpstream({ domainServers: [{ domain: 'corp.lan.example', servers: [{ address: '10.0.0.53' }] }] })
    expect((await ask(forwarder, 'other.lan', 'A')).rcode).toBe('NXDOMAIN')
    expect((await ask(forwarder, 'x.corp.lan.example', 'A')).rcode).toBe('NXDOMAIN')
    expect((await ask(forwarder, 'wild.test.example', 'AAAA')).rcode).toBe('NXDOMAIN')
  })

  it('follows a reload: a name taken out of the hosts file gets the upstream NXDOMAIN again', async () => {
    const files = new MemoryFiles()
    files.set('/hosts', '10.2.2.2 printer.lan')
    const { forwarder } = await nxUpstream({ hosts: [], hostsFiles: ['/hosts'], files, watch: false })
    await forwarder.start()
    expect((await ask(forwarder, 'printer.lan', 'AAAA')).rcode).toBe('NOERROR')
    files.set('/hosts', '10.2.2.3 scanner.lan')
    await forwarder.reload()
    expect((await ask(forwarder, 'printer.lan', 'AAAA')).rcode).toBe('NXDOMAIN')
    await forwarder.close()
  })
})

describe('Forwarder: reload failures nobody hears become Node warnings', () => {
  afterEach(() => void vi.restoreAllMocks())

  async function brokenAfterStart(options: ForwarderOptions = {}) {
    const files = new MemoryFiles()
    files.set('/hosts', '10.0.0.1 one.lan')
    const env = setup({ files, hostsFiles: ['/hosts'], watchDebounceMs: 10, ...options })
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    await env.forwarder.start()
    files.set('/hosts', '10.0.0.999 broken.lan')
    return { ...env, files, warn }
  }

  it('a watcher reload that keeps old data, with no logger and no reload listener, emits a warning', async () => {
    const { forwarder, files, clock, warn } = await brokenAfterStart()
    files.changed('/hosts')
    await clock.advanceAsync(10)
    await forwarder.reload() // waits for the watcher's reload (serialised), which fails again
    expect(warn).toHaveBeenCalledTimes(2)
    const [message, options] = warn.mock.calls[0]! as [string, { type: string; code: string }]
    expect(message).toMatch(/reload kept old data.*\/hosts:1/)
    expect(options).toEqual({ type: 'DnsHaWarning', code: 'DNS_HA_FORWARDER_RELOAD' })
    expect(datas(await ask(forwarder, 'one.lan', 'A'))).toEqual(['10.0.0.1'])
    await forwarder.close()
  })

  it('says nothing through Node when someone listens for reload', async () => {
    const { forwarder, warn } = await brokenAfterStart()
    const results: boolean[] = []
    forwarder.on('reload', (r) => results.push(r.ok))
    await forwarder.reload()
    expect(results).toEqual([false])
    expect(warn).not.toHaveBeenCalled()
    await forwarder.close()
  })

  it('tells the logger instead when there is one', async () => {
    const logged: string[] = []
    const { forwarder, warn } = await brokenAfterStart({ logger: { warn: (m) => logged.push(m) } })
    await forwarder.reload()
    expect(logged).toEqual(['reload kept old data for some files'])
    expect(warn).not.toHaveBeenCalled()
    await forwarder.close()
  })

  it('does not warn for a failed start(), which rejects instead', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    const { forwarder } = setup({ files: new MemoryFiles(), hostsFiles: ['/missing'] })
    await expect(forwarder.start()).rejects.toMatchObject({ code: 'ERR_CONFIG' })
    expect(warn).not.toHaveBeenCalled()
  })
})

describe('Forwarder: maxUdpSize (udpPayloadSize is its deprecated alias)', () => {
  const advertised = async (options: ForwarderOptions): Promise<number> => {
    const { forwarder } = setup({ hosts: '10.1.1.1 web.lan', ...options })
    const r = await ask(forwarder, 'web.lan', 'A')
    return (r.additionals?.[0] as unknown as { udpPayloadSize: number }).udpPayloadSize
  }

  it('advertises maxUdpSize, 1232 by default', async () => {
    expect(await advertised({})).toBe(1232)
    expect(await advertised({ maxUdpSize: 4096 })).toBe(4096)
  })

  it('still takes udpPayloadSize; maxUdpSize wins when both are given', async () => {
    expect(await advertised({ udpPayloadSize: 1400 })).toBe(1400)
    expect(await advertised({ udpPayloadSize: 1400, maxUdpSize: 1300 })).toBe(1300)
  })

  it('refuses a size outside 512..65535 under either name', () => {
    expect(() => setup({ maxUdpSize: 100 })).toThrow(/maxUdpSize/)
    expect(() => setup({ udpPayloadSize: 70000 })).toThrow(/udpPayloadSize/)
  })

  it('advertises maxUdpSize to upstreams too', async () => {
    const { network, forwarder } = setup({ servers: [{ address: '10.0.0.53' }], maxUdpSize: 1400 })
    const sizes: number[] = []
    await upstream(network, '10.0.0.53', (q) => {
      sizes.push(q.edns?.udpPayloadSize ?? 0)
      return respond(q, { ra: true })
    })
    await ask(forwarder, 'www.example', 'A')
    expect(sizes).toEqual([1400])
  })
})

describe('Forwarder: track(prober)', () => {
  it('an upstream the prober calls down is skipped at once (no timeout spent on it), and asked again when it says up; a weight from a change applies', async () => {
    const { clock, network, forwarder } = setup({ strategy: 'strict', servers: [{ address: '10.0.0.1' }, { address: '10.0.0.2' }], cacheSize: 0, timeoutMs: 1000 })
    const events: string[] = []
    forwarder.on('upstream-down', (e) => events.push(`down ${e.server.address}: ${e.reason}`))
    forwarder.on('upstream-up', (e) => events.push(`up ${e.server.address}`))
    let first = answering('192.0.2.1')
    await upstream(network, '10.0.0.1', (query: DnsQuery) => first.handle(query))
    const second = answering('192.0.2.2')
    await upstream(network, '10.0.0.2', second)
    const prober = new HealthProber({ clock })
    for (const address of ['10.0.0.1', '10.0.0.2']) {
      prober.add({
        name: memberTarget(address),
        check: dnsCheck({ server: { address }, name: 'check.example', expect: { addresses: [address === '10.0.0.1' ? '192.0.2.1' : '192.0.2.2'] }, network }),
        intervalMs: 1000,
        timeoutMs: 500,
        fall: 2,
        rise: 2,
      })
    }
    const stop = forwarder.track(prober)
    await clock.advanceAsync(0)
    expect(datas(await ask(forwarder, 'a.example', 'A'))).toEqual(['192.0.2.1'])
    // 10.0.0.1 starts answering a wrong address: down after `fall` checks, then skipped at once.
    first = answering('192.0.2.66')
    await clock.advanceAsync(2000)
    expect(prober.state('10.0.0.1#53')).toBe('down')
    expect(events).toEqual(['down 10.0.0.1: health: check.example A at 10.0.0.1#53: answer 192.0.2.66, expected 192.0.2.1'])
    const calls = first.calls
    expect(datas(await ask(forwarder, 'b.example', 'A'))).toEqual(['192.0.2.2'])
    expect(first.calls).toBe(calls) // not asked (the clock did not move: no timeout spent either)
    expect(forwarder.snapshot().upstreams[0]).toMatchObject({ address: '10.0.0.1', status: 'down' })
    // Fixed: up after `rise` checks, and strict order resumes.
    first = answering('192.0.2.1')
    await clock.advanceAsync(2000)
    expect(events.at(-1)).toBe('up 10.0.0.1')
    expect(datas(await ask(forwarder, 'c.example', 'A'))).toEqual(['192.0.2.1'])
    // A weight from a source's change applies: 0 drains 10.0.0.1 (asked only when nothing with weight is up).
    const listeners: ((change: HealthChange) => void)[] = []
    forwarder.track({ watch: (l) => (listeners.push(l), () => {}), state: () => undefined })
    for (const l of listeners) l({ target: '10.0.0.1#53', state: 'up', weight: 0, reason: 'dynamic weight 0' })
    const before = first.calls
    expect(datas(await ask(forwarder, 'd.example', 'A'))).toEqual(['192.0.2.2'])
    expect(first.calls).toBe(before)
    stop()
    prober.close()
    await forwarder.close()
  })
})
