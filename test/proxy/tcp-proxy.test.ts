import { afterEach, describe, expect, it } from 'vitest'
import { encodeProxyV2Header, TcpProxy } from '../../src/proxy/index.js'
import type { TcpProxyOptions } from '../../src/proxy/index.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import type { BoundAddress, Network, RemoteInfo, StreamServer, StreamSocket } from '../../src/util/network.js'
import { fakePicker } from './fake-picker.js'

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
}

/** A member on the memory network that upper-cases what it hears; it keeps every connection's bytes. */
async function upperMember(network: MemoryNetwork, address: string, port = 53) {
  const received: Buffer[][] = []
  const sockets: StreamSocket[] = []
  const server = network.createStreamServer((socket) => {
    const mine: Buffer[] = []
    received.push(mine)
    sockets.push(socket)
    socket.onData((chunk) => {
      mine.push(chunk)
      socket.write(Buffer.from(chunk.toString().toUpperCase()))
    })
  })
  await server.listen(port, address)
  return { received, sockets, server }
}

async function connectClient(network: MemoryNetwork) {
  const socket = await network.connectStream('10.0.0.100', 5300)
  const heard: string[] = []
  let closed = false
  socket.onData((chunk) => heard.push(chunk.toString()))
  socket.onClose(() => (closed = true))
  return { socket, heard, isClosed: () => closed }
}

let proxy: TcpProxy | undefined
afterEach(async () => {
  await proxy?.close()
  proxy = undefined
})

async function setup(options: Partial<TcpProxyOptions> = {}, members = [{ address: '10.0.0.1', port: 53 }, { address: '10.0.0.2', port: 53 }]) {
  const clock = new FakeClock()
  const network = new MemoryNetwork({ clock })
  const picker = fakePicker(members)
  proxy = new TcpProxy({ picker, network, clock, ...options })
  const closes: string[] = []
  proxy.on('connection-close', (e) => closes.push(`${e.member ?? '-'}:${e.reason}`))
  await proxy.listen({ port: 5300, address: '10.0.0.100' })
  return { clock, network, picker, proxy, closes }
}

