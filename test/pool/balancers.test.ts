// The balancing policies: one conformance suite every policy runs (tiers, exclusion, nothing
// available), then what each does differently, with exact sequences where the policy is
// deterministic and weight shares over 10,000 picks where it is not.
import { describe, expect, it } from 'vitest'
import type { BalancePolicy } from '../../src/pool/balancers.js'
import { createBalancer } from '../../src/pool/balancers.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { seededRandom } from '../../src/util/random.js'
import type { FakeMember } from './fake-members.js'
import { balancer, member } from './fake-members.js'

const policies: BalancePolicy[] = ['round-robin', 'least-outstanding', 'hash', 'random-two', 'first']

/** How many of `n` picks each member got, by key; clients vary so the hash spreads. */
function shares(policy: BalancePolicy, members: FakeMember[], n: number): Record<string, number> {
  const b = balancer(policy)
  const counts: Record<string, number> = {}
  for (let i = 0; i < n; i++) {
    const m = b.pick(members, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 0)!
    counts[m.key] = (counts[m.key] ?? 0) + 1
  }
  return counts
}

describe.each(policies)('every policy: %s', (policy) => {
  it('asks backups only while no primary is available', () => {
    const a = member('a')
    const b = member('b', 1, { backup: true })
    const members = [b, a]
    expect(balancer(policy).pick(members, '192.0.2.1', 0)).toBe(a)
    a.up = false
    expect(balancer(policy).pick(members, '192.0.2.1', 0)).toBe(b)
  })

  it('asks a drained member (weight 0) only when nothing with weight is available', () => {
    const drained = member('d', 0)
    const a = member('a')
    const b = balancer(policy)
    for (let i = 0; i < 20; i++) expect(b.pick([drained, a], `192.0.2.${i}`, 0)).toBe(a)
    a.up = false
    expect(b.pick([drained, a], '192.0.2.1', 0)).toBe(drained)
  })

  it('skips excluded and unavailable members, and returns undefined when none is left', () => {
    const a = member('a')
    const b = member('b')
    const c = member('c', 1, { up: false })
    const bal = balancer(policy)
    for (let i = 0; i < 10; i++) expect(bal.pick([a, b, c], `198.51.100.${i}`, 0, new Set([a]))).toBe(b)
    expect(bal.pick([a, b, c], '198.51.100.1', 0, new Set([a, b]))).toBeUndefined()
    expect(bal.pick([], '198.51.100.1', 0)).toBeUndefined()
  })

  it('passes the time to available()', () => {
    const seen: number[] = []
    const a = { ...member('a'), available: (now: number) => (seen.push(now), true) }
    balancer(policy).pick([a], '192.0.2.1', 1234)
    expect(seen).toContain(1234)
  })
})

describe('round-robin (nginx smooth weighted)', () => {
  it('spreads weights 5:1:1 as nginx does: a a b a c a a', () => {
    const [a, b, c] = [member('a', 5), member('b'), member('c')]
    const bal = balancer('round-robin')
    const order = Array.from({ length: 14 }, () => bal.pick([a, b, c], 'x', 0)!.key).join('')
    expect(order).toBe('aabacaa'.repeat(2))
  })

  it('gives exact shares for weights 1:1:2 over 10,000 picks', () => {
    expect(shares('round-robin', [member('a'), member('b'), member('c', 2)], 10_000)).toEqual({ a: 2500, b: 2500, c: 5000 })
  })
})

describe('least-outstanding', () => {
  it('picks the fewest queries in flight per unit of weight', () => {
    const a = member('a', 1, { outstanding: 3 })
    const b = member('b', 1, { outstanding: 1 })
    const c = member('c', 4, { outstanding: 3 }) // 3/4 < 1/1
    const bal = balancer('least-outstanding')
    for (let i = 0; i < 5; i++) expect(bal.pick([a, b, c], 'x', 0)).toBe(c)
    c.outstanding = 8 // 8/4 = 2 > 1
    expect(bal.pick([a, b, c], 'x', 0)).toBe(b)
  })

  it('rotates among ties so an idle pool still spreads', () => {
    const counts = shares('least-outstanding', [member('a'), member('b'), member('c')], 9)
    expect(counts).toEqual({ a: 3, b: 3, c: 3 })
  })
})

