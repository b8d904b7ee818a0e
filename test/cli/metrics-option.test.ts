// `--metrics ADDRESS:PORT` on the serving commands: the command prints where the metrics are,
// a scrape (parsed as Prometheus text) shows the traffic the test sent, and SIGTERM closes it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { query } from '../../src/client/index.js'
import { parseMetricsEndpoint } from '../../src/cli/metrics-option.js'
import { EXIT } from '../../src/cli/exit-codes.js'
import { DnsServer } from '../../src/server/index.js'
import { scrapeText } from '../metrics/helpers.js'
import { portOf, startCli } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'dns-ha-cli-metrics-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const ask = (port: number, name: string, type = 'A') => query({ address: '127.0.0.1', port }, { name, type }, { timeoutMs: 2000, retries: 0 })

async function scrapeAt(line: string) {
  const url = /(http:\/\/\S+\/metrics)$/.exec(line)![1]!
  const res = await fetch(url)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  return scrapeText(await res.text())
}

describe('--metrics', () => {
  it('dns-ha serve --metrics 127.0.0.1:0: the server\'s and the authority\'s families with the queries sent', async () => {
    const file = join(dir, 'example.org.zone')
    writeFileSync(file, '$TTL 300\n@ IN SOA ns1 hostmaster 42 7200 900 1209600 300\n IN NS ns1\nns1 IN A 127.0.0.1\n')
    const cli = startCli(['serve', '-z', file, '-p', '0', '--metrics', '127.0.0.1:0'])
    const port = portOf(await cli.line(/^listening on 127\.0\.0\.1#/))
    const line = await cli.line(/^metrics on http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    await ask(port, 'ns1.example.org')
    await ask(port, 'nothing.example.org')
    const s = await scrapeAt(line)
    const server = `127.0.0.1#${port}`
    expect(s.value('dnsha_server_queries_total', { server, transport: 'udp' })).toBe(2)
    expect(s.value('dnsha_server_responses_total', { server, transport: 'udp', rcode: 'NOERROR' })).toBe(1)
    expect(s.value('dnsha_server_responses_total', { server, transport: 'udp', rcode: 'NXDOMAIN' })).toBe(1)
    expect(s.value('dnsha_zone_serial', { authority: 'main', view: 'default', zone: 'example.org.' })).toBe(42)
    cli.signal('SIGTERM')
    expect(await cli.status).toBe(EXIT.ok)
    // Closed with the service.
    await expect(fetch(/(http:\/\/\S+\/metrics)$/.exec(line)![1]!)).rejects.toThrow()
  }, 30_000)

  it('dns-ha dnsmasq --metrics: the forwarder\'s answers by source', async () => {
    writeFileSync(join(dir, 'hosts.metrics'), '10.1.1.1 printer.lan\n')
    const conf = join(dir, 'metrics-dnsmasq.conf')
    writeFileSync(conf, ['no-resolv', 'no-hosts', 'addn-hosts=hosts.metrics', 'listen-address=127.0.0.1'].join('\n') + '\n')
    const cli = startCli(['dnsmasq', '-C', conf, '-p', '0', '--metrics', ':0'])
    const port = portOf(await cli.line(/^listening on 127\.0\.0\.1#/))
    const line = await cli.line(/^metrics on /)
    await ask(port, 'printer.lan')
    const s = await scrapeAt(line)
    expect(s.value('dnsha_forwarder_answers_total', { forwarder: 'main', source: 'hosts' })).toBe(1)
    expect(s.value('dnsha_forwarder_queries_total', { forwarder: 'main' })).toBe(1)
    cli.signal('SIGTERM')
    expect(await cli.status).toBe(EXIT.ok)
  }, 30_000)

  it('dns-ha pool --metrics: the pool and its members', async () => {
    const member = new DnsServer({ handler: () => ({ answers: [{ name: 'a.test', type: 'A', ttl: 5, data: '192.0.2.1' }] }) })
    const memberPort = (await member.listen({ port: 0, address: '127.0.0.1' })).port
    const conf = join(dir, 'metrics-nginx.conf')
    writeFileSync(conf, `stream {\n  upstream dns {\n    server 127.0.0.1:${memberPort};\n  }\n  server {\n    listen 53 udp;\n    proxy_pass dns;\n    proxy_responses 1;\n  }\n}\n`)
    const cli = startCli(['pool', '--nginx', conf, '--address', '127.0.0.1', '--port', '0', '--metrics', '127.0.0.1:0'])
    try {
      const port = portOf(await cli.line(/^pool on 127\.0\.0\.1#/))
      const line = await cli.line(/^metrics on /)
      await ask(port, 'a.test')
      await ask(port, 'a.test')
      const s = await scrapeAt(line)
      const pool = `127.0.0.1#${port}`
      expect(s.value('dnsha_pool_answers_total', { pool })).toBe(2)
      expect(s.value('dnsha_member_up', { pool, member: `127.0.0.1#${memberPort}` })).toBe(1)
      expect(s.value('dnsha_member_answers_total', { pool, member: `127.0.0.1#${memberPort}` })).toBe(2)
      cli.signal('SIGTERM')
      expect(await cli.status).toBe(EXIT.ok)
    } finally {
      await member.close()
    }
  }, 30_000)

  it('a metrics port that cannot be bound stops the service and fails the command', async () => {
    const blocker = startCli(['serve', '-z', join(dir, 'example.org.zone'), '-p', '0', '--metrics', '127.0.0.1:0'])
    const taken = Number(/:(\d+)\/metrics$/.exec(await blocker.line(/^metrics on /))![1])
    const cli = startCli(['serve', '-z', join(dir, 'example.org.zone'), '-p', '0', '--metrics', `127.0.0.1:${taken}`])
    expect(await cli.status).toBe(EXIT.unavailable)
    expect(cli.err.join('\n')).toMatch(/cannot listen on 127\.0\.0\.1:\d+/)
    blocker.signal('SIGTERM')
    expect(await blocker.status).toBe(EXIT.ok)
  }, 30_000)

  it('dns-ha vrrp --check --metrics: a one-shot check has nothing to watch and starts no listener', async () => {
    const conf = join(dir, 'keepalived.conf')
    writeFileSync(conf, 'vrrp_instance VI_1 {\n  state BACKUP\n  interface lo\n  virtual_router_id 51\n  priority 100\n  advert_int 1\n  virtual_ipaddress {\n    10.0.0.100/32\n  }\n}\n')
    const cli = startCli(['vrrp', '--config', conf, '--check', '--metrics', '127.0.0.1:0'])
    expect(await cli.status).toBe(EXIT.ok)
    expect(cli.out.join('\n')).toMatch(/configuration OK/)
    expect(cli.out.join('\n')).not.toMatch(/metrics on/)
  })

  it('parses ADDRESS:PORT, [IPv6]:PORT and :PORT; refuses anything else as a usage error', async () => {
    expect(parseMetricsEndpoint('127.0.0.1:9153')).toEqual({ address: '127.0.0.1', port: 9153 })
    expect(parseMetricsEndpoint('[::1]:9153')).toEqual({ address: '::1', port: 9153 })
    expect(parseMetricsEndpoint(':9153')).toEqual({ address: '127.0.0.1', port: 9153 })
    expect(parseMetricsEndpoint('0.0.0.0:0')).toEqual({ address: '0.0.0.0', port: 0 })
    for (const bad of ['9153', '127.0.0.1', '127.0.0.1:65536', '::1:9153', '127.0.0.1:x']) expect(() => parseMetricsEndpoint(bad), bad).toThrow(/ADDRESS:PORT/)
    const cli = startCli(['serve', '-z', join(dir, 'example.org.zone'), '--metrics', 'nope'])
    expect(await cli.status).toBe(EXIT.usage)
  })
})
