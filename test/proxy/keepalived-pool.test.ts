// poolOptionsFromKeepalived: an LVS virtual_server as pool options, a listen address and prober
// targets; the checks it builds run against real servers on 127.0.0.1.
import { readFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createServer as createTcpServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import type { ProcessRunner } from '../../src/health/node-process.js'
import { HealthProber } from '../../src/health/prober.js'
import type { CheckContext } from '../../src/health/types.js'
import { poolOptionsFromKeepalived } from '../../src/proxy/keepalived-pool.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { realClock } from '../../src/util/clock.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { parseKeepalivedConf } from '../../src/vrrp/parse-keepalived-conf.js'
import { parseZone } from '../../src/zone/index.js'

const lvsSeed = readFileSync(fileURLToPath(new URL('../vrrp/fixtures/keepalived-lvs-dns.conf', import.meta.url)), 'utf8')
const firstServer = (text: string) => parseKeepalivedConf(text, { file: 'k.conf' }).virtualServers[0]!
const context = (): CheckContext => ({ signal: new AbortController().signal, clock: realClock, timeoutMs: 2000, target: 'x' })

/** A virtual_server with `body` and real servers .11 (weight 3) and .12 (weight 1). */
const vs = (body: string, real = '') =>
  `virtual_server 10.0.0.10 53 {\n${body}\n real_server 10.0.0.11 53 {\n  weight 3\n${real}\n }\n real_server 10.0.0.12 53 {\n  weight 1\n }\n}\n`

describe('poolOptionsFromKeepalived', () => {
  it('maps the LVS seed: UDP only, round robin without weights (rr), one MISC_CHECK target per real server', async () => {
    const setup = poolOptionsFromKeepalived(firstServer(lvsSeed))
    expect(setup.options).toEqual({
      members: [
        { address: '192.0.2.11', port: 53, weight: 1 },
        { address: '192.0.2.12', port: 53, weight: 1 },
      ],
      policy: 'round-robin',
    })
    expect(setup.listen).toEqual({ address: '192.0.2.53', port: 53, udp: true, tcp: false })
    expect(setup.inhibitOnFailure).toEqual([])
    expect(setup.targets.map(({ check: _check, ...t }) => t)).toEqual([
      { name: '192.0.2.11#53', intervalMs: 2000, timeoutMs: 5000, fall: 1, rise: 1, weight: 100 },
      { name: '192.0.2.12#53', intervalMs: 2000, timeoutMs: 5000, fall: 1, rise: 1, weight: 100 },
    ])
    // The script runs as keepalived would run it: the quoted line split into program and arguments.
    const ran: string[][] = []
    const runner: ProcessRunner = { run: async (command, args) => (ran.push([command, ...args]), { code: args[0] === '192.0.2.11' ? 0 : 1, signal: null, pid: 1, stderr: '' }) }
    const clock = new FakeClock({ now: 0 })
    const prober = new HealthProber({ clock })
    for (const target of poolOptionsFromKeepalived(firstServer(lvsSeed), {}, { runner }).targets) prober.add(target)
    await clock.advanceAsync(2000)
    await clock.advanceAsync(2000)
    expect(ran).toContainEqual(['/etc/keepalived/check_named.sh', '192.0.2.11'])
    expect(prober.state('192.0.2.11#53')).toBe('up')
    expect(prober.state('192.0.2.12#53')).toBe('down')
    prober.close()
  })

  it('maps lb_algo: weights for wrr and wlc only, hashing for sh and mh, heaviest first for fo; refuses the rest', () => {
    const policy = (algo: string) => {
      const { options } = poolOptionsFromKeepalived(firstServer(vs(` lb_algo ${algo}`)))
      return [options.policy, options.members.map((m) => `${m.address}:${m.weight}`).join(' ')]
    }
    expect(policy('rr')).toEqual(['round-robin', '10.0.0.11:1 10.0.0.12:1'])
    expect(policy('wrr')).toEqual(['round-robin', '10.0.0.11:3 10.0.0.12:1'])
    expect(policy('lc')).toEqual(['least-outstanding', '10.0.0.11:1 10.0.0.12:1'])
    expect(policy('wlc')).toEqual(['least-outstanding', '10.0.0.11:3 10.0.0.12:1'])
    expect(policy('sh')).toEqual(['hash', '10.0.0.11:3 10.0.0.12:1'])
    expect(policy('mh')).toEqual(['hash', '10.0.0.11:3 10.0.0.12:1'])
    expect(poolOptionsFromKeepalived(firstServer(vs(' lb_algo fo').replace('weight 1', 'weight 9'))).options.members.map((m) => m.address)).toEqual(['10.0.0.12', '10.0.0.11'])
    expect(poolOptionsFromKeepalived(firstServer(vs(' lb_algo fo'))).options.policy).toBe('first')
    // keepalived's default is wlc.
    expect(poolOptionsFromKeepalived(firstServer(vs(''))).options.policy).toBe('least-outstanding')
    for (const algo of ['dh', 'lblc', 'sed']) {
      expect(() => poolOptionsFromKeepalived(firstServer(vs(` lb_algo ${algo}`)))).toThrow(expect.objectContaining({ code: 'ERR_PROXY_CONFIG', message: `k.conf:1: virtual_server 10.0.0.10 53: lb_algo ${algo} has no equivalent here (use rr, wrr, lc, wlc, sh, mh or fo)` }))
    }
  })

  it('maps protocol, sorry_server (a backup member), inhibit_on_failure and overrides; refuses SCTP', () => {
    const setup = poolOptionsFromKeepalived(firstServer(vs(' protocol TCP\n sorry_server 10.0.0.99 5353', '  inhibit_on_failure')), { timeoutMs: 900 })
    expect(setup.listen).toEqual({ address: '10.0.0.10', port: 53, udp: false, tcp: true })
    expect(setup.options.members.at(-1)).toEqual({ address: '10.0.0.99', port: 5353, weight: 1, backup: true })
    expect(setup.options.timeoutMs).toBe(900)
    expect(setup.inhibitOnFailure).toEqual(['10.0.0.11#53'])
    const error = (() => {
      try {
        poolOptionsFromKeepalived(firstServer(vs(' protocol SCTP')))
      } catch (e) {
        return e
      }
    })()
    expect(isDnsHaError(error, 'ERR_PROXY_CONFIG')).toBe(true)
  })

  it('TCP_CHECK and DNS_CHECK: delay_loop, connect_timeout, retry and delay_before_retry become target options; the checks run against real servers', async () => {
    const tcp = createTcpServer((socket) => socket.destroy())
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r))
    const tcpPort = (tcp.address() as AddressInfo).port
    const zone = parseZone('$ORIGIN example.test.\n$TTL 300\n@ SOA ns1 hostmaster 1 7200 3600 1209600 60\n@ NS ns1\nns1 A 192.0.2.53\n', { origin: 'example.test.' })
    const dns = new DnsServer({ handler: new Authority({ zones: [zone] }) })
    const dnsPort = (await dns.listen({ port: 0, address: '127.0.0.1' })).port
    try {
      const real = `  TCP_CHECK {\n   connect_ip 127.0.0.1\n   connect_port ${tcpPort}\n   connect_timeout 2\n   retry 3\n   delay_before_retry 1.5\n  }\n  DNS_CHECK {\n   connect_ip 127.0.0.1\n   connect_port ${dnsPort}\n   name example.test\n   retry 2\n  }`
      const setup = poolOptionsFromKeepalived(firstServer(vs(' delay_loop 7', real)))
      const [target] = setup.targets
      expect(setup.targets).toHaveLength(1)
      expect(target).toMatchObject({ name: '10.0.0.11#53', intervalMs: 7000, timeoutMs: 5000, fall: 3, rise: 1, delayBeforeRetryMs: 1500, weight: 3 })
      expect(await target!.check(context())).toMatchObject({ ok: true })
      // The same target with the TCP port closed: all of a real server's checks must pass.
      await new Promise<void>((r) => tcp.close(() => r()))
      expect(await target!.check(context())).toMatchObject({ ok: false })
      // DNS_CHECK alone, with keepalived's defaults (SOA for "."): this server refuses "." (not its zone).
      const dnsOnly = poolOptionsFromKeepalived(firstServer(vs('', `  DNS_CHECK {\n   connect_ip 127.0.0.1\n   connect_port ${dnsPort}\n  }`))).targets[0]!
      expect(await dnsOnly.check(context())).toMatchObject({ ok: false, reason: expect.stringContaining('. SOA at 127.0.0.1') })
    } finally {
      tcp.close()
      await dns.close()
    }
  })

  it('HTTP_GET: each url with its status_code must pass; digest is refused', async () => {
    const http = createHttpServer((req, res) => {
      res.statusCode = req.url === '/health' ? 200 : req.url === '/teapot' ? 418 : 500
      res.end('ok')
    })
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
    const port = (http.address() as AddressInfo).port
    try {
      const check = (urls: string) => poolOptionsFromKeepalived(firstServer(vs('', `  HTTP_GET {\n${urls}\n   connect_ip 127.0.0.1\n   connect_port ${port}\n  }`))).targets[0]!.check
      expect(await check('   url {\n    path /health\n   }')(context())).toMatchObject({ ok: true })
      expect(await check('   url {\n    path /health\n   }\n   url {\n    path /teapot\n    status_code 418\n   }')(context())).toMatchObject({ ok: true })
      expect(await check('   url {\n    path /health\n   }\n   url {\n    path /broken\n   }')(context())).toMatchObject({ ok: false })
      expect(() => check('   url {\n    path /health\n    digest 9b3a0c85a887a256d6939da88aabd8cd\n   }')).toThrow(/digest \(an MD5 of the body\) is not supported/)
    } finally {
      await new Promise<void>((r) => http.close(() => r()))
    }
  })
})
