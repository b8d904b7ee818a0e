// The UDP receive buffer DnsServer asks for: the system's by default (a flood's excess is dropped,
// so answers after it come at once), a larger one when asked (a pause queues instead of dropping).
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
  it('asks for the size given on each UDP socket', async () => {
    const { network, asked } = recordingNetwork()
    const server = new DnsServer({ handler, network, receiveBufferBytes: 4 << 20 })
    await server.listen({ port: 53, address: '127.0.0.1' })
    await server.listen({ port: 53, address: '::1' })
    expect(asked).toEqual([4 << 20, 4 << 20])
    await server.close()
  })

  it('leaves the system default unless asked, and with 0', async () => {
    const unset = recordingNetwork()
    const server0 = new DnsServer({ handler, network: unset.network })
    await server0.listen({ port: 53, address: '127.0.0.1' })
    expect(unset.asked).toEqual([])
    await server0.close()

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
