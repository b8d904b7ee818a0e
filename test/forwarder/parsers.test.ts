import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { nodeFileSource } from '../../src/forwarder/file-source.js'
import { parseDnsmasqConf, readDnsmasqConf } from '../../src/forwarder/parse-dnsmasq-conf.js'
import { parseServersFile } from '../../src/forwarder/parse-servers-file.js'
import { parseHosts } from '../../src/forwarder/parse-hosts.js'
import { parseResolvConf } from '../../src/forwarder/parse-resolv-conf.js'
import { ConfigFileError, ConfigSyntaxError, isDnsHaError } from '../../src/util/errors.js'
import { MemoryFiles } from './helpers.js'

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
    expect(() => parseDnsmasqConf('domain=lan,192.168.0.1,192.168.0.9')).toThrow(/:1:12: .*CIDR/)
    expect(() => parseDnsmasqConf('domain=lan,192.168.0.0/24,lokal')).toThrow(/:1:27: .*expected "local"/)
    expect(() => parseDnsmasqConf('domain=lan,192.168.0.0/20,local')).toThrow(/:1:12: .*\/8, \/16 or \/24/)
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
    expect(() => parseDnsmasqConf('no-hosts\nfrobnicate=1', { fileName: 'd.conf' })).toThrow(/d\.conf:2:1: unknown or unsupported option "frobnicate"/)
    expect(() => parseDnsmasqConf('port=http')).toThrow(/:1:6: port must be/)
    expect(() => parseDnsmasqConf('address=/x.test/not-an-ip')).toThrow(/not an IP address/)
    expect(() => parseDnsmasqConf('server=/x.test')).toThrow(/unterminated/)
    expect(() => parseDnsmasqConf('strict-order=yes')).toThrow(/takes no value/)
  })
})

/** What a promise that must reject rejects with. */
async function rejection<E>(promise: Promise<unknown>): Promise<E> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (error: unknown) => error as E,
  )
}

/** Runs `fn`, which must throw, and returns what it threw. */
function thrown(fn: () => unknown): ConfigSyntaxError {
  try {
    fn()
  } catch (e) {
    return e as ConfigSyntaxError
  }
  throw new Error('expected a throw')
}

describe('configuration errors carry file, line and column', () => {
  it.each([
    ['dnsmasq.conf: unknown option', () => parseDnsmasqConf('no-hosts\n  frobnicate=1', { fileName: 'd.conf' }), 'd.conf', 2, 3],
    ['dnsmasq.conf: bad port', () => parseDnsmasqConf('port=http', { fileName: 'd.conf' }), 'd.conf', 1, 6],
    ['dnsmasq.conf: bad address= target', () => parseDnsmasqConf('address=/x.test/not-an-ip', { fileName: 'd.conf' }), 'd.conf', 1, 17],
    ['dnsmasq.conf: bad domain in address=', () => parseDnsmasqConf('address=/ok.test/b@d/1.2.3.4', { fileName: 'd.conf' }), 'd.conf', 1, 18],
    ['dnsmasq.conf: bad server port', () => parseDnsmasqConf('\nserver=/x.test/10.0.0.1#99999', { fileName: 'd.conf' }), 'd.conf', 2, 16],
    ['dnsmasq.conf: bad listen-address', () => parseDnsmasqConf('listen-address=127.0.0.1, 10.0.0.999', { fileName: 'd.conf' }), 'd.conf', 1, 27],
    ['dnsmasq.conf: host-record address', () => parseDnsmasqConf('host-record=a.lan,10.0.0.1,b.lan', { fileName: 'd.conf' }), 'd.conf', 1, 28],
    ['dnsmasq.conf: srv-host port', () => parseDnsmasqConf('srv-host=_x._tcp.lan,t.lan,70000', { fileName: 'd.conf' }), 'd.conf', 1, 28],
    ['dnsmasq.conf: conf-file without readDnsmasqConf', () => parseDnsmasqConf('conf-file=/etc/x.conf', { fileName: 'd.conf' }), 'd.conf', 1, 1],
    ['hosts: bad address', () => parseHosts('10.0.0.1 ok\n  10.0.0.300 bad', { fileName: 'hosts' }), 'hosts', 2, 3],
    ['hosts: bad name', () => parseHosts('10.0.0.1 ok bad..name', { fileName: 'hosts' }), 'hosts', 1, 13],
    ['hosts: no names', () => parseHosts('\n10.0.0.1   # nothing', { fileName: 'hosts' }), 'hosts', 2, 1],
    ['resolv.conf: bad nameserver', () => parseResolvConf('search lan\n nameserver  10.0.0.256', { fileName: 'resolv' }), 'resolv', 2, 14],
    ['resolv.conf: extra word', () => parseResolvConf('nameserver 10.0.0.1 junk', { fileName: 'resolv' }), 'resolv', 1, 21],
    ['servers-file: other option', () => parseServersFile('server=10.0.0.1\nno-resolv', { fileName: 'srv' }), 'srv', 2, 1],
  ])('%s', (_what, fn, file, line, column) => {
    const e = thrown(fn)
    expect(isDnsHaError(e, 'ERR_CONFIG')).toBe(true)
    expect(e).toBeInstanceOf(ConfigSyntaxError)
    expect({ file: e.file, line: e.line, column: e.column }).toEqual({ file, line, column })
    expect(e.message.startsWith(`${file}:${line}:${column}: `)).toBe(true)
    expect(e.details).toMatchObject({ file, line, column })
  })
})

