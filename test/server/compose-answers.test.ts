// compose(): the two survivors of its mutation run (docs/testing.md): an async member's own
// answer must be the chain's answer, and calling next() twice is an ERR_HANDLER a server reports.
import { describe, expect, it } from 'vitest'
import { compose } from '../../src/server/compose.js'
import { endOfChain } from '../../src/server/handler.js'
import { DnsQuery } from '../../src/server/query.js'
import { respond } from '../../src/server/respond.js'
import { DnsHaError } from '../../src/util/errors.js'

const q = () => DnsQuery.from({ id: 1, questions: [{ name: 'a.test', type: 'A' }] })

describe('compose(): answers and misuse', () => {
  it("an async member that answers without calling next() is the chain's answer, and the rest is never asked", async () => {
    let restAsked = 0
    const chain = compose(
      async (query) => respond(query, { rcode: 'NXDOMAIN' }),
      (query) => {
        restAsked++
        return respond(query, { rcode: 'SERVFAIL' })
      },
    )
    const answer = (await chain.handle(q(), endOfChain)) as { flags: number }
    expect(answer.flags & 0xf).toBe(3)
    expect(restAsked).toBe(0)
  })

  it('calling next() twice throws a DnsHaError with code ERR_HANDLER', () => {
    const chain = compose((_query, next) => {
      next()
      return next()
    })
    let thrown: unknown
    try {
      chain.handle(q(), endOfChain)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(DnsHaError)
    expect((thrown as DnsHaError).code).toBe('ERR_HANDLER')
  })
})
