import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { DnsServer } from '../../src/server/dns-server.js'
import { respondStream } from '../../src/server/stream-response.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import type { Network, StreamSocket } from '../../src/util/network.js'
import type { HandlerFn } from '../../src/server/handler.js'
import { memoryServer, memoryTcpClient } from './helpers.js'
import type { Decoded } from '../authority/helpers.js'

const decode = (b: Uint8Array): Decoded => dnsPacket.decode(Buffer.from(b)) as Decoded

/** An encoded response with id 0 (the server patches the query's in) naming `label`. */
const message = (label: string) => dnsPacket.encode({ type: 'response', id: 0, flags: 0x400, questions: [], answers: [{ name: `${label}.test`, type: 'A', ttl: 1, data: '192.0.2.1' }] })
const framedQuery = (id: number) => {
  const body = dnsPacket.encode({ type: 'query', id, questions: [{ name: 'example.', type: 'AXFR' }] })
  return Buffer.concat([Buffer.from([body.length >> 8, body.length & 0xff]), body])
}

describe('stream responses', () => {
  it('writes every message in order over TCP, each with the query id, then answers the next query', async () => {
    const handler: HandlerFn = (q) => (q.id === 1 ? respondStream(['a', 'b', 'c'].map(message)) : respondStream((async function* () {
      yield message('d')
      await new Promise((r) => setImmediate(r))
      yield message('e')
    })()))
    const t = await memoryTcpClient(handler)
    t.socket.write(framedQuery(1))
    await t.settle()
    t.socket.write(framedQuery(2))
    await t.settle()
    const got = t.frames.map((f) => decode(f))
    expect(got.map((d) => `${d.id} ${d.answers![0]!.name}`)).toEqual(['1 a.test', '1 b.test', '1 c.test', '2 d.test', '2 e.test'])
    expect(t.server.snapshot().tcp.responses).toBe(5)
    expect(t.isClosed()).toBe(false)
  })

  it('sends only the first message over UDP', async () => {
    const s = await memoryServer(() => respondStream(['a', 'b'].map(message)))
    const replies = await s.udp(dnsPacket.encode({ type: 'query', id: 5, questions: [{ name: 'example.', type: 'A' }] }))
    expect(replies.map((r) => decode(r).answers![0]!.name)).toEqual(['a.test'])
  })

  it('answers SERVFAIL when the stream fails before its first message, and cuts the connection when it fails later', async () => {
    let failFirst = true
    const handler: HandlerFn = () =>
      respondStream(
        (function* () {
          if (failFirst) throw new Error('no zone')
          yield message('a')
          throw new Error('broken half way')
        })(),
      )
    const t = await memoryTcpClient(handler)
    const errors: unknown[] = []
    t.server.on('error', (e) => errors.push(e))
    t.socket.write(framedQuery(1))
    await t.settle()
    expect(t.frames.map((f) => decode(f).rcode)).toEqual(['SERVFAIL'])
    expect(t.isClosed()).toBe(false)
    failFirst = false
    t.socket.write(framedQuery(2))
    await t.settle()
    expect(t.frames.map((f) => decode(f).answers?.[0]?.name ?? decode(f).rcode)).toEqual(['SERVFAIL', 'a.test'])
    expect(t.isClosed()).toBe(true)
    expect(errors).toHaveLength(2)
  })

  it('stops reading the stream once the client has gone', async () => {
    let produced = 0
    const t = await memoryTcpClient(() =>
      respondStream(
        (async function* () {
          for (;;) {
            produced++
            yield message('x')
            await new Promise((r) => setImmediate(r))
          }
        })(),
      ),
    )
    t.socket.write(framedQuery(1))
    await t.settle()
    t.socket.destroy()
    await t.settle()
    const after = produced
    await t.settle()
    expect(produced - after).toBeLessThanOrEqual(1)
  })
})

describe('stream responses under backpressure', () => {
  /**
   * A DnsServer whose TCP sockets report a full buffer after every write (`write` returns false)
   * until the test calls `drain()`: what a real socket does when the client reads slowly.
   */
  async function congested(handler: HandlerFn) {
    const clock = new FakeClock()
    const network = new MemoryNetwork({ clock })
    let drainHandler: (() => void) | undefined
    const wrapped: Network = {
      createDatagramSocket: (f) => network.createDatagramSocket(f),
      connectStream: (a, p, o) => network.connectStream(a, p, o),
      createStreamServer: (onConnection) =>
        network.createStreamServer((socket) => {
          const full: StreamSocket = {
            remote: socket.remote,
            get writableLength() {
              return socket.writableLength
            },
            write: (data) => (socket.write(data), false),
            onDrain: (h) => (drainHandler = h),
            onData: (h) => socket.onData(h),
            onClose: (h) => socket.onClose(h),
            onError: (h) => socket.onError(h),
            pause: () => socket.pause(),
            resume: () => socket.resume(),
            end: () => socket.end(),
            destroy: () => socket.destroy(),
          }
          onConnection(full)
        }),
    }
    const server = new DnsServer({ handler, network: wrapped, clock, tcpIdleTimeoutMs: 5000 })
    await server.listen({ port: 53, address: '127.0.0.1' })
    const client = await network.connectStream('127.0.0.1', 53)
    const frames: Buffer[] = []
    let buf = Buffer.alloc(0)
    let closed = false
    client.onData((chunk) => {
      buf = Buffer.concat([buf, chunk])
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        frames.push(buf.subarray(2, 2 + buf.readUInt16BE(0)))
        buf = buf.subarray(2 + buf.readUInt16BE(0))
      }
    })
    client.onClose(() => (closed = true))
    const settle = async () => {
      for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r))
    }
    return { server, clock, client, frames, settle, drain: () => drainHandler?.(), isClosed: () => closed }
  }

  it('writes the next message only after the socket drains', async () => {
    const c = await congested(() => respondStream(['a', 'b', 'c'].map(message)))
    c.client.write(framedQuery(1))
    await c.settle()
    expect(c.frames).toHaveLength(1)
    c.drain()
    await c.settle()
    expect(c.frames).toHaveLength(2)
    c.drain()
    await c.settle()
    expect(c.frames.map((f) => decode(f).answers![0]!.name)).toEqual(['a.test', 'b.test', 'c.test'])
  })

  it('disconnects a client that does not read for tcpIdleTimeoutMs while a stream waits', async () => {
    const c = await congested(() => respondStream(['a', 'b', 'c'].map(message)))
    const errors: unknown[] = []
    c.server.on('error', (e) => errors.push(e))
    c.client.write(framedQuery(1))
    await c.settle()
    c.clock.advance(4999)
    await c.settle()
    expect(c.isClosed()).toBe(false)
    c.clock.advance(1)
    await c.settle()
    expect(c.isClosed()).toBe(true)
    expect(c.frames).toHaveLength(1)
    expect(errors).toHaveLength(1)
  })
})