describe('parseDnsmasqConf: local records', () => {
  it('reads cname, txt-record, srv-host, ptr-record and host-record as dnsmasq 2.90 does', () => {
    const config = parseDnsmasqConf(
      [
        'domain=lan',
        'cname=alias.lan,alias2.lan,web.lan',
        'cname=far.lan,www.example.com,300',
        'txt-record=txt.lan,"hello, world",second,"with \\"quotes\\""',
        'txt-record=empty.lan',
        'txt-record=spaced.lan, two words ',
        'srv-host=_ldap._tcp.lan,ldap.lan,389,5,10',
        'srv-host=_nope._tcp.lan',
        'srv-host=_short._tcp,web.lan',
        'ptr-record=_http._tcp.lan,"My Web._http._tcp.lan"',
        'ptr-record=noptr.lan',
        'host-record=hr.lan,hr2.lan,10.2.2.2,fd00::2,120',
        'host-record=hr6.lan,fd00::6',
        'address=/null.test/#',
      ].join('\n'),
    )
    expect(config.cnames).toEqual([
      { aliases: ['alias.lan', 'alias2.lan'], target: 'web.lan' },
      { aliases: ['far.lan'], target: 'www.example.com', ttl: 300 },
    ])
    expect(config.txtRecords).toEqual([
      { name: 'txt.lan', texts: ['hello, world', 'second', 'with "quotes"'] },
      { name: 'empty.lan', texts: [] },
      { name: 'spaced.lan', texts: ['two words'] },
    ])
    expect(config.srvRecords).toEqual([
      { name: '_ldap._tcp.lan', target: 'ldap.lan', port: 389, priority: 5, weight: 10 },
      { name: '_nope._tcp.lan' },
      { name: '_short._tcp.lan', target: 'web.lan' },
    ])
    expect(config.ptrRecords).toEqual([{ name: '_http._tcp.lan', target: 'My Web._http._tcp.lan' }, { name: 'noptr.lan' }])
    expect(config.hostRecords).toEqual([
      { names: ['hr.lan', 'hr2.lan'], addresses: ['10.2.2.2', 'fd00::2'], ttl: 120 },
      { names: ['hr6.lan'], addresses: ['fd00::6'] },
    ])
    expect(config.addresses).toEqual([{ domain: 'null.test', addresses: ['#'] }])
  })

  it('rejects a duplicate cname and records without their required parts', () => {
    expect(thrown(() => parseDnsmasqConf('cname=a.lan,t.lan\ncname=A.lan,u.lan')).message).toMatch(/:2:7: duplicate cname "A.lan" \(first at <dnsmasq.conf>:1\)/)
    expect(thrown(() => parseDnsmasqConf('cname=onlyone.lan')).message).toMatch(/cname needs ALIAS/)
    expect(thrown(() => parseDnsmasqConf('host-record=name.lan')).message).toMatch(/needs an IPv4 or IPv6 address/)
    expect(thrown(() => parseDnsmasqConf('host-record=10.0.0.1')).message).toMatch(/needs a name/)
    expect(thrown(() => parseDnsmasqConf('txt-record=bad..name,"x"')).message).toMatch(/not a domain name/)
  })

  it('reads rev-server as server= for the reverse zone', () => {
    const config = parseDnsmasqConf(['rev-server=192.168.0.0/16,10.0.0.53#5353', 'rev-server=10.1.2.0/24', 'rev-server=fd00:1234::/32,10.0.0.54', 'rev-server=1.2.3.4,10.0.0.55'].join('\n'))
    expect(config.domainServers).toEqual([
      { domain: '168.192.in-addr.arpa', servers: [{ address: '10.0.0.53', port: 5353 }] },
      { domain: '2.1.10.in-addr.arpa', servers: [] },
      { domain: '4.3.2.1.0.0.d.f.ip6.arpa', servers: [{ address: '10.0.0.54' }] },
      { domain: '4.3.2.1.in-addr.arpa', servers: [{ address: '10.0.0.55' }] },
    ])
    expect(thrown(() => parseDnsmasqConf('rev-server=100.64.0.0/10,10.0.0.1')).message).toMatch(/:1:12: rev-server prefix lengths must be a multiple of 8/)
  })

  it('keeps servers-file for the forwarder to read', () => {
    expect(parseDnsmasqConf('servers-file=servers.conf', { baseDir: '/etc/dnsmasq.d' }).serversFile).toBe('/etc/dnsmasq.d/servers.conf')
  })
})