describe('TcpProxy', () => {
  it('relays bytes both ways, holding what the client sent before the member was connected', async () => {
    const { network, picker, proxy: p } = await setup()
    const m = await upperMember(network, '10.0.0.1')
    const c = await connectClient(network)
    c.socket.write(Buffer.from('abc'))
    c.socket.write(Buffer.from('def'))
    await flush()
    expect(Buffer.concat(m.received[0]!).toString()).toBe('abcdef')
    expect(c.heard.join('')).toBe('ABCDEF')
    expect(picker.picks).toEqual(['127.0.0.1->10.0.0.1#53'])
    expect(picker.answers).toEqual([{ key: '10.0.0.1#53', rttMs: 0 }])
    expect(p.snapshot()).toEqual({ connections: 1, accepted: 1, relayed: 1, connectFailures: 0, noMember: 0, rejected: 0, bytesUp: 6, bytesDown: 6 })
  })

  it('reports a refused member failed and connects to the next one', async () => {
    const { network, picker } = await setup()
    await upperMember(network, '10.0.0.2')
    const c = await connectClient(network)
    c.socket.write(Buffer.from('q'))
    await flush()
    expect(c.heard.join('')).toBe('Q')
    expect(picker.failures).toEqual(['10.0.0.1#53 connect: connect ECONNREFUSED 10.0.0.1:53'])
    expect(picker.picks).toEqual(['127.0.0.1->10.0.0.1#53', '127.0.0.1->10.0.0.2#53'])
  })

  it('gives up on a member that does not connect within connectTimeoutMs', async () => {
    const { network, clock, picker } = await setup({ connectTimeoutMs: 300 })
    await upperMember(network, '10.0.0.1')
    await upperMember(network, '10.0.0.2')
    network.partition(['127.0.0.1'], ['10.0.0.1'])
    const c = await connectClient(network)
    c.socket.write(Buffer.from('q'))
    await clock.advanceAsync(299)
    expect(picker.failures).toEqual([])
    await clock.advanceAsync(1)
    await flush()
    expect(picker.failures).toEqual(['10.0.0.1#53 connect: connect to 10.0.0.1:53 timed out'])
    expect(c.heard.join('')).toBe('Q')
  })

  it('tries at most `tries` members, then closes the client', async () => {
    const members = [1, 2, 3].map((i) => ({ address: `10.0.0.${i}`, port: 53 }))
    const { network, picker, closes, proxy: p } = await setup({ tries: 2 }, members)
    await upperMember(network, '10.0.0.3')
    const c = await connectClient(network)
    await flush()
    expect(picker.picks).toHaveLength(2)
    expect(c.isClosed()).toBe(true)
    expect(closes).toEqual(['-:no-member'])
    expect(p.snapshot()).toMatchObject({ connections: 0, noMember: 1, connectFailures: 2 })
  })

  it('closes the client when no member is available', async () => {
    const { network, picker, closes } = await setup()
    picker.out.add('10.0.0.1#53')
    picker.out.add('10.0.0.2#53')
    const c = await connectClient(network)
    await flush()
    expect(c.isClosed()).toBe(true)
    expect(closes).toEqual(['-:no-member'])
  })

  it('closes the client when the member closes, after delivering what the member sent', async () => {
    const { network, closes } = await setup()
    const m = await upperMember(network, '10.0.0.1')
    const c = await connectClient(network)
    c.socket.write(Buffer.from('bye'))
    await flush()
    m.sockets[0]!.write(Buffer.from('!'))
    m.sockets[0]!.end()
    await flush()
    expect(c.heard.join('')).toBe('BYE!')
    expect(c.isClosed()).toBe(true)
    expect(closes).toEqual(['10.0.0.1#53:member-closed'])
  })

  it('closes the member side when the client closes', async () => {
    const { network, closes, proxy: p } = await setup()
    const m = await upperMember(network, '10.0.0.1')
    let memberClosed = false
    const c = await connectClient(network)
    c.socket.write(Buffer.from('x'))
    await flush()
    m.sockets[0]!.onClose(() => (memberClosed = true))
    c.socket.end()
    await flush()
    expect(memberClosed).toBe(true)
    expect(closes).toEqual(['10.0.0.1#53:client-closed'])
    expect(p.snapshot().connections).toBe(0)
  })

  it('closes both sides after idleTimeoutMs without bytes, counting from the last byte', async () => {
    const { network, clock, closes } = await setup({ idleTimeoutMs: 1000 })
    await upperMember(network, '10.0.0.1')
    const c = await connectClient(network)
    await flush()
    await clock.advanceAsync(600)
    c.socket.write(Buffer.from('x'))
    await flush()
    await clock.advanceAsync(900)
    expect(c.isClosed()).toBe(false)
    await clock.advanceAsync(100)
    await flush()
    expect(c.isClosed()).toBe(true)
    expect(closes).toEqual(['10.0.0.1#53:idle'])
  })

  it('sends a PROXY v2 header with the client and listening addresses first', async () => {
    const { network, proxy: p } = await setup({ proxyProtocol: true })
    const m = await upperMember(network, '10.0.0.1')
    let clientPort = -1
    p.on('connection-open', (e) => (clientPort = e.client.port))
    const c = await connectClient(network)
    c.socket.write(Buffer.from('dns'))
    await flush()
    const got = Buffer.concat(m.received[0]!)
    const header = encodeProxyV2Header({ address: '127.0.0.1', port: clientPort }, { address: '10.0.0.100', port: 5300 })
    expect(clientPort).toBeGreaterThan(0)
    expect(got.subarray(0, header.length).toString('hex')).toBe(Buffer.from(header).toString('hex'))
    expect(got.subarray(header.length).toString()).toBe('dns')
  })

  it('rejects connections beyond maxConnections', async () => {
    const { network, proxy: p } = await setup({ maxConnections: 1 })
    await upperMember(network, '10.0.0.1')
    const rejected: string[] = []
    p.on('rejected', (e) => rejected.push(e.client.address))
    const a = await connectClient(network)
    const b = await connectClient(network)
    await flush()
    expect(a.isClosed()).toBe(false)
    expect(b.isClosed()).toBe(true)
    expect(rejected).toEqual(['127.0.0.1'])
    expect(p.snapshot()).toMatchObject({ connections: 1, rejected: 1 })
  })

  it('close() closes every connection and stops accepting', async () => {
    const { network, closes, proxy: p } = await setup()
    await upperMember(network, '10.0.0.1')
    const c = await connectClient(network)
    await flush()
    await p.close()
    await flush()
    expect(c.isClosed()).toBe(true)
    expect(closes).toEqual(['10.0.0.1#53:closed'])
    await expect(network.connectStream('10.0.0.100', 5300)).rejects.toThrow(/ECONNREFUSED/)
  })

  it('keeps client bytes that arrive while the member is still connecting, in order', async () => {
    const client = new FakeStream({ address: '192.0.2.9', port: 4000, family: 'IPv4' })
    const upstream = new FakeStream({ address: '10.0.0.1', port: 53, family: 'IPv4' })
    let onConnection: ((s: StreamSocket) => void) | undefined
    let connected: ((s: StreamSocket) => void) | undefined
    const network: Network = {
      createDatagramSocket: () => {
        throw new Error('unused')
      },
      createStreamServer: (cb) => {
        onConnection = cb
        return fakeServer()
      },
      connectStream: () => new Promise((resolve) => (connected = resolve)),
    }
    proxy = new TcpProxy({ picker: fakePicker([{ address: '10.0.0.1', port: 53 }]), network, clock: new FakeClock() })
    await proxy.listen({ port: 53 })
    onConnection!(client)
    expect(client.paused).toBe(true)
    // A socket may still hand over bytes it had read before the pause took effect.
    client.emitData('one')
    client.emitData('two')
    connected!(upstream)
    await flush()
    client.emitData('three')
    expect(upstream.written).toEqual(['one', 'two', 'three'])
    expect(proxy.snapshot().bytesUp).toBe(11)
  })

  it('ends the member when the client closes, and destroys it one idle period later if it never finishes', async () => {
    const client = new FakeStream({ address: '192.0.2.9', port: 4000, family: 'IPv4' })
    const upstream = new FakeStream({ address: '10.0.0.1', port: 53, family: 'IPv4' })
    let onConnection: ((s: StreamSocket) => void) | undefined
    const network: Network = {
      createDatagramSocket: () => {
        throw new Error('unused')
      },
      createStreamServer: (cb) => {
        onConnection = cb
        return fakeServer()
      },
      connectStream: async () => upstream,
    }
    const clock = new FakeClock()
    proxy = new TcpProxy({ picker: fakePicker([{ address: '10.0.0.1', port: 53 }]), network, clock, idleTimeoutMs: 500 })
    await proxy.listen({ port: 53 })
    onConnection!(client)
    await flush()
    client.destroy()
    expect(upstream.ended).toBe(true)
    expect(upstream.destroyed).toBe(false)
    expect(client.ended).toBe(false)
    await clock.advanceAsync(499)
    expect(upstream.destroyed).toBe(false)
    await clock.advanceAsync(1)
    expect(upstream.destroyed).toBe(true)
  })

  it('leaves no timer behind once both sides have closed', async () => {
    const { network, clock } = await setup()
    const m = await upperMember(network, '10.0.0.1')
    const c = await connectClient(network)
    c.socket.write(Buffer.from('x'))
    await flush()
    m.sockets[0]!.end()
    await flush()
    expect(c.isClosed()).toBe(true)
    expect(clock.pending).toBe(0)
  })

  it('pauses the reading side while the other side is full, and resumes on drain', async () => {
    const client = new FakeStream({ address: '192.0.2.9', port: 4000, family: 'IPv4' })
    const upstream = new FakeStream({ address: '10.0.0.1', port: 53, family: 'IPv4' })
    let onConnection: ((s: StreamSocket) => void) | undefined
    const network: Network = {
      createDatagramSocket: () => {
        throw new Error('unused')
      },
      createStreamServer: (cb) => {
        onConnection = cb
        return fakeServer()
      },
      connectStream: async () => upstream,
    }
    proxy = new TcpProxy({ picker: fakePicker([{ address: '10.0.0.1', port: 53 }]), network, clock: new FakeClock() })
    await proxy.listen({ port: 53 })
    onConnection!(client)
    await flush()
    expect(client.paused).toBe(false)
    upstream.full = true
    client.emitData('a')
    expect(upstream.written).toEqual(['a'])
    expect(client.paused).toBe(true)
    upstream.full = false
    upstream.drain()
    expect(client.paused).toBe(false)
    client.full = true
    upstream.emitData('b')
    expect(client.written).toEqual(['b'])
    expect(upstream.paused).toBe(true)
    client.drain()
    expect(upstream.paused).toBe(false)
  })
})

class FakeStream implements StreamSocket {
  readonly written: string[] = []
  full = false
  paused = false
  private data: (chunk: Buffer) => void = () => {}
  private drains: (() => void)[] = []
  constructor(readonly remote: RemoteInfo) {}
  get writableLength(): number {
    return 0
  }
  write(data: Uint8Array): boolean {
    this.written.push(Buffer.from(data).toString())
    return !this.full
  }
  onData(h: (chunk: Buffer) => void): void {
    this.data = h
  }
  onDrain(h: () => void): void {
    this.drains.push(h)
  }
  ended = false
  destroyed = false
  private closes: (() => void)[] = []
  onClose(h: () => void): void {
    this.closes.push(h)
  }
  onError(): void {}
  pause(): void {
    this.paused = true
  }
  resume(): void {
    this.paused = false
  }
  end(): void {
    this.ended = true
  }
  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    for (const h of this.closes) h()
  }
  emitData(text: string): void {
    this.data(Buffer.from(text))
  }
  drain(): void {
    for (const h of this.drains) h()
  }
}

function fakeServer(): StreamServer {
  const bound: BoundAddress = { address: '127.0.0.1', port: 53, family: 'IPv4' }
  return { listen: async () => bound, address: () => bound, close: async () => {} }
}
