// DnsServer on real sockets: 127.0.0.1 (and ::1 when the machine has IPv6 loopback), port 0.
import net from 'node:net'
import { networkInterfaces } from 'node:os'
import dnsPacket from 'dns-packet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DnsServer } from '../../src/server/dns-server.js'
import { respond } from '../../src/server/respond.js'
import { udpAsk } from './udp-ask.js'

const handler = (q: Parameters<typeof respond>[0]) =>
  q.question!.name.toLowerCase().startsWith('big.')
    ? respond(q, { aa: true, answers: Array.from({ length: 80 }, (_, i) => ({ name: q.question!.name, type: 'A' as const, ttl: 60, data: `10.0.${i >> 8}.${i & 255}` })) })
    : respond(q, { aa: true, answers: [{ name: q.question!.name, type: 'A', ttl: 60, data: '192.0.2.1' }] })


function tcpAsk(address: string, port: number, packets: Buffer[]): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = []
    let buf = Buffer.alloc(0)
    const s = net.connect({ host: address, port }, () => {
      s.write(Buffer.concat(packets.map((p) => Buffer.concat([Buffer.from([p.length >> 8, p.length & 255]), p]))))
    })
    const timer = setTimeout(() => {
      s.destroy()
      reject(new Error('tcp timeout'))
    }, 2000)
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d])
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        out.push(buf.subarray(2, 2 + buf.readUInt16BE(0)))
        buf = buf.subarray(2 + buf.readUInt16BE(0))
      }
      if (out.length === packets.length) {
        clearTimeout(timer)
        s.end()
        resolve(out)
      }
    })
    s.on('error', reject)
  })
}

const query = (name: string, id = 1, extra: Partial<Parameters<typeof dnsPacket.encode>[0]> = {}) =>
  dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A' }], ...extra })

const hasIpv6Loopback = Object.values(networkInterfaces()).some((list) => list?.some((i) => i.address === '::1'))

describe('DnsServer on 127.0.0.1', () => {
  const server = new DnsServer({ handler })
  let port = 0
  beforeAll(async () => {
    port = (await server.listen({ port: 0, address: '127.0.0.1' })).port
  })
  afterAll(() => server.close())

  it('binds UDP and TCP on the same port', () => {
    expect(port).toBeGreaterThan(0)
    expect(server.addresses()).toEqual([{ address: '127.0.0.1', port, family: 'IPv4' }])
  })

  it('answers over UDP', async () => {
    const r = dnsPacket.decode(await udpAsk('127.0.0.1', port, query('www.example.test', 77)))
    expect(r.id).toBe(77)
    expect(dataOf(r.answers?.[0])).toBe('192.0.2.1')
  })

  it('truncates a large UDP answer and serves it whole over TCP, several queries per connection', async () => {
    const udp = dnsPacket.decode(await udpAsk('127.0.0.1', port, query('big.example.test', 5)))
    expect(udp.flag_tc).toBe(true)
    const [a, b] = await tcpAsk('127.0.0.1', port, [query('big.example.test', 6), query('www.example.test', 7)])
    const answers = [dnsPacket.decode(a!), dnsPacket.decode(b!)].sort((x, y) => x.id! - y.id!)
    expect(answers[0]!.answers).toHaveLength(80)
    expect(dataOf(answers[1]!.answers?.[0])).toBe('192.0.2.1')
  })

  it('refuses to listen twice on a taken port with a typed error', async () => {
    const other = new DnsServer({ handler })
    await expect(other.listen({ port, address: '127.0.0.1' })).rejects.toMatchObject({ code: 'ERR_SERVER_LISTEN' })
    await other.close()
  })
})

describe.skipIf(!hasIpv6Loopback)('DnsServer on ::1', () => {
  if (!hasIpv6Loopback) console.warn('skipping IPv6 socket tests: this machine has no ::1')
  it('answers over UDP and TCP on IPv6 loopback', async () => {
    const server = new DnsServer({ handler })
    const bound = await server.listen({ port: 0, address: '::1' })
    expect(bound.family).toBe('IPv6')
    const r = dnsPacket.decode(await udpAsk('::1', bound.port, query('v6.example.test', 9)))
    expect(dataOf(r.answers?.[0])).toBe('192.0.2.1')
    const [t] = await tcpAsk('::1', bound.port, [query('v6.example.test', 10)])
    expect(dnsPacket.decode(t!).id).toBe(10)
    await server.close()
  })
})

function dataOf(answer: unknown): unknown {
  return (answer as { data?: unknown } | undefined)?.data
}
