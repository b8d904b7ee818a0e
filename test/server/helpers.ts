// Shared helpers for server tests: a server on a MemoryNetwork and a raw exchange with it.
import dnsPacket from 'dns-packet'
import type { Packet } from 'dns-packet'
import { DnsServer } from '../../src/server/dns-server.js'
import type { DnsServerOptions } from '../../src/server/dns-server.js'
import type { HandlerLike } from '../../src/server/handler.js'
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
