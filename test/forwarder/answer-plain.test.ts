// The Forwarder's UDP fast path (answerPlain): byte for byte what handle() answers, for hosts,
// rule and cache answers, across ids, header bits, EDNS variants, 0x20 spellings, TTL aging and
// truncation; declined whenever the full path must decide.
import dnsPacket from 'dns-packet'
import { describe, expect, it, vi } from 'vitest'
import { Forwarder } from '../../src/forwarder/forwarder.js'
import type { ForwarderOptions } from '../../src/forwarder/forwarder.js'
import type { PlainQuery } from '../../src/server/plain-query.js'
import { readPlainQuery } from '../../src/server/plain-query.js'
import { DnsQuery } from '../../src/server/query.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import { seededRandom } from '../../src/util/random.js'
import { memoryServer } from '../server/helpers.js'
import { answering, MemoryFiles, upstream } from './helpers.js'

const CLIENT = { address: '127.0.0.1', port: 53000, family: 'IPv4' as const }
const CD = 0x0010

interface WireOptions {
  id?: number
  rd?: boolean
  cd?: boolean
  /** EDNS payload size, or false for none. */
  edns?: number | false
  dnssecOk?: boolean
}

/** A query's bytes as a client sends them. */
function wire(name: string, type = 'A', o: WireOptions = {}): Buffer {
  const edns = o.edns ?? 1232
  return dnsPacket.encode({
    type: 'query',
    id: o.id ?? 777,
    flags: (o.rd === false ? 0 : dnsPacket.RECURSION_DESIRED) | (o.cd ? CD : 0),
    questions: [{ name, type: type as never }],
    additionals: edns === false ? [] : [{ name: '.', type: 'OPT', udpPayloadSize: edns, flags: o.dnssecOk ? dnsPacket.DNSSEC_OK : 0 } as never],
  })
}

/** What the fast path answers to `raw` (the server's cap is 1232). */
function fast(forwarder: Forwarder, raw: Buffer): Buffer | undefined {
  const plain = {} as PlainQuery
  if (!readPlainQuery(raw, 1232, CLIENT, plain)) throw new Error('not a plain query')
  const bytes = forwarder.answerPlain(plain)
  return bytes === undefined ? undefined : Buffer.from(bytes)
}

/** What handle() answers to `raw`, with the id patched in as the server does. */
async function viaHandle(forwarder: Forwarder, raw: Buffer): Promise<Buffer> {
  const query = new DnsQuery(raw, CLIENT, 'udp', 1232)
  const result = await forwarder.handle(query, () => undefined)
  if (!(result instanceof Uint8Array)) throw new Error(`expected bytes, got ${String(result)}`)
  const bytes = Buffer.from(result)
  bytes.writeUInt16BE(query.id, 0)
  return bytes
}

/** What the full path builds from scratch for `raw`: the memo is emptied first (a reload does). */
async function built(forwarder: Forwarder, raw: Buffer): Promise<Buffer> {
  await forwarder.reload()
  return viaHandle(forwarder, raw)
}

function setup(options: ForwarderOptions = {}) {
  const clock = new FakeClock()
  const network = new MemoryNetwork({ clock })
  const forwarder = new Forwarder({ clock, network, random: seededRandom(7), watch: false, ...options })
  return { clock, network, forwarder }
}

const HOSTS = ['10.1.1.1 web.lan', 'fd00::1 web.lan', '10.1.1.2 db.lan'].join('\n')

