// The topologies' metrics (watchMetrics) in memory: every machine's families under its name,
// scraped and parsed as Prometheus text; a killed machine's families go, a restored one's come
// back from its new components and move again.
import dnsPacket from 'dns-packet'
import { afterEach, describe, expect, it } from 'vitest'
import { createMetrics } from '../../src/metrics/index.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import type { BindLvsKeepalived, DnsmasqNginxKeepalived } from '../../src/topology/index.js'
import { startBindLvsKeepalived, startDnsmasqNginxKeepalived } from '../../src/topology/index.js'
import { scrape } from '../metrics/helpers.js'

let running: { close(): Promise<void> } | undefined
afterEach(async () => {
  await running?.close()
  running = undefined
})

/** Sends `count` queries for `name` to the VIP, one per 10 ms of simulated time. */
async function ask(network: MemoryNetwork, clock: FakeClock, vip: { address: string; port: number }, name: string, count: number): Promise<number> {
  const socket = network.createDatagramSocket(4)
  await socket.bind(0, '127.0.0.1')
  let answered = 0
  socket.onMessage(() => answered++)
  for (let i = 0; i < count; i++) {
    socket.send(dnsPacket.encode({ type: 'query', id: i + 1, questions: [{ name, type: 'A', class: 'IN' }] }), vip.port, vip.address)
    await clock.advanceAsync(10)
  }
  await socket.close()
  return answered
}

const labelsOf = (samples: Record<string, number>, label: string): string[] => [...new Set(Object.keys(samples).map((k) => new RegExp(`(?:^|,)${label}=([^,]+)`).exec(k)?.[1]).filter((v): v is string => v !== undefined))].sort()

