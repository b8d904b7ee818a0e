import { afterEach, describe, expect, it } from 'vitest'
import { DatagramSessions } from '../../src/proxy/index.js'
import type { DatagramSessionsOptions } from '../../src/proxy/index.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import type { DatagramSocket, RemoteInfo } from '../../src/util/network.js'
import { fakePicker } from './fake-picker.js'

const flush = (): Promise<void> => new Promise((r) => setImmediate(r))

/** A member on the memory network that answers each datagram `replies` times with `prefix + datagram`. */
async function member(network: MemoryNetwork, address: string, port: number, replies = 1, prefix = `${address}:`) {
  const socket = network.createDatagramSocket(4)
  const seen: { data: string; from: RemoteInfo }[] = []
  socket.onMessage((msg, from) => {
    seen.push({ data: msg.toString(), from })
    for (let i = 0; i < replies; i++) socket.send(Buffer.from(`${prefix}${msg.toString()}${replies > 1 ? `#${i}` : ''}`), from.port, from.address)
  })
  await socket.bind(port, address)
  return { socket, seen }
}

/** A client socket that collects what it hears. */
async function client(network: MemoryNetwork, address: string) {
  const socket = network.createDatagramSocket(4)
  const heard: string[] = []
  socket.onMessage((msg) => heard.push(msg.toString()))
  const bound = await socket.bind(0, address)
  return { socket, heard, port: bound.port, send: (text: string) => socket.send(Buffer.from(text), 5300, '10.0.0.100') }
}

let sessions: DatagramSessions | undefined
afterEach(async () => {
  await sessions?.close()
  sessions = undefined
})

async function setup(options: Partial<DatagramSessionsOptions> = {}, members = [{ address: '10.0.0.1', port: 53 }, { address: '10.0.0.2', port: 53 }]) {
  const clock = new FakeClock()
  const network = new MemoryNetwork({ clock })
  const picker = fakePicker(members)
  sessions = new DatagramSessions({ picker, network, clock, ...options })
  const closes: string[] = []
  sessions.on('session-close', (e) => closes.push(`${e.client.address}:${e.member}:${e.reason}`))
  await sessions.listen({ port: 5300, address: '10.0.0.100' })
  return { clock, network, picker, sessions, closes }
}

describe('DatagramSessions', () => {
  it('relays a client datagram to the picked member and its reply back, then ends the session', async () => {
    const { network, picker, closes, sessions: s } = await setup()
    const m = await member(network, '10.0.0.1', 53)
    const c = await client(network, '10.0.0.9')
    c.send('hello')
    await flush()
    expect(m.seen.map((x) => x.data)).toEqual(['hello'])
    expect(c.heard).toEqual(['10.0.0.1:hello'])
    expect(picker.picks).toEqual(['10.0.0.9->10.0.0.1#53'])
    expect(picker.answers).toEqual([{ key: '10.0.0.1#53', rttMs: 0 }])
    expect(closes).toEqual(['10.0.0.9:10.0.0.1#53:responses'])
    expect(s.snapshot()).toEqual({ sessions: 0, opened: 1, closed: 1, received: 1, relayed: 1, retried: 0, dropped: { sessionLimit: 0, noMember: 0 } })
  })

  it('relays up to `responses` replies per client datagram, and nothing after the session ended', async () => {
    const { network, closes } = await setup({ responses: 2 })
    await member(network, '10.0.0.1', 53, 3)
    const c = await client(network, '10.0.0.9')
    c.send('q')
    await flush()
    expect(c.heard).toEqual(['10.0.0.1:q#0', '10.0.0.1:q#1'])
    expect(closes).toEqual(['10.0.0.9:10.0.0.1#53:responses'])
  })

  it('counts replies owed over several datagrams of one session', async () => {
    const { network, closes, sessions: s } = await setup({ responses: 1 })
    // A member that answers only the second datagram, twice.
    const socket = network.createDatagramSocket(4)
    const froms: number[] = []
    socket.onMessage((msg, from) => {
      froms.push(from.port)
      if (msg.toString() === 'b') for (const r of ['r1', 'r2']) socket.send(Buffer.from(r), from.port, from.address)
    })
    await socket.bind(53, '10.0.0.1')
    const c = await client(network, '10.0.0.9')
    c.send('a')
    await flush()
    expect(s.snapshot().sessions).toBe(1)
    c.send('b')
    await flush()
    // Both datagrams went out on the one session socket; two replies were owed and relayed.
    expect(new Set(froms).size).toBe(1)
    expect(c.heard).toEqual(['r1', 'r2'])
    expect(closes).toEqual(['10.0.0.9:10.0.0.1#53:responses'])
  })

  it('gives each client its own upstream socket and routes replies to the right client', async () => {
    const { network } = await setup({ responses: 1 })
    const m = await member(network, '10.0.0.1', 53)
    const a = await client(network, '10.0.0.9')
    const b = await client(network, '10.0.0.10')
    a.send('from-a')
    b.send('from-b')
    await flush()
    expect(a.heard).toEqual(['10.0.0.1:from-a'])
    expect(b.heard).toEqual(['10.0.0.1:from-b'])
    expect(new Set(m.seen.map((x) => x.from.port)).size).toBe(2)
  })

  it('ends a silent session after timeoutMs, reports the member failed, and closes its socket', async () => {
    const { network, clock, picker, closes, sessions: s } = await setup({ timeoutMs: 1000 })
    const silent = network.createDatagramSocket(4)
    const froms: RemoteInfo[] = []
    silent.onMessage((_msg, from) => froms.push(from))
    await silent.bind(53, '10.0.0.1')
    const c = await client(network, '10.0.0.9')
    c.send('x')
    await flush()
    await clock.advanceAsync(999)
    expect(closes).toEqual([])
    await clock.advanceAsync(1)
    expect(closes).toEqual(['10.0.0.9:10.0.0.1#53:timeout'])
    expect(picker.failures).toEqual(['10.0.0.1#53 timeout'])
    expect(s.snapshot().sessions).toBe(0)
    // The session socket is gone: a late reply to it is unreachable, not relayed.
    silent.send(Buffer.from('late'), froms[0]!.port, froms[0]!.address)
    await flush()
    expect(c.heard).toEqual([])
    expect(network.snapshot().unreachable).toBe(1)
  })

  it('restarts the silence timer on each datagram', async () => {
    const { network, clock, closes } = await setup({ timeoutMs: 1000, responses: 5 })
    await member(network, '10.0.0.1', 53)
    const c = await client(network, '10.0.0.9')
    c.send('1')
    await flush()
    await clock.advanceAsync(800)
    c.send('2')
    await flush()
    await clock.advanceAsync(800)
    expect(closes).toEqual([])
    await clock.advanceAsync(200)
    expect(closes).toEqual(['10.0.0.9:10.0.0.1#53:timeout'])
  })

  it('restarts the silence timer on each reply', async () => {
    const { network, clock, closes } = await setup({ timeoutMs: 1000, responses: 2 })
    // Session sockets bind 127.0.0.1 on the memory network.
    network.setLink('10.0.0.1', '127.0.0.1', { latencyMs: 800 })
    await member(network, '10.0.0.1', 53)
    const c = await client(network, '10.0.0.9')
    c.send('1')
    await flush()
    await clock.advanceAsync(1500)
    expect(c.heard).toEqual(['10.0.0.1:1'])
    expect(closes).toEqual([])
    await clock.advanceAsync(300)
    expect(closes).toEqual(['10.0.0.9:10.0.0.1#53:timeout'])
  })

  it('with responses 0 ends the session once the datagram is out and relays nothing', async () => {
    const { network, closes } = await setup({ responses: 0 })
    const m = await member(network, '10.0.0.1', 53)
    const c = await client(network, '10.0.0.9')
    c.send('fire-and-forget')
    await flush()
    expect(m.seen.map((x) => x.data)).toEqual(['fire-and-forget'])
    expect(closes).toEqual(['10.0.0.9:10.0.0.1#53:responses'])
    expect(c.heard).toEqual([])
  })

  it('drops and counts new clients beyond maxSessions, keeps serving existing ones', async () => {
    const { network, sessions: s } = await setup({ maxSessions: 2, responses: 2 })
    await member(network, '10.0.0.1', 53)
    const dropped: string[] = []
    s.on('dropped', (e) => dropped.push(`${e.client.address}:${e.reason}`))
    const cs = [await client(network, '10.0.0.9'), await client(network, '10.0.0.10'), await client(network, '10.0.0.11')]
    for (const c of cs) c.send('x')
    await flush()
    expect(cs.map((c) => c.heard.length)).toEqual([1, 1, 0])
    expect(dropped).toEqual(['10.0.0.11:session-limit'])
    expect(s.snapshot()).toMatchObject({ sessions: 2, dropped: { sessionLimit: 1, noMember: 0 } })
    cs[0]!.send('y')
    await flush()
    expect(cs[0]!.heard).toHaveLength(2)
  })

  it('drops a datagram when no member is available', async () => {
    const { network, picker, sessions: s } = await setup()
    picker.out.add('10.0.0.1#53')
    picker.out.add('10.0.0.2#53')
    const c = await client(network, '10.0.0.9')
    c.send('x')
    await flush()
    expect(s.snapshot()).toMatchObject({ sessions: 0, opened: 0, dropped: { sessionLimit: 0, noMember: 1 } })
  })

  it('on ECONNREFUSED reports the member failed and retries the datagram once on another member', async () => {
    const { network, picker, sessions: s } = await setup()
    // 10.0.0.1 has nothing bound: its port is closed.
    await member(network, '10.0.0.2', 53)
    const c = await client(network, '10.0.0.9')
    c.send('q')
    await flush()
    await flush()
    expect(c.heard).toEqual(['10.0.0.2:q'])
    expect(picker.failures).toEqual(['10.0.0.1#53 port unreachable'])
    expect(picker.picks).toEqual(['10.0.0.9->10.0.0.1#53', '10.0.0.9->10.0.0.2#53'])
    expect(s.snapshot()).toMatchObject({ retried: 1, relayed: 1, sessions: 0 })
  })

  it('retries only once: a second refusal ends the session', async () => {
    const { network, picker, closes } = await setup({}, [{ address: '10.0.0.1', port: 53 }, { address: '10.0.0.2', port: 53 }, { address: '10.0.0.3', port: 53 }])
    await member(network, '10.0.0.3', 53)
    const c = await client(network, '10.0.0.9')
    c.send('q')
    await flush()
    await flush()
    expect(picker.failures).toEqual(['10.0.0.1#53 port unreachable', '10.0.0.2#53 port unreachable'])
    expect(closes).toEqual(['10.0.0.9:10.0.0.2#53:failed'])
    expect(c.heard).toEqual([])
  })

  it('reports the round trip time of the first reply', async () => {
    const clock = new FakeClock()
    const network = new MemoryNetwork({ clock, latencyMs: 5 })
    const picker = fakePicker([{ address: '10.0.0.1', port: 53 }])
    sessions = new DatagramSessions({ picker, network, clock })
    await sessions.listen({ port: 5300, address: '10.0.0.100' })
    await member(network, '10.0.0.1', 53)
    const c = await client(network, '10.0.0.9')
    c.send('q')
    await clock.advanceAsync(20)
    expect(c.heard).toEqual(['10.0.0.1:q'])
    expect(picker.answers).toEqual([{ key: '10.0.0.1#53', rttMs: 10 }])
  })

  it('close() ends every session and stops listening', async () => {
    const { network, closes, sessions: s } = await setup({ responses: 3 })
    await member(network, '10.0.0.1', 53)
    const c = await client(network, '10.0.0.9')
    c.send('q')
    await flush()
    await s.close()
    expect(closes).toEqual(['10.0.0.9:10.0.0.1#53:closed'])
    c.send('again')
    await flush()
    expect(network.snapshot().unreachable).toBe(1)
  })

  it('surfaces a listening socket error as an event', async () => {
    let onError: ((err: Error) => void) | undefined
    const network = new MemoryNetwork()
    const spy = {
      ...network,
      createDatagramSocket: (family: 4 | 6): DatagramSocket => {
        const inner = network.createDatagramSocket(family)
        return { ...inner, bind: (p, a) => inner.bind(p, a), onMessage: (h) => inner.onMessage(h), onError: (h) => ((onError = h), inner.onError(h)), connect: (p, a) => inner.connect(p, a), send: (...a) => inner.send(...a), address: () => inner.address(), close: () => inner.close() }
      },
    }
    sessions = new DatagramSessions({ picker: fakePicker([]), network: spy as unknown as MemoryNetwork })
    const errors: string[] = []
    sessions.on('error', (e) => errors.push(e.error.message))
    await sessions.listen({ port: 0 })
    onError!(new Error('boom'))
    expect(errors).toEqual(['boom'])
  })
})
