// Whatever bytes come back, the client never throws out of a callback: it answers, times out, or
// rejects with a DnsHaError, and it leaves no timer behind. An answer it accepts carries the id
// of the query it sent, echoes our question, and came from the address asked: an impostor on
// another address sends a well-formed answer to every query, and it is never the one accepted.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { query } from '../../src/client/query.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { readId } from '../../src/packet/wire.js'
import { seededRandom } from '../../src/util/random.js'
import { a, answer, fakeEndpoint, frame } from './helpers.js'

type Mutation = { kind: 'random'; bytes: Uint8Array } | { kind: 'mutate'; flips: [number, number][]; cut: number }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 600 }) }),
  // A real answer with bytes changed and maybe cut: header and question often still match, so the
  // decode of the rest is what gets exercised.
  fc.record({
    kind: fc.constant('mutate' as const),
    flips: fc.array(fc.tuple(fc.nat(200), fc.nat(255)), { maxLength: 6 }),
    cut: fc.nat(200),
  }),
)

function apply(m: Mutation, query: Buffer): Buffer {
  if (m.kind === 'random') return Buffer.from(m.bytes)
  const good = answer(query, [a('fuzz.example', '192.0.2.1'), { name: 'fuzz.example', type: 'MX', class: 'IN', ttl: 5, data: { preference: 1, exchange: 'mx.fuzz.example' } }])
  for (const [at, value] of m.flips) if (at < good.length) good[at] = value
  return m.cut > 0 && m.cut < good.length ? good.subarray(0, good.length - m.cut) : good
}

async function run(transport: 'udp' | 'tcp', m: Mutation, seed: number): Promise<void> {
  const clock = new FakeClock()
  const network = new MemoryNetwork({ clock })
  const server = await fakeEndpoint(network)
  await server.listenTcp()
  const impostor = network.createDatagramSocket(4)
  await impostor.bind(53, '10.0.0.66')
  server.onUdp = (msg, rinfo, reply) => {
    impostor.send(answer(msg, [a('fuzz.example', '6.6.6.6')]), rinfo.port, rinfo.address)
    reply(apply(m, msg))
  }
  server.onTcp = (msg, _reply, socket) => {
    const bytes = apply(m, msg)
    // Random bytes go on the stream raw (any length prefix at all); mutated answers are framed.
    socket.write(m.kind === 'random' ? bytes : frame(bytes))
  }
  const outcome = query({ address: server.address }, { name: 'fuzz.example.' }, { network, clock, random: seededRandom(seed), timeoutMs: 500, retries: 0, tcp: transport === 'tcp' }).then(
    (r) => ({ ok: true as const, r }),
    (e: unknown) => ({ ok: false as const, e }),
  )
  await clock.advanceAsync(500)
  await clock.advanceAsync(500) // a TC answer moves to TCP: give that its own timeout
  const result = await outcome
  if (result.ok) {
    const r = result.r
    const sent = r.transport === 'udp' ? server.udp.at(-1)!.msg : server.tcp.at(-1)!
    expect(r.packet.id).toBe(readId(sent))
    expect(readId(r.raw)).toBe(readId(sent))
    expect(r.packet.type).toBe('response')
    expect(r.packet.questions).toHaveLength(1)
    const q = r.packet.questions![0]!
    expect({ name: q.name.toLowerCase(), type: q.type, class: q.class }).toEqual({ name: 'fuzz.example', type: 'A', class: 'IN' })
    expect(r.server).toEqual({ address: server.address, port: 53 })
    for (const rr of r.packet.answers ?? []) expect((rr as { data?: unknown }).data).not.toBe('6.6.6.6')
  } else {
    expect(isDnsHaError(result.e)).toBe(true)
    expect(['ERR_QUERY_TIMEOUT', 'ERR_QUERY_MISMATCH', 'ERR_QUERY_NETWORK']).toContain((result.e as { code: string }).code)
  }
  expect(clock.pending).toBe(0)
  await impostor.close()
  await server.close()
}

describe('query() against hostile answers', () => {
  it('UDP: random and mutated answers never crash the client', async () => {
    await fc.assert(fc.asyncProperty(mutation, fc.nat(), (m, seed) => run('udp', m, seed)), { numRuns: 300 })
  })

  it('TCP: random streams and mutated answers never crash the client', async () => {
    await fc.assert(fc.asyncProperty(mutation, fc.nat(), (m, seed) => run('tcp', m, seed)), { numRuns: 300 })
  })
})
