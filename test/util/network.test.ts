import { afterEach, describe, expect, it } from 'vitest'
import type { DatagramSocket } from '../../src/util/network.js'
import { nodeNetwork } from '../../src/util/network.js'

const opened: DatagramSocket[] = []
function socket(): DatagramSocket {
  const s = nodeNetwork.createDatagramSocket(4)
  opened.push(s)
  return s
}
function nextError(s: DatagramSocket): Promise<NodeJS.ErrnoException> {
  return new Promise((resolve) => s.onError((err) => resolve(err as NodeJS.ErrnoException)))
}
function nextMessage(s: DatagramSocket): Promise<{ text: string; port: number }> {
  return new Promise((resolve) => s.onMessage((msg, rinfo) => resolve({ text: msg.toString(), port: rinfo.port })))
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()))
})

describe('nodeNetwork datagram receive buffer', () => {
  it('sets SO_RCVBUF on a bound socket and never throws on an unbound one', async () => {
    const unbound = socket()
    expect(() => unbound.setReceiveBufferSize(1 << 20)).not.toThrow()
    const s = socket()
    await s.bind(0, '127.0.0.1')
    s.setReceiveBufferSize(1 << 20)
    // Linux doubles the value asked for (bookkeeping overhead), capped at net.core.rmem_max.
    const inner = (s as unknown as { socket: import('node:dgram').Socket }).socket
    expect(inner.getRecvBufferSize()).toBeGreaterThan(212_992)
  })
})

describe('nodeNetwork datagram connect', () => {
  it('a connected socket sends to its peer whatever address send is given, and hears its reply', async () => {
    const server = socket()
    const bound = await server.bind(0, '127.0.0.1')
    const client = socket()
    await client.connect(bound.port, '127.0.0.1')
    const atServer = nextMessage(server)
    client.send(Buffer.from('ping'), 1, '127.0.0.9')
    const got = await atServer
    expect(got.text).toBe('ping')
    const atClient = nextMessage(client)
    server.send(Buffer.from('pong'), got.port, '127.0.0.1')
    expect(await atClient).toEqual({ text: 'pong', port: bound.port })
  })

  it('a connected socket reports ECONNREFUSED when the peer port is closed', async () => {
    const gone = socket()
    const { port } = await gone.bind(0, '127.0.0.1')
    await gone.close()
    const client = socket()
    await client.connect(port, '127.0.0.1')
    const error = nextError(client)
    client.send(Buffer.from('anyone?'), port, '127.0.0.1')
    expect((await error).code).toBe('ECONNREFUSED')
  })
})
