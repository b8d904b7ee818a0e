import { describe, expect, it } from 'vitest'
import { parseDnsmasqConf } from '../../src/forwarder/parse-dnsmasq-conf.js'
import { parseHosts } from '../../src/forwarder/parse-hosts.js'
import { parseResolvConf } from '../../src/forwarder/parse-resolv-conf.js'
import { isDnsHaError } from '../../src/util/errors.js'

describe('parseHosts', () => {
  it('reads addresses with several names, comments, IPv6 and blank lines', () => {
    const entries = parseHosts(
      ['# comment', '', '127.0.0.1\tlocalhost', '10.0.0.1 web.lan web   # trailing', 'fd00::1 v6.lan', 'fe80::1%eth0 ll.lan', '10.0.0.2 dot.lan.'].join('\n'),
      { fileName: 'h' },
    )
    expect(entries.map((e) => [e.address, e.family, e.names, e.line])).toEqual([
      ['127.0.0.1', 4, ['localhost'], 3],
      ['10.0.0.1', 4, ['web.lan', 'web'], 4],
      ['fd00::1', 6, ['v6.lan'], 5],
      ['fe80::1', 6, ['ll.lan'], 6],
      ['10.0.0.2', 4, ['dot.lan'], 7],
    ])
  })

  it('throws ERR_CONFIG with file:line on a bad address, a bad name or a line without names', () => {
    for (const [text, line] of [
      ['10.0.0.1 ok\n10.0.0.300 bad', 2],
      ['10.0.0.1 bad..name', 1],
      ['\n\n10.0.0.1', 3],
      ['\u0000\u0001binary junk', 1],
    ] as const) {
      try {
        parseHosts(text, { fileName: 'hosts.txt' })
        expect.unreachable()
      } catch (e) {
        expect(isDnsHaError(e, 'ERR_CONFIG')).toBe(true)
        expect((e as Error).message).toContain(`hosts.txt:${line}`)
      }
    }
  })
})

describe('parseResolvConf', () => {
  it('reads nameserver lines with optional ports and ignores the rest', () => {
    const servers = parseResolvConf('# c\n; c\nsearch lan\nnameserver 192.0.2.1\nnameserver 192.0.2.2#5353\nnameserver [2001:db8::1]:5300\nnameserver ::1 # trailing\noptions ndots:2\n')
    expect(servers).toEqual([{ address: '192.0.2.1' }, { address: '192.0.2.2', port: 5353 }, { address: '2001:db8::1', port: 5300 }, { address: '::1' }])
  })

  it('rejects a bad nameserver with file:line', () => {
    expect(() => parseResolvConf('nameserver 1.2.3.4\nnameserver dns.example', { fileName: 'r.conf' })).toThrow(/r\.conf:2/)
    expect(() => parseResolvConf('nameserver 1.2.3.4#99999')).toThrow(/port/)
  })
})

