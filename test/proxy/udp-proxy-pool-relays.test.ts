// UdpProxyPool's relays on MemoryNetwork + FakeClock: datagram mode (nginx sessions) and TCP
// through the pool, with the pool as their MemberPicker, so the relays' reports show up in the
// same member state, counters and events as DNS mode's.
import { afterEach, describe, expect, it } from 'vitest'
import { PROXY_V2_SIGNATURE, UdpProxyPool } from '../../src/proxy/index.js'
import type { UdpProxyPoolOptions } from '../../src/proxy/index.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import type { DatagramSocket, StreamSocket } from '../../src/util/network.js'
import { seededRandom } from '../../src/util/random.js'

const flush = async (): Promise<void> => {
  for (let i = 0; i < 6; i++) await new Promise((r) => setImmediate(r))
}

/** A datagram member that answers `name:datagram`. */
async function udpMember(network: MemoryNetwork, address: string): Promise<DatagramSocket & { seen: string[] }> {
  const socket = network.createDatagramSocket(4) as DatagramSocket & { seen: string[] }
  socket.seen = []
  socket.onMessage((msg, from) => {
    socket.seen.push(msg.toString())
    socket.send(Buffer.from(`${address}:${msg.toString()}`), from.port, from.address)
  })
  await socket.bind(53, address)
  return socket
}

/** A TCP member that answers `name:bytes`, keeping what each connection sent. */
async function tcpMember(network: MemoryNetwork, address: string) {
  const received: Buffer[][] = []
  const server = network.createStreamServer((socket) => {
    const mine: Buffer[] = []
    received.push(mine)
    socket.onData((chunk) => {
      mine.push(chunk)
      socket.write(Buffer.from(`${address}:${chunk.toString()}`))
    })
  })
  await server.listen(53, address)
  return { received, server }
}

let pool: UdpProxyPool | undefined
afterEach(async () => {
  await pool?.close()
  pool = undefined
})

async function setup(members: UdpProxyPoolOptions['members'], options: Partial<UdpProxyPoolOptions> = {}, listen: { tcp?: boolean; udp?: boolean } = {}) {
  const clock = new FakeClock()
  const network = new MemoryNetwork({ clock })
  pool = new UdpProxyPool({ members, network, clock, random: seededRandom(7), ...options })
  const events: string[] = []
  pool.on('member-down', (e) => events.push(`down ${e.member.key} ${e.reason}`))
  pool.on('member-up', (e) => events.push(`up ${e.member.key}`))
  await pool.listen({ port: 5300, address: '10.0.0.100', ...listen })
  return { clock, network, pool, events }
}

/** A client on its own port that sends `text` to the pool and collects replies. */
async function datagramClient(network: MemoryNetwork, address = '10.0.2.1') {
  const socket = network.createDatagramSocket(4)
  const heard: string[] = []
  socket.onMessage((msg) => heard.push(msg.toString()))
  await socket.bind(0, address)
  return { heard, send: (text: string) => socket.send(Buffer.from(text), 5300, '10.0.0.100'), close: () => socket.close() }
}

async function tcpClient(network: MemoryNetwork) {
  const socket: StreamSocket = await network.connectStream('10.0.0.100', 5300)
  const heard: string[] = []
  let closed = false
  socket.onData((chunk) => heard.push(chunk.toString()))
  socket.onClose(() => (closed = true))
  return { socket, heard, isClosed: () => closed }
}