describe('Forwarder.answerPlain: hosts and rule answers', () => {
  it('declines a question it has not answered yet, then answers it as handle() would', async () => {
    const { forwarder } = setup({ hosts: HOSTS })
    expect(fast(forwarder, wire('web.lan'))).toBeUndefined()
    await viaHandle(forwarder, wire('web.lan', 'A', { id: 1 }))
    const answer = fast(forwarder, wire('web.lan', 'A', { id: 2 }))
    expect(answer).toBeDefined()
    expect(answer).toEqual(await built(forwarder, wire('web.lan', 'A', { id: 2 })))
    const decoded = dnsPacket.decode(answer!)
    expect(decoded.id).toBe(2)
    expect(decoded.answers?.map((a) => (a as { data: string }).data)).toEqual(['10.1.1.1'])
  })

  it.each([
    ['another id', { id: 0xbeef }],
    ['RD clear', { rd: false }],
    ['CD set', { cd: true }],
    ['no EDNS', { edns: false as const }],
    ['EDNS with DO', { dnssecOk: true }],
    ['a smaller EDNS size', { edns: 600 }],
  ])('gives the bytes handle() builds with %s', async (_label, options: WireOptions) => {
    const { forwarder } = setup({ hosts: HOSTS })
    await viaHandle(forwarder, wire('web.lan', 'AAAA', { ...options, id: 5 }))
    const answer = fast(forwarder, wire('web.lan', 'AAAA', { ...options, id: 6 }))
    expect(answer).toBeDefined()
    expect(answer).toEqual(await built(forwarder, wire('web.lan', 'AAAA', { ...options, id: 6 })))
  })

  it('keys on the header variant: an answer built for one RD, CD or EDNS shape is not given to another', async () => {
    const { forwarder } = setup({ hosts: HOSTS })
    await viaHandle(forwarder, wire('web.lan'))
    expect(fast(forwarder, wire('web.lan'))).toBeDefined()
    expect(fast(forwarder, wire('web.lan', 'A', { rd: false }))).toBeUndefined()
    expect(fast(forwarder, wire('web.lan', 'A', { cd: true }))).toBeUndefined()
    expect(fast(forwarder, wire('web.lan', 'A', { edns: false }))).toBeUndefined()
    expect(fast(forwarder, wire('web.lan', 'A', { dnssecOk: true }))).toBeUndefined()
    expect(fast(forwarder, wire('web.lan', 'AAAA'))).toBeUndefined()
    expect(fast(forwarder, wire('db.lan'))).toBeUndefined()
  })

  it('answers any 0x20 spelling of a question with that spelling, as handle() does', async () => {
    const { forwarder } = setup({ hosts: HOSTS })
    await viaHandle(forwarder, wire('web.lan', 'A', { id: 1 }))
    const answer = fast(forwarder, wire('wEb.LaN', 'A', { id: 3 }))
    expect(answer).toBeDefined()
    expect(dnsPacket.decode(answer!).questions?.[0]?.name).toBe('wEb.LaN')
    expect(dnsPacket.decode(answer!).answers?.[0]?.name).toBe('wEb.LaN')
    expect(answer).toEqual(await built(forwarder, wire('wEb.LaN', 'A', { id: 3 })))
  })

  it('answers rule answers (address=, NXDOMAIN) the same way', async () => {
    const { forwarder } = setup({ addresses: [{ domain: 'ads.example', addresses: ['0.0.0.0'] }, { domain: 'gone.example', addresses: [] }] })
    for (const name of ['x.ads.example', 'x.gone.example']) {
      await viaHandle(forwarder, wire(name, 'A', { id: 1 }))
      const answer = fast(forwarder, wire(name.toUpperCase(), 'A', { id: 2 }))
      expect(answer).toBeDefined()
      expect(answer).toEqual(await built(forwarder, wire(name.toUpperCase(), 'A', { id: 2 })))
    }
    expect(fast(forwarder, wire('x.gone.example'))![3]! & 0xf).toBe(3)
  })

  it('declines what is larger than the client takes (the full path truncates it), answers it to a client that takes it', async () => {
    const many = Array.from({ length: 40 }, (_, i) => `10.9.0.${i + 1} big.lan`).join('\n')
    const { forwarder } = setup({ hosts: many })
    await viaHandle(forwarder, wire('big.lan', 'A', { edns: false }))
    expect(fast(forwarder, wire('big.lan', 'A', { edns: false }))).toBeUndefined()
    await viaHandle(forwarder, wire('big.lan', 'A', { edns: 512 }))
    expect(fast(forwarder, wire('big.lan', 'A', { edns: 512 }))).toBeUndefined()
    const answer = fast(forwarder, wire('big.lan', 'A', { edns: 1232 }))
    expect(answer?.length).toBeGreaterThan(512)
    expect(answer).toEqual(await built(forwarder, wire('big.lan', 'A', { edns: 1232 })))
  })

  it('forgets hosts answers when the hosts files are reloaded', async () => {
    const files = new MemoryFiles()
    files.set('/hosts', '10.1.1.1 web.lan\n')
    const { forwarder } = setup({ hostsFiles: ['/hosts'], files })
    await forwarder.start()
    await viaHandle(forwarder, wire('web.lan'))
    expect(dnsPacket.decode(fast(forwarder, wire('web.lan'))!).answers?.[0]).toMatchObject({ data: '10.1.1.1' })
    files.set('/hosts', '10.2.2.2 web.lan\n')
    await forwarder.reload()
    expect(fast(forwarder, wire('web.lan'))).toBeUndefined()
    await viaHandle(forwarder, wire('web.lan'))
    expect(dnsPacket.decode(fast(forwarder, wire('web.lan'))!).answers?.[0]).toMatchObject({ data: '10.2.2.2' })
    await forwarder.close()
  })

  it('never keys a compressed question name: its pointer bytes are not letters to lower', async () => {
    // Two questions a 0x20-blind key would merge: their names end in pointers C0 41 and C0 61
    // ('A' and 'a'), to a root label at 65 and to 'z.' at 97, inside the first two labels' bytes.
    const question = (pointerLow: number): Buffer => {
      const raw = Buffer.alloc(12 + 64 + 41 + 2 + 4)
      raw.writeUInt16BE(0x0100, 2)
      raw.writeUInt16BE(1, 4)
      raw[12] = 63
      raw.fill(0x78, 13, 76)
      raw[65] = 0 // target 0x41: the root
      raw[76] = 40
      raw.fill(0x78, 77, 117)
      raw.set([1, 0x7a, 0], 97) // target 0x61: z.
      raw.set([0xc0, pointerLow, 0, 1, 0, 1], 117)
      return raw
    }
    const { forwarder } = setup({ addresses: [{ domain: '#', addresses: ['192.0.2.1'] }, { domain: 'z', addresses: [] }] })
    const root = await viaHandle(forwarder, question(0x41))
    const z = await viaHandle(forwarder, question(0x61))
    const rcode = (bytes: Buffer) => bytes[3]! & 0xf
    expect([rcode(root), rcode(z)]).toEqual([0, 3])
    expect(rcode(await viaHandle(forwarder, question(0x61)))).toBe(3)
    expect(rcode(await viaHandle(forwarder, question(0x41)))).toBe(0)
  })

  it('counts what it answers, and steps aside while anyone listens to query events', async () => {
    const { forwarder } = setup({ hosts: HOSTS })
    await viaHandle(forwarder, wire('web.lan'))
    fast(forwarder, wire('web.lan'))
    fast(forwarder, wire('web.lan'))
    expect(forwarder.snapshot()).toMatchObject({ queries: 3, answers: { hosts: 3 } })
    const seen: string[] = []
    forwarder.on('query', (e) => seen.push(e.name))
    expect(fast(forwarder, wire('web.lan'))).toBeUndefined()
    expect(forwarder.snapshot().queries).toBe(3)
  })
})

