// A fake DNS server endpoint on a MemoryNetwork whose every reply the test decides.
import dnsPacket from 'dns-packet'
import type { Answer } from 'dns-packet'
import type { DatagramSocket, RemoteInfo, StreamServer, StreamSocket } from '../../src/util/network.js'
import { afterEach, beforeEach } from 'vitest'
import type { QueryOptions } from '../../src/client/query.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import { seededRandom } from '../../src/util/random.js'

export type Reply = (bytes: Uint8Array) => void

export interface FakeEndpoint {
  address: string
  port: number
  udpSocket: DatagramSocket
  /** Every UDP datagram received, in order. */
  udp: { msg: Buffer; rinfo: RemoteInfo }[]
  /** Every complete TCP message received, in order. */
  tcp: Buffer[]
  /** What to do with a UDP query (default: nothing). */
  onUdp: (msg: Buffer, rinfo: RemoteInfo, reply: Reply) => void
  /** What to do with a TCP query (default: nothing); `socket` is there to misbehave with. */
  onTcp: (msg: Buffer, reply: Reply, socket: StreamSocket) => void
  listenTcp(): Promise<void>
  close(): Promise<void>
}

export async function fakeEndpoint(network: MemoryNetwork, address = '10.0.0.53', port = 53): Promise<FakeEndpoint> {
  const udpSocket = network.createDatagramSocket(address.includes(':') ? 6 : 4)
  await udpSocket.bind(port, address)
  let tcpServer: StreamServer | undefined
  const endpoint: FakeEndpoint = {
    address,
    port,
    udpSocket,
    udp: [],
    tcp: [],
    onUdp: () => {},
    onTcp: () => {},
    async listenTcp() {
      tcpServer = network.createStreamServer((socket) => {
        let pending = Buffer.alloc(0)
        socket.onData((chunk) => {
          pending = Buffer.concat([pending, chunk])
          while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
            const msg = pending.subarray(2, 2 + pending.readUInt16BE(0))
            pending = pending.subarray(2 + msg.length)
            endpoint.tcp.push(msg)
            endpoint.onTcp(msg, (bytes) => socket.write(frame(bytes)), socket)
          }
        })
      })
      await tcpServer.listen(port, address)
    },
    async close() {
      await udpSocket.close()
      await tcpServer?.close()
    },
  }
  udpSocket.onMessage((msg, rinfo) => {
    endpoint.udp.push({ msg, rinfo })
    endpoint.onUdp(msg, rinfo, (bytes) => udpSocket.send(bytes, rinfo.port, rinfo.address))
  })
  return endpoint
}

/** A 2-byte length prefix and the message (RFC 1035 §4.2.2). */
export function frame(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(bytes.length + 2)
  out.writeUInt16BE(bytes.length, 0)
  out.set(bytes, 2)
  return out
}

/** The response to `query` (its id and question echoed) with these answers and extra header bits. */
export function answer(query: Uint8Array, answers: Answer[] = [], options: { flags?: number; id?: number; name?: string; type?: string } = {}): Buffer {
  const q = dnsPacket.decode(Buffer.from(query))
  const question = q.questions![0]!
  return dnsPacket.encode({
    type: 'response',
    id: options.id ?? q.id,
    flags: dnsPacket.RECURSION_DESIRED | (options.flags ?? 0),
    questions: [{ ...question, name: options.name ?? question.name, type: (options.type ?? question.type) as never }],
    answers,
  })
}

export const a = (name: string, data: string, ttl = 300): Answer => ({ name, type: 'A', class: 'IN', ttl, data })

/** Resolves to the result or the error, so a pending query never becomes an unhandled rejection. */
export function settle<T>(p: Promise<T>): Promise<T | Error> {
  return p.then(
    (r) => r,
    (e: Error) => e,
  )
}

/** A FakeClock, a MemoryNetwork on it, and a {@link fakeEndpoint} on that, fresh for each test. */
export interface FakeServerEnv {
  clock: FakeClock
  network: MemoryNetwork
  server: FakeEndpoint
  /** The server as a query target. */
  target(): { address: string; port: number }
  /** Query options on this network and clock (seeded random, 1 s timeout, then `defaults`), then `extra`. */
  opts(extra?: QueryOptions): QueryOptions
}

/**
 * Registers the beforeEach/afterEach that build a {@link FakeServerEnv} for each test of the
 * enclosing file or describe block and close its server after.
 */
export function useFakeServer(seed = 7, defaults: QueryOptions = {}): FakeServerEnv {
  const env = {
    target: () => ({ address: env.server.address, port: env.server.port }),
    opts: (extra: QueryOptions = {}): QueryOptions => ({ network: env.network, clock: env.clock, random: seededRandom(seed), timeoutMs: 1000, ...defaults, ...extra }),
  } as FakeServerEnv
  beforeEach(async () => {
    env.clock = new FakeClock()
    env.network = new MemoryNetwork({ clock: env.clock })
    env.server = await fakeEndpoint(env.network)
  })
  afterEach(async () => {
    await env.server.close()
  })
  return env
}
