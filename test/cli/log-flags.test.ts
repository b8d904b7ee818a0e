// --log-level, --log-format and --query-log: log lines on stderr, text or one JSON object per line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../src/cli/exit-codes.js'
import { query } from '../../src/client/index.js'
import { portOf, startCli } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'dns-ha-cli-log-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const zoneText = (serial: number): string => `$TTL 300
@ IN SOA ns1 hostmaster ${serial} 7200 900 1209600 300
  IN NS ns1
ns1 IN A 127.0.0.1
www IN A 192.0.2.10
`

describe('dns-ha log flags', () => {
  it('serve --log-level info --log-format json --query-log: JSON lines on stderr, the zone load and one line per query (UDP and TCP)', async () => {
    const file = join(dir, 'example.org.zone')
    writeFileSync(file, zoneText(1))
    const cli = startCli(['serve', '--zone', file, '--port', '0', '--log-level', 'info', '--log-format', 'json', '--query-log'])
    const port = portOf(await cli.line(/^listening on 127\.0\.0\.1#\d+/))
    await query({ address: '127.0.0.1', port }, { name: 'www.example.org', type: 'A' }, { timeoutMs: 1500, retries: 1 })
    await query({ address: '127.0.0.1', port }, { name: 'nope.example.org', type: 'AAAA' }, { timeoutMs: 1500, tcp: true })
    await cli.line(/"qname":"nope\.example\.org\."/)
    cli.signal('SIGTERM')
    expect(await cli.status).toBe(EXIT.ok)
    const json = cli.err.map((l) => JSON.parse(l) as Record<string, unknown>)
    for (const line of json) {
      expect(Object.keys(line).slice(0, 2)).toEqual(['time', 'level'])
      expect(typeof line.msg).toBe('string')
    }
    expect(json).toContainEqual(expect.objectContaining({ level: 'info', component: 'authority', msg: 'zone loaded', origin: 'example.org.', serial: 1 }))
    expect(json).toContainEqual(expect.objectContaining({ level: 'info', component: 'server', msg: 'listening', port }))
    const queries = json.filter((l) => l.msg === 'query')
    expect(queries).toEqual([
      expect.objectContaining({ level: 'info', component: 'query', transport: 'udp', qname: 'www.example.org.', qtype: 'A', qclass: 'IN', rcode: 'NOERROR', answers: 1, address: '127.0.0.1' }),
      expect.objectContaining({ level: 'info', component: 'query', transport: 'tcp', qname: 'nope.example.org.', qtype: 'AAAA', rcode: 'NXDOMAIN', answers: 0 }),
    ])
    expect(typeof queries[0]!.micros).toBe('number')
  })

  it('the default (warn, text, no query log) prints no log line for a healthy run; a broken reload is one text ERROR line', async () => {
    const file = join(dir, 'quiet.example.zone')
    writeFileSync(file, zoneText(1))
    const cli = startCli(['serve', '--zone', file, '--port', '0'])
    const port = portOf(await cli.line(/^listening on/))
    await query({ address: '127.0.0.1', port }, { name: 'www.quiet.example', type: 'A' }, { timeoutMs: 1500, retries: 1 })
    expect(cli.err).toEqual([])
    writeFileSync(file, zoneText(2) + 'broken line here\n')
    cli.signal('SIGHUP')
    await cli.line(/kept its old copy/)
    cli.signal('SIGTERM')
    expect(await cli.status).toBe(EXIT.ok)
    expect(cli.err).toHaveLength(1)
    expect(cli.err[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+Z ERROR \[authority\] zone quiet\.example\. \(view default, file \S+\) failed to load: .* line=6 column=\d+ /)
  })

  it('rejects an unknown level or format with the usage status', async () => {
    for (const argv of [['serve', '-z', 'x.example.zone', '--log-level', 'loud'], ['pool', '--nginx', 'n.conf', '--log-format', 'xml']]) {
      const cli = startCli(argv)
      expect(await cli.status).toBe(EXIT.usage)
      expect(cli.err.join(' ')).toMatch(/Allowed choices/)
    }
  })
})
