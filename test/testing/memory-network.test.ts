import { describe, expect, it } from 'vitest'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import { seededRandom } from '../../src/util/random.js'
import type { Random } from '../../src/util/random.js'
import { isUnreachableError } from '../../src/util/network.js'
import { query } from '../../src/client/query.js'
import { DnsServer } from '../../src/server/index.js'
import { Authority } from '../../src/authority/index.js'
import { parseZone } from '../../src/zone/index.js'

async function pair(network: MemoryNetwork) {
  const a = network.createDatagramSocket(4)
  const b = network.createDatagramSocket(4)
  await a.bind(1000, '10.0.0.1')
  await b.bind(2000, '10.0.0.2')
  const got: { msg: string; from: string }[] = []
  b.onMessage((msg, rinfo) => got.push({ msg: msg.toString(), from: `${rinfo.address}:${rinfo.port}` }))
  return { a, b, got }
}
const flush = () => new Promise((r) => setImmediate(r))

describe('MemoryNetwork datagrams', () => {
  it('a connected socket sends to its peer and hears only from it', async () => {
    const network = new MemoryNetwork()
    const { a, b, got } = await pair(network)
    const c = network.createDatagramSocket(4)
    await c.bind(3000, '10.0.0.3')
    await b.connect(1000, '10.0.0.1')
    const heardByA: string[] = []
    a.onMessage((msg, rinfo) => heardByA.push(`${msg.toString()}@${rinfo.port}`))
    b.send(Buffer.from('to-peer'), 9999, '10.9.9.9')
    a.send(Buffer.from('from-peer'), 2000, '10.0.0.2')
    c.send(Buffer.from('from-stranger'), 2000, '10.0.0.2')
    await flush()
    expect(heardByA).toEqual(['to-peer@2000'])
    expect(got).toEqual([{ msg: 'from-peer', from: '10.0.0.1:1000' }])
  })

  it('a connected socket gets ECONNREFUSED when nobody is bound at its peer; an unconnected one does not', async () => {
    const network = new MemoryNetwork()
    const connected = network.createDatagramSocket(4)
    const plain = network.createDatagramSocket(4)
    const errors: { who: string; code: unknown }[] = []
    connected.onError((err) => errors.push({ who: 'connected', code: (err as NodeJS.ErrnoException).code }))
    plain.onError((err) => errors.push({ who: 'plain', code: (err as NodeJS.ErrnoException).code }))
    await connected.connect(53, '10.0.0.9')
    expect(connected.address().port).toBeGreaterThan(0)
    connected.send(Buffer.from('x'), 0, '')
    plain.send(Buffer.from('x'), 53, '10.0.0.9')
    await flush()
    expect(errors).toEqual([{ who: 'connected', code: 'ECONNREFUSED' }])
  })

  it('an unconnected socket that asked (reportUnreachable) gets an UnreachableError naming the destination; one that did not hears nothing', async () => {
    const network = new MemoryNetwork()
    const asking = network.createDatagramSocket(4)
    const plain = network.createDatagramSocket(4)
    const errors: unknown[] = []
    asking.onError((err) => errors.push(err))
    plain.onError((err) => errors.push(err))
    expect(asking.reportUnreachable?.()).toBe(true)
    await asking.bind(0, '0.0.0.0')
    const server = network.createDatagramSocket(4)
    await server.bind(53, '10.0.0.8')
    asking.send(Buffer.from('x'), 53, '10.0.0.9')
    asking.send(Buffer.from('y'), 53, '10.0.0.8') // someone is bound there: no error
    plain.send(Buffer.from('x'), 53, '10.0.0.9')
    await flush()
    expect(errors).toHaveLength(1)
    expect(isUnreachableError(errors[0])).toBe(true)
    expect(errors[0]).toMatchObject({ code: 'ECONNREFUSED', destination: { address: '10.0.0.9', port: 53 } })
  })

  it('delivers with the sender address, on the next microtask when there is no latency', async () => {
    const network = new MemoryNetwork()
    const { a, got } = await pair(network)
    a.send(Buffer.from('hi'), 2000, '10.0.0.2')
    expect(got).toEqual([])
    await flush()
    expect(got).toEqual([{ msg: 'hi', from: '10.0.0.1:1000' }])
  })

  it('delays by latency on the injected clock', async () => {
    const clock = new FakeClock()
    const network = new MemoryNetwork({ clock, latencyMs: 50 })
    const { a, got } = await pair(network)
    a.send(Buffer.from('x'), 2000, '10.0.0.2')
    await clock.advanceAsync(49)
    expect(got).toHaveLength(0)
    await clock.advanceAsync(1)
    expect(got).toHaveLength(1)
  })

  it('drops across a partition until healed, and per-link loss', async () => {
    const network = new MemoryNetwork({ random: seededRandom(7) })
    const { a, got } = await pair(network)
    network.partition(['10.0.0.1'], ['10.0.0.2'])
    a.send(Buffer.from('lost'), 2000, '10.0.0.2')
    await flush()
    expect(got).toHaveLength(0)
    network.heal()
    a.send(Buffer.from('ok'), 2000, '10.0.0.2')
    await flush()
    expect(got.map((g) => g.msg)).toEqual(['ok'])
    network.setLink('10.0.0.1', '10.0.0.2', { loss: 0.5 })
    for (let i = 0; i < 200; i++) a.send(Buffer.from('n'), 2000, '10.0.0.2')
    await flush()
    const delivered = got.length - 1
    expect(delivered).toBeGreaterThan(60)
    expect(delivered).toBeLessThan(140)
    expect(network.snapshot().partitioned).toBe(1)
  })

  it('duplicates when asked, and reports unreachable ports', async () => {
    const network = new MemoryNetwork({ duplicate: 1 })
    const { a, got } = await pair(network)
    const fates: string[] = []
    network.onDatagram((r) => fates.push(r.fate))
    a.send(Buffer.from('d'), 2000, '10.0.0.2')
    a.send(Buffer.from('d'), 9999, '10.0.0.2')
    await flush()
    expect(got).toHaveLength(2)
    expect(fates).toEqual(['delivered', 'unreachable'])
  })

  it('refuses a second bind of the same address and port, and picks ports for port 0', async () => {
    const network = new MemoryNetwork()
    const s = network.createDatagramSocket(4)
    await s.bind(53, '127.0.0.1')
    await expect(network.createDatagramSocket(4).bind(53, '127.0.0.1')).rejects.toThrow(/EADDRINUSE/)
    const e = await network.createDatagramSocket(4).bind(0, '127.0.0.1')
    expect(e.port).toBeGreaterThanOrEqual(49152)
  })
})

