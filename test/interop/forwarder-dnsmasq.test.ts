// Differential test: the same dnsmasq.conf, hosts file and upstreams served by dnsmasq and by
// `new Forwarder(parseDnsmasqConf(conf))`; for a generated query set, rcode and answer records
// must match. Upstreams are DnsServers on 127.0.0.1 with small deterministic handlers.
import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Answer } from 'dns-packet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { query } from '../../src/client/query.js'
import { Forwarder } from '../../src/forwarder/forwarder.js'
import { parseDnsmasqConf, readDnsmasqConf } from '../../src/forwarder/parse-dnsmasq-conf.js'
import { DnsServer } from '../../src/server/dns-server.js'
import type { DnsQuery } from '../../src/server/query.js'
import { respond } from '../../src/server/respond.js'
import { freeLoopbackPort as freePort } from '../../src/testing/free-port.js'

const have = spawnSync('dnsmasq', ['--version'], { timeout: 5000 }).status === 0
if (!have) console.warn('skipping dnsmasq differential test: dnsmasq is not installed (apt-get install dnsmasq-base)')

/** Starts dnsmasq on `confPath` and waits until it answers `probe` (A) on `port`. */
async function startDnsmasq(dir: string, confPath: string, port: number, probe: string): Promise<ChildProcess> {
  const child = spawn('dnsmasq', ['-C', confPath, '--keep-in-foreground', `--pid-file=${join(dir, 'dnsmasq.pid')}`, '--user=root', '--log-facility=-'], { stdio: 'ignore' })
  for (let i = 0; i < 50; i++) {
    try {
      await query({ address: '127.0.0.1', port }, { name: probe, type: 'A' }, { timeoutMs: 200, retries: 0 })
      break
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  return child
}

/** Stops a dnsmasq started by {@link startDnsmasq}, then runs the closers (last first) and removes `dir`. */
async function stopAll(dnsmasq: ChildProcess | undefined, closers: (() => Promise<void>)[], dir: string): Promise<void> {
  if (dnsmasq?.pid !== undefined && dnsmasq.exitCode === null) {
    const exited = new Promise((r) => dnsmasq.once('exit', r))
    process.kill(dnsmasq.pid, 'SIGTERM')
    await exited
  }
  for (const c of closers.reverse()) await c()
  rmSync(dir, { recursive: true, force: true })
}

const HOSTS = `# differential hosts file
10.1.1.1   web.lan web www.lan
10.1.1.2   db.lan
10.1.1.1   other.lan
fd00::5    v6only.lan
10.1.1.3   both.lan
fd00::3    both.lan
10.1.1.4   bare
192.0.2.10 app.example.test
10.5.5.5   known.internal.test
192.168.7.7 ranged
`

/** A second addn-hosts file: dnsmasq reads the last-listed one first, so its names win the PTRs. */
const HOSTS2 = `10.1.1.2   db2.lan
`

const SOA = { name: 'example.test', type: 'SOA', ttl: 300, data: { mname: 'ns.example.test', rname: 'h.example.test', serial: 1, refresh: 60, retry: 60, expire: 600, minimum: 120 } }

/** The main upstream: deterministic answers for anything, NXDOMAIN for nx*, NODATA for nodata*. */
function mainUpstream(q: DnsQuery) {
  const name = q.question!.name
  const lower = name.toLowerCase()
  const type = q.question!.type
  // An authoritative upstream that claims validated data: AA is relayed once, never from the cache; AD never.
  if (lower.startsWith('auth.')) return respond(q, { ra: true, aa: true, ad: true, answers: type === 'A' ? [{ name, type: 'A', ttl: 300, data: '198.51.100.1' }] : [] })
  if (lower.startsWith('nx')) return respond(q, { rcode: 'NXDOMAIN', ra: true, authorities: [SOA as never] })
  if (lower.startsWith('nodata')) return respond(q, { ra: true, authorities: [SOA as never] })
  const n = [...lower].reduce((h, c) => (h * 31 + c.charCodeAt(0)) & 0xff, 7)
  const answers: Answer[] = []
  if (lower.startsWith('alias.')) answers.push({ name, type: 'CNAME', ttl: 300, data: 'target.example.test' })
  const owner = lower.startsWith('alias.') ? 'target.example.test' : name
  if (type === 'A') answers.push({ name: owner, type: 'A', ttl: 300, data: `198.51.100.${n}` })
  if (type === 'AAAA') answers.push({ name: owner, type: 'AAAA', ttl: 300, data: `2001:db8::${n.toString(16)}` })
  if (type === 'MX') answers.push({ name, type: 'MX', ttl: 300, data: { preference: 10, exchange: `mx.${lower}` } })
  if (type === 'TXT') answers.push({ name, type: 'TXT', ttl: 300, data: `txt for ${lower}` })
  if (type === 'PTR') answers.push({ name, type: 'PTR', ttl: 300, data: 'ptr.example.test' })
  return respond(q, { ra: true, answers, authorities: answers.length === 0 ? [SOA as never] : [] })
}

/** The corp upstream (server=/corp.example/): everything is 10.77.0.1. */
function corpUpstream(q: DnsQuery) {
  const name = q.question!.name
  if (q.question!.type !== 'A') return respond(q, { ra: true })
  return respond(q, { ra: true, answers: [{ name, type: 'A', ttl: 300, data: '10.77.0.1' }] })
}

const QUERIES: [string, string][] = [
  ['web.lan', 'A'],
  ['WEB.lan', 'A'],
  ['web', 'A'],
  ['www.lan', 'A'],
  ['other.lan', 'A'],
  ['db.lan', 'A'],
  ['both.lan', 'A'],
  ['both.lan', 'AAAA'],
  ['v6only.lan', 'AAAA'],
  ['bare', 'A'],
  ['bare.lan', 'A'],
  ['app.example.test', 'A'],
  ['1.1.1.10.in-addr.arpa', 'PTR'],
  ['2.1.1.10.in-addr.arpa', 'PTR'],
  ['4.1.1.10.in-addr.arpa', 'PTR'],
  ['10.2.0.192.in-addr.arpa', 'PTR'],
  ['5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa', 'PTR'],
  ['9.9.9.10.in-addr.arpa', 'PTR'],
  ['1.1.168.192.in-addr.arpa', 'PTR'],
  ['1.0.16.172.in-addr.arpa', 'PTR'],
  ['ads.test', 'A'],
  ['x.y.ads.test', 'A'],
  ['sub.ads.test', 'AAAA'],
  ['null.test', 'A'],
  ['null.test', 'AAAA'],
  ['blocked.nx.test', 'A'],
  ['nx.test', 'MX'],
  ['thing.internal.test', 'A'],
  ['known.internal.test', 'A'],
  ['known.internal.test', 'AAAA'],
  ['bare', 'AAAA'],
  ['web.lan', 'AAAA'],
  ['db.lan', 'MX'],
  ['v6only.lan', 'A'],
  ['host.corp.example', 'A'],
  ['printer', 'A'],
  ['printer', 'AAAA'],
  ['www.example.test', 'A'],
  ['www.example.test', 'AAAA'],
  ['www.example.test', 'MX'],
  ['www.example.test', 'TXT'],
  ['alias.example.test', 'A'],
  ['nx1.example.test', 'A'],
  ['nx2.example.test', 'AAAA'],
  ['nodata.example.test', 'AAAA'],
  ['mixed.Example.TEST', 'A'],
  ['a.b.c.example.org', 'A'],
  ['10.2.0.198.in-addr.arpa', 'PTR'],
  // ANY is answered from hosts and address= rules.
  ['both.lan', 'ANY'],
  ['web', 'ANY'],
  ['1.1.1.10.in-addr.arpa', 'ANY'],
  ['null.test', 'ANY'],
  ['x.ads.test', 'ANY'],
  // Names kept local that have hosts names below them are NODATA, not NXDOMAIN.
  ['internal.test', 'A'],
  ['lan', 'A'],
  ['test', 'AAAA'],
  // Two addn-hosts files, one address: the PTR follows dnsmasq's reading order.
  ['2.1.1.10.in-addr.arpa', 'PTR'],
  ['db2.lan', 'A'],
  // domain=corp.lan,192.168.7.0/24,local: that range's names expand with corp.lan, which stays local.
  ['ranged.corp.lan', 'A'],
  ['ranged', 'A'],
  ['7.7.168.192.in-addr.arpa', 'PTR'],
  ['other.corp.lan', 'A'],
  ['auth.example.test', 'A'],
  // bogus-priv's exact ranges (dnsmasq 2.90): CGNAT and fc00::/8 are forwarded, the test nets are not.
  ['1.0.64.100.in-addr.arpa', 'PTR'],
  ['255.255.127.100.in-addr.arpa', 'PTR'],
  ['1.2.0.192.in-addr.arpa', 'PTR'],
  ['1.113.0.203.in-addr.arpa', 'PTR'],
  ['255.255.255.255.in-addr.arpa', 'PTR'],
  ['1.0.32.172.in-addr.arpa', 'PTR'],
  ['1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.f.ip6.arpa', 'PTR'],
  ['1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa', 'PTR'],
  ['64.100.in-addr.arpa', 'PTR'],
  ['16.172.in-addr.arpa', 'PTR'],
]

describe.skipIf(!have)('Forwarder vs dnsmasq (same conf, hosts and upstreams)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dns-ha-dnsmasq-'))
  let dnsmasq: ChildProcess | undefined
  let dnsmasqPort = 0
  let ourPort = 0
  const closers: (() => Promise<void>)[] = []

  beforeAll(async () => {
    const main = new DnsServer({ handler: mainUpstream })
    const corp = new DnsServer({ handler: corpUpstream })
    const { port: mainPort } = await main.listen({ port: 0, address: '127.0.0.1' })
    const { port: corpPort } = await corp.listen({ port: 0, address: '127.0.0.1' })
    closers.push(() => main.close(), () => corp.close())
    writeFileSync(join(dir, 'hosts'), HOSTS)
    writeFileSync(join(dir, 'hosts2'), HOSTS2)
    dnsmasqPort = await freePort()
    const conf = [
      '# shared by dnsmasq and the Forwarder',
      `port=${dnsmasqPort}`,
      'listen-address=127.0.0.1',
      'bind-interfaces',
      'no-hosts',
      'addn-hosts=hosts',
      'addn-hosts=hosts2',
      'no-resolv',
      `server=127.0.0.1#${mainPort}`,
      `server=/corp.example/127.0.0.1#${corpPort}`,
      'strict-order',
      'domain-needed',
      'bogus-priv',
      'address=/ads.test/10.9.9.9',
      'address=/null.test/#',
      'address=/nx.test/',
      'local=/internal.test/',
      'domain=lan',
      'domain=corp.lan,192.168.7.0/24,local',
      'expand-hosts',
      'cache-size=1000',
    ].join('\n')
    // dnsmasq reads addn-hosts relative to its cwd; give it the absolute path.
    writeFileSync(join(dir, 'dnsmasq.conf'), conf.replace('addn-hosts=hosts\n', `addn-hosts=${join(dir, 'hosts')}\n`).replace('addn-hosts=hosts2', `addn-hosts=${join(dir, 'hosts2')}`))
    const config = parseDnsmasqConf(conf, { baseDir: dir, fileName: 'dnsmasq.conf' })
    expect(config.ignored.map((i) => i.option)).toEqual(['bind-interfaces'])
    const forwarder = new Forwarder(config)
    await forwarder.start()
    const ours = new DnsServer({ handler: forwarder })
    ourPort = (await ours.listen({ port: 0, address: '127.0.0.1' })).port
    closers.push(() => ours.close(), () => forwarder.close())
    dnsmasq = await startDnsmasq(dir, join(dir, 'dnsmasq.conf'), dnsmasqPort, 'web.lan')
  })

  afterAll(() => stopAll(dnsmasq, closers, dir))

  // Each query twice: the second time both answer upstream names from their caches.
  it.each([...QUERIES, ...QUERIES])('%s %s: same rcode, AA and AD flags and answers', async (name, type) => {
    const ask = (port: number) => query({ address: '127.0.0.1', port }, { name, type }, { timeoutMs: 2000, retries: 1 })
    const [theirs, ours] = await Promise.all([ask(dnsmasqPort), ask(ourPort)])
    const summary = (r: Awaited<ReturnType<typeof ask>>) => ({
      rcode: r.packet.rcode,
      aa: r.packet.flag_aa,
      ad: r.packet.flag_ad,
      answers: (r.packet.answers ?? []).map((a) => `${a.name.toLowerCase()} ${a.type} ${JSON.stringify((a as { data: unknown }).data)}`).sort(),
    })
    if (process.env.SHOW_DIFF) console.log(name, type, JSON.stringify(summary(theirs)))
    expect(summary(ours)).toEqual(summary(theirs))
  })
})

