// The handler contract around a chain: plain functions as handlers, starting and closing every
// member, and which chains keep the UDP fast path.
import { describe, expect, it } from 'vitest'
import { compose } from '../../src/server/compose.js'
import type { Handler } from '../../src/server/handler.js'
import { closeAll, endOfChain, isPromiseLike, startAll, toHandler } from '../../src/server/handler.js'
import type { PlainQuery } from '../../src/server/plain-query.js'
import { DnsQuery } from '../../src/server/query.js'
import { respond } from '../../src/server/respond.js'
import { views } from '../../src/server/views.js'

const q = (address = '10.1.2.3') => DnsQuery.from({ id: 1, questions: [{ name: 'a.test', type: 'A' }] }, { client: { address } })
const plain = (address: string): PlainQuery => ({ raw: Buffer.alloc(17), questionEnd: 17, ednsVariant: 0, maxUdpSize: 512, client: { address, port: 1, family: 'IPv4' } })
const fastHandler = (tag: number): Handler => ({ handle: (query) => respond(query), answerPlain: () => Uint8Array.of(tag) })

describe('toHandler, endOfChain, isPromiseLike', () => {
  it('wraps a function as a handler and passes a handler object through unchanged', async () => {
    const fn = (query: DnsQuery) => respond(query, { rcode: 'NXDOMAIN' })
    const wrapped = toHandler(fn)
    expect(wrapped.handle).toBe(fn)
    const object = fastHandler(1)
    expect(toHandler(object)).toBe(object)
  })

  it('the end of a chain answers nothing', () => {
    expect(endOfChain()).toBeUndefined()
  })

  it('tells promises from answers', () => {
    expect(isPromiseLike(Promise.resolve(undefined))).toBe(true)
    expect(isPromiseLike({ then: () => undefined } as never)).toBe(true)
    expect(isPromiseLike(undefined)).toBe(false)
    expect(isPromiseLike(respond(q()))).toBe(false)
    expect(isPromiseLike({ then: 1 } as never)).toBe(false)
  })
})

describe('startAll and closeAll', () => {
  it('starts every member that has start(), together, and waits for all', async () => {
    const log: string[] = []
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const started = startAll([
      { handle: () => undefined, start: async () => { log.push('a'); await gate; log.push('a ready') } },
      { handle: () => undefined },
      { handle: () => undefined, start: () => { log.push('b') } },
    ])
    let done = false
    void started.then(() => (done = true))
    await new Promise((r) => setImmediate(r))
    expect(log).toEqual(['a', 'b'])
    expect(done).toBe(false)
    release()
    await started
    expect(log).toEqual(['a', 'b', 'a ready'])
  })

  it('closes every member even when one fails, then rejects with the first failure', async () => {
    const closed: string[] = []
    const failing = closeAll([
      { handle: () => undefined, close: () => { closed.push('a') } },
      { handle: () => undefined, close: async () => { closed.push('b'); throw new Error('b would not close') } },
      { handle: () => undefined },
      { handle: () => undefined, close: async () => { closed.push('c'); throw new Error('c would not close') } },
      { handle: () => undefined, close: () => { closed.push('d') } },
    ])
    await expect(failing).rejects.toThrow('b would not close')
    expect(closed).toEqual(['a', 'b', 'c', 'd'])
    await expect(closeAll([{ handle: () => undefined, close: () => undefined }])).resolves.toBeUndefined()
  })
})

