// Anti-spoofing (RFC 5452 §9.1): the client accepts an answer only when it comes from the address
// and port asked, carries our id, and echoes our question — name, type AND class. Each field is
// checked on its own here (a forgery that differs in that field alone), so dropping any one
// comparison fails a named test.
import dnsPacket from 'dns-packet'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ExpectedAnswer } from '../../src/client/match-response.js'
import { matchResponse } from '../../src/client/match-response.js'
import type { QueryResult } from '../../src/client/query.js'
import { query } from '../../src/client/query.js'
import { readId } from '../../src/packet/wire.js'
import { isDnsHaError } from '../../src/util/errors.js'
import type { RemoteInfo } from '../../src/util/network.js'
import { useFakeServer } from './helpers.js'

interface Forge {
  id?: number
  name?: string
  type?: string
  class?: string
}

/** An answer to `query` with any of id, qname, qtype, qclass replaced; one A record `data`. */
function forged(query: Uint8Array, data: string, forge: Forge = {}): Buffer {
  const q = dnsPacket.decode(Buffer.from(query)).questions![0]!
  const name = forge.name ?? q.name
  return dnsPacket.encode({
    type: 'response',
    id: forge.id ?? readId(query),
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: (forge.type ?? q.type) as never, class: (forge.class ?? q.class) as never }],
    answers: [{ name, type: 'A', class: 'IN', ttl: 60, data }],
  })
}

describe('matchResponse: one differing field is enough to reject', () => {
  const expected: ExpectedAnswer = { id: 0x4d2, question: { name: 'www.example.', type: 1, class: 1 }, exactCase: false }
  const base = () => dnsPacket.encode({ type: 'query', id: 0x4d2, questions: [{ name: 'www.example', type: 'A', class: 'IN' }] })

  it.each<[string, Forge]>([
    ['class CH for an IN question', { class: 'CH' }],
    ['class HS for an IN question', { class: 'HS' }],
    ['another id', { id: 0x4d3 }],
    ['another name', { name: 'www.example.net' }],
    ['a longer name with our name as its suffix', { name: 'x.www.example' }],
    ['another type', { type: 'AAAA' }],
  ])('%s', (_label, forge) => {
    expect(matchResponse(forged(base(), '192.0.2.1'), expected)).toBe('ok')
    expect(matchResponse(forged(base(), '6.6.6.6', forge), expected)).toBe(forge.id === undefined ? 'wrong-question' : 'wrong-id')
  })

  it('a CH question does not accept an IN answer either', () => {
    const ch: ExpectedAnswer = { id: 7, question: { name: 'version.bind.', type: 16, class: 3 }, exactCase: false }
    const q = dnsPacket.encode({ type: 'query', id: 7, questions: [{ name: 'version.bind', type: 'TXT', class: 'CH' }] })
    expect(matchResponse(forged(q, '192.0.2.1'), ch)).toBe('ok')
    expect(matchResponse(forged(q, '192.0.2.1', { class: 'IN' }), ch)).toBe('wrong-question')
  })

  it('property: the verdict is ok exactly when id, type, class and the name (ignoring ASCII case) all match', () => {
    const label = fc.stringMatching(/^[a-z0-9]{1,8}$/)
    const question = fc.record({
      id: fc.integer({ min: 0, max: 0xffff }),
      labels: fc.array(label, { minLength: 1, maxLength: 3 }),
      type: fc.constantFrom('A', 'AAAA', 'TXT', 'MX'),
      class: fc.constantFrom('IN', 'CH', 'HS'),
    })
    const typeCode: Record<string, number> = { A: 1, AAAA: 28, TXT: 16, MX: 15 }
    const classCode: Record<string, number> = { IN: 1, CH: 3, HS: 4 }
    // The answer keeps or replaces each field on its own, so matches and near-misses both occur.
    const answer = (asked: fc.Arbitrary<{ id: number; labels: string[]; type: string; class: string }>) =>
      asked.chain((q) =>
        fc.record({
          asked: fc.constant(q),
          got: fc.record({
            id: fc.oneof(fc.constant(q.id), fc.integer({ min: 0, max: 0xffff })),
            labels: fc.oneof(fc.constant(q.labels), fc.array(label, { minLength: 1, maxLength: 3 })),
            type: fc.oneof(fc.constant(q.type), fc.constantFrom('A', 'AAAA', 'TXT', 'MX')),
            class: fc.oneof(fc.constant(q.class), fc.constantFrom('IN', 'CH', 'HS')),
          }),
        }),
      )
    let oks = 0
    fc.assert(
      fc.property(answer(question), fc.boolean(), ({ asked, got }, upper) => {
        const name = `${asked.labels.join('.')}.`
        const gotName = got.labels.join('.')
        const bytes = dnsPacket.encode({
          type: 'response',
          id: got.id,
          questions: [{ name: upper ? gotName.toUpperCase() : gotName, type: got.type as never, class: got.class as never }],
        })
        const verdict = matchResponse(bytes, { id: asked.id, question: { name, type: typeCode[asked.type]!, class: classCode[asked.class]! }, exactCase: false })
        const same = asked.id === got.id && name === `${gotName}.` && asked.type === got.type && asked.class === got.class
        expect(verdict === 'ok').toBe(same)
        if (same) oks++
        if (asked.id !== got.id) expect(verdict).toBe('wrong-id')
      }),
      { numRuns: 500 },
    )
    // Both outcomes were exercised, so the property cannot pass by rejecting everything.
    expect(oks).toBeGreaterThan(10)
  })
})