describe('Forwarder.answerPlain: cache hits', () => {
  async function cached(options: ForwarderOptions = {}, ttl = 300) {
    const s = setup({ servers: [{ address: '10.0.0.53' }], ...options })
    const up = answering('192.0.2.1', ttl)
    await upstream(s.network, '10.0.0.53', up)
    return { ...s, up }
  }

  it('never answers what only an upstream has answered (the first answer is not a cache hit)', async () => {
    const { forwarder } = await cached()
    await viaHandle(forwarder, wire('www.example.com'))
    expect(fast(forwarder, wire('www.example.com'))).toBeUndefined()
  })

  it('gives the bytes handle() builds from the cache, ids, spelling and EDNS variants included', async () => {
    const { forwarder, up } = await cached()
    await viaHandle(forwarder, wire('www.example.com'))
    for (const options of [{}, { edns: false as const }, { dnssecOk: true }, { rd: false }]) {
      // DO and RD are part of the cache key: those variants are fetched once, then cached.
      await viaHandle(forwarder, wire('www.example.com', 'A', { ...options, id: 9 }))
      await viaHandle(forwarder, wire('www.example.com', 'A', { ...options, id: 10 }))
      const answer = fast(forwarder, wire('WWW.Example.com', 'A', { ...options, id: 11 }))
      expect(answer).toBeDefined()
      expect(answer).toEqual(await built(forwarder, wire('WWW.Example.com', 'A', { ...options, id: 11 })))
    }
    expect(up.calls).toBe(3)
  })

  it('counts TTLs down with the clock: an answer is reused only while its TTLs are exact', async () => {
    const { clock, forwarder, up } = await cached({}, 300)
    await viaHandle(forwarder, wire('tick.example'))
    clock.advance(1500)
    await viaHandle(forwarder, wire('tick.example'))
    const ttl = (bytes: Buffer | undefined) => (dnsPacket.decode(bytes!).answers?.[0] as { ttl: number }).ttl
    expect(ttl(fast(forwarder, wire('tick.example')))).toBe(299)
    clock.advance(499) // 1.999 s after the upstream answered: still 299
    expect(ttl(fast(forwarder, wire('tick.example')))).toBe(299)
    clock.advance(1) // 2 s: the TTL would be 298, so the built answer is no longer right
    expect(fast(forwarder, wire('tick.example'))).toBeUndefined()
    const rebuilt = await viaHandle(forwarder, wire('tick.example', 'A', { id: 4 }))
    expect(ttl(rebuilt)).toBe(298)
    const again = fast(forwarder, wire('tick.example', 'A', { id: 4 }))
    expect(again).toEqual(rebuilt)
    expect(again).toEqual(await built(forwarder, wire('tick.example', 'A', { id: 4 })))
    expect(up.calls).toBe(1)
  })

  it('declines once the cache entry behind an answer has expired', async () => {
    const { clock, forwarder } = await cached({}, 2)
    await viaHandle(forwarder, wire('short.example'))
    clock.advance(1999)
    await viaHandle(forwarder, wire('short.example'))
    expect(fast(forwarder, wire('short.example'))).toBeDefined()
    clock.advance(1)
    expect(fast(forwarder, wire('short.example'))).toBeUndefined()
  })

  it('declines once the cache has evicted the entry behind an answer, within the same second', async () => {
    const { forwarder, up } = await cached({ cacheSize: 1 })
    await viaHandle(forwarder, wire('one.example'))
    await viaHandle(forwarder, wire('one.example'))
    expect(fast(forwarder, wire('one.example'))).toBeDefined()
    await viaHandle(forwarder, wire('two.example')) // evicts one.example
    expect(fast(forwarder, wire('one.example'))).toBeUndefined()
    await viaHandle(forwarder, wire('one.example'))
    expect(up.calls).toBe(3)
  })

  it('counts cache answers it gives', async () => {
    const { forwarder } = await cached()
    await viaHandle(forwarder, wire('www.example.com'))
    await viaHandle(forwarder, wire('www.example.com'))
    fast(forwarder, wire('www.example.com'))
    expect(forwarder.snapshot()).toMatchObject({ queries: 3, answers: { upstream: 1, cache: 2 } })
  })
})

