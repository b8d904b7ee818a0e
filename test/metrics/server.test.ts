// DnsServer and Authority metrics: real queries over a MemoryNetwork (UDP and TCP, a malformed
// one, one too large for 512 bytes, a runt), then the scrape parsed and checked value by value.
import dnsPacket from 'dns-packet'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { query } from '../../src/client/query.js'
import { createMetrics } from '../../src/metrics/index.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { FakeClock, flush } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import { parseZone } from '../../src/zone/parse.js'
import { scrape, scrapeText } from './helpers.js'

const ZONE = `$TTL 300
@ SOA ns hostmaster 2024010101 3600 600 86400 300
@ NS ns
ns A 192.0.2.1
www A 192.0.2.10
${Array.from({ length: 30 }, (_, i) => `big TXT "${'x'.repeat(40)} ${i}"`).join('\n')}
`

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of closers.splice(0)) await c()
})

async function rig() {
  const clock = new FakeClock()
  const network = new MemoryNetwork({ clock })
  const authority = new Authority({ zones: [parseZone(ZONE, { origin: 'example.com.' })] })
  const server = new DnsServer({ handler: authority, network, clock })
  await server.listen({ port: 53, address: '10.0.0.53' })
  closers.push(() => server.close())
  const client = network.createDatagramSocket(4)
  await client.bind(5353, '10.0.9.9')
  const replies: Buffer[] = []
  client.onMessage((msg) => replies.push(msg))
  const send = async (bytes: Uint8Array) => {
    client.send(Buffer.from(bytes), 53, '10.0.0.53')
    for (let i = 0; i < 4; i++) await flush()
  }
  const ask = (name: string, type: string, id = 1) => send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as 'A', class: 'IN' }] }))
  const askTcp = (name: string, type: string) => query({ address: '10.0.0.53', port: 53 }, { name, type }, { tcp: true, network, clock, timeoutMs: 1000, retries: 0 })
  return { clock, network, authority, server, send, ask, askTcp, replies }
}