// A name that exists locally never gets NXDOMAIN: when the upstream says NXDOMAIN for a type we
// do not hold (AAAA of an IPv4-only hosts name, TXT of a hosts name, AAAA under an IPv4
// address= rule), dnsmasq 2.90 answers NODATA (NOERROR, AA, the upstream's SOA kept). Asked once
// each: dnsmasq's own cache then treats hosts names and address= names differently.
describe.skipIf(!have)('Forwarder vs dnsmasq: local records, conf-dir, conf-file and servers-file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dns-ha-dnsmasq-rr-'))
  let dnsmasq: ChildProcess | undefined
  let dnsmasqPort = 0
  let ourPort = 0
  let forwarder: Forwarder | undefined
  let corpPort = 0
  const closers: (() => Promise<void>)[] = []
  const RR_QUERIES: [string, string][] = [
    ['alias.lan', 'A'],
    ['alias2.lan', 'A'],
    ['alias.lan', 'AAAA'],
    ['alias.lan', 'CNAME'],
    ['alias.lan', 'TXT'],
    ['alias.lan', 'ANY'],
    ['far.lan', 'A'],
    ['chain.lan', 'A'],
    ['tohr.lan', 'AAAA'],
    ['txt.lan', 'TXT'],
    ['empty.lan', 'TXT'],
    ['web.lan', 'TXT'],
    ['web.lan', 'A'],
    ['_ldap._tcp.lan', 'SRV'],
    ['_nope._tcp.lan', 'SRV'],
    ['_x._tcp.lan', 'SRV'],
    ['_http._tcp.lan', 'PTR'],
    ['9.9.9.10.in-addr.arpa', 'PTR'],
    ['noptr.lan', 'PTR'],
    ['hr.lan', 'A'],
    ['hr2.lan', 'AAAA'],
    ['hr.lan', 'ANY'],
    ['2.2.2.10.in-addr.arpa', 'PTR'],
    ['2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa', 'PTR'],
    ['null.test', 'A'],
    ['null.test', 'AAAA'],
    ['x.null.test', 'AAAA'],
    ['null.test', 'ANY'],
    ['txt.lan', 'A'],
    ['hr.lan', 'MX'],
    // From conf-dir (10-a.conf, 20-b.conf; 30-c.bak and the .txt file are skipped) and conf-file.
    ['fromdir.lan', 'A'],
    ['skipped.lan', 'A'],
    ['fromfile.lan', 'TXT'],
    // servers-file: server=/corp.example/ and a default upstream.
    ['host.corp.example', 'A'],
    ['www.example.test', 'A'],
  ]

  beforeAll(async () => {
    const main = new DnsServer({ handler: mainUpstream })
    const corp = new DnsServer({ handler: corpUpstream })
    const { port: mainPort } = await main.listen({ port: 0, address: '127.0.0.1' })
    corpPort = (await corp.listen({ port: 0, address: '127.0.0.1' })).port
    closers.push(() => main.close(), () => corp.close())
    writeFileSync(join(dir, 'hosts'), '10.1.1.1 web.lan\n')
    mkdirSync(join(dir, 'conf.d'))
    writeFileSync(join(dir, 'conf.d', '10-a.conf'), ['cname=alias.lan,alias2.lan,web.lan', 'cname=far.lan,www.example.com,300', 'cname=chain.lan,alias.lan', 'cname=tohr.lan,hr.lan', 'host-record=fromdir.lan,10.3.3.3'].join('\n'))
    writeFileSync(join(dir, 'conf.d', '20-b.conf'), ['txt-record=txt.lan,"hello world","second"', 'txt-record=empty.lan', 'txt-record=web.lan,"web txt"'].join('\n'))
    writeFileSync(join(dir, 'conf.d', '30-c.bak'), 'host-record=skipped.lan,10.3.3.4\n')
    writeFileSync(join(dir, 'conf.d', 'notes.txt'), 'this is not configuration\n')
    writeFileSync(join(dir, 'records.conf'), ['srv-host=_ldap._tcp.lan,ldap.lan,389,5,10', 'srv-host=_nope._tcp.lan', 'srv-host=_x._tcp.lan,web.lan,80', 'srv-host=_x._tcp.lan,web2.lan,81,1', 'ptr-record=_http._tcp.lan,"My Web._http._tcp.lan"', 'ptr-record=9.9.9.10.in-addr.arpa,nine.lan', 'ptr-record=noptr.lan', 'host-record=hr.lan,hr2.lan,10.2.2.2,fd00::2,120', 'txt-record=fromfile.lan,"included"'].join('\n'))
    writeFileSync(join(dir, 'servers.conf'), [`server=127.0.0.1#${mainPort}`, `server=/corp.example/127.0.0.1#${corpPort}`].join('\n'))
    dnsmasqPort = await freePort()
    writeFileSync(
      join(dir, 'dnsmasq.conf'),
      [
        `port=${dnsmasqPort}`,
        'listen-address=127.0.0.1',
        'bind-interfaces',
        'no-hosts',
        `addn-hosts=${join(dir, 'hosts')}`,
        'no-resolv',
        `servers-file=${join(dir, 'servers.conf')}`,
        `conf-dir=${join(dir, 'conf.d')},*.conf`,
        `conf-file=${join(dir, 'records.conf')}`,
        'address=/null.test/#',
        'strict-order',
      ].join('\n'),
    )
    const config = await readDnsmasqConf(join(dir, 'dnsmasq.conf'))
    forwarder = new Forwarder(config)
    await forwarder.start()
    const ours = new DnsServer({ handler: forwarder })
    ourPort = (await ours.listen({ port: 0, address: '127.0.0.1' })).port
    closers.push(() => ours.close(), () => forwarder!.close())
    dnsmasq = await startDnsmasq(dir, join(dir, 'dnsmasq.conf'), dnsmasqPort, 'web.lan')
  })

  afterAll(() => stopAll(dnsmasq, closers, dir))

  const ask = (port: number, name: string, type: string) => query({ address: '127.0.0.1', port }, { name, type }, { timeoutMs: 2000, retries: 1 })
  const summary = (r: Awaited<ReturnType<typeof ask>>) => ({
    rcode: r.packet.rcode,
    aa: r.packet.flag_aa,
    ra: r.packet.flag_ra,
    ad: r.packet.flag_ad,
    answers: (r.packet.answers ?? [])
      .map((a) => {
        const data = (a as { data: unknown }).data
        const text = Array.isArray(data) ? data.map((b) => JSON.stringify(String(b))).join(' ') : JSON.stringify(data)
        return `${a.name.toLowerCase()} ${(a as { ttl: number }).ttl} ${a.type} ${text}`
      })
      .sort(),
  })

  it.each(RR_QUERIES)('%s %s: same rcode, AA/RA/AD flags and answers (TTLs included)', async (name, type) => {
    const [theirs, ours] = await Promise.all([ask(dnsmasqPort, name, type), ask(ourPort, name, type)])
    if (process.env.SHOW_DIFF) console.log(name, type, JSON.stringify(summary(theirs)))
    expect(summary(ours)).toEqual(summary(theirs))
  })

  it('re-reads the servers-file on reload as dnsmasq does on SIGHUP', async () => {
    writeFileSync(join(dir, 'servers.conf'), `server=/example.test/127.0.0.1#${corpPort}\nserver=127.0.0.1#${corpPort}\n`)
    process.kill(dnsmasq!.pid!, 'SIGHUP')
    expect((await forwarder!.reload()).ok).toBe(true)
    await new Promise((r) => setTimeout(r, 300))
    for (const name of ['reloaded.example.test', 'reloaded.other.test']) {
      const [theirs, ours] = await Promise.all([ask(dnsmasqPort, name, 'A'), ask(ourPort, name, 'A')])
      expect(summary(ours)).toEqual(summary(theirs))
      expect(summary(ours).answers).toEqual([`${name} 300 A "10.77.0.1"`])
    }
  })
})

