// The pool's packet cache on a MemoryNetwork and FakeClock: hits answered without the member,
// TTLs counted down, expiry, RFC 2308 negatives, what is never cached, and the key's bits.
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { UdpProxyPool } from '../../src/proxy/udp-proxy-pool.js'
import { isDnsHaError } from '../../src/util/errors.js'
import type { Rig } from './helpers.js'
import { rig } from './helpers.js'

const RD = dnsPacket.RECURSION_DESIRED
const RA = dnsPacket.RECURSION_AVAILABLE
const CD = dnsPacket.CHECKING_DISABLED

interface Ask {
  id?: number
  name?: string
  type?: string
  flags?: number
  /** EDNS: undefined sends no OPT, else the DO bit. */
  dnssecOk?: boolean
  options?: unknown[]
}

function query(o: Ask = {}): Buffer {
  const additionals = o.dnssecOk === undefined ? [] : [{ name: '.', type: 'OPT', udpPayloadSize: 1232, flags: o.dnssecOk ? dnsPacket.DNSSEC_OK : 0, options: o.options ?? [] }]
  return dnsPacket.encode({ type: 'query', id: o.id ?? 1, flags: o.flags ?? RD, questions: [{ name: o.name ?? 'www.example', type: (o.type ?? 'A') as 'A', class: 'IN' }], additionals: additionals as never })
}

function send(r: Rig, o: Ask = {}): void {
  r.client.send(query(o), r.port, '10.0.0.1')
}

/** The member answers NXDOMAIN with an SOA (TTL 3600, MINIMUM `minimum`) in the authority section. */
function nxdomain(minimum: number) {
  return (msg: Buffer): Buffer => {
    const q = dnsPacket.decode(msg)
    return dnsPacket.encode({
      type: 'response',
      id: q.id,
      flags: RD | RA | 3,
      questions: q.questions,
      authorities: [{ name: 'example', type: 'SOA', ttl: 3600, data: { mname: 'ns.example', rname: 'host.example', serial: 1, refresh: 60, retry: 60, expire: 600, minimum } }],
    })
  }
}

function withFlags(extra: number) {
  return (msg: Buffer): Buffer => {
    const q = dnsPacket.decode(msg)
    return dnsPacket.encode({ type: 'response', id: q.id, flags: RD | RA | extra, questions: q.questions, answers: [{ name: q.questions![0]!.name, type: 'A', class: 'IN', ttl: 60, data: '192.0.2.1' }] })
  }
}

const ttls = (r: Rig, i: number) => [...(r.replies[i]!.answers ?? []), ...(r.replies[i]!.authorities ?? [])].map((a) => (a as { ttl?: number }).ttl)

