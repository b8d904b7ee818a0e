import dnsPacket from 'dns-packet'
import { expect, it } from 'vitest'
import type { Handler } from '../../src/server/handler.js'
import type { PlainQuery } from '../../src/server/plain-query.js'
import { respond } from '../../src/server/respond.js'
import { describeEngines, opt } from './helpers.js'

/** A handler whose fast path answers `fast.test` with a fixed A record and counts its calls. */
function fastHandler(plain: (q: PlainQuery) => Uint8Array | undefined = fastAnswer) {
  const calls = { plain: 0, full: 0 }
  const handler: Handler = {
    handle(query) {
      calls.full++
      return respond(query, { aa: true, answers: [{ name: query.question!.name, type: 'A', ttl: 60, data: '192.0.2.2' }] })
    },
    answerPlain(q) {
      calls.plain++
      return plain(q)
    },
  }
  return { handler, calls }
}

function fastAnswer(q: PlainQuery): Uint8Array | undefined {
  const question = dnsPacket.decode(q.raw).questions![0]!
  if (question.name !== 'fast.test') return undefined
  return dnsPacket.encode({ type: 'response', id: q.raw.readUInt16BE(0), flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: [question], answers: [{ name: 'fast.test', type: 'A', ttl: 60, data: '192.0.2.1' }] })
}

const ask = (name: string) => ({ questions: [{ name, type: 'A' as const }] })

describeEngines('DnsServer UDP fast path (answerPlain)', ['memory', 'dgram', 'batched'], (serve) => {
  it('sends what answerPlain returns and counts it; undefined falls through to handle()', async () => {
    const { handler, calls } = fastHandler()
    const { ask: send, server } = await serve(handler)
    const fast = await send(ask('fast.test'))
    expect(fast.answers?.map((a) => (a as { data: string }).data)).toEqual(['192.0.2.1'])
    expect(calls).toEqual({ plain: 1, full: 0 })
    const slow = await send(ask('slow.test'))
    expect(slow.answers?.map((a) => (a as { data: string }).data)).toEqual(['192.0.2.2'])
    expect(calls).toEqual({ plain: 2, full: 1 })
    expect(server.snapshot().udp).toMatchObject({ queries: 2, responses: 2, rcodes: { NOERROR: 2 } })
  })

  it('is offered only plain queries: a query with EDNS options takes the full path', async () => {
    const { handler, calls } = fastHandler()
    const { ask: send } = await serve(handler)
    await send({ ...ask('fast.test'), additionals: [opt(1232, { options: [{ code: 'COOKIE', data: Buffer.alloc(8) }] })] })
    expect(calls).toEqual({ plain: 0, full: 1 })
    await send({ ...ask('fast.test'), additionals: [opt(1232)] })
    expect(calls).toEqual({ plain: 1, full: 1 })
  })

  it('takes the full path while anyone listens to query or response events', async () => {
    const { handler, calls } = fastHandler()
    const { ask: send, server } = await serve(handler)
    const seen: string[] = []
    const onQuery = ({ query }: { query: { question?: { name: string } } }) => seen.push(`query ${query.question?.name}`)
    server.on('query', onQuery)
    await send(ask('fast.test'))
    server.off('query', onQuery)
    const onResponse = ({ rcode }: { rcode: number }) => seen.push(`response ${rcode}`)
    server.on('response', onResponse)
    await send(ask('fast.test'))
    expect(seen).toEqual(['query fast.test.', 'response 0'])
    expect(calls).toEqual({ plain: 0, full: 2 })
    server.off('response', onResponse)
    await send(ask('fast.test'))
    expect(calls).toEqual({ plain: 1, full: 2 })
  })

  it('falls back to the full path when the fast answer is too large, too short or throws', async () => {
    const errors: unknown[] = []
    const answers: (Uint8Array | 'throw')[] = [Buffer.alloc(600), Buffer.alloc(4), 'throw']
    const { handler, calls } = fastHandler(() => {
      const next = answers.shift()
      if (next === 'throw') throw new Error('cache broke')
      return next
    })
    const { ask: send, server } = await serve(handler)
    server.on('error', (e) => errors.push(e.error))
    for (let i = 0; i < 3; i++) expect((await send(ask('fast.test'))).answers?.map((a) => (a as { data: string }).data)).toEqual(['192.0.2.2'])
    expect(calls).toEqual({ plain: 3, full: 3 })
    expect(errors.map((e) => (e as Error).message)).toEqual(['cache broke'])
    expect(server.snapshot().udp).toMatchObject({ queries: 3, responses: 3 })
  })
})

describeEngines('DnsServer fast path and listener changes', ['memory', 'dgram', 'batched'], (serve) => {
  it('a once-listener on query takes one query off the fast path, then the fast path returns', async () => {
    const { handler, calls } = fastHandler()
    const { ask: send, server } = await serve(handler)
    const seen: string[] = []
    server.once('query', ({ query }) => seen.push(query.question!.name))
    await send(ask('fast.test'))
    await send(ask('fast.test'))
    expect(seen).toEqual(['fast.test.'])
    expect(calls).toEqual({ plain: 1, full: 1 })
    server.addListener('response', () => seen.push('response'))
    await send(ask('fast.test'))
    expect(calls).toEqual({ plain: 1, full: 2 })
    server.removeAllListeners('response')
    await send(ask('fast.test'))
    expect(calls).toEqual({ plain: 2, full: 2 })
  })
})