describe('MemoryNetwork streams', () => {
  it('connects, carries bytes both ways, and closes both ends', async () => {
    const network = new MemoryNetwork()
    const received: string[] = []
    let serverClosed = false
    const server = network.createStreamServer((socket) => {
      socket.onData((d) => socket.write(Buffer.from(d.toString().toUpperCase())))
      socket.onClose(() => (serverClosed = true))
    })
    await server.listen(853, '127.0.0.1')
    const client = await network.connectStream('127.0.0.1', 853)
    client.onData((d) => received.push(d.toString()))
    client.write(Buffer.from('hello'))
    await flush()
    expect(received).toEqual(['HELLO'])
    client.end()
    await flush()
    expect(serverClosed).toBe(true)
  })

  it('refuses connections to nothing and times out across a partition', async () => {
    const clock = new FakeClock()
    const network = new MemoryNetwork({ clock })
    await expect(network.connectStream('127.0.0.1', 1)).rejects.toThrow(/ECONNREFUSED/)
    await network.createStreamServer(() => {}).listen(53, '10.0.0.9')
    network.partition(['127.0.0.1'], ['10.0.0.9'])
    const p = network.connectStream('10.0.0.9', 53, { timeoutMs: 100 })
    const outcome = p.then(() => 'connected', (e: Error) => e.message)
    await clock.advanceAsync(100)
    expect(await outcome).toMatch(/timed out/)
  })
})

describe('MemoryNetwork ports, as the kernel binds them', () => {
  it('a wildcard and a specific address of one family clash on one port, either way round; other families and ports do not', async () => {
    const network = new MemoryNetwork()
    await network.createDatagramSocket(4).bind(5300, '127.0.0.1')
    await expect(network.createDatagramSocket(4).bind(5300, '0.0.0.0')).rejects.toMatchObject({ code: 'EADDRINUSE' })
    await network.createDatagramSocket(4).bind(5301, '0.0.0.0')
    await expect(network.createDatagramSocket(4).bind(5301, '10.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' })
    await network.createDatagramSocket(6).bind(5300, '::')
    await network.createDatagramSocket(4).bind(5300, '10.0.0.2')
    await network.createStreamServer(() => {}).listen(5300, '0.0.0.0')
    await expect(network.createStreamServer(() => {}).listen(5300, '127.0.0.1')).rejects.toThrow(/EADDRINUSE/)
  })

  it('port 0 never hands out a port a wildcard socket holds', async () => {
    const network = new MemoryNetwork()
    await network.createDatagramSocket(4).bind(49152, '0.0.0.0')
    const bound = await network.createDatagramSocket(4).bind(0, '127.0.0.1')
    expect(bound.port).toBe(49153)
  })

  it("a query whose random source port is a server's port draws again and gets its answer (it used to be delivered to the server and lost)", async () => {
    const clock = new FakeClock()
    const network = new MemoryNetwork({ clock })
    const zone = () => parseZone('$TTL 60\n@ SOA ns h 1 1 1 1 1\n@ NS ns\na A 192.0.2.1\n', { origin: 'example.' })
    const answering = new DnsServer({ handler: new Authority({ zones: [zone()] }), network, clock })
    const bystander = new DnsServer({ handler: new Authority({ zones: [zone()] }), network, clock })
    const server = await answering.listen({ address: '127.0.0.1', port: 0 })
    const other = await bystander.listen({ address: '127.0.0.1', port: 0 })
    // The first draw lands on the bystander's port, the second elsewhere.
    const draws = [other.port - 49152, 1234]
    const random: Random = { int: (max) => (max === 65536 - 49152 ? (draws.shift() ?? 4321) : 7) }
    const pending = query(server, { name: 'a.example.', type: 'A' }, { network, clock, random, timeoutMs: 1000, retries: 0 })
    const outcome = pending.then((r) => r.packet.answers?.map((a) => String((a as { data: unknown }).data)), (e: Error) => e.message)
    await clock.advanceAsync(1001)
    expect(await outcome).toEqual(['192.0.2.1'])
    expect(draws).toEqual([])
    await answering.close()
    await bystander.close()
  })
})