describe.skipIf(!have)('Forwarder vs dnsmasq: upstream NXDOMAIN for names that exist locally', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dns-ha-dnsmasq-nx-'))
  let dnsmasq: ChildProcess | undefined
  let dnsmasqPort = 0
  let ourPort = 0
  const closers: (() => Promise<void>)[] = []
  const NX_QUERIES: [string, string][] = [
    ['printer.lan', 'AAAA'],
    ['scanner.lan', 'TXT'],
    ['wild.test', 'AAAA'],
    ['x.wild.test', 'TXT'],
    ['lan', 'A'],
    ['other.lan', 'A'],
    ['host.corp.test', 'A'],
  ]

  beforeAll(async () => {
    const nx = new DnsServer({ handler: (q) => respond(q, { rcode: 'NXDOMAIN', ra: true, authorities: [SOA as never] }) })
    const { port: nxPort } = await nx.listen({ port: 0, address: '127.0.0.1' })
    closers.push(() => nx.close())
    writeFileSync(join(dir, 'hosts'), '10.2.2.2 printer.lan scanner.lan\n')
    dnsmasqPort = await freePort()
    const conf = [
      `port=${dnsmasqPort}`,
      'listen-address=127.0.0.1',
      'no-hosts',
      `addn-hosts=${join(dir, 'hosts')}`,
      'no-resolv',
      `server=127.0.0.1#${nxPort}`,
      `server=/corp.test/127.0.0.1#${nxPort}`,
      'address=/wild.test/10.9.9.9',
    ].join('\n')
    writeFileSync(join(dir, 'dnsmasq.conf'), `${conf}\nbind-interfaces\n`)
    const forwarder = new Forwarder(parseDnsmasqConf(conf, { baseDir: dir, fileName: 'dnsmasq.conf' }))
    await forwarder.start()
    const ours = new DnsServer({ handler: forwarder })
    ourPort = (await ours.listen({ port: 0, address: '127.0.0.1' })).port
    closers.push(() => ours.close(), () => forwarder.close())
    dnsmasq = await startDnsmasq(dir, join(dir, 'dnsmasq.conf'), dnsmasqPort, 'printer.lan')
  })

  afterAll(() => stopAll(dnsmasq, closers, dir))

  it.each(NX_QUERIES)('%s %s: same rcode, AA, answers and authority types', async (name, type) => {
    const ask = (port: number) => query({ address: '127.0.0.1', port }, { name, type }, { timeoutMs: 2000, retries: 1 })
    const [theirs, ours] = await Promise.all([ask(dnsmasqPort), ask(ourPort)])
    const summary = (r: Awaited<ReturnType<typeof ask>>) => ({
      rcode: r.packet.rcode,
      aa: r.packet.flag_aa,
      answers: (r.packet.answers ?? []).length,
      authorities: (r.packet.authorities ?? []).map((a) => a.type),
    })
    expect(summary(ours)).toEqual(summary(theirs))
  })

  it('the three names of the issue get NOERROR from the Forwarder', async () => {
    for (const [name, type] of NX_QUERIES.slice(0, 3)) {
      const r = await query({ address: '127.0.0.1', port: ourPort }, { name, type }, { timeoutMs: 2000, retries: 1 })
      expect(r.packet.rcode, `${name} ${type}`).toBe('NOERROR')
    }
  })
})