describe('parseDnsmasqConf', () => {
  it('translates the seed configuration (adapted to loopback)', () => {
    const config = parseDnsmasqConf(
      ['port=5454', 'resolv-file=/etc/resolv.dnsmasq.conf', 'strict-order', 'addn-hosts=/etc/dnsmasq.hosts', 'listen-address=127.0.0.1,127.0.0.2'].join('\n'),
    )
    expect(config.listen).toEqual({ addresses: ['127.0.0.1', '127.0.0.2'], port: 5454 })
    expect(config.strategy).toBe('strict')
    expect(config.resolvFile).toBe('/etc/resolv.dnsmasq.conf')
    expect(config.hostsFiles).toEqual(['/etc/hosts', '/etc/dnsmasq.hosts'])
    expect(config.ignored).toEqual([])
  })

  it('reads rules, servers, flags and numbers', () => {
    const config = parseDnsmasqConf(
      [
        'no-hosts',
        'no-resolv',
        'addn-hosts=hosts.d/extra # relative',
        'server=192.0.2.1',
        'server=192.0.2.2#5353',
        'server=/corp.example/10.1.1.1#5353',
        'server=/corp.example/10.1.1.2',
        'server=/public.corp.example/#',
        'local=/lan/',
        'address=/ads.test/ads2.test/10.0.0.1',
        'address=/null.test/#',
        'address=/nx.test/',
        'domain-needed',
        'bogus-priv',
        'all-servers',
        'cache-size=1000',
        'neg-ttl=60',
        'no-negcache',
        'local-ttl=5',
        'domain=lan',
        'expand-hosts',
        'dns-forward-max=300',
        'dhcp-range=192.168.0.50,192.168.0.150,12h',
        'enable-tftp',
        'user=nobody',
      ].join('\n'),
      { baseDir: '/srv/dns' },
    )
    expect(config.hostsFiles).toEqual(['/srv/dns/hosts.d/extra'])
    expect(config.resolvFile).toBeUndefined()
    expect(config.servers).toEqual([{ address: '192.0.2.1' }, { address: '192.0.2.2', port: 5353 }])
    expect(config.domainServers).toEqual([
      { domain: 'corp.example', servers: [{ address: '10.1.1.1', port: 5353 }, { address: '10.1.1.2' }] },
      { domain: 'public.corp.example', servers: 'default' },
      { domain: 'lan', servers: [] },
    ])
    expect(config.addresses).toEqual([
      { domain: 'ads.test', addresses: ['10.0.0.1'] },
      { domain: 'ads2.test', addresses: ['10.0.0.1'] },
      { domain: 'null.test', addresses: ['#'] },
      { domain: 'nx.test', addresses: [] },
    ])
    expect(config).toMatchObject({ domainNeeded: true, bogusPriv: true, strategy: 'all', cacheSize: 1000, negTtl: 60, negativeCache: false, localTtl: 5, domain: 'lan', expandHosts: true, maxForwards: 300 })
    expect(config.ignored.map((i) => [i.line, i.option])).toEqual([
      [23, 'dhcp-range'],
      [24, 'enable-tftp'],
      [25, 'user'],
    ])
  })

  it('lists addn-hosts files in the order dnsmasq reads them: /etc/hosts, then the last addn-hosts first', () => {
    // dnsmasq prepends each addn-hosts to its list, so with one address in two files the PTR
    // comes from the file listed last (seen with dnsmasq 2.90); the Forwarder reads in list order.
    const config = parseDnsmasqConf('addn-hosts=a\naddn-hosts=b\naddn-hosts=c', { baseDir: '/d' })
    expect(config.hostsFiles).toEqual(['/etc/hosts', '/d/c', '/d/b', '/d/a'])
  })

  it('lets all-servers win over strict-order, as dnsmasq (it forwards to all whenever all-servers is set)', () => {
    expect(parseDnsmasqConf('strict-order\nall-servers').strategy).toBe('all')
    expect(parseDnsmasqConf('all-servers\nstrict-order').strategy).toBe('all')
  })

  it('reads domain=name,range,local as local= for the domain and the range’s reverse zone', () => {
    const config = parseDnsmasqConf('domain=lan,192.168.0.0/24,local\ndomain=ten.lan,10.0.0.0/8,local')
    // A domain with a range is the expand-hosts suffix for that range only (no default domain).
    expect(config.domain).toBeUndefined()
    expect(config.domainRanges).toEqual([
      { domain: 'lan', range: '192.168.0.0/24' },
      { domain: 'ten.lan', range: '10.0.0.0/8' },
    ])
    expect(config.domainServers).toEqual([
      { domain: 'lan', servers: [] },
      { domain: '0.168.192.in-addr.arpa', servers: [] },
      { domain: 'ten.lan', servers: [] },
      { domain: '10.in-addr.arpa', servers: [] },
    ])
    expect(parseDnsmasqConf('domain=lan,192.168.0.0/24').domainServers).toBeUndefined()
    expect(parseDnsmasqConf('domain=home\ndomain=lan,192.168.0.0/24')).toMatchObject({ domain: 'home', domainRanges: [{ domain: 'lan', range: '192.168.0.0/24' }] })
    expect(() => parseDnsmasqConf('domain=lan,192.168.0.1,192.168.0.9')).toThrow(/:1: .*CIDR/)
    expect(() => parseDnsmasqConf('domain=lan,192.168.0.0/24,lokal')).toThrow(/:1: .*expected "local"/)
    expect(() => parseDnsmasqConf('domain=lan,192.168.0.0/20,local')).toThrow(/:1: .*\/8, \/16 or \/24/)
  })

  it('caps min-cache-ttl at one hour, as dnsmasq (TTL_FLOOR_LIMIT)', () => {
    expect(parseDnsmasqConf('min-cache-ttl=86400').minTtl).toBe(3600)
    expect(parseDnsmasqConf('min-cache-ttl=60').minTtl).toBe(60)
  })

  it('defaults to /etc/hosts, /etc/resolv.conf, port 53 and the fastest strategy', () => {
    const config = parseDnsmasqConf('')
    expect(config).toMatchObject({ hostsFiles: ['/etc/hosts'], resolvFile: '/etc/resolv.conf', strategy: 'fastest', listen: { addresses: [], port: 53 } })
  })

  it('names the line of an unknown option or a bad value', () => {
    expect(() => parseDnsmasqConf('no-hosts\nfrobnicate=1', { fileName: 'd.conf' })).toThrow(/d\.conf:2: unknown or unsupported option "frobnicate"/)
    expect(() => parseDnsmasqConf('port=http')).toThrow(/:1: port must be/)
    expect(() => parseDnsmasqConf('address=/x.test/not-an-ip')).toThrow(/not an IP address/)
    expect(() => parseDnsmasqConf('server=/x.test')).toThrow(/unterminated/)
    expect(() => parseDnsmasqConf('strict-order=yes')).toThrow(/takes no value/)
  })
})