describe('UdpProxyPool datagram mode', () => {
  it('relays opaque datagrams in sessions, spread by weight, counted in the snapshot', async () => {
    const { network, pool: p } = await setup(
      [
        { address: '10.0.1.1', weight: 2 },
        { address: '10.0.1.2', weight: 1 },
      ],
      { mode: 'datagram' },
    )
    const a = await udpMember(network, '10.0.1.1')
    const b = await udpMember(network, '10.0.1.2')
    const clients = []
    for (let i = 0; i < 30; i++) {
      const c = await datagramClient(network)
      c.send(`not dns ${i}`)
      clients.push(c)
    }
    await flush()
    expect(clients.map((c) => c.heard.length)).toEqual(new Array(30).fill(1))
    expect(a.seen.length).toBe(20)
    expect(b.seen.length).toBe(10)
    expect(clients[0]!.heard[0]).toMatch(/^10\.0\.1\.[12]:not dns 0$/)
    const snap = p.snapshot()
    expect(snap.datagram).toEqual({ sessions: 0, opened: 30, closed: 30, received: 30, relayed: 30, retried: 0, dropped: { sessionLimit: 0, noMember: 0 } })
    expect(snap.members.map((m) => [m.counters.queries, m.counters.answers])).toEqual([
      [20, 20],
      [10, 10],
    ])
    expect(snap.counters.queries).toBe(0)
  })

  it('takes a member whose port is closed down at once, retries the datagram elsewhere, and gives it a trial after failTimeoutMs', async () => {
    const { network, clock, pool: p, events } = await setup(
      [
        { address: '10.0.1.1', failTimeoutMs: 5000 },
        { address: '10.0.1.2', failTimeoutMs: 5000 },
      ],
      { mode: 'datagram', policy: 'first' },
    )
    const b = await udpMember(network, '10.0.1.2')
    const c1 = await datagramClient(network)
    c1.send('one')
    await flush()
    expect(c1.heard).toEqual(['10.0.1.2:one'])
    expect(events).toEqual(['down 10.0.1.1#53 port unreachable'])
    expect(p.snapshot().datagram.retried).toBe(1)
    expect(p.snapshot().members[0]!.state).toBe('down')
    // While it rests, every session goes to the other member.
    for (let i = 0; i < 4; i++) (await datagramClient(network)).send(`rest ${i}`)
    await flush()
    expect(b.seen).toEqual(['one', 'rest 0', 'rest 1', 'rest 2', 'rest 3'])
    // It comes back; after fail_timeout one trial session reaches it and its answer brings it up.
    const a = await udpMember(network, '10.0.1.1')
    clock.advance(5000)
    await flush()
    const c2 = await datagramClient(network)
    c2.send('trial')
    await flush()
    expect(a.seen).toEqual(['trial'])
    expect(c2.heard).toEqual(['10.0.1.1:trial'])
    expect(events).toEqual(['down 10.0.1.1#53 port unreachable', 'up 10.0.1.1#53'])
    expect(p.snapshot().members[0]!.state).toBe('up')
  })

  it('a failed trial sends the member back to rest; nextUpstream false drops a refused datagram', async () => {
    const { network, clock, pool: p } = await setup(
      [
        { address: '10.0.1.1', failTimeoutMs: 5000 },
        { address: '10.0.1.2', failTimeoutMs: 5000 },
      ],
      { mode: 'datagram', nextUpstream: false, policy: 'first' },
    )
    await udpMember(network, '10.0.1.2')
    const c1 = await datagramClient(network)
    c1.send('one')
    await flush()
    expect(c1.heard).toEqual([])
    expect(p.snapshot().datagram.retried).toBe(0)
    expect(p.snapshot().members[0]!.state).toBe('down')
    clock.advance(5000)
    const c2 = await datagramClient(network)
    c2.send('trial')
    await flush()
    expect(c2.heard).toEqual([])
    // The trial failed at 5000: the next sessions within another 5000 ms skip it.
    clock.advance(4999)
    const c3 = await datagramClient(network)
    c3.send('after')
    await flush()
    expect(c3.heard).toEqual(['10.0.1.2:after'])
    expect(p.snapshot().members[0]!.counters.queries).toBe(2)
  })

  it('counts a session that goes silent as a timeout toward maxFails', async () => {
    const { network, clock, pool: p, events } = await setup(
      [
        { address: '10.0.1.1', maxFails: 2 },
        { address: '10.0.1.2', maxFails: 2 },
      ],
      { mode: 'datagram', timeoutMs: 1000, policy: 'first' },
    )
    const silent = network.createDatagramSocket(4)
    await silent.bind(53, '10.0.1.1')
    for (let i = 0; i < 2; i++) {
      ;(await datagramClient(network)).send(`q${i}`)
      await flush()
      clock.advance(1000)
      await flush()
    }
    expect(p.snapshot().members[0]!.counters.timeouts).toBe(2)
    expect(events).toEqual(['down 10.0.1.1#53 timeout (2 failure(s) within 10000 ms)'])
    await silent.close()
  })

  it('listens on UDP only by default, TCP when asked', async () => {
    const { network } = await setup([{ address: '10.0.1.1' }], { mode: 'datagram' })
    await expect(network.connectStream('10.0.0.100', 5300)).rejects.toThrow(/ECONNREFUSED/)
    await pool!.close()
    const second = await setup([{ address: '10.0.1.1' }], { mode: 'datagram' }, { tcp: true })
    await tcpMember(second.network, '10.0.1.1')
    const c = await tcpClient(second.network)
    c.socket.write(Buffer.from('x'))
    await flush()
    expect(c.heard.join('')).toBe('10.0.1.1:x')
  })
})

