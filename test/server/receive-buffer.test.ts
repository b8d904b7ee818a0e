// The UDP receive buffer DnsServer asks for: large by default, so a pause of the event loop (a
// garbage collection, a slow handler) queues a burst in the kernel instead of dropping it.
import { describe, expect, it } from 'vitest'
import { DnsServer } from '../../src/server/dns-server.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import type { DatagramSocket, Network } from '../../src/util/network.js'

/** A MemoryNetwork whose datagram sockets record the receive buffer sizes asked of them. */
function recordingNetwork(): { network: Network; asked: number[] } {
  const memory = new MemoryNetwork()
  const asked: number[] = []
  const network = Object.create(memory) as Network
  network.createDatagramSocket = (family: 4 | 6): DatagramSocket => {
    const socket = memory.createDatagramSocket(family)
    const set = socket.setReceiveBufferSize.bind(socket)
    socket.setReceiveBufferSize = (bytes: number) => {
      asked.push(bytes)
      set(bytes)
    }
    return socket
  }
  return { network, asked }
}

const handler = () => undefined

describe('DnsServer receive buffer', () => {
  it('asks for 4 MiB on each UDP socket by default', async () => {
    const { network, asked } = recordingNetwork()
    const server = new DnsServer({ handler, network })
    await server.listen({ port: 53, address: '127.0.0.1' })
    await server.listen({ port: 53, address: '::1' })
    expect(asked).toEqual([4 << 20, 4 << 20])
    await server.close()
  })

  it('asks for the size given, and leaves the system default with 0', async () => {
    const given = recordingNetwork()
    const server = new DnsServer({ handler, network: given.network, receiveBufferBytes: 1 << 20 })
    await server.listen({ port: 53, address: '127.0.0.1' })
    expect(given.asked).toEqual([1 << 20])
    await server.close()

    const none = recordingNetwork()
    const plain = new DnsServer({ handler, network: none.network, receiveBufferBytes: 0 })
    await plain.listen({ port: 53, address: '127.0.0.1' })
    expect(none.asked).toEqual([])
    await plain.close()
  })

  it('refuses a size that is not a whole number of bytes', () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() => new DnsServer({ handler, receiveBufferBytes: bad })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }))
    }
  })
})