describe('compose(): start, close and the fast path', () => {
  it('starts and closes its members', async () => {
    const log: string[] = []
    const member = (name: string): Handler => ({ handle: () => undefined, start: () => { log.push(`${name} start`) }, close: () => { log.push(`${name} close`) } })
    const chain = compose(member('a'), member('b'))
    await chain.start!()
    await chain.close!()
    expect(log).toEqual(['a start', 'b start', 'a close', 'b close'])
  })

  it('an empty chain has no fast path and passes every query on', () => {
    const chain = compose()
    expect(chain.answerPlain).toBeUndefined()
    expect(chain.handle(q(), () => respond(q(), { rcode: 'REFUSED' }))).toMatchObject({ flags: 5 })
  })

  it('the fast path of a chain is its first member\'s', () => {
    const chain = compose(fastHandler(1), fastHandler(2))
    expect([...chain.answerPlain!(plain('10.0.0.1'))!]).toEqual([1])
  })

  it('a handler that answers after calling next() gets its own answer out, and an async one that passes on reaches the rest', async () => {
    const own = compose(async (query, next) => { await next(); return respond(query, { rcode: 'NXDOMAIN' }) }, (query) => respond(query, { rcode: 'SERVFAIL' }))
    expect(((await own.handle(q(), endOfChain)) as { flags: number }).flags & 0xf).toBe(3)
    const passes = compose(async () => undefined, (query) => respond(query, { rcode: 'SERVFAIL' }))
    expect(((await passes.handle(q(), endOfChain)) as { flags: number }).flags & 0xf).toBe(2)
    // Calling next() and returning undefined does not call the rest twice.
    let calls = 0
    const once = compose(async (_query, next) => { await next(); return undefined }, () => { calls++; return undefined })
    expect(await once.handle(q(), endOfChain)).toBeUndefined()
    expect(calls).toBe(1)
  })
})

describe('views(): start, close and the fast path', () => {
  it('starts and closes every view\'s handler', async () => {
    const log: string[] = []
    const member = (name: string): Handler => ({ handle: () => undefined, start: () => { log.push(`${name} start`) }, close: () => { log.push(`${name} close`) } })
    const v = views([{ match: '10.0.0.0/8', handler: member('inside') }, { match: 'any', handler: member('outside') }])
    await v.start!()
    await v.close!()
    expect(log).toEqual(['inside start', 'outside start', 'inside close', 'outside close'])
  })

  it('the fast path answers from the view the address picks, and declines for a client no view takes', () => {
    const v = views([{ match: '10.0.0.0/8', handler: fastHandler(1) }, { match: ['192.168.0.0/16'], handler: fastHandler(2) }])
    expect([...v.answerPlain!(plain('10.9.9.9'))!]).toEqual([1])
    expect([...v.answerPlain!(plain('192.168.1.1'))!]).toEqual([2])
    expect(v.answerPlain!(plain('203.0.113.1'))).toBeUndefined()
  })

  it('a picked view without a fast path declines (the query takes the full path)', () => {
    const v = views([{ match: '10.0.0.0/8', handler: (query) => respond(query) }, { match: 'any', handler: fastHandler(2) }])
    expect(v.answerPlain!(plain('10.1.1.1'))).toBeUndefined()
    expect([...v.answerPlain!(plain('192.0.2.1'))!]).toEqual([2])
  })

  it('has no fast path when any view matches by predicate, even beside address views (a predicate may look past the address)', () => {
    const mixed = views([{ match: '10.0.0.0/8', handler: fastHandler(1) }, { match: (query) => query.transport === 'udp', handler: fastHandler(2) }])
    expect(mixed.answerPlain).toBeUndefined()
  })

  it('has no fast path when no view\'s handler has one', () => {
    expect(views([{ match: 'any', handler: (query) => respond(query) }]).answerPlain).toBeUndefined()
  })

  it('a predicate view sees the whole query', () => {
    const v = views([{ match: (query) => query.transport === 'tcp', handler: (query) => respond(query, { rcode: 'NXDOMAIN' }) }])
    expect(v.handle(DnsQuery.from({ id: 1, questions: [{ name: 'a.test', type: 'A' }] }, { transport: 'tcp' }), endOfChain)).toMatchObject({ flags: 3 })
    expect(v.handle(q(), endOfChain)).toBeUndefined()
  })
})