describe('UdpProxyPool TCP', () => {
  it('serves TCP on the UDP port by default (as DnsServer does), relayed to a member', async () => {
    const { network, pool: p } = await setup([{ address: '10.0.1.1' }])
    const m = await tcpMember(network, '10.0.1.1')
    const c = await tcpClient(network)
    c.socket.write(Buffer.from('axfr please'))
    await flush()
    expect(Buffer.concat(m.received[0]!).toString()).toBe('axfr please')
    expect(c.heard.join('')).toBe('10.0.1.1:axfr please')
    const snap = p.snapshot()
    expect(snap.tcp).toMatchObject({ connections: 1, accepted: 1, relayed: 1, bytesUp: 11 })
    expect(snap.members[0]!.counters).toMatchObject({ queries: 1, answers: 1 })
    expect(snap.listening).toEqual([{ address: '10.0.0.100', port: 5300, family: 'IPv4' }])
  })

  it('does not listen on TCP with tcp: false, nor on UDP with udp: false', async () => {
    const { network } = await setup([{ address: '10.0.1.1' }], {}, { tcp: false })
    await expect(network.connectStream('10.0.0.100', 5300)).rejects.toThrow(/ECONNREFUSED/)
    await pool!.close()
    const second = await setup([{ address: '10.0.1.1' }], {}, { udp: false })
    const refusals: string[] = []
    const probe = second.network.createDatagramSocket(4)
    probe.onError((e) => refusals.push((e as NodeJS.ErrnoException).code ?? e.message))
    await probe.connect(5300, '10.0.0.100')
    probe.send(Buffer.alloc(12), 5300, '10.0.0.100')
    await flush()
    expect(refusals).toEqual(['ECONNREFUSED'])
    await probe.close()
    await expect(second.pool.listen({ port: 5301, udp: false, tcp: false })).rejects.toThrow(/both off/)
  })

  it('moves a connection on from a member refusing TCP, and takes that member down', async () => {
    const { network, pool: p, events } = await setup([{ address: '10.0.1.1' }, { address: '10.0.1.2' }], { policy: 'first' })
    const m2 = await tcpMember(network, '10.0.1.2')
    const c = await tcpClient(network)
    c.socket.write(Buffer.from('q'))
    await flush()
    expect(c.heard.join('')).toBe('10.0.1.2:q')
    expect(m2.received.length).toBe(1)
    expect(events).toEqual(['down 10.0.1.1#53 connect: connect ECONNREFUSED 10.0.1.1:53'])
    expect(p.snapshot().members[0]!.counters.errors).toBe(1)
    expect(p.snapshot().tcp.connectFailures).toBe(1)
  })

  it('with nextUpstream false tries one member only', async () => {
    const { network, pool: p } = await setup([{ address: '10.0.1.1' }, { address: '10.0.1.2' }], { policy: 'first', nextUpstream: false })
    await tcpMember(network, '10.0.1.2')
    const c = await tcpClient(network)
    await flush()
    expect(c.isClosed()).toBe(true)
    expect(p.snapshot().tcp).toMatchObject({ connectFailures: 1, noMember: 1, relayed: 0 })
  })

  it('counts a connect timeout as a timeout toward maxFails, and stops moving on after nextUpstreamTimeoutMs', async () => {
    const members = [{ address: '10.0.1.1', maxFails: 2 }, { address: '10.0.1.2' }]
    const first = await setup(members, { policy: 'first', connectTimeoutMs: 1000, nextUpstreamTimeoutMs: 1000 })
    await tcpMember(first.network, '10.0.1.1')
    await tcpMember(first.network, '10.0.1.2')
    first.network.partition(['127.0.0.1'], ['10.0.1.1'])
    const c = await tcpClient(first.network)
    await flush()
    await first.clock.advanceAsync(1000)
    await flush()
    // The connect timed out at 1000 ms, which spent the next-upstream budget: no second member.
    expect(c.isClosed()).toBe(true)
    expect(first.pool.snapshot().tcp).toMatchObject({ connectFailures: 1, noMember: 1, relayed: 0 })
    expect(first.pool.snapshot().members[0]!.counters).toMatchObject({ timeouts: 1, errors: 0 })
    expect(first.pool.snapshot().members[0]!.state).toBe('up')
    await first.pool.close()
    // Without that limit the connection moves on; the second timeout within fail_timeout takes the member down.
    const second = await setup(members, { policy: 'first', connectTimeoutMs: 1000 })
    await tcpMember(second.network, '10.0.1.1')
    await tcpMember(second.network, '10.0.1.2')
    second.network.partition(['127.0.0.1'], ['10.0.1.1'])
    const clients = [await tcpClient(second.network), await tcpClient(second.network)]
    for (const cl of clients) cl.socket.write(Buffer.from('q'))
    await flush()
    await second.clock.advanceAsync(1000)
    await flush()
    expect(clients.map((cl) => cl.heard.join(''))).toEqual(['10.0.1.2:q', '10.0.1.2:q'])
    expect(second.events).toEqual(['down 10.0.1.1#53 connect: connect to 10.0.1.1:53 timed out (2 failure(s) within 10000 ms)'])
  })

  it('counts other relay failures as errors toward maxFails', async () => {
    const { pool: p, events } = await setup([{ address: '10.0.1.1', maxFails: 2 }, { address: '10.0.1.2' }], {}, { tcp: false })
    p.failed('10.0.1.1#53', 'socket error: EHOSTUNREACH')
    expect(p.snapshot().members[0]).toMatchObject({ state: 'up', counters: { errors: 1, timeouts: 0 } })
    p.failed('10.0.1.1#53', 'socket error: EHOSTUNREACH')
    expect(p.snapshot().members[0]).toMatchObject({ state: 'down', counters: { errors: 2, timeouts: 0 } })
    expect(events).toEqual(['down 10.0.1.1#53 socket error: EHOSTUNREACH (2 failure(s) within 10000 ms)'])
  })

  it('tries at most nextUpstreamTries members per connection', async () => {
    const { network, pool: p } = await setup([{ address: '10.0.1.1' }, { address: '10.0.1.2' }, { address: '10.0.1.3' }], { policy: 'first', nextUpstreamTries: 2 })
    await tcpMember(network, '10.0.1.3')
    const c = await tcpClient(network)
    await flush()
    expect(c.isClosed()).toBe(true)
    expect(p.snapshot().tcp).toMatchObject({ connectFailures: 2, noMember: 1 })
    // The next connection finds both refusing members down and reaches the third.
    const c2 = await tcpClient(network)
    c2.socket.write(Buffer.from('q'))
    await flush()
    expect(c2.heard.join('')).toBe('10.0.1.3:q')
  })

  it('sends a PROXY v2 header naming the client first when proxyProtocol is on', async () => {
    const { network } = await setup([{ address: '10.0.1.1' }], { proxyProtocol: true })
    const m = await tcpMember(network, '10.0.1.1')
    const c = await tcpClient(network)
    c.socket.write(Buffer.from('q'))
    await flush()
    const bytes = Buffer.concat(m.received[0]!)
    expect(bytes.subarray(0, 12)).toEqual(Buffer.from(PROXY_V2_SIGNATURE))
    // Destination: the pool's listening address and port.
    expect([...bytes.subarray(20, 24)]).toEqual([10, 0, 0, 100])
    expect(bytes.readUInt16BE(26)).toBe(5300)
    expect(bytes.subarray(28).toString()).toBe('q')
  })

  it('in DNS mode a TCP handshake does not bring a down member back (its probes do)', async () => {
    const { network, pool: p } = await setup([{ address: '10.0.1.1' }, { address: '10.0.1.2' }], { policy: 'first' })
    await tcpMember(network, '10.0.1.2')
    await tcpClient(network)
    await flush()
    expect(p.snapshot().members[0]!.state).toBe('down')
    await tcpMember(network, '10.0.1.1')
    p.answered('10.0.1.1#53', 1)
    expect(p.snapshot().members[0]!.state).toBe('down')
    expect(p.snapshot().members[0]!.counters.answers).toBe(1)
  })

  it('close() stops the TCP listener and every relayed connection, and leaves no timers', async () => {
    const { network, clock, pool: p } = await setup([{ address: '10.0.1.1' }])
    await tcpMember(network, '10.0.1.1')
    const c = await tcpClient(network)
    c.socket.write(Buffer.from('q'))
    await flush()
    await p.close()
    await flush()
    expect(c.isClosed()).toBe(true)
    await expect(network.connectStream('10.0.0.100', 5300)).rejects.toThrow(/ECONNREFUSED/)
    expect(clock.pending).toBe(0)
    expect(p.snapshot().tcp.connections).toBe(0)
    expect(p.addresses()).toEqual([])
  })
})

