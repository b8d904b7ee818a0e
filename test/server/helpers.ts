// Shared helpers for server tests: a server on a MemoryNetwork and a raw exchange with it.
import dgram from 'node:dgram'
import dnsPacket from 'dns-packet'
import type { Packet } from 'dns-packet'
import { afterEach, describe, it } from 'vitest'
import { DnsServer } from '../../src/server/dns-server.js'
import { batchedEngineUnavailable } from '../../src/util/batched-network.js'
import type { DnsServerOptions } from '../../src/server/dns-server.js'
import type { HandlerLike } from '../../src/server/handler.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'

export interface MemoryServer {
  server: DnsServer
  network: MemoryNetwork
  port: number
  /** Sends raw bytes over UDP (from `from`, default 127.0.0.2) and resolves with the replies seen within one microtask flush round. */
  udp(bytes: Uint8Array, from?: string): Promise<Buffer[]>
  /** Sends a packet over UDP and decodes the single reply. */
  ask(packet: Packet): Promise<ReturnType<typeof dnsPacket.decode> & { rcode?: string }>
}

export async function memoryServer(handler: HandlerLike, options: Partial<DnsServerOptions> = {}): Promise<MemoryServer> {
  const network = new MemoryNetwork()
  const server = new DnsServer({ handler, network, ...options })
  const { port } = await server.listen({ port: 53, address: '127.0.0.1' })
  const udp = async (bytes: Uint8Array, from = '127.0.0.2'): Promise<Buffer[]> => {
    const client = network.createDatagramSocket(4)
    await client.bind(0, from)
    const replies: Buffer[] = []
    client.onMessage((msg) => replies.push(msg))
    client.send(bytes, port, '127.0.0.1')
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
    await client.close()
    return replies
  }
  const ask = async (packet: Packet) => {
    const replies = await udp(dnsPacket.encode({ type: 'query', id: 4242, ...packet }))
    if (replies.length !== 1) throw new Error(`expected one reply, got ${replies.length}`)
    return dnsPacket.decode(replies[0]!) as ReturnType<typeof dnsPacket.decode> & { rcode?: string }
  }
  return { server, network, port, udp, ask }
}

export const opt = (udpPayloadSize = 1232, extra: Record<string, unknown> = {}) =>
  ({ name: '.', type: 'OPT', udpPayloadSize, ...extra }) as never

/** A DnsServer on a MemoryNetwork and FakeClock, with one TCP client connected to it. */
export async function memoryTcpClient(handler: HandlerLike, options: Partial<DnsServerOptions> = {}) {
  const clock = new FakeClock()
  const network = new MemoryNetwork({ clock })
  const server = new DnsServer({ handler, network, clock, ...options })
  const { port } = await server.listen({ port: 53, address: '127.0.0.1' })
  const socket = await network.connectStream('127.0.0.1', port)
  /** Every whole message the server sent, in order, without its length prefix. */
  const frames: Buffer[] = []
  let buf = Buffer.alloc(0)
  let closed = false
  socket.onData((chunk) => {
    buf = Buffer.concat([buf, chunk])
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      frames.push(buf.subarray(2, 2 + buf.readUInt16BE(0)))
      buf = buf.subarray(2 + buf.readUInt16BE(0))
    }
  })
  socket.onClose(() => (closed = true))
  /** A query framed for TCP (2-byte length, then the message). */
  const frame = (packet: Parameters<typeof dnsPacket.encode>[0]) => {
    const body = dnsPacket.encode({ type: 'query', ...packet })
    const out = Buffer.alloc(body.length + 2)
    out.writeUInt16BE(body.length, 0)
    body.copy(out, 2)
    return out
  }
  /** Lets the memory network deliver what was written. */
  const settle = async () => {
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r))
  }
  /** Delivers, advances the fake clock by `ms`, and delivers again. */
  const wait = async (ms: number) => {
    await settle()
    clock.advance(ms)
    await settle()
  }
  return { server, clock, socket, frames, frame, settle, wait, isClosed: () => closed }
}

// ---- the same UDP tests on every datagram engine ----

/** Where a UDP test runs: the MemoryNetwork, or real sockets on 127.0.0.1 with one of DnsServer's engines. */
export type UdpEngine = 'memory' | 'dgram' | 'batched'

/** A server as {@link memoryServer} gives it, whatever the engine. */
export type UdpServer = Omit<MemoryServer, 'network'>

const openServers: DnsServer[] = []

/**
 * Runs `body` once per engine, inside a describe named after it; servers the tests open on real
 * sockets are closed after each test. 'batched' is skipped, with the reason printed, where koffi
 * cannot load (not Linux, koffi not installed).
 */
export function describeEngines(title: string, engines: readonly UdpEngine[], body: (serve: (handler: HandlerLike, options?: Partial<DnsServerOptions>) => Promise<UdpServer>, engine: UdpEngine) => void): void {
  describe.each(engines)(`${title} (%s)`, (engine) => {
    const reason = engine === 'batched' ? batchedEngineUnavailable() : undefined
    if (reason !== undefined) {
      console.log(`skipped on the batched engine: ${reason}`)
      it.skip(`needs the batched engine (${reason})`, () => {})
      return
    }
    afterEach(async () => {
      await Promise.all(openServers.splice(0).map((s) => s.close()))
    })
    body((handler, options) => (engine === 'memory' ? memoryServer(handler, options) : socketServer(engine, handler, options)), engine)
  })
}

/**
 * A DnsServer on real sockets (`engine`), with the {@link memoryServer} interface. `udp()` sends
 * from a fresh socket (bound to `from`) and returns once the server has finished with the message
 * and every response it counted has arrived, so "no reply" is known without a sleep.
 */
export async function socketServer(engine: 'dgram' | 'batched', handler: HandlerLike, options: Partial<DnsServerOptions> = {}, address = '127.0.0.1'): Promise<UdpServer> {
  const server = new DnsServer({ handler, engine, ...options })
  openServers.push(server)
  const { port } = await server.listen({ port: 0, address })
  const udp = async (bytes: Uint8Array, from = address === '127.0.0.1' ? '127.0.0.2' : address): Promise<Buffer[]> => {
    const client = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4')
    await new Promise<void>((resolve) => client.bind(0, from, () => resolve()))
    const replies: Buffer[] = []
    client.on('message', (msg) => replies.push(msg))
    const before = server.snapshot().udp
    client.send(bytes, port, address)
    try {
      for (const deadline = Date.now() + 3000; Date.now() < deadline; ) {
        const now = server.snapshot()
        const finished = now.udp.queries + now.udp.dropped > before.queries + before.dropped && now.inFlight === 0
        if (finished && replies.length >= now.udp.responses - before.responses) break
        await new Promise((r) => setTimeout(r, 1))
      }
    } finally {
      client.close()
    }
    return replies
  }
  const ask = async (packet: Packet) => {
    const replies = await udp(dnsPacket.encode({ type: 'query', id: 4242, ...packet }))
    if (replies.length !== 1) throw new Error(`expected one reply, got ${replies.length}`)
    return dnsPacket.decode(replies[0]!) as ReturnType<typeof dnsPacket.decode> & { rcode?: string }
  }
  return { server, port, udp, ask }
}
