// EDNS Client Subnet insertion by the pool (RFC 7871): what the member sees, what the client
// gets back, the cache keyed per subnet, and an Authority's ECS views behind the pool.
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { decodeClientSubnet } from '../../src/packet/client-subnet.js'
import { UdpProxyPool } from '../../src/proxy/udp-proxy-pool.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { parseZone } from '../../src/zone/index.js'
import type { Rig } from './helpers.js'
import { rig } from './helpers.js'

const RD = dnsPacket.RECURSION_DESIRED

type Packet = ReturnType<typeof dnsPacket.decode>

function query(id: number, edns: boolean): Buffer {
  const additionals = edns ? [{ name: '.', type: 'OPT', udpPayloadSize: 1232, options: [{ code: 10, data: Buffer.from('0123456789abcdef', 'hex') }] }] : []
  return dnsPacket.encode({ type: 'query', id, flags: RD, questions: [{ name: 'www.example', type: 'A', class: 'IN' }], additionals: additionals as never })
}

/** The member echoes the query's OPT record (its ECS option with `scope`) as a resolver that supports ECS does. */
function echoOpt(scope = 0) {
  return (msg: Buffer): Buffer => {
    const q = dnsPacket.decode(msg)
    const additionals = (q.additionals ?? []).map((a) => {
      const opt = a as { options?: { code: number; data?: unknown; scopePrefixLength?: number }[] }
      // Without its raw `data`, dns-packet encodes the ECS option from its fields, the scope included.
      return { ...a, options: (opt.options ?? []).map(({ data, ...o }) => (o.code === 8 ? { ...o, scopePrefixLength: scope } : { ...o, data })) }
    })
    return dnsPacket.encode({ type: 'response', id: q.id, flags: RD | dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers: [{ name: 'www.example', type: 'A', ttl: 60, data: '192.0.2.1' }], additionals: additionals as never })
  }
}

function opts(p: Packet): { code: number }[] | undefined {
  const opt = (p.additionals ?? []).find((a) => a.type === 'OPT') as { options?: { code: number }[] } | undefined
  return opt ? (opt.options ?? []) : undefined
}

async function clientAt(r: Rig, address: string): Promise<{ ask: (msg: Buffer) => void; replies: Packet[] }> {
  const socket = r.network.createDatagramSocket(4)
  await socket.bind(5353, address)
  const replies: Packet[] = []
  socket.onMessage((msg) => replies.push(dnsPacket.decode(msg)))
  return { ask: (msg) => socket.send(msg, r.port, '10.0.0.1'), replies }
}

describe('UdpProxyPool clientSubnet', () => {
  it('sends the client subnet to the member; the client without EDNS gets no OPT back', async () => {
    const r = await rig([{}], { clientSubnet: { ipv4Prefix: 24 } })
    r.members[0]!.answerTo = echoOpt()
    r.client.send(query(7, false), r.port, '10.0.0.1')
    await r.settle()
    const seen = decodeClientSubnet(r.members[0]!.received[0]!.msg)
    expect(seen).toMatchObject({ family: 1, sourcePrefix: 24, address: '10.0.2.0' })
    expect(r.raw).toHaveLength(1)
    expect(r.replies[0]!.id).toBe(7)
    expect(r.replies[0]!.answers?.map((a) => (a as { data: unknown }).data)).toEqual(['192.0.2.1'])
    expect(opts(r.replies[0]!)).toBeUndefined()
    expect(r.raw[0]!.readUInt16BE(10)).toBe(0)
  })

  it('a client with EDNS keeps its OPT and its own options, without the ECS it did not send', async () => {
    const r = await rig([{}], { clientSubnet: { ipv4Prefix: 32 } })
    r.members[0]!.answerTo = echoOpt()
    r.client.send(query(8, true), r.port, '10.0.0.1')
    await r.settle()
    expect(decodeClientSubnet(r.members[0]!.received[0]!.msg)).toMatchObject({ sourcePrefix: 32, address: '10.0.2.1' })
    expect(opts(r.replies[0]!)?.map((o) => o.code)).toEqual([10])
  })

  it('without clientSubnet the member sees no ECS', async () => {
    const r = await rig([{}])
    r.client.send(query(9, false), r.port, '10.0.0.1')
    await r.settle()
    expect(decodeClientSubnet(r.members[0]!.received[0]!.msg)).toBeUndefined()
  })

  it('with the cache on, keys answers per subnet; an answer scoped narrower than the subnet sent is not kept', async () => {
    const r = await rig([{}], { clientSubnet: { ipv4Prefix: 24 }, cache: true })
    r.members[0]!.answerTo = echoOpt()
    const a = await clientAt(r, '10.7.1.1')
    const b = await clientAt(r, '10.7.1.2')
    const c = await clientAt(r, '10.7.2.1')
    for (const who of [a, b, c]) {
      who.ask(query(1, false))
      await r.settle()
    }
    expect(r.members[0]!.received.map((m) => decodeClientSubnet(m.msg)?.address)).toEqual(['10.7.1.0', '10.7.2.0'])
    expect([a, b, c].map((w) => w.replies.length)).toEqual([1, 1, 1])
    expect(opts(b.replies[0]!)).toBeUndefined()
    const narrow = await rig([{}], { clientSubnet: { ipv4Prefix: 24 }, cache: true })
    narrow.members[0]!.answerTo = echoOpt(28)
    for (let i = 0; i < 2; i++) {
      narrow.client.send(query(1, false), narrow.port, '10.0.0.1')
      await narrow.settle()
    }
    expect(narrow.members[0]!.received).toHaveLength(2)
  })

  it('keys on the prefix bits only, also within a byte', async () => {
    const r = await rig([{}], { clientSubnet: { ipv4Prefix: 20 }, cache: true })
    r.members[0]!.answerTo = echoOpt()
    const a = await clientAt(r, '10.7.1.1')
    const b = await clientAt(r, '10.7.14.1')
    const c = await clientAt(r, '10.7.16.1')
    for (const who of [a, b, c]) {
      who.ask(query(1, false))
      await r.settle()
    }
    expect(r.members[0]!.received.map((m) => decodeClientSubnet(m.msg)?.address)).toEqual(['10.7.0.0', '10.7.16.0'])
    expect([a, b, c].map((w) => w.replies.length)).toEqual([1, 1, 1])
  })
})