describe('parseServersFile', () => {
  it('reads server= and rev-server= lines, merging routes per domain', () => {
    expect(parseServersFile(['# generated', 'server=10.0.0.1', 'server=/corp.example/10.0.0.2', 'server=/corp.example/10.0.0.3#5353', 'rev-server=10.0.0.0/8,10.0.0.2', 'server=/ads.example/'].join('\n'))).toEqual({
      servers: [{ address: '10.0.0.1' }],
      domainServers: [
        { domain: 'corp.example', servers: [{ address: '10.0.0.2' }, { address: '10.0.0.3', port: 5353 }] },
        { domain: '10.in-addr.arpa', servers: [{ address: '10.0.0.2' }] },
        { domain: 'ads.example', servers: [] },
      ],
    })
  })
})

/** MemoryFiles plus directory listings: a directory lists the files stored below it. */
class DirFiles extends MemoryFiles {
  async readDir(path: string): Promise<string[]> {
    const prefix = `${path.replace(/\/$/, '')}/`
    const names = [...this.files.keys()].filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length)).filter((n) => !n.includes('/'))
    if (names.length === 0) throw Object.assign(new Error(`ENOENT: no such directory '${path}'`), { code: 'ENOENT' })
    return names.reverse() // not sorted: readDnsmasqConf must sort
  }
}

