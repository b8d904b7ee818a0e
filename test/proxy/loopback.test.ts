// The relays on real loopback sockets with real DnsServers as members: datagram sessions and the
// TCP proxy carry DNS exchanges, a closed member port is noticed (ECONNREFUSED from the kernel's
// ICMP port unreachable, or a refused connect) and the traffic moves on, and a zone-transfer-sized
// stream of many DNS messages crosses the TCP proxy intact.
import { createHash } from 'node:crypto'
import dnsPacket from 'dns-packet'
import { afterEach, describe, expect, it } from 'vitest'
import { query } from '../../src/client/index.js'
import { DatagramSessions, TcpProxy } from '../../src/proxy/index.js'
import { respond } from '../../src/server/index.js'
import { freeLoopbackPort } from '../../src/testing/free-port.js'
import { createTestServer } from '../../src/testing/test-server.js'
import type { TestServer } from '../../src/testing/test-server.js'
import { nodeNetwork } from '../../src/util/network.js'
import type { StreamServer } from '../../src/util/network.js'
import { fakePicker } from './fake-picker.js'

/** A DnsServer that answers every A question with `address`. */
function member(address: string): Promise<TestServer> {
  return createTestServer((q) => respond(q, { answers: [{ name: q.question!.name, type: 'A', ttl: 60, data: address }] }))
}

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

describe('DatagramSessions on loopback', () => {
  it('relays DNS queries to a real DnsServer and the answers back', async () => {
    const a = await member('192.0.2.1')
    cleanup.push(() => a.close())
    const picker = fakePicker([{ address: a.address, port: a.port }])
    const sessions = new DatagramSessions({ picker })
    cleanup.push(() => sessions.close())
    const bound = await sessions.listen({ port: 0, address: '127.0.0.1' })
    for (const name of ['one.test.', 'two.test.']) {
      const r = await query({ address: bound.address, port: bound.port }, { name, type: 'A' }, { timeoutMs: 1000, retries: 0 })
      expect(r.packet.answers).toEqual([expect.objectContaining({ name: name.slice(0, -1), data: '192.0.2.1' })])
    }
    expect(picker.answers.map((x) => x.key)).toEqual([`127.0.0.1#${a.port}`, `127.0.0.1#${a.port}`])
    expect(sessions.snapshot()).toMatchObject({ opened: 2, relayed: 2, sessions: 0 })
  })

  it('hears the kernel refuse a closed member port and retries on the next member', async () => {
    const closedPort = await freeLoopbackPort()
    const b = await member('192.0.2.2')
    cleanup.push(() => b.close())
    const picker = fakePicker([{ address: '127.0.0.1', port: closedPort }, { address: b.address, port: b.port }])
    const sessions = new DatagramSessions({ picker })
    cleanup.push(() => sessions.close())
    const bound = await sessions.listen({ port: 0, address: '127.0.0.1' })
    const r = await query({ address: bound.address, port: bound.port }, { name: 'x.test.', type: 'A' }, { timeoutMs: 1000, retries: 0 })
    expect(r.packet.answers![0]).toMatchObject({ data: '192.0.2.2' })
    expect(picker.failures).toEqual([`127.0.0.1#${closedPort} port unreachable`])
    expect(sessions.snapshot().retried).toBe(1)
  })
})

describe('TcpProxy on loopback', () => {
  it('carries DNS over TCP to a real DnsServer, past a member that refuses connections', async () => {
    const closedPort = await freeLoopbackPort()
    const b = await member('192.0.2.3')
    cleanup.push(() => b.close())
    const picker = fakePicker([{ address: '127.0.0.1', port: closedPort }, { address: b.address, port: b.port }])
    const proxy = new TcpProxy({ picker })
    cleanup.push(() => proxy.close())
    const bound = await proxy.listen({ port: 0, address: '127.0.0.1' })
    const r = await query({ address: bound.address, port: bound.port }, { name: 'tcp.test.', type: 'A' }, { tcp: true, timeoutMs: 2000 })
    expect(r.transport).toBe('tcp')
    expect(r.packet.answers).toEqual([expect.objectContaining({ name: 'tcp.test', data: '192.0.2.3' })])
    expect(picker.failures).toEqual([expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1#${closedPort} connect: .*ECONNREFUSED`))])
  })

  it('relays a zone-transfer-sized stream of DNS messages intact, with backpressure on real sockets', async () => {
    // A member that answers one framed AXFR query with 400 framed messages of 100 records each.
    const messages = Array.from({ length: 400 }, (_, i) =>
      dnsPacket.encode({
        type: 'response',
        id: 7,
        flags: dnsPacket.AUTHORITATIVE_ANSWER,
        questions: [{ name: 'big.test', type: 'AXFR' }],
        answers: Array.from({ length: 100 }, (_, j) => ({ name: `h${i}-${j}.big.test`, type: 'A' as const, ttl: 300, data: `10.${i % 256}.${j}.1` })),
      }),
    )
    const stream = Buffer.concat(messages.flatMap((m) => [Buffer.from([m.length >> 8, m.length & 0xff]), m]))
    let upstreamHeard = Buffer.alloc(0)
    const server: StreamServer = nodeNetwork.createStreamServer((socket) => {
      socket.onData((chunk) => {
        upstreamHeard = Buffer.concat([upstreamHeard, chunk])
        if (upstreamHeard.length >= 2 && upstreamHeard.length >= 2 + upstreamHeard.readUInt16BE(0)) {
          socket.write(stream)
          socket.end()
        }
      })
    })
    const member = await server.listen(0, '127.0.0.1')
    cleanup.push(() => server.close())
    const proxy = new TcpProxy({ picker: fakePicker([{ address: '127.0.0.1', port: member.port }]) })
    cleanup.push(() => proxy.close())
    const bound = await proxy.listen({ port: 0, address: '127.0.0.1' })

    const client = await nodeNetwork.connectStream(bound.address, bound.port, { timeoutMs: 2000 })
    const chunks: Buffer[] = []
    const done = new Promise<void>((resolve) => client.onClose(resolve))
    client.onData((chunk) => chunks.push(chunk))
    const q = dnsPacket.encode({ type: 'query', id: 7, questions: [{ name: 'big.test', type: 'AXFR' }] })
    client.write(Buffer.concat([Buffer.from([q.length >> 8, q.length & 0xff]), q]))
    await done
    const got = Buffer.concat(chunks)
    expect(stream.length).toBeGreaterThan(1_000_000)
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(stream).digest('hex'))
    // Every framed message decodes, in order.
    let offset = 0
    let count = 0
    while (offset < got.length) {
      const len = got.readUInt16BE(offset)
      const decoded = dnsPacket.decode(got.subarray(offset + 2, offset + 2 + len))
      expect(decoded.answers![0]).toMatchObject({ name: `h${count}-0.big.test` })
      offset += 2 + len
      count++
    }
    expect(count).toBe(400)
    expect(proxy.snapshot()).toMatchObject({ bytesDown: stream.length, connections: 0 })
  })
})