// DNS-rebind protection: stop-dns-rebind, rebind-localhost-ok and rebind-domain-ok against the
// dnsmasq binary. Each query twice (a dropped answer is never cached, so both go upstream again);
// compared: rcode, answers, authority and additional record types, and the EDE info codes.
const REBIND_A: Record<string, string[]> = {
  ten: ['10.0.0.1'], lo: ['127.0.0.1'], zero: ['0.0.0.1'], ll: ['169.254.1.1'], cgnat: ['100.64.0.1'], pub: ['93.184.216.34'],
  testnet: ['192.0.2.1'], tn2: ['198.51.100.1'], tn3: ['203.0.113.1'], bcast: ['255.255.255.255'], p172: ['172.16.0.1'],
  p172b: ['172.32.0.1'], p192: ['192.168.1.1'], mixed: ['93.184.216.34', '10.0.0.1'], mc: ['224.0.0.1'], res: ['240.0.0.1'],
}
const REBIND_AAAA: Record<string, string[]> = {
  v6ula: ['fd00::1'], v6fc: ['fc00::1'], v6ll: ['fe80::1'], v6lo: ['::1'], v6un: ['::'], v6doc: ['2001:db8::1'], v6map: ['::ffff:10.0.0.1'],
  v6mappub: ['::ffff:93.184.216.34'], v6pub: ['2606:4700::1'], v6site: ['fec0::1'], v6maplo: ['::ffff:127.0.0.1'],
}