describe('topology metrics', () => {
  it('bind-lvs-keepalived: every machine watched by name; a killed secondary and director vanish, restored they are back with fresh values', async () => {
    const clock = new FakeClock()
    const network = new MemoryNetwork({ clock })
    const topology: BindLvsKeepalived = await startBindLvsKeepalived({ network, clock })
    running = topology
    const metrics = await createMetrics({ clock })
    const stop = topology.watchMetrics(metrics)
    await clock.advanceAsync(4000)
    expect(await ask(network, clock, topology.vip, 'img1.vipshop.com', 20)).toBe(20)

    let s = await scrape(metrics)
    expect(labelsOf(s.samples('dnsha_secondary_serial'), 'secondary')).toEqual(['secondary1', 'secondary2'])
    expect(labelsOf(s.samples('dnsha_vrrp_state'), 'router')).toEqual(['director1', 'director2'])
    expect(labelsOf(s.samples('dnsha_health_checks_total'), 'prober')).toEqual(['director1', 'director2'])
    expect(labelsOf(s.samples('dnsha_server_queries_total'), 'server')).toEqual(['primary', 'secondary1', 'secondary2'])
    expect(s.value('dnsha_vrrp_state', { router: 'director1', vrid: '51', state: 'master' })).toBe(1)
    expect(s.value('dnsha_secondary_serial', { secondary: 'secondary1', zone: 'vipshop.com.' })).toBe(2013051501)
    const answeredBefore = s.value('dnsha_server_queries_total', { server: 'secondary1', transport: 'udp' })
    expect(answeredBefore).toBeGreaterThan(0)

    await topology.kill('secondary1')
    await topology.kill('director2')
    s = await scrape(metrics)
    expect(labelsOf(s.samples('dnsha_secondary_serial'), 'secondary')).toEqual(['secondary2'])
    expect(labelsOf(s.samples('dnsha_server_queries_total'), 'server')).toEqual(['primary', 'secondary2'])
    expect(labelsOf(s.samples('dnsha_vrrp_state'), 'router')).toEqual(['director1'])
    expect(labelsOf(s.samples('dnsha_health_checks_total'), 'prober')).toEqual(['director1'])

    // An edit while secondary1 is dead: restored, it catches up, and its families show the new copy.
    await topology.edit([{ op: 'add', record: { name: 'img7.vipshop.com.', type: 'A', class: 'IN', ttl: 300, data: '198.51.100.7' } }])
    await topology.restore('secondary1')
    await topology.restore('director2')
    await clock.advanceAsync(4000)
    expect(await ask(network, clock, topology.vip, 'img7.vipshop.com', 20)).toBe(20)
    s = await scrape(metrics)
    expect(labelsOf(s.samples('dnsha_secondary_serial'), 'secondary')).toEqual(['secondary1', 'secondary2'])
    expect(s.value('dnsha_secondary_serial', { secondary: 'secondary1', zone: 'vipshop.com.' })).toBe(2013051502)
    expect(s.value('dnsha_records_zone_serial', { store: 'primary', zone: 'vipshop.com.' })).toBe(2013051502)
    expect(labelsOf(s.samples('dnsha_vrrp_state'), 'router')).toEqual(['director1', 'director2'])
    // The restored router is a new one: it counts from its start (backup, no transition to master).
    expect(s.value('dnsha_vrrp_state', { router: 'director2', vrid: '51', state: 'backup' })).toBe(1)
    expect(s.value('dnsha_vrrp_adverts_received_total', { router: 'director2', vrid: '51' })).toBeGreaterThan(0)
    // The restored prober has judged both secondaries since its start.
    const director2Checks = Object.entries(s.samples('dnsha_health_checks_total')).filter(([k]) => k.includes('prober=director2'))
    expect(director2Checks.length).toBe(2)
    expect(director2Checks.every(([, v]) => v >= 1)).toBe(true)
    // The restored secondary's server is a new one: it counts what it was asked since its restore.
    expect(s.value('dnsha_server_queries_total', { server: 'secondary1', transport: 'udp' })).toBeGreaterThan(0)

    stop()
    s = await scrape(metrics)
    expect(s.samples('dnsha_vrrp_state')).toEqual({})
    expect(s.samples('dnsha_server_queries_total')).toEqual({})
  })

  it('dnsmasq-nginx-keepalived: nodes a and b and the upstream; node a killed and restored comes back as master with a fresh router', async () => {
    const clock = new FakeClock()
    const network = new MemoryNetwork({ clock })
    const topology: DnsmasqNginxKeepalived = await startDnsmasqNginxKeepalived({ network, clock })
    running = topology
    const metrics = await createMetrics({ clock })
    topology.watchMetrics(metrics)
    await clock.advanceAsync(4000)
    let s = await scrape(metrics)
    expect(labelsOf(s.samples('dnsha_vrrp_state'), 'router')).toEqual(['a', 'b'])
    expect(labelsOf(s.samples('dnsha_forwarder_queries_total'), 'forwarder')).toEqual(['a', 'b'])
    expect(labelsOf(s.samples('dnsha_server_queries_total'), 'server')).toEqual(['a', 'b', 'upstream'])
    await topology.kill('a')
    s = await scrape(metrics)
    expect(labelsOf(s.samples('dnsha_vrrp_state'), 'router')).toEqual(['b'])
    expect(labelsOf(s.samples('dnsha_forwarder_queries_total'), 'forwarder')).toEqual(['b'])
    await clock.advanceAsync(5000)
    await topology.restore('a')
    await clock.advanceAsync(5000)
    s = await scrape(metrics)
    expect(labelsOf(s.samples('dnsha_vrrp_state'), 'router')).toEqual(['a', 'b'])
    expect(s.value('dnsha_vrrp_state', { router: 'a', vrid: '88', state: 'master' })).toBe(1)
    // One transition to master since the restore: the counter is the new router's.
    expect(s.value('dnsha_vrrp_transitions_total', { router: 'a', vrid: '88', to: 'master' })).toBe(1)
    expect(s.value('dnsha_vrrp_transitions_total', { router: 'b', vrid: '88', to: 'master' })).toBe(1)
  })
})
