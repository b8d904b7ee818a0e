// A topology of your own, tested in memory: two authoritative servers behind a pool, and a VRRP
// pair for the front. No sockets, no sleeps: the clock moves only when the test says so.
import { afterEach, describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/index.js'
import { query } from '../../src/client/index.js'
import { UdpProxyPool } from '../../src/proxy/index.js'
import { DnsServer } from '../../src/server/index.js'
import { FakeClock, MemoryNetwork } from '../../src/testing/index.js'
import { MemoryVrrpSegment, VrrpRouter } from '../../src/vrrp/index.js'
import { parseZone } from '../../src/zone/index.js'

const zone = parseZone(
  ['@ 300 IN SOA ns1 hostmaster 1 3600 600 86400 300', '@ 300 IN NS ns1', 'ns1 300 IN A 192.0.2.1', 'www 300 IN A 192.0.2.80'].join('\n'),
  { origin: 'example.test.' },
)
const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
})

describe('my topology', () => {
  it('keeps answering through the pool when one server dies', async () => {
    const clock = new FakeClock()
    const network = new MemoryNetwork({ clock })
    const servers: DnsServer[] = []
    for (const address of ['10.0.0.1', '10.0.0.2']) {
      const server = new DnsServer({ handler: new Authority({ zones: [zone] }), network, clock })
      await server.listen({ port: 53, address })
      servers.push(server)
      stops.push(() => server.close())
    }
    const pool = new UdpProxyPool({ members: [{ address: '10.0.0.1', port: 53 }, { address: '10.0.0.2', port: 53 }], network, clock })
    await pool.listen({ port: 53, address: '10.0.0.10' })
    stops.push(() => pool.close())
    const ask = async () => {
      const { packet } = await query({ address: '10.0.0.10', port: 53 }, { name: 'www.example.test', type: 'A' }, { network, clock, timeoutMs: 2000 })
      return packet.answers?.map((a) => (a as { data: unknown }).data)
    }

    expect(await ask()).toEqual(['192.0.2.80'])
    await servers[0]!.close() // the first server's machine goes away
    for (let i = 0; i < 20; i++) expect(await ask()).toEqual(['192.0.2.80'])
    expect(pool.snapshot().members.find((m) => m.address === '10.0.0.1')?.state).toBe('down')
  })

  it('moves the VIP to the backup at the RFC 5798 time after the master stops', async () => {
    const clock = new FakeClock()
    const segment = new MemoryVrrpSegment({ clock })
    const router = (address: string, priority: number) =>
      new VrrpRouter({ vrid: 51, priority, advertIntervalMs: 1000, vips: ['10.0.0.10'], transport: segment.attach(address), clock })
    const a = router('10.0.0.1', 150)
    const b = router('10.0.0.2', 100)
    await a.start()
    await b.start()
    stops.push(() => b.stop())

    // Master_Down_Interval = 3 x advert + (256 - priority) x advert / 256: 3414.0625 ms for 150.
    await clock.advanceAsync(3414)
    expect(a.state).toBe('backup')
    await clock.advanceAsync(1)
    expect([a.state, b.state]).toEqual(['master', 'backup'])

    // A clean stop sends priority 0: the backup waits only its Skew_Time, (256 - 100) / 256 s.
    await a.stop()
    await clock.advanceAsync(609)
    expect(b.state).toBe('backup')
    await clock.advanceAsync(1)
    expect(b.state).toBe('master')
  })
})
