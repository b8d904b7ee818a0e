// The shared member socket on real sockets, IPv4 and IPv6: DnsServers as members on 127.0.0.1 /
// ::1, queries relayed through the pool's one batched member socket, and a member whose port is
// closed taken down at once through the kernel's ICMP (ICMPv6) port unreachable, read from the
// socket's error queue (IP_RECVERR / IPV6_RECVERR), its query answered by the other member.
import { afterEach, describe, expect, it } from 'vitest'
import { query } from '../../src/client/index.js'
import { UdpProxyPool } from '../../src/proxy/index.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { batchedEngineUnavailable } from '../../src/util/batched-network.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()))
})

async function member(address: string, data: string): Promise<DnsServer> {
  const server = new DnsServer({ handler: (q) => ({ answers: [{ name: q.question!.name, type: 'A', class: 'IN', ttl: 60, data }] }) })
  await server.listen({ port: 0, address })
  cleanups.push(() => server.close())
  return server
}

const missing = batchedEngineUnavailable()

describe.skipIf(missing !== undefined).each([['127.0.0.1'], ['::1']])('UdpProxyPool with the shared member socket over %s', (loopback) => {
  it('relays, and takes a member whose port closed down at once through the ICMP error, its query answered elsewhere', async () => {
    const a = await member(loopback, '192.0.2.1')
    const b = await member(loopback, '192.0.2.2')
    const pool = new UdpProxyPool({
      members: [a, b].map((s) => ({ address: loopback, port: s.addresses()[0]!.port })),
      policy: 'first',
      engine: 'batched',
      memberSockets: 'shared',
      probeIntervalMs: 60_000,
    })
    cleanups.push(() => pool.close())
    const downs: string[] = []
    pool.on('member-down', (e) => downs.push(e.reason))
    const bound = await pool.listen({ port: 0, address: loopback, tcp: false })
    expect(pool.snapshot().memberSockets).toBe('shared')
    const ask = async (name: string) => {
      const r = await query({ address: bound.address, port: bound.port }, { name, type: 'A' }, { timeoutMs: 2000, retries: 0 })
      return (r.packet.answers?.[0] as { data?: string } | undefined)?.data
    }
    expect(await ask('one.test.')).toBe('192.0.2.1')
    await a.close()
    expect(await ask('two.test.')).toBe('192.0.2.2')
    // Moved by the ICMP error (a retry), not by its 50 ms hedge deadline passing unanswered.
    expect(downs).toEqual(['port unreachable (ECONNREFUSED)'])
    expect(pool.snapshot().counters).toMatchObject({ retries: 1, hedges: 0, servfail: 0, strangers: 0 })
  })
})