describe('UdpProxyPool as a MemberPicker', () => {
  it('picks its own members by policy and weight, skipping excluded keys, backups last', async () => {
    const { pool: p } = await setup(
      [
        { address: '10.0.1.1', weight: 3 },
        { address: '10.0.1.2', weight: 1 },
        { address: '10.0.1.3', backup: true },
      ],
      {},
      { tcp: false },
    )
    const keys = Array.from({ length: 8 }, () => p.pick('10.0.2.1', new Set())?.key)
    expect(keys.filter((k) => k === '10.0.1.1#53').length).toBe(6)
    expect(keys.filter((k) => k === '10.0.1.2#53').length).toBe(2)
    expect(p.pick('10.0.2.1', new Set(['10.0.1.1#53']))?.key).toBe('10.0.1.2#53')
    expect(p.pick('10.0.2.1', new Set(['10.0.1.1#53', '10.0.1.2#53']))).toEqual({ key: '10.0.1.3#53', address: '10.0.1.3', port: 53 })
    p.failed('10.0.1.1#53', 'port unreachable')
    p.failed('10.0.1.2#53', 'port unreachable')
    p.failed('10.0.1.3#53', 'port unreachable')
    expect(p.pick('10.0.2.1', new Set())).toBeUndefined()
    // Unknown keys are ignored.
    expect(() => p.failed('10.9.9.9#53', 'x')).not.toThrow()
  })

  it('gives a rested member one trial pick per rest period, in datagram mode only', async () => {
    const members = [{ address: '10.0.1.1', failTimeoutMs: 5000 }, { address: '10.0.1.2' }]
    const d = await setup(members, { mode: 'datagram', policy: 'first' })
    d.pool.failed('10.0.1.1#53', 'port unreachable')
    expect(d.pool.pick('c', new Set())?.key).toBe('10.0.1.2#53')
    d.clock.advance(5000)
    // The trial is one pick: until it is reported, the next picks go elsewhere.
    expect(d.pool.pick('c', new Set())?.key).toBe('10.0.1.1#53')
    expect(d.pool.pick('c', new Set())?.key).toBe('10.0.1.2#53')
    d.clock.advance(5000)
    expect(d.pool.pick('c', new Set())?.key).toBe('10.0.1.1#53')
    d.pool.answered('10.0.1.1#53', 3)
    expect(d.pool.snapshot().members[0]).toMatchObject({ state: 'up', latencyMs: 3 })
    await d.pool.close()
    // DNS mode: no trials, the probes decide.
    const n = await setup(members, { policy: 'first' }, { tcp: false })
    n.pool.failed('10.0.1.1#53', 'port unreachable')
    n.clock.advance(5000)
    expect(n.pool.pick('c', new Set())?.key).toBe('10.0.1.2#53')
  })

  it('never picks a member that is administratively down or held down by a health source, rested or not', async () => {
    const d = await setup([{ address: '10.0.1.1', down: true, failTimeoutMs: 1000 }, { address: '10.0.1.2', failTimeoutMs: 1000 }, { address: '10.0.1.3' }], { mode: 'datagram', policy: 'first' })
    d.pool.track({ state: (t) => (t === '10.0.1.2#53' ? 'down' : 'up'), watch: () => () => {} })
    d.clock.advance(60_000)
    for (let i = 0; i < 3; i++) expect(d.pool.pick('c', new Set())?.key).toBe('10.0.1.3#53')
  })
})