function rebindUpstream(q: DnsQuery) {
  const name = q.question!.name
  const label = name.split('.')[0]!.toLowerCase()
  const type = q.question!.type
  const a = (owner: string, data: string): Answer => ({ name: owner, type: 'A', ttl: 300, data })
  if (label === 'cname') return respond(q, { ra: true, answers: [{ name, type: 'CNAME', ttl: 300, data: 'ten.rb.test' }, a('ten.rb.test', '10.0.0.1')] })
  if (label === 'pubcname') return respond(q, { ra: true, answers: [{ name, type: 'CNAME', ttl: 300, data: 'pub.rb.test' }, a('pub.rb.test', '93.184.216.34')] })
  if (label === 'foreign') return respond(q, { ra: true, answers: [a(name, '93.184.216.34'), a('other.rb.test', '10.0.0.9')] })
  if (label === 'glue') return respond(q, { ra: true, answers: [a(name, '93.184.216.34')], authorities: [{ name: 'rb.test', type: 'NS', ttl: 300, data: 'ns.rb.test' }], additionals: [a('ns.rb.test', '10.0.0.9')] })
  const list = (type === 'A' ? REBIND_A : type === 'AAAA' ? REBIND_AAAA : {})[label] ?? []
  return respond(q, { ra: true, answers: list.map((data) => ({ name, type: type as 'A', ttl: 300, data })) })
}