describe('query(): a forgery that differs in one thing is ignored, the real answer accepted', () => {
  const env = useFakeServer(11, { retries: 0 })
  const { opts } = env

  async function expectForgeryIgnored(send: (msg: Buffer, rinfo: RemoteInfo) => void): Promise<QueryResult> {
    env.server.onUdp = (msg, rinfo, reply) => {
      send(msg, rinfo) // the forgery arrives first
      reply(forged(msg, '192.0.2.1'))
    }
    const r = await query({ address: env.server.address, port: env.server.port }, { name: 'www.example.', type: 'A', class: 'IN' }, opts())
    expect(r.packet.answers).toEqual([expect.objectContaining({ data: '192.0.2.1' })])
    expect(r.ignored).toBe(1)
    expect(env.clock.pending).toBe(0)
    return r
  }

  it.each<[string, Forge]>([
    ['class CH for an IN question', { class: 'CH' }],
    ['another id', { id: -1 }],
    ['another qname', { name: 'evil.example' }],
    ['another qtype', { type: 'AAAA' }],
  ])('%s', async (_label, forge) => {
    await expectForgeryIgnored((msg, rinfo) => {
      const f = forge.id === -1 ? { id: (readId(msg) + 1) & 0xffff } : forge
      env.server.udpSocket.send(forged(msg, '6.6.6.6', f), rinfo.port, rinfo.address)
    })
  })

  it('another source port on the server address', async () => {
    const impostor = env.network.createDatagramSocket(4)
    await impostor.bind(5353, env.server.address)
    await expectForgeryIgnored((msg, rinfo) => impostor.send(forged(msg, '6.6.6.6'), rinfo.port, rinfo.address))
    await impostor.close()
  })

  it('another source address on the server port', async () => {
    const impostor = env.network.createDatagramSocket(4)
    await impostor.bind(env.server.port, '10.0.0.66')
    await expectForgeryIgnored((msg, rinfo) => impostor.send(forged(msg, '6.6.6.6'), rinfo.port, rinfo.address))
    await impostor.close()
  })

  it('over TCP an answer for class CH to an IN question is ERR_QUERY_MISMATCH', async () => {
    await env.server.listenTcp()
    env.server.onTcp = (msg, reply) => reply(forged(msg, '6.6.6.6', { class: 'CH' }))
    const err = await query({ address: env.server.address, port: env.server.port }, { name: 'www.example.' }, opts({ tcp: true })).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isDnsHaError(err, 'ERR_QUERY_MISMATCH')).toBe(true)
    expect((err as { details?: Record<string, unknown> }).details).toMatchObject({ verdict: 'wrong-question' })
  })
})