describe('hash (consistent, by client address)', () => {
  it('sends one client to one member, every time', () => {
    const members = [member('a'), member('b'), member('c')]
    const bal = balancer('hash')
    const first = bal.pick(members, '203.0.113.9', 0)
    for (let i = 0; i < 50; i++) expect(bal.pick(members, '203.0.113.9', 0)).toBe(first)
    // A fresh balancer (another process) agrees: the hash has no hidden state.
    expect(balancer('hash').pick(members, '203.0.113.9', 0)!.key).toBe(first!.key)
  })

  it('moves only the clients of a member that goes down, and gives them back when it returns', () => {
    const members = [member('a'), member('b'), member('c')]
    const bal = balancer('hash')
    const clients = Array.from({ length: 2000 }, (_, i) => `10.1.${i >> 8}.${i & 255}`)
    const before = clients.map((c) => bal.pick(members, c, 0)!)
    members[1]!.up = false
    const during = clients.map((c) => bal.pick(members, c, 0)!)
    clients.forEach((_, i) => {
      if (before[i]!.key !== 'b') expect(during[i]).toBe(before[i])
      else expect(during[i]!.key).not.toBe('b')
    })
    members[1]!.up = true
    expect(clients.map((c) => bal.pick(members, c, 0)!)).toEqual(before)
  })

  it('shares clients by weight (1:1:2 within 15%)', () => {
    const counts = shares('hash', [member('a'), member('b'), member('c', 2)], 10_000)
    expect(counts.a! / 2500).toBeGreaterThan(0.85)
    expect(counts.a! / 2500).toBeLessThan(1.15)
    expect(counts.b! / 2500).toBeGreaterThan(0.85)
    expect(counts.b! / 2500).toBeLessThan(1.15)
    expect(counts.c! / 5000).toBeGreaterThan(0.85)
    expect(counts.c! / 5000).toBeLessThan(1.15)
  })
})

describe('random-two', () => {
  it('of two candidates, takes the one with fewer queries in flight', () => {
    const a = member('a', 1, { outstanding: 10 })
    const b = member('b', 1, { outstanding: 0 })
    const bal = balancer('random-two')
    for (let i = 0; i < 20; i++) expect(bal.pick([a, b], 'x', 0)).toBe(b)
  })

  it('never picks the busiest of three, and shares by weight when idle (1:1:2 within 5%)', () => {
    const busy = member('busy', 1, { outstanding: 50 })
    const bal = balancer('random-two')
    for (let i = 0; i < 200; i++) expect(bal.pick([busy, member('x'), member('y')], 'x', 0)).not.toBe(busy)
    const counts = shares('random-two', [member('a'), member('b'), member('c', 2)], 10_000)
    expect(Math.abs(counts.a! - 2500)).toBeLessThan(125)
    expect(Math.abs(counts.b! - 2500)).toBeLessThan(125)
    expect(Math.abs(counts.c! - 5000)).toBeLessThan(250)
  })
})

describe('first (active/standby)', () => {
  it('takes the first available member in configured order', () => {
    const [a, b, c] = [member('a'), member('b', 5), member('c')]
    const bal = balancer('first')
    expect(bal.pick([a, b, c], 'x', 0)).toBe(a)
    a.up = false
    expect(bal.pick([a, b, c], 'x', 0)).toBe(b)
  })
})

it('rejects an unknown policy with ERR_CONFIG', () => {
  let error: unknown
  try {
    createBalancer('weighted' as BalancePolicy, { random: seededRandom(1) })
  } catch (e) {
    error = e
  }
  expect(isDnsHaError(error, 'ERR_CONFIG')).toBe(true)
})
