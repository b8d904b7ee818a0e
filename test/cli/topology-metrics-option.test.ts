// `--metrics` on `dns-ha demo` and `dns-ha example`: a scrape (parsed as Prometheus text) of the
// running topology; after the demo's failover (node a killed, then restored), node a's families
// are there again and come from its new components.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../src/cli/exit-codes.js'
import { scrapeText } from '../metrics/helpers.js'
import { startCli } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'dns-ha-cli-topology-metrics-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function scrapeAt(line: string) {
  const res = await fetch(/(http:\/\/\S+\/metrics)$/.exec(line)![1]!)
  expect(res.status).toBe(200)
  return scrapeText(await res.text())
}

const labelsOf = (samples: Record<string, number>, label: string): string[] =>
  [...new Set(Object.keys(samples).map((k) => new RegExp(`(?:^|,)${label}=([^,]+)`).exec(k)?.[1]).filter((v): v is string => v !== undefined))].sort()

describe('--metrics on the topologies', () => {
  it('dns-ha demo --failover --metrics: after node a was killed and restored, its router, pool and forwarder are scraped again, from the new router', async () => {
    const cli = startCli(['demo', '--failover', '--port', '0', '--advert-ms', '100', '--rate', '50', '--timeline', join(dir, 'failover.html'), '--metrics', '127.0.0.1:0'])
    const line = await cli.line(/^metrics on http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    await cli.line(/node a took it back/)
    await cli.line(/^timeline: /)
    const s = await scrapeAt(line)
    expect(labelsOf(s.samples('dnsha_vrrp_state'), 'router')).toEqual(['a', 'b'])
    expect(labelsOf(s.samples('dnsha_forwarder_queries_total'), 'forwarder')).toEqual(['a', 'b'])
    expect(labelsOf(s.samples('dnsha_server_queries_total'), 'server')).toEqual(['a', 'b', 'upstream'])
    expect(s.value('dnsha_vrrp_state', { router: 'a', vrid: '88', state: 'master' })).toBe(1)
    // Fresh: the restored router is scraped live (it is master and advertises every 100 ms, so a
    // later scrape shows more adverts), not frozen at what the killed one had sent.
    expect(s.value('dnsha_vrrp_transitions_total', { router: 'a', vrid: '88', to: 'master' })).toBeGreaterThanOrEqual(1)
    const sent = s.value('dnsha_vrrp_adverts_sent_total', { router: 'a', vrid: '88' })
    await new Promise((r) => setTimeout(r, 500))
    const later = await scrapeAt(line)
    expect(later.value('dnsha_vrrp_adverts_sent_total', { router: 'a', vrid: '88' })).toBeGreaterThan(sent)
    expect(later.value('dnsha_vrrp_state', { router: 'a', vrid: '88', state: 'master' })).toBe(1)
    cli.signal('SIGINT')
    expect(await cli.status).toBe(EXIT.ok)
  }, 60_000)

  it('dns-ha example bind-lvs-keepalived --metrics: the primary, both secondaries and both directors by name', async () => {
    const cli = startCli(['example', 'bind-lvs-keepalived', '--port', '0', '--advert-ms', '100', '--metrics', '127.0.0.1:0'])
    const line = await cli.line(/^metrics on http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    await cli.line(/held by director1/)
    const s = await scrapeAt(line)
    expect(labelsOf(s.samples('dnsha_server_queries_total'), 'server')).toEqual(['primary', 'secondary1', 'secondary2'])
    expect(labelsOf(s.samples('dnsha_secondary_serial'), 'secondary')).toEqual(['secondary1', 'secondary2'])
    expect(labelsOf(s.samples('dnsha_vrrp_state'), 'router')).toEqual(['director1', 'director2'])
    expect(labelsOf(s.samples('dnsha_pool_in_flight_queries'), 'pool')).toEqual(['director1', 'director2'])
    expect(labelsOf(s.samples('dnsha_health_checks_total'), 'prober')).toEqual(['director1', 'director2'])
    expect(s.value('dnsha_records_zone_serial', { store: 'primary', zone: 'vipshop.com.' })).toBe(2013051501)
    cli.signal('SIGINT')
    expect(await cli.status).toBe(EXIT.ok)
  }, 60_000)

  it('dns-ha example --netns --metrics is a usage error (each node runs in its own process)', async () => {
    const cli = startCli(['example', 'bind-lvs-keepalived', '--netns', '--metrics', '127.0.0.1:0'])
    expect(await cli.status).toBe(EXIT.usage)
    expect(cli.err.join('\n')).toMatch(/--metrics is not available with --netns/)
  })
})
