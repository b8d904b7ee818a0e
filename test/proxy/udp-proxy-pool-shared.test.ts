// memberSockets: 'shared' on a MemoryNetwork: one unconnected member socket for every member,
// answers taken only from the member's own address and port (everything else a stranger), and a
// dead member still down at once through the socket's reported port unreachable.
import { describe, expect, it } from 'vitest'
import { UdpProxyPool } from '../../src/proxy/udp-proxy-pool.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import { batchedEngineUnavailable } from '../../src/util/batched-network.js'
import { isDnsHaError } from '../../src/util/errors.js'
import type { Network } from '../../src/util/network.js'
import { sourceKey } from '../../src/proxy/shared-member-sockets.js'
import { answeredBy, rig } from './helpers.js'
import { errorOf } from '../support/error-of.js'

describe("UdpProxyPool, memberSockets 'shared'", () => {
  it('relays through one socket for every member, and says so in the snapshot', async () => {
    const r = await rig([{}, {}], { memberSockets: 'shared' })
    r.ask('a.example.', 1)
    r.ask('b.example.', 2)
    await r.settle()
    expect(r.replies.map((x) => x.id).sort()).toEqual([1, 2])
    expect(r.replies.map(answeredBy).sort()).toEqual(['10.0.1.1', '10.0.1.2'])
    const from = r.members.map((m) => m.received[0]!.from.port)
    expect(from[0]).toBe(from[1])
    const snapshot = r.pool.snapshot()
    expect(snapshot.memberSockets).toBe('shared')
    expect(snapshot.counters).toMatchObject({ queries: 2, answers: 2, strangers: 0 })
  })

  it('takes an answer only from the member asked: the right bytes from another host or another port are strangers; then the real one, once', async () => {
    const r = await rig([{}, {}], { memberSockets: 'shared', policy: 'first' })
    const member = r.members[0]!
    member.mode = 'silent'
    r.ask('www.example.')
    await r.settle()
    const { msg, from } = member.received[0]!
    const good = member.answerTo(msg)
    const impostor = r.network.createDatagramSocket(4)
    await impostor.bind(53, '10.0.9.9')
    impostor.send(good, from.port, from.address)
    const otherPort = r.network.createDatagramSocket(4)
    await otherPort.bind(5300, '10.0.1.1')
    otherPort.send(good, from.port, from.address)
    // The other member's address is a member, but not the one asked: its id table has no such query.
    r.members[1]!.socket.send(good, from.port, from.address)
    await r.settle()
    expect(r.replies).toEqual([])
    expect(r.pool.snapshot().counters).toMatchObject({ strangers: 2, unmatched: 1 })
    member.socket.send(good, from.port, from.address)
    member.socket.send(good, from.port, from.address)
    await r.settle()
    expect(r.replies.map(answeredBy)).toEqual(['10.0.1.1'])
    expect(r.pool.snapshot().counters).toMatchObject({ answers: 1, strangers: 2, unmatched: 2 })
  })

  it('takes a member whose port is unreachable down at once and retries its query on another member', async () => {
    const r = await rig([{}, {}], { memberSockets: 'shared', policy: 'first' })
    const start = r.clock.now()
    await r.members[0]!.close()
    const downs: string[] = []
    r.pool.on('member-down', (e) => downs.push(`${e.member.key}: ${e.reason}`))
    r.ask('www.example.')
    await r.settle()
    expect(r.replies.map(answeredBy)).toEqual(['10.0.1.2'])
    expect(downs).toEqual(['10.0.1.1#53: port unreachable (ECONNREFUSED)'])
    expect(r.pool.snapshot().counters).toMatchObject({ retries: 1, servfail: 0 })
    expect(r.clock.now()).toBe(start) // at once: no hedge or timeout had to pass
  })

  it('a removed member goes once its last query settles: a late datagram from it is then a stranger', async () => {
    const r = await rig([{}, {}], { memberSockets: 'shared', policy: 'first' })
    const member = r.members[0]!
    member.mode = 'hold'
    r.ask('www.example.')
    await r.settle()
    expect(r.pool.removeMember('10.0.1.1#53')).toBe(true)
    member.release()
    await r.settle()
    expect(r.replies.map(answeredBy)).toEqual(['10.0.1.1'])
    const { msg, from } = member.received[0]!
    member.socket.send(member.answerTo(msg), from.port, from.address)
    await r.settle()
    expect(r.pool.snapshot().counters).toMatchObject({ answers: 1, strangers: 1 })
    r.ask('www.example.')
    await r.settle()
    expect(r.replies.map(answeredBy)).toEqual(['10.0.1.1', '10.0.1.2'])
  })

  it('reports a network whose sockets cannot hear ICMP errors, and still relays', async () => {
    const memory = new MemoryNetwork()
    const deaf: Network = {
      createDatagramSocket: (family) => Object.assign(memory.createDatagramSocket(family), { reportUnreachable: undefined }),
      createStreamServer: (c) => memory.createStreamServer(c),
      connectStream: (a, p, o) => memory.connectStream(a, p, o),
    }
    const server = memory.createDatagramSocket(4)
    await server.bind(53, '10.0.1.1')
    server.onMessage((msg, from) => server.send(Buffer.from(msg), from.port, from.address))
    const pool = new UdpProxyPool({ members: [{ address: '10.0.1.1' }], network: deaf, memberSockets: 'shared' })
    const errors: string[] = []
    pool.on('error', (e) => errors.push((e.error as Error).message))
    await pool.listen({ port: 53, address: '10.0.0.1', tcp: false })
    expect(errors).toEqual([expect.stringMatching(/cannot report ICMP errors/)])
    await pool.close()
  })

  it('options: shared refused on dgram with Node’s network and in datagram mode, a bad name refused; connected by default, on either engine', () => {
    const members = [{ address: '10.0.1.1' }]
    const network = new MemoryNetwork()
    const refused = [
      () => new UdpProxyPool({ members, memberSockets: 'shared' }),
      () => new UdpProxyPool({ members, network, mode: 'datagram', memberSockets: 'shared' }),
      () => new UdpProxyPool({ members, network, memberSockets: 'many' as never }),
    ]
    for (const f of refused) expect(isDnsHaError(errorOf(f), 'ERR_CONFIG')).toBe(true)
    expect(new UdpProxyPool({ members, network }).snapshot().memberSockets).toBe('connected')
    expect(new UdpProxyPool({ members, network, memberSockets: 'shared' }).snapshot().memberSockets).toBe('shared')
    if (batchedEngineUnavailable() === undefined) {
      expect(new UdpProxyPool({ members, engine: 'batched' }).snapshot().memberSockets).toBe('connected')
      expect(new UdpProxyPool({ members, engine: 'batched', memberSockets: 'shared' }).snapshot().memberSockets).toBe('shared')
    }
  })

  it('keys a member by its address as the kernel writes it: an IPv6 member written long or in capitals still matches its answers', () => {
    expect(sourceKey('2001:DB8:0:0:0:0:0:1', 53)).toBe('2001:db8::1#53')
    expect(sourceKey('::1', 5300)).toBe('::1#5300')
    expect(sourceKey('127.0.0.1', 53)).toBe('127.0.0.1#53')
  })
})