describe('clientSubnet options', () => {
  it('rejects a prefix outside its family or not whole', () => {
    for (const clientSubnet of [{ ipv4Prefix: 33 }, { ipv4Prefix: -1 }, { ipv6Prefix: 129 }, { ipv6Prefix: 56.5 }]) {
      let error: unknown
      try {
        new UdpProxyPool({ members: [{ address: '10.0.1.1' }], clientSubnet })
      } catch (e) {
        error = e
      }
      expect(isDnsHaError(error) && error.code === 'ERR_CONFIG', JSON.stringify(clientSubnet)).toBe(true)
    }
    expect(() => new UdpProxyPool({ members: [{ address: '10.0.1.1' }], clientSubnet: { ipv4Prefix: 32, ipv6Prefix: 0 } })).not.toThrow()
  })
})

describe('an Authority with ECS views behind the pool', () => {
  const zone = (address: string) => parseZone(`$TTL 60\n@ SOA ns h 1 1 1 1 60\n@ NS ns\nns A 192.0.2.53\nwww A ${address}\n`, { origin: 'example.test.' })

  async function through(clientSubnet: boolean): Promise<string[]> {
    const network = new MemoryNetwork()
    const authority = new Authority({
      views: [
        { name: 'lan', match: { ecs: ['10.0.0.0/8'] }, zones: [zone('10.0.0.80')] },
        { name: 'world', zones: [zone('192.0.2.80')] },
      ],
    })
    const server = new DnsServer({ handler: authority, network })
    await server.listen({ port: 53, address: '172.16.0.53' })
    const pool = new UdpProxyPool({ members: [{ address: '172.16.0.53' }], network, ...(clientSubnet ? { clientSubnet: { ipv4Prefix: 24 } } : {}) })
    await pool.listen({ port: 53, address: '172.16.0.1' })
    const client = network.createDatagramSocket(4)
    await client.bind(4000, '10.1.2.3')
    const replies: Packet[] = []
    client.onMessage((msg) => replies.push(dnsPacket.decode(msg)))
    client.send(dnsPacket.encode({ type: 'query', id: 99, questions: [{ name: 'www.example.test', type: 'A' }] }), 53, '172.16.0.1')
    for (let i = 0; i < 50 && replies.length === 0; i++) await new Promise((resolve) => setImmediate(resolve))
    await Promise.all([pool.close(), server.close(), client.close()])
    expect(replies).toHaveLength(1)
    expect(opts(replies[0]!)).toBeUndefined()
    return (replies[0]!.answers ?? []).map((a) => String((a as { data: unknown }).data))
  }

  it('answers from the view matching the client subnet with clientSubnet, else from the catch-all', async () => {
    expect(await through(true)).toEqual(['10.0.0.80'])
    expect(await through(false)).toEqual(['192.0.2.80'])
  })
})