describe('UdpProxyPool packet cache', () => {
  it('is off by default: every query goes to the member and the snapshot has no cache', async () => {
    const r = await rig([{}])
    send(r, { id: 1 })
    await r.settle()
    send(r, { id: 2 })
    await r.settle()
    expect(r.members[0]!.received).toHaveLength(2)
    expect(r.pool.snapshot().cache).toBeUndefined()
  })

  it('answers a hit itself: the client id and question case, the stored bytes otherwise', async () => {
    const r = await rig([{}], { cache: true })
    send(r, { id: 0x1111, name: 'www.example' })
    await r.settle()
    send(r, { id: 0x2222, name: 'WWW.Example' })
    await r.settle()
    expect(r.members[0]!.received).toHaveLength(1)
    expect(r.raw).toHaveLength(2)
    const expected = Buffer.from(r.raw[0]!)
    expected.writeUInt16BE(0x2222, 0)
    expected.write('WWW', 13, 'latin1')
    expected.write('E', 17, 'latin1')
    expect(r.raw[1]).toEqual(expected)
    expect(r.replies[1]!.questions![0]!.name).toBe('WWW.Example')
    expect(r.pool.snapshot().cache).toMatchObject({ hits: 1, misses: 1, inserts: 1, size: 1 })
    // A hit is not a relayed query.
    expect(r.pool.snapshot().counters).toMatchObject({ queries: 1, answers: 1 })
  })

  it('counts the TTLs down and asks the member again once they run out', async () => {
    const r = await rig([{}], { cache: true })
    send(r)
    await r.settle()
    r.clock.advance(10_500)
    send(r)
    await r.settle()
    expect(ttls(r, 1)).toEqual([50])
    r.clock.advance(49_000)
    send(r)
    await r.settle()
    expect(ttls(r, 2)).toEqual([1])
    expect(r.members[0]!.received).toHaveLength(1)
    r.clock.advance(500)
    send(r)
    await r.settle()
    expect(r.members[0]!.received).toHaveLength(2)
    expect(ttls(r, 3)).toEqual([60])
  })

  it('clamps the stored TTLs to maxTtl and raises them to minTtl', async () => {
    const high = await rig([{}], { cache: { maxTtl: 20 } })
    send(high)
    await high.settle()
    send(high)
    await high.settle()
    expect(ttls(high, 0)).toEqual([60])
    expect(ttls(high, 1)).toEqual([20])
    high.clock.advance(20_000)
    send(high)
    await high.settle()
    expect(high.members[0]!.received).toHaveLength(2)
    const low = await rig([{}], { cache: { minTtl: 300 } })
    send(low)
    await low.settle()
    low.clock.advance(100_000)
    send(low)
    await low.settle()
    expect(low.members[0]!.received).toHaveLength(1)
    expect(ttls(low, 1)).toEqual([200])
  })

  it('keeps NXDOMAIN for the SOA minimum (RFC 2308), at most maxNegativeTtl', async () => {
    const r = await rig([{}], { cache: true })
    r.members[0]!.answerTo = nxdomain(30)
    send(r)
    await r.settle()
    r.clock.advance(29_000)
    send(r)
    await r.settle()
    expect(r.members[0]!.received).toHaveLength(1)
    expect(r.replies[1]!.rcode).toBe('NXDOMAIN')
    expect(ttls(r, 1)).toEqual([1])
    r.clock.advance(1_000)
    send(r)
    await r.settle()
    expect(r.members[0]!.received).toHaveLength(2)
    const capped = await rig([{}], { cache: { maxNegativeTtl: 10 } })
    capped.members[0]!.answerTo = nxdomain(30)
    send(capped)
    await capped.settle()
    capped.clock.advance(9_000)
    send(capped)
    await capped.settle()
    expect(capped.members[0]!.received).toHaveLength(1)
    capped.clock.advance(1_000)
    send(capped)
    await capped.settle()
    expect(capped.members[0]!.received).toHaveLength(2)
    const off = await rig([{}], { cache: { maxNegativeTtl: 0 } })
    off.members[0]!.answerTo = nxdomain(30)
    send(off)
    await off.settle()
    send(off)
    await off.settle()
    expect(off.members[0]!.received).toHaveLength(2)
  })

  it.each([
    ['truncated', dnsPacket.TRUNCATED_RESPONSE],
    ['SERVFAIL', 2],
    ['REFUSED', 5],
  ])('never keeps a %s answer', async (_name, extra) => {
    const r = await rig([{}], { cache: true })
    r.members[0]!.answerTo = withFlags(extra)
    send(r)
    await r.settle()
    send(r)
    await r.settle()
    expect(r.members[0]!.received).toHaveLength(2)
    expect(r.replies).toHaveLength(2)
    expect(r.pool.snapshot().cache).toMatchObject({ hits: 0, inserts: 0, uncacheable: 2 })
  })

  it('keys RD, CD, EDNS and DO apart, and the type', async () => {
    const r = await rig([{}], { cache: true })
    const variants: Ask[] = [{}, { flags: 0 }, { flags: RD | CD }, { dnssecOk: false }, { dnssecOk: true }, { dnssecOk: true, flags: RD | CD }, { type: 'AAAA' }]
    for (const v of variants) {
      send(r, v)
      await r.settle()
    }
    expect(r.members[0]!.received).toHaveLength(variants.length)
    for (const v of variants) {
      send(r, v)
      await r.settle()
    }
    expect(r.members[0]!.received).toHaveLength(variants.length)
    expect(r.pool.snapshot().cache).toMatchObject({ hits: variants.length, size: variants.length })
  })

  it("misses when the stored answer is larger than the client's UDP payload size", async () => {
    const r = await rig([{}], { cache: true })
    r.members[0]!.answerTo = (msg: Buffer): Buffer => {
      const q = dnsPacket.decode(msg)
      const answers = Array.from({ length: 40 }, (_, i) => ({ name: q.questions![0]!.name, type: 'A' as const, class: 'IN' as const, ttl: 60, data: `192.0.2.${i + 1}` }))
      return dnsPacket.encode({ type: 'response', id: q.id, flags: RD | RA, questions: q.questions, answers, additionals: q.additionals })
    }
    const big = (payload: number) => dnsPacket.encode({ type: 'query', id: 3, flags: RD, questions: [{ name: 'www.example', type: 'A' }], additionals: [{ name: '.', type: 'OPT', udpPayloadSize: payload }] as never })
    r.client.send(big(1232), r.port, '10.0.0.1')
    await r.settle()
    expect(r.raw[0]!.length).toBeGreaterThan(600)
    r.client.send(big(512), r.port, '10.0.0.1')
    await r.settle()
    expect(r.members[0]!.received).toHaveLength(2)
    r.client.send(big(1232), r.port, '10.0.0.1')
    await r.settle()
    expect(r.members[0]!.received).toHaveLength(2)
    expect(r.pool.snapshot().cache).toMatchObject({ hits: 1, misses: 2 })
  })

  it('does not cache a query carrying its own Client Subnet, nor a query with other records', async () => {
    const r = await rig([{}], { cache: true })
    const ecs = [{ code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, ip: '198.51.100.0' }]
    for (let i = 0; i < 2; i++) {
      send(r, { dnssecOk: false, options: ecs })
      await r.settle()
    }
    expect(r.members[0]!.received).toHaveLength(2)
    const withAnswer = dnsPacket.encode({ type: 'query', id: 5, flags: RD, questions: [{ name: 'www.example', type: 'A' }], answers: [{ name: 'www.example', type: 'A', ttl: 1, data: '192.0.2.9' }] })
    for (let i = 0; i < 2; i++) {
      r.client.send(withAnswer, r.port, '10.0.0.1')
      await r.settle()
    }
    expect(r.members[0]!.received).toHaveLength(4)
    expect(r.pool.snapshot().cache).toMatchObject({ hits: 0, misses: 0 })
  })

  it.each([
    ['an opcode other than QUERY', (q: Buffer) => ((q[2] = q[2]! | 0x20), q)],
    ['an answer record', () => dnsPacket.encode({ type: 'query', id: 5, flags: RD, questions: [{ name: 'www.example', type: 'A' }], answers: [{ name: 'www.example', type: 'A', ttl: 1, data: '192.0.2.9' }] })],
    ['an authority record', () => dnsPacket.encode({ type: 'query', id: 5, flags: RD, questions: [{ name: 'www.example', type: 'A' }], authorities: [{ name: 'www.example', type: 'A', ttl: 1, data: '192.0.2.9' }] })],
    ['two additional records', () => dnsPacket.encode({ type: 'query', id: 5, flags: RD, questions: [{ name: 'www.example', type: 'A' }], additionals: [{ name: 'x.example', type: 'A', ttl: 1, data: '192.0.2.9' }, { name: '.', type: 'OPT', udpPayloadSize: 1232 }] as never })],
    ['an additional record that is not OPT', () => dnsPacket.encode({ type: 'query', id: 5, flags: RD, questions: [{ name: 'www.example', type: 'A' }], additionals: [{ name: 'x.example', type: 'A', ttl: 1, data: '192.0.2.9' }] })],
    ['an OPT record with an owner other than the root', () => {
      const b = query({ dnssecOk: false })
      return Buffer.concat([b.subarray(0, 29), Buffer.from([1, 0x78]), b.subarray(29)])
    }],
    ['bytes after the OPT record', () => Buffer.concat([query({ dnssecOk: false }), Buffer.from([0])])],
    ['bytes after the question', (q: Buffer) => Buffer.concat([q, Buffer.from([0, 0])])],
    ['a cut OPT record', () => query({ dnssecOk: false }).subarray(0, 29 + 8)],
  ])('does not cache a query with %s', async (_name, make) => {
    const r = await rig([{}], { cache: true })
    // The header and question only, made a response: whatever else the query carries.
    r.members[0]!.answerTo = (msg: Buffer): Buffer => {
      const out = Buffer.from(msg.subarray(0, 29))
      out[2] = out[2]! | 0x80
      out.fill(0, 6, 12)
      return out
    }
    const bytes = make(query())
    for (let i = 0; i < 2; i++) {
      r.client.send(bytes, r.port, '10.0.0.1')
      await r.settle()
    }
    expect(r.members[0]!.received).toHaveLength(2)
    expect(r.pool.snapshot().cache).toMatchObject({ hits: 0, misses: 0 })
  })

  it('never counts a TTL below 0: a record shorter-lived than the answer reads 0 until the entry expires', async () => {
    const r = await rig([{}], { cache: true })
    r.members[0]!.answerTo = (msg: Buffer): Buffer => {
      const q = dnsPacket.decode(msg)
      return dnsPacket.encode({
        type: 'response',
        id: q.id,
        flags: RD | RA,
        questions: q.questions,
        answers: [{ name: 'www.example', type: 'A', class: 'IN', ttl: 60, data: '192.0.2.1' }],
        additionals: [{ name: 'ns.example', type: 'A', class: 'IN', ttl: 10, data: '192.0.2.53' }],
      })
    }
    send(r)
    await r.settle()
    r.clock.advance(30_000)
    send(r)
    await r.settle()
    expect(r.members[0]!.received).toHaveLength(1)
    expect([...r.replies[1]!.answers!, ...r.replies[1]!.additionals!].map((a) => (a as { ttl?: number }).ttl)).toEqual([30, 0])
  })

  it('takes a payload size below 512 as 512', async () => {
    const r = await rig([{}], { cache: true })
    r.members[0]!.answerTo = (msg: Buffer): Buffer => {
      const q = dnsPacket.decode(msg)
      const answers = Array.from({ length: 12 }, (_, i) => ({ name: 'www.example', type: 'A' as const, class: 'IN' as const, ttl: 60, data: `192.0.2.${i + 1}` }))
      return dnsPacket.encode({ type: 'response', id: q.id, flags: RD | RA, questions: q.questions, answers, additionals: q.additionals })
    }
    const small = dnsPacket.encode({ type: 'query', id: 3, flags: RD, questions: [{ name: 'www.example', type: 'A' }], additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 100 }] as never })
    for (let i = 0; i < 2; i++) {
      r.client.send(small, r.port, '10.0.0.1')
      await r.settle()
    }
    expect(r.raw[0]!.length).toBeGreaterThan(300)
    expect(r.raw[0]!.length).toBeLessThan(512)
    expect(r.members[0]!.received).toHaveLength(1)
  })

  it('rejects bad cache options', () => {
    for (const cache of [{ size: 0 }, { size: 2.5 }, { maxTtl: 1.5 }, { maxTtl: 0 }, { minTtl: -1 }, { minTtl: 100, maxTtl: 10 }, { maxNegativeTtl: -1 }]) {
      let error: unknown
      try {
        new UdpProxyPool({ members: [{ address: '10.0.1.1' }], cache })
      } catch (e) {
        error = e
      }
      expect(isDnsHaError(error) && error.code === 'ERR_CONFIG', JSON.stringify(cache)).toBe(true)
    }
    expect(() => new UdpProxyPool({ members: [{ address: '10.0.1.1' }], cache: { size: 1, minTtl: 10, maxTtl: 10, maxNegativeTtl: 0 } })).not.toThrow()
  })
})