describe('Forwarder.answerPlain behind a DnsServer', () => {
  it('is taken for repeated questions (handle() not called) and answers as the first time, truncation included', async () => {
    const many = Array.from({ length: 40 }, (_, i) => `10.9.0.${i + 1} big.lan`).join('\n')
    const forwarder = new Forwarder({ hosts: `10.1.1.1 web.lan\n${many}`, watch: false })
    const handle = vi.spyOn(forwarder, 'handle')
    const { udp } = await memoryServer(forwarder)
    const [first] = await udp(wire('web.lan', 'A', { id: 1 }))
    const [second] = await udp(wire('WEB.lan', 'A', { id: 2 }))
    expect(handle).toHaveBeenCalledTimes(1)
    expect(dnsPacket.decode(second!).id).toBe(2)
    expect(second!.subarray(2)).toEqual(Buffer.concat([first!.subarray(2, 12), Buffer.from(second!.subarray(12, 12 + 9)), first!.subarray(21)]))
    const [big1] = await udp(wire('big.lan', 'A', { edns: false, id: 3 }))
    const [big2] = await udp(wire('big.lan', 'A', { edns: false, id: 3 }))
    expect(dnsPacket.decode(big1!).flag_tc).toBe(true)
    expect(big2).toEqual(big1)
    expect(handle).toHaveBeenCalledTimes(3)
  })
})
