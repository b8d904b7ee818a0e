// Edges of the balancing policies that the conformance suite in balancers.test.ts does not pin:
// round-robin state across membership changes, the hash ring's exact mapping and boundaries,
// random-two with one candidate and with unequal weights.
import { describe, expect, it } from 'vitest'
import { createBalancer } from '../../src/pool/balancers.js'
import type { FakeMember } from './fake-members.js'
import { balancer, member } from './fake-members.js'

describe('round-robin across membership changes', () => {
  it('forgets the turns of members that left, so a pool rebuilt with them starts afresh', () => {
    const [a, b, c] = [member('a', 5), member('b'), member('c')]
    const bal = balancer('round-robin')
    expect([bal.pick([a, b, c], 'x', 0)!.key, bal.pick([a, b, c], 'x', 0)!.key]).toEqual(['a', 'a'])
    // The pool shrinks to one new member: the old members' running scores are dropped...
    expect(bal.pick([member('x')], 'x', 0)!.key).toBe('x')
    // ...so the old pool, configured again, starts its cycle from the top (a a b a c a a), not
    // mid-cycle where it left off (which would give b next).
    const order = Array.from({ length: 7 }, () => bal.pick([a, b, c], 'x', 0)!.key).join('')
    expect(order).toBe('aabacaa')
  })
})

describe('hash ring', () => {
  // The mapping is pinned: proxies of different versions (a rolling upgrade) and processes of one
  // version must send a client to the same member, or its stickiness is lost.
  it('maps clients to the same members in every version (pinned FNV-1a/murmur3 ring)', () => {
    const members = [member('a'), member('b'), member('c')]
    const bal = balancer('hash')
    const clients = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5', '192.0.2.6', '2001:db8::1', '10.0.0.1']
    expect(clients.map((c) => bal.pick(members, c, 0)!.key).join('')).toBe('baacccac')
  })

  it('gives a client whose hash lands exactly on a ring point to that point’s member', () => {
    // Ring points are hash32(`${key}-${i}`); a client spelled the same hashes onto that point.
    const members = [member('a'), member('b'), member('c')]
    const bal = balancer('hash')
    for (const key of ['a', 'b', 'c']) for (const i of [0, 5, 77, 159]) expect(bal.pick(members, `${key}-${i}`, 0)!.key).toBe(key)
  })
})

describe('random-two edges', () => {
  it('with one candidate left, picks it without drawing', () => {
    const a = member('a', 3, { outstanding: 9 })
    const random = { int: () => { throw new Error('drew') } }
    const bal = createBalancer<FakeMember>('random-two', { random })
    expect(bal.pick([a, member('b', 1, { up: false })], 'x', 0)).toBe(a)
  })
})

describe('tiers and shares at the edges', () => {
  it('hash: with every primary down, a backup with weight takes the clients, never a drained member', () => {
    const primary = member('p', 1, { up: false })
    const backup = member('b', 1, { backup: true })
    const drained = member('d', 0)
    const bal = balancer('hash')
    for (let i = 0; i < 200; i++) expect(bal.pick([primary, drained, backup], `10.9.${i >> 8}.${i & 255}`, 0)).toBe(backup)
  })

  it('round-robin: drained members left alone still take turns', () => {
    const [x, y] = [member('x', 0), member('y', 0)]
    const bal = balancer('round-robin')
    expect(Array.from({ length: 4 }, () => bal.pick([x, y], 'c', 0)!.key).join('')).toBe('xyxy')
  })

  it('random-two: drained members left alone are both drawn', () => {
    const [x, y] = [member('x', 0), member('y', 0)]
    const bal = balancer('random-two')
    const seen = new Set(Array.from({ length: 200 }, () => bal.pick([x, y], 'c', 0)!.key))
    expect([...seen].sort()).toEqual(['x', 'y'])
  })

  it('random-two: compares queries in flight per unit of weight (2 of 4 beats 1 of 1)', () => {
    const big = member('big', 4, { outstanding: 2 })
    const small = member('small', 1, { outstanding: 1 })
    const bal = balancer('random-two')
    for (let i = 0; i < 50; i++) expect(bal.pick([big, small], 'c', 0)).toBe(big)
  })
})
