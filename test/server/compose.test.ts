import { describe, expect, it } from 'vitest'
import { compose } from '../../src/server/compose.js'
import { DnsQuery } from '../../src/server/query.js'
import { respond } from '../../src/server/respond.js'
import { views } from '../../src/server/views.js'

const q = (name = 'a.test', address = '10.1.2.3') => DnsQuery.from({ id: 1, questions: [{ name, type: 'A' }] }, { client: { address } })
const answer = (tag: string) => (query: DnsQuery) => respond(query, { answers: [{ name: query.question!.name, type: 'TXT', data: tag }] })
const tagOf = (r: unknown) => ((r as { answers: { data: string }[] }).answers[0]!.data)

describe('compose', () => {
  it('tries handlers in order until one answers', async () => {
    const seen: string[] = []
    const h = compose(
      () => {
        seen.push('first')
        return undefined
      },
      answer('second'),
      () => {
        seen.push('third')
        return undefined
      },
    )
    expect(tagOf(await h.handle(q(), () => undefined))).toBe('second')
    expect(seen).toEqual(['first'])
  })

  it('lets a handler wrap the rest of the chain through next()', async () => {
    const h = compose(async (query, next) => {
      const r = (await next()) as { answers: unknown[] }
      return { ...r, answers: [...r.answers, { name: query.question!.name, type: 'TXT', data: 'wrapped' }] } as never
    }, answer('inner'))
    const r = (await h.handle(q(), () => undefined)) as { answers: { data: string }[] }
    expect(r.answers.map((a) => a.data)).toEqual(['inner', 'wrapped'])
  })

  it('falls through to the outer next when nobody answers, and stays synchronous', () => {
    const h = compose(() => undefined, () => undefined)
    const r = h.handle(q(), () => respond(q(), { rcode: 'NXDOMAIN' }))
    expect(r).not.toBeInstanceOf(Promise)
    expect((r as { flags: number }).flags & 0xf).toBe(3)
  })

  it('throws when a handler calls next() twice', () => {
    const h = compose((_q, next) => {
      next()
      return next()
    })
    expect(() => h.handle(q(), () => undefined)).toThrow(/more than once/)
  })
})

describe('views', () => {
  const router = views([
    { name: 'internal', match: ['!10.9.0.0/16', '10.0.0.0/8'], handler: answer('internal') },
    { name: 'v6', match: ['2001:db8::/32'], handler: answer('v6') },
    { name: 'custom', match: (query) => query.question!.name.startsWith('special'), handler: answer('custom') },
  ])

  it('picks the first view whose match accepts the client', async () => {
    expect(tagOf(await router.handle(q('a.test', '10.1.2.3'), () => undefined))).toBe('internal')
    expect(tagOf(await router.handle(q('a.test', '2001:db8::5'), () => undefined))).toBe('v6')
    expect(tagOf(await router.handle(q('special.test', '192.0.2.1'), () => undefined))).toBe('custom')
  })

  it('honours negation, IPv4-mapped addresses, and passes to next when nothing matches', async () => {
    expect(await router.handle(q('a.test', '10.9.1.1'), () => undefined)).toBeUndefined()
    expect(tagOf(await router.handle(q('a.test', '::ffff:10.1.2.3'), () => undefined))).toBe('internal')
    expect(await router.handle(q('a.test', '192.0.2.1'), () => undefined)).toBeUndefined()
  })
})