describe('metrics: DnsServer', () => {
  it('counts queries and responses by transport and rcode, truncations, FORMERR and drops', async () => {
    const r = await rig()
    await r.ask('www.example.com', 'A')
    await r.ask('www.example.com', 'A', 2)
    await r.ask('nope.example.com', 'A')
    await r.ask('big.example.com', 'TXT') // no EDNS: 512 bytes, truncated
    await r.send(new Uint8Array([0, 7, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xff])) // a question that ends mid-name: FORMERR
    await r.send(new Uint8Array([1, 2, 3])) // shorter than a header: dropped
    await r.askTcp('www.example.com', 'A')
    await r.askTcp('big.example.com', 'TXT')
    expect(r.replies).toHaveLength(5)

    const metrics = await createMetrics()
    metrics.watch('edge', r.server)
    const s = await scrape(metrics)
    expect(s.type('dnsha_server_queries_total')).toBe('counter')
    expect(s.samples('dnsha_server_queries_total')).toEqual({ 'server=edge,transport=udp': 6, 'server=edge,transport=tcp': 2 })
    expect(s.samples('dnsha_server_responses_total')).toEqual({
      'rcode=NOERROR,server=edge,transport=udp': 3,
      'rcode=NXDOMAIN,server=edge,transport=udp': 1,
      'rcode=FORMERR,server=edge,transport=udp': 1,
      'rcode=NOERROR,server=edge,transport=tcp': 2,
    })
    expect(s.samples('dnsha_server_truncated_responses_total')).toEqual({ 'server=edge,transport=udp': 1, 'server=edge,transport=tcp': 0 })
    expect(s.samples('dnsha_server_dropped_messages_total')).toEqual({ 'server=edge,transport=udp': 1, 'server=edge,transport=tcp': 0 })
    expect(s.value('dnsha_server_in_flight_queries', { server: 'edge' })).toBe(0)
    expect(s.type('dnsha_server_in_flight_queries')).toBe('gauge')
    expect(s.value('dnsha_server_tsig_total', { server: 'edge', result: 'verified' })).toBe(0)

    // Counters read the server at each scrape: more traffic, higher values, never reset.
    await r.ask('www.example.com', 'A', 3)
    const again = await scrape(metrics)
    expect(again.value('dnsha_server_queries_total', { server: 'edge', transport: 'udp' })).toBe(7)
    expect(again.value('dnsha_server_responses_total', { server: 'edge', transport: 'udp', rcode: 'NOERROR' })).toBe(4)
  })

  it('exposes the authority: zone serial, queries by rcode and qtype, out-of-zone, the answer cache', async () => {
    const r = await rig()
    await r.ask('www.example.com', 'A')
    await r.ask('www.example.com', 'A', 2) // from the answer cache
    await r.ask('nope.example.com', 'AAAA')
    await r.ask('www.example.org', 'A') // no zone: REFUSED
    const metrics = await createMetrics()
    metrics.watch('main', r.authority)
    const s = await scrape(metrics)
    const zone = { authority: 'main', view: 'default', zone: 'example.com.' }
    expect(s.value('dnsha_zone_serial', zone)).toBe(2024010101)
    expect(s.value('dnsha_zone_loaded', zone)).toBe(1)
    expect(s.value('dnsha_zone_queries_total', zone)).toBe(3)
    expect(s.samples('dnsha_zone_responses_total')).toEqual({ 'authority=main,rcode=NOERROR,view=default,zone=example.com.': 2, 'authority=main,rcode=NXDOMAIN,view=default,zone=example.com.': 1 })
    expect(s.samples('dnsha_zone_qtype_queries_total')).toEqual({ 'authority=main,qtype=A,view=default,zone=example.com.': 2, 'authority=main,qtype=AAAA,view=default,zone=example.com.': 1 })
    expect(s.value('dnsha_authority_out_of_zone_queries_total', { authority: 'main' })).toBe(1)
    expect(s.value('dnsha_cache_hits_total', { kind: 'authority', cache: 'main' })).toBe(1)
    // Every question is looked up in the cache first, the out-of-zone one too.
    expect(s.value('dnsha_cache_misses_total', { kind: 'authority', cache: 'main' })).toBe(3)
    expect(s.value('dnsha_cache_entries', { kind: 'authority', cache: 'main' })).toBe(2)
    expect(s.value('dnsha_transfer_out_total', { authority: 'main' })).toBe(0)
    // The authority's cache has no entry bound: no capacity sample.
    expect(s.samples('dnsha_cache_capacity_entries')).toEqual({})
  })

  it('refuses an unknown component, an empty name and the same name twice; unwatching removes the samples', async () => {
    const r = await rig()
    const metrics = await createMetrics()
    expect(() => metrics.watch('x', {} as never)).toThrow(/not a component the metrics know/)
    expect(() => metrics.watch('', r.server)).toThrow(/non-empty/)
    const stop = metrics.watch('a', r.server)
    expect(() => metrics.watch('a', r.server)).toThrow(/already watched/)
    metrics.watch('a', r.authority) // another kind may share the name
    stop()
    const s = await scrape(metrics)
    expect(s.samples('dnsha_server_queries_total')).toEqual({})
    expect(s.value('dnsha_zone_loaded', { authority: 'a', view: 'default', zone: 'example.com.' })).toBe(1)
  })

  it('reads each component once per scrape, and afresh at the next, through text() or the registry', async () => {
    const r = await rig()
    const metrics = await createMetrics()
    metrics.watch('edge', r.server)
    const reads = vi.spyOn(r.server, 'snapshot')
    await r.ask('www.example.com', 'A')
    let s = scrapeText(await metrics.registry.metrics())
    expect(reads).toHaveBeenCalledTimes(1)
    expect(s.value('dnsha_server_queries_total', { server: 'edge', transport: 'udp' })).toBe(1)
    await r.ask('www.example.com', 'A', 2)
    s = scrapeText(await metrics.registry.metrics())
    expect(reads).toHaveBeenCalledTimes(2)
    expect(s.value('dnsha_server_queries_total', { server: 'edge', transport: 'udp' })).toBe(2)
    await r.ask('www.example.com', 'A', 3)
    s = await scrape(metrics)
    expect(reads).toHaveBeenCalledTimes(3)
    expect(s.value('dnsha_server_responses_total', { server: 'edge', transport: 'udp', rcode: 'NOERROR' })).toBe(3)
    // A single family read on its own is fresh too.
    await r.ask('www.example.com', 'A', 4)
    expect(await metrics.registry.getSingleMetricAsString('dnsha_server_queries_total')).toMatch(/transport="udp"} 4$/m)
  })
})
