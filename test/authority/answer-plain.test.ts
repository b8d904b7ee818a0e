// The UDP fast path (Authority.answerPlain behind DnsServer) answers byte for byte as the full
// path does, counts the same, and steps aside whenever it could not.
import dnsPacket from 'dns-packet'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import type { AuthorityOptions } from '../../src/authority/authority.js'
import type { Handler } from '../../src/server/handler.js'
import type { PlainQuery } from '../../src/server/plain-query.js'
import { memoryServer } from '../server/helpers.js'
import { example, other } from './fixtures.js'
import { zoneOf } from './helpers.js'

const CD = 1 << 4

/** A query's bytes: random-case name, RD/CD on or off, with or without EDNS (DO, sizes). */
function queries(): Buffer[] {
  const names = ['www.example.test.', 'WWW.Example.TEST.', 'web.example.test.', 'nope.example.test.', 'x.apps.example.test.', 'X.Apps.Example.Test.', 'a.sub.example.test.', 'example.test.', 'host.other.test.', 'www.elsewhere.example.']
  const types = ['A', 'AAAA', 'MX', 'TXT', 'NS', 'SOA', 'ANY', 'DS']
  const out: Buffer[] = []
  let id = 1
  for (const name of names) {
    for (const type of types) {
      for (const variant of [0, 1, 2, 3]) {
        const flags = (variant & 1 ? dnsPacket.RECURSION_DESIRED : 0) | (variant & 2 ? CD : 0)
        const additionals = variant === 0 ? [] : [{ name: '.', type: 'OPT', udpPayloadSize: variant === 3 ? 512 : 1400, flags: variant === 2 ? dnsPacket.DNSSEC_OK : 0 }]
        out.push(dnsPacket.encode({ type: 'query', id: id++, flags, questions: [{ name, type: type as never }], additionals: additionals as never }))
      }
    }
  }
  return out
}

/** The authority behind a server, with its fast path counted; or the same without one. */
async function serve(authority: Authority, fastPath: boolean) {
  const used = { fast: 0 }
  const handler: Handler = fastPath
    ? {
        handle: (q, next) => authority.handle(q, next),
        answerPlain: (q: PlainQuery) => {
          const bytes = authority.answerPlain(q)
          if (bytes) used.fast++
          return bytes
        },
      }
    : { handle: (q, next) => authority.handle(q, next) }
  return { ...(await memoryServer(handler)), used }
}

function authority(options: AuthorityOptions = {}): Authority {
  return new Authority({ zones: [example(), other()], ...options })
}

