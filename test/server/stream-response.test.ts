import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { respondStream } from '../../src/server/stream-response.js'
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