describe('readDnsmasqConf: conf-file and conf-dir', () => {
  it('reads conf-file where it appears and conf-dir files in alphabetical order, with the *.conf and .bak forms', async () => {
    const files = new DirFiles()
    files.set('/etc/dnsmasq.conf', ['no-resolv', 'conf-file=/etc/extra.conf', 'conf-dir=/etc/d', 'conf-dir=/etc/only,*.conf', 'server=10.0.0.9'].join('\n'))
    files.set('/etc/extra.conf', 'server=10.0.0.1\n')
    for (const [name, server] of [
      ['b.conf', '10.0.0.3'],
      ['a.conf', '10.0.0.2'],
      ['c.bak', '10.0.0.99'],
      ['.hidden', '10.0.0.98'],
      ['d.conf~', '10.0.0.97'],
      ['#e.conf#', '10.0.0.96'],
      ['f', '10.0.0.4'],
    ]) files.set(`/etc/d/${name}`, `server=${server}`)
    files.set('/etc/only/z.conf', 'server=10.0.0.6')
    files.set('/etc/only/y.conf', 'server=10.0.0.5')
    files.set('/etc/only/x.txt', 'server=10.0.0.95')
    const withBak = await readDnsmasqConf('/etc/dnsmasq.conf', { files })
    expect(withBak.servers!.map((s) => s.address)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.99', '10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.9'])
    files.set('/etc/dnsmasq.conf', ['no-resolv', 'conf-dir=/etc/d,.bak,.old'].join('\n'))
    const skipped = await readDnsmasqConf('/etc/dnsmasq.conf', { files })
    expect(skipped.servers!.map((s) => s.address)).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4'])
  })

  it('names the file and line of an error inside an included file', async () => {
    const files = new DirFiles()
    files.set('/etc/dnsmasq.conf', 'no-resolv\nconf-dir=/etc/d')
    files.set('/etc/d/a.conf', '# ok\n\nbogus-option')
    const e = await rejection<ConfigSyntaxError>(readDnsmasqConf('/etc/dnsmasq.conf', { files }))
    expect(e).toBeInstanceOf(ConfigSyntaxError)
    expect({ file: e.file, line: e.line, column: e.column }).toEqual({ file: '/etc/d/a.conf', line: 3, column: 1 })
  })

  it('reports a missing conf-file, conf-dir or top file as a DnsHaError naming the path', async () => {
    const files = new DirFiles()
    files.set('/etc/dnsmasq.conf', 'no-resolv\nconf-file=/etc/missing.conf')
    const e = await rejection<ConfigSyntaxError>(readDnsmasqConf('/etc/dnsmasq.conf', { files }))
    expect(e).toBeInstanceOf(ConfigSyntaxError)
    expect({ file: e.file, line: e.line, column: e.column }).toEqual({ file: '/etc/dnsmasq.conf', line: 2, column: 11 })
    expect(e.message).toContain('/etc/missing.conf')
    expect(e.cause).toBeInstanceOf(ConfigFileError)
    expect((e.cause as ConfigFileError).file).toBe('/etc/missing.conf')

    files.set('/etc/dnsmasq.conf', 'conf-dir=/etc/nodir,*.conf')
    const d = await rejection<ConfigSyntaxError>(readDnsmasqConf('/etc/dnsmasq.conf', { files }))
    expect([d.line, d.column]).toEqual([1, 10])
    expect(d.message).toContain('/etc/nodir')

    const top = await rejection<ConfigFileError>(readDnsmasqConf('/etc/none.conf', { files }))
    expect(isDnsHaError(top, 'ERR_CONFIG_FILE')).toBe(true)
    expect(top.file).toBe('/etc/none.conf')
  })

  it('refuses a file that includes itself', async () => {
    const files = new DirFiles()
    files.set('/etc/a.conf', 'conf-file=/etc/b.conf')
    files.set('/etc/b.conf', 'no-resolv\nconf-file=/etc/a.conf')
    const e = await rejection<ConfigSyntaxError>(readDnsmasqConf('/etc/a.conf', { files }))
    expect([e.file, e.line]).toEqual(['/etc/b.conf', 2])
    expect(e.message).toMatch(/includes itself/)
  })

  it('reads a real conf-dir from disk through nodeFileSource, and names a missing addn-hosts path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dns-ha-confdir-'))
    try {
      mkdirSync(join(dir, 'd'))
      writeFileSync(join(dir, 'dnsmasq.conf'), `no-resolv\nno-hosts\nconf-dir=${join(dir, 'd')},*.conf\n`)
      writeFileSync(join(dir, 'd', '20-b.conf'), 'server=10.0.0.2\n')
      writeFileSync(join(dir, 'd', '10-a.conf'), 'server=10.0.0.1\naddn-hosts=missing-hosts\n')
      writeFileSync(join(dir, 'd', '30-c.conf.dpkg-old'), 'server=10.0.0.3\n')
      const config = await readDnsmasqConf(join(dir, 'dnsmasq.conf'), { baseDir: dir })
      expect(config.servers).toEqual([{ address: '10.0.0.1' }, { address: '10.0.0.2' }])
      expect(config.hostsFiles).toEqual([join(dir, 'missing-hosts')])
      const e = await rejection<ConfigFileError>(nodeFileSource.readFile(join(dir, 'missing-hosts')))
      expect(isDnsHaError(e, 'ERR_CONFIG_FILE')).toBe(true)
      expect(e.file).toBe(join(dir, 'missing-hosts'))
      expect(e.details).toMatchObject({ errno: 'ENOENT' })
      expect(e.message).toBe(`${join(dir, 'missing-hosts')}: no such file or directory`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