describe('Authority.answerPlain (the UDP fast path)', () => {
  it('answers byte for byte as the full path, ids, flags and case included, and counts the same', async () => {
    const fast = authority()
    const full = authority()
    const withFast = await serve(fast, true)
    const without = await serve(full, false)
    for (let round = 0; round < 2; round++) {
      for (const bytes of queries()) {
        // A new id each round: a cached answer must carry the asker's id.
        bytes.writeUInt16BE((bytes.readUInt16BE(0) + round * 7919) & 0xffff, 0)
        // and RD and CD flipped: the cache key ignores them, the answer must copy them.
        if (round === 1) {
          bytes[2]! ^= 0x01
          bytes[3]! ^= 0x10
        }
        const [a] = await withFast.udp(bytes)
        const [b] = await without.udp(bytes)
        expect(a?.toString('hex'), dnsPacket.decode(bytes).questions![0]!.name).toBe(b?.toString('hex'))
      }
    }
    expect(withFast.used.fast).toBeGreaterThan(queries().length / 2)
    expect(fast.snapshot()).toEqual(full.snapshot())
    expect(withFast.server.snapshot().udp).toEqual(without.server.snapshot().udp)
  })

  it('steps aside for a miss, an answer too large for the client, and a query log', async () => {
    const big = new Authority({ zones: [example()], cache: { maxEntries: 100 } })
    const txt = Array.from({ length: 30 }, (_, i) => `big TXT "${'x'.repeat(30)} ${i}"`).join('\n')
    big.replaceZone(zoneOf('big.test.', `@ SOA ns h 1 1 1 1 1\n@ NS ns\nns A 192.0.2.1\n${txt}\n`))
    const { udp, used } = await serve(big, true)
    const q = dnsPacket.encode({ type: 'query', id: 1, questions: [{ name: 'big.big.test', type: 'TXT' }] })
    const www = dnsPacket.encode({ type: 'query', id: 2, questions: [{ name: 'www.example.test', type: 'A' }] })
    for (let i = 0; i < 2; i++) expect(dnsPacket.decode((await udp(q))[0]!).flag_tc).toBe(true)
    expect(used.fast).toBe(0)

    const logged = authority()
    const events: string[] = []
    logged.on('query', (e) => events.push(`${e.qname} ${e.cached}`))
    const l = await serve(logged, true)
    for (let i = 0; i < 2; i++) await l.udp(www)
    expect(events).toEqual(['www.example.test. false', 'www.example.test. true'])
    expect(l.used.fast).toBe(0)
  })

  it('is cleared with the cache when a zone changes', async () => {
    const auth = authority()
    const { udp, used } = await serve(auth, true)
    const www = dnsPacket.encode({ type: 'query', id: 3, questions: [{ name: 'www.example.test', type: 'A' }] })
    await udp(www)
    await udp(www)
    expect(used.fast).toBe(1)
    auth.replaceZone(zoneOf('example.test.', '@ SOA ns1 h 2 1 1 1 1\n@ NS ns1\nns1 A 192.0.2.53\nwww A 192.0.2.99\n'))
    const after = dnsPacket.decode((await udp(www))[0]!)
    expect(after.answers?.map((a) => (a as { data: string }).data)).toEqual(['192.0.2.99'])
    expect(used.fast).toBe(1)
  })

  it('picks views by client address as the full path does; key and ECS views are never a plain query’s', async () => {
    const lanZone = zoneOf('example.test.', '@ SOA ns1 h 1 1 1 1 1\n@ NS ns1\nns1 A 10.0.0.53\nwww A 10.0.0.80\n')
    const options = (): AuthorityOptions => ({
      views: [
        { name: 'signed', match: { keys: ['k.'] }, zones: [example()] },
        { name: 'subnet', match: { ecs: ['127.0.0.0/8'] }, zones: [example()] },
        { name: 'lan', match: { clients: ['127.0.0.3/32', '127.0.0.4/32'] }, zones: [lanZone] },
        { name: 'rest', match: { clients: ['127.0.0.5/32'] }, zones: [example()] },
      ],
    })
    const withFast = await serve(new Authority(options()), true)
    const without = await serve(new Authority(options()), false)
    const www = dnsPacket.encode({ type: 'query', id: 9, questions: [{ name: 'www.example.test', type: 'A' }] })
    const seen = new Map<string, string>()
    for (let round = 0; round < 2; round++) {
      for (const from of ['127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6']) {
        const a = (await withFast.udp(www, from))[0]?.toString('hex') ?? ''
        const b = (await without.udp(www, from))[0]?.toString('hex') ?? ''
        expect(a, from).toBe(b)
        seen.set(from, a)
      }
    }
    const data = (hex: string) => {
      const r = dnsPacket.decode(Buffer.from(hex, 'hex')) as ReturnType<typeof dnsPacket.decode> & { rcode?: string }
      return r.answers?.map((a) => (a as { data: string }).data).join() || r.rcode
    }
    expect([...seen.values()].map(data)).toEqual(['10.0.0.80', '10.0.0.80', '192.0.2.80', 'REFUSED'])
    // Off the fast path: 127.0.0.4 at once (127.0.0.3 cached its view's answer), then every
    // answered client in the second round.
    expect(withFast.used.fast).toBe(4)
  })

  it('agrees with the full path on mutated queries: flipped bytes, cut or grown messages', async () => {
    const withFast = await serve(authority(), true)
    const without = await serve(authority(), false)
    const seeds = queries()
    // Warm both caches so mutations of cached questions reach the fast path.
    for (const q of seeds) {
      await withFast.udp(q)
      await without.udp(q)
    }
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1 << 16 }), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
        // Mostly the same length, so flipped bytes still reach the fast path.
        fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -6, max: 6 }) }),
        async (which, flips, resize) => {
          const base = seeds[which]!
          let bytes = Buffer.from(base)
          for (const [at, value] of flips) bytes[at % bytes.length] = value
          if (resize < 0) bytes = bytes.subarray(0, Math.max(0, bytes.length + resize))
          else if (resize > 0) bytes = Buffer.concat([bytes, Buffer.alloc(resize, resize)])
          const [a] = await withFast.udp(bytes)
          const [b] = await without.udp(bytes)
          expect(a?.toString('hex')).toBe(b?.toString('hex'))
        },
      ),
      { numRuns: 3000 },
    )
    expect(withFast.used.fast).toBeGreaterThan(0)
  })
})