const REBIND_QUERIES: [string, string][] = [
  ...Object.keys(REBIND_A).map((k): [string, string] => [`${k}.rb.test`, 'A']),
  ...Object.keys(REBIND_AAAA).map((k): [string, string] => [`${k}.rb.test`, 'AAAA']),
  ['cname.rb.test', 'A'],
  ['pubcname.rb.test', 'A'],
  ['ten.ok.test', 'A'],
  ['lo.ok.test', 'A'],
  ['v6ula.deep.ok.test', 'AAAA'],
  ['ten.notok.test', 'A'],
]

for (const variant of [[], ['rebind-localhost-ok'], ['rebind-domain-ok=/ok.test/other.test/']]) {
  describe.skipIf(!have)(`Forwarder vs dnsmasq: stop-dns-rebind ${variant.join(' ')}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'dns-ha-dnsmasq-rebind-'))
    let dnsmasq: ChildProcess | undefined
    let dnsmasqPort = 0
    let ourPort = 0
    let forwarder: Forwarder | undefined
    const closers: (() => Promise<void>)[] = []

    beforeAll(async () => {
      const up = new DnsServer({ handler: rebindUpstream })
      const { port: upPort } = await up.listen({ port: 0, address: '127.0.0.1' })
      closers.push(() => up.close())
      dnsmasqPort = await freePort()
      const conf = [`port=${dnsmasqPort}`, 'listen-address=127.0.0.1', 'no-hosts', 'no-resolv', `server=127.0.0.1#${upPort}`, 'stop-dns-rebind', ...variant, 'cache-size=100'].join('\n')
      writeFileSync(join(dir, 'dnsmasq.conf'), `${conf}\nbind-interfaces\n`)
      forwarder = new Forwarder(parseDnsmasqConf(conf, { fileName: 'dnsmasq.conf' }))
      await forwarder.start()
      const ours = new DnsServer({ handler: forwarder })
      ourPort = (await ours.listen({ port: 0, address: '127.0.0.1' })).port
      closers.push(() => ours.close(), () => forwarder!.close())
      dnsmasq = await startDnsmasq(dir, join(dir, 'dnsmasq.conf'), dnsmasqPort, 'pub.rb.test')
    })

    afterAll(() => stopAll(dnsmasq, closers, dir))

    const ask = (port: number, name: string, type: string) => query({ address: '127.0.0.1', port }, { name, type }, { timeoutMs: 2000, retries: 1 })
    const summary = (r: Awaited<ReturnType<typeof ask>>) => {
      const opt = (r.packet.additionals ?? []).find((a) => a.type === 'OPT') as { options?: { code: number; data?: Buffer }[] } | undefined
      return {
        rcode: r.packet.rcode,
        aa: r.packet.flag_aa,
        answers: (r.packet.answers ?? []).map((a) => `${a.name.toLowerCase()} ${a.type} ${JSON.stringify((a as { data: unknown }).data)}`).sort(),
        authorities: (r.packet.authorities ?? []).map((a) => a.type),
        additionals: (r.packet.additionals ?? []).map((a) => a.type),
        ede: (opt?.options ?? []).filter((o) => o.code === 15).map((o) => o.data!.readUInt16BE(0)),
      }
    }

    it.each([...REBIND_QUERIES, ...REBIND_QUERIES])('%s %s: same rcode, sections and EDE', async (name, type) => {
      const [theirs, ours] = await Promise.all([ask(dnsmasqPort, name, type), ask(ourPort, name, type)])
      if (process.env.SHOW_DIFF) console.log(name, type, JSON.stringify(summary(theirs)))
      expect(summary(ours)).toEqual(summary(theirs))
    })

    // Records for other names are not checked by either (dnsmasq looks at the question's chain
    // only); a fresh reply is relayed with them, a cached one has the chain alone.
    it.each([['foreign.rb.test', 'A'], ['glue.rb.test', 'A']])('%s %s: fresh then cached, the same as dnsmasq', async (name, type) => {
      for (let i = 0; i < 2; i++) {
        const theirs = await ask(dnsmasqPort, name, type)
        const ours = await ask(ourPort, name, type)
        expect(summary(ours), `round ${i}`).toEqual(summary(theirs))
      }
    })

    it('counts what it dropped', () => {
      expect(forwarder!.snapshot().rebindBlocked).toBeGreaterThan(0)
    })
  })
}
