// The dns-ha command in-process: each subcommand serves what its file says, reloads on SIGHUP,
// stops on SIGTERM with status 0, and fails with one line and a status a script can test.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../src/cli/exit-codes.js'
import { query } from '../../src/client/index.js'
import { DnsServer } from '../../src/server/index.js'
import { portOf, startCli } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'dns-ha-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const zoneText = (serial: number, address: string): string => `$TTL 300
@ IN SOA ns1 hostmaster ${serial} 7200 900 1209600 300
  IN NS ns1
ns1 IN A 127.0.0.1
www IN A ${address}
`

async function ask(port: number, name: string, type: 'A' | 'SOA' = 'A'): Promise<{ rcode: string | undefined; data: string[] }> {
  const r = await query({ address: '127.0.0.1', port }, { name, type }, { timeoutMs: 1500, retries: 1 })
  return { rcode: r.packet.rcode, data: (r.packet.answers ?? []).map((a) => String((a as { data: unknown }).data)) }
}

describe('dns-ha serve', () => {
  it('serves the zone, takes a raised serial on SIGHUP, keeps the old copy when the file breaks, and stops on SIGTERM', async () => {
    const file = join(dir, 'example.org.zone')
    writeFileSync(file, zoneText(1, '192.0.2.10'))
    const cli = startCli(['serve', '--zone', file, '--port', '0'])
    const port = portOf(await cli.line(/^listening on 127\.0\.0\.1#\d+/))
    expect(cli.out).toContain(`zone example.org. serial 1 from ${file}`)
    expect(await ask(port, 'www.example.org')).toEqual({ rcode: 'NOERROR', data: ['192.0.2.10'] })

    writeFileSync(file, zoneText(2, '192.0.2.11'))
    cli.signal('SIGHUP')
    await cli.line(/reloaded: serial 1 -> 2/)
    expect(await ask(port, 'www.example.org')).toEqual({ rcode: 'NOERROR', data: ['192.0.2.11'] })

    writeFileSync(file, zoneText(3, '192.0.2.12') + 'broken line here\n')
    cli.signal('SIGHUP')
    await cli.line(/kept its old copy|unchanged/)
    expect(await ask(port, 'www.example.org')).toEqual({ rcode: 'NOERROR', data: ['192.0.2.11'] })

    cli.signal('SIGTERM')
    expect(await cli.status).toBe(EXIT.ok)
    await expect(ask(port, 'www.example.org')).rejects.toThrow()
  })

  it('takes the origin from FILE:ORIGIN and serves several zones on one port', async () => {
    const a = join(dir, 'a.txt')
    const b = join(dir, 'db.example.net')
    writeFileSync(a, zoneText(7, '192.0.2.7'))
    writeFileSync(b, zoneText(8, '192.0.2.8'))
    const cli = startCli(['serve', '-z', `${a}:example.com`, '-z', b, '-p', '0'])
    const port = portOf(await cli.line(/^listening on/))
    expect((await ask(port, 'www.example.com')).data).toEqual(['192.0.2.7'])
    expect((await ask(port, 'www.example.net')).data).toEqual(['192.0.2.8'])
    expect((await ask(port, 'www.example.org')).rcode).toBe('REFUSED')
    cli.signal('SIGINT')
    expect(await cli.status).toBe(EXIT.ok)
  })

  it('exits 65 with file:line:column for a zone that does not parse, 66 for a missing file, 64 for a bad flag', async () => {
    const bad = join(dir, 'bad.example.zone')
    writeFileSync(bad, '$TTL 300\n@ IN SOA ns1 hostmaster 1 2 3 4 5\nwww IN BOGUS 1\n')
    const parse = startCli(['serve', '--zone', bad, '--port', '0'])
    expect(await parse.status).toBe(EXIT.config)
    expect(parse.err).toHaveLength(1)
    expect(parse.err[0]).toMatch(new RegExp(`^dns-ha: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: `))

    const missing = startCli(['serve', '--zone', join(dir, 'none.example.zone'), '--port', '0'])
    expect(await missing.status).toBe(EXIT.noInput)
    expect(missing.err[0]).toMatch(/none\.example\.zone/)

    for (const argv of [['serve'], ['serve', '--zone', join(dir, 'noorigin'), '-p', '0'], ['serve', '-z', bad, '-p', '70000'], ['serve', '-z', bad, '--engine', 'turbo'], ['nope']]) {
      const run = startCli(argv)
      expect(await run.status, argv.join(' ')).toBe(EXIT.usage)
      expect(run.err.join('\n'), argv.join(' ')).toMatch(/error|invalid|required|unknown/)
    }
  })

  it('exits 69 when the address cannot be bound', async () => {
    const file = join(dir, 'bind.example.zone')
    writeFileSync(file, zoneText(1, '192.0.2.1'))
    const taken = new DnsServer({ handler: () => undefined })
    const { port } = await taken.listen({ port: 0, address: '127.0.0.1' })
    try {
      const run = startCli(['serve', '-z', file, '-p', String(port)])
      expect(await run.status).toBe(EXIT.unavailable)
      expect(run.err[0]).toMatch(/EADDRINUSE/)
    } finally {
      await taken.close()
    }
  })
})

describe('dns-ha dnsmasq', () => {
  it('runs a dnsmasq.conf: hosts answers with their PTRs, reload on SIGHUP, ignored DHCP lines listed', async () => {
    const hosts = join(dir, 'hosts.dnsmasq')
    writeFileSync(hosts, '192.168.111.111 xpt.redhat.cn\n')
    const conf = join(dir, 'dnsmasq.conf')
    writeFileSync(conf, ['no-resolv', 'no-hosts', 'addn-hosts=hosts.dnsmasq', 'listen-address=127.0.0.1', 'dhcp-range=192.168.0.50,192.168.0.150,12h', 'port=5454'].join('\n') + '\n')
    const cli = startCli(['dnsmasq', '-C', conf, '-p', '0'])
    const port = portOf(await cli.line(/^listening on 127\.0\.0\.1#/))
    expect(cli.err.some((l) => /dhcp-range ignored/.test(l))).toBe(true)
    expect(await ask(port, 'xpt.redhat.cn')).toEqual({ rcode: 'NOERROR', data: ['192.168.111.111'] })

    writeFileSync(hosts, '192.168.111.112 xpt.redhat.cn\n')
    cli.signal('SIGHUP')
    await cli.line(/^reloaded: 1 hosts entries/)
    expect((await ask(port, 'xpt.redhat.cn')).data).toEqual(['192.168.111.112'])
    cli.signal('SIGTERM')
    expect(await cli.status).toBe(EXIT.ok)
  })

  it('exits 65 at the line of an option dnsmasq does not have', async () => {
    const conf = join(dir, 'bad-dnsmasq.conf')
    writeFileSync(conf, 'no-resolv\nfrobnicate=yes\n')
    const run = startCli(['dnsmasq', '-C', conf])
    expect(await run.status).toBe(EXIT.config)
    expect(run.err[0]).toMatch(/bad-dnsmasq\.conf:2:1/)
  })
})

describe('dns-ha pool', () => {
  it("runs an nginx stream block's pool in front of real servers, and rejects unsupported directives with their position", async () => {
    const members = [new DnsServer({ handler: () => ({ answers: [{ name: 'a.test', type: 'A', ttl: 5, data: '192.0.2.1' }] }) }), new DnsServer({ handler: () => ({ answers: [{ name: 'a.test', type: 'A', ttl: 5, data: '192.0.2.2' }] }) })]
    const ports = await Promise.all(members.map(async (m) => (await m.listen({ port: 0, address: '127.0.0.1' })).port))
    const conf = join(dir, 'nginx.conf')
    writeFileSync(conf, `stream {\n  upstream dns {\n    server 127.0.0.1:${ports[0]} weight=1;\n    server 127.0.0.1:${ports[1]} weight=1;\n  }\n  server {\n    listen 53 udp;\n    proxy_pass dns;\n    proxy_timeout 20s;\n    proxy_responses 1;\n  }\n}\n`)
    const cli = startCli(['pool', '--nginx', conf, '--address', '127.0.0.1', '--port', '0'])
    try {
      const port = portOf(await cli.line(/^pool on 127\.0\.0\.1#/))
      const seen = new Set<string>()
      for (let i = 0; i < 4; i++) for (const d of (await ask(port, 'a.test')).data) seen.add(d)
      expect([...seen].sort()).toEqual(['192.0.2.1', '192.0.2.2'])
      cli.signal('SIGTERM')
      expect(await cli.status).toBe(EXIT.ok)
    } finally {
      await Promise.all(members.map((m) => m.close()))
    }

    writeFileSync(conf, readFileSync(conf, 'utf8').replace('proxy_responses 1;', 'proxy_responses 1;\n    proxy_bind 10.0.0.1;'))
    const bad = startCli(['pool', '--nginx', conf])
    expect(await bad.status).toBe(EXIT.config)
    expect(bad.err[0]).toMatch(/nginx\.conf:11:5/)
  })
})
