// One conformance suite that every upstream strategy runs (describe.each over every StrategyName) (fake attempts, no network), then
// what each strategy does differently.
import { describe, expect, it } from 'vitest'
import type { StrategyName, StrategyUpstream } from '../../src/pool/strategies.js'
import { createStrategy } from '../../src/pool/strategies.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { isDnsHaError } from '../../src/util/errors.js'

interface FakeUpstream extends StrategyUpstream {
  name: string
  status: 'up' | 'down'
  srttMs: number | undefined
  /** rcode to answer, or 'fail' to reject, or 'hang' to never settle unless aborted. */
  behaviour: number | 'fail' | 'hang'
  asked: number
  weight?: number
}

const up = (name: string, behaviour: FakeUpstream['behaviour'] = 0, srttMs: number | undefined = 10, status: 'up' | 'down' = 'up'): FakeUpstream => ({
  name,
  status,
  srttMs,
  behaviour,
  asked: 0,
})

function run(strategy: ReturnType<typeof createStrategy>, upstreams: FakeUpstream[], fallback = [2, 5]) {
  const aborted: string[] = []
  const result = strategy.resolve({
    upstreams,
    fallbackRcodes: new Set(fallback),
    attempt: (u, signal) => {
      u.asked++
      if (u.behaviour === 'fail') return Promise.reject(new Error(`${u.name} failed`))
      if (u.behaviour === 'hang') {
        return new Promise<never>((_, reject) => signal?.addEventListener('abort', () => (aborted.push(u.name), reject(new Error('aborted')))))
      }
      return Promise.resolve({ upstream: u, rcode: u.behaviour })
    },
  })
  return { result, aborted }
}

const names: StrategyName[] = ['strict', 'all', 'fastest']

describe.each(names)('strategy %s (conformance)', (name) => {
  const make = () => createStrategy(name, { clock: new FakeClock(), remeasureEvery: 1000, remeasureIntervalMs: 1e9 })

  it('answers from a healthy upstream', async () => {
    const a = up('a')
    const { result } = run(make(), [a])
    expect((await result).upstream).toBe(a)
  })

  it('fails over past an upstream that fails', async () => {
    const bad = up('bad', 'fail', 1)
    const good = up('good', 0, 5)
    const { result } = run(make(), [bad, good])
    expect((await result).upstream).toBe(good)
  })

  it('moves past SERVFAIL and REFUSED to a real answer', async () => {
    const { result } = run(make(), [up('a', 2, 1), up('b', 5, 2), up('c', 3, 3)])
    expect((await result).rcode).toBe(3)
  })

  it('returns a fallback rcode when every upstream gave one', async () => {
    const { result } = run(make(), [up('a', 2), up('b', 2)])
    expect((await result).rcode).toBe(2)
  })

  it('rejects with ERR_FORWARD_FAILED when none answers', async () => {
    const { result } = run(make(), [up('a', 'fail'), up('b', 'fail')])
    const error = await result.catch((e: unknown) => e)
    expect(isDnsHaError(error, 'ERR_FORWARD_FAILED')).toBe(true)
  })

  it('never asks a down upstream while another is up', async () => {
    const down = up('down', 0, 1, 'down')
    const ok = up('ok', 0, 50)
    const { result } = run(make(), [down, ok])
    expect((await result).upstream).toBe(ok)
    expect(down.asked).toBe(0)
  })

  it('never asks a drained (weight 0) upstream while a weighted one is up', async () => {
    const drained = { ...up('drained', 0, 1), weight: 0 }
    const ok = up('ok', 0, 50)
    const { result } = run(make(), [drained, ok])
    expect((await result).upstream).toBe(ok)
    expect(drained.asked).toBe(0)
  })

  it('asks a drained upstream before a down one when no weighted upstream is up', async () => {
    const down = up('down', 0, 1, 'down')
    const drained = { ...up('drained', 0, 50), weight: 0 }
    const { result } = run(make(), [down, drained])
    expect((await result).upstream).toBe(drained)
    expect(down.asked).toBe(0)
  })

  it('asks down upstreams as a last resort when all are down', async () => {
    const a = up('a', 'fail', 1, 'down')
    const b = up('b', 0, 2, 'down')
    const { result } = run(make(), [a, b])
    expect((await result).upstream).toBe(b)
  })
})

describe('strategy differences', () => {
  it('strict asks in configured order, one at a time, ignoring RTT', async () => {
    const slow = up('slow', 0, 500)
    const fast = up('fast', 0, 1)
    const { result } = run(createStrategy('strict', { clock: new FakeClock() }), [slow, fast])
    expect((await result).upstream).toBe(slow)
    expect(fast.asked).toBe(0)
  })

  it('all asks everyone at once and aborts the losers', async () => {
    const hang = up('hang', 'hang')
    const ok = up('ok', 0)
    const { result, aborted } = run(createStrategy('all', { clock: new FakeClock() }), [hang, ok])
    expect((await result).upstream).toBe(ok)
    expect(hang.asked).toBe(1)
    expect(aborted).toEqual(['hang'])
  })

  it('fastest prefers the lowest RTT and re-measures every N queries', async () => {
    const clock = new FakeClock()
    const strategy = createStrategy('fastest', { clock, remeasureEvery: 3, remeasureIntervalMs: 1e9 })
    const slow = up('slow', 0, 80)
    const fast = up('fast', 0, 5)
    // The first query measures everyone (race); then the fastest alone until the 3rd.
    await run(strategy, [slow, fast]).result
    expect([slow.asked, fast.asked]).toEqual([1, 1])
    await run(strategy, [slow, fast]).result
    await run(strategy, [slow, fast]).result
    expect([slow.asked, fast.asked]).toEqual([1, 3])
    await run(strategy, [slow, fast]).result
    expect([slow.asked, fast.asked]).toEqual([2, 4])
  })

  it('fastest re-measures every 20 s by default, as dnsmasq 2.90 (FORWARD_TIME)', async () => {
    const clock = new FakeClock()
    const strategy = createStrategy('fastest', { clock, remeasureEvery: 1000 })
    const slow = up('slow', 0, 80)
    const fast = up('fast', 0, 5)
    await run(strategy, [slow, fast]).result
    clock.advance(19_999)
    await run(strategy, [slow, fast]).result
    expect(slow.asked).toBe(1)
    clock.advance(1)
    await run(strategy, [slow, fast]).result
    expect(slow.asked).toBe(2)
  })

  it('fastest re-measures after the interval too', async () => {
    const clock = new FakeClock()
    const strategy = createStrategy('fastest', { clock, remeasureEvery: 1000, remeasureIntervalMs: 10_000 })
    const slow = up('slow', 0, 80)
    const fast = up('fast', 0, 5)
    await run(strategy, [slow, fast]).result
    await run(strategy, [slow, fast]).result
    expect(slow.asked).toBe(1)
    clock.advance(10_000)
    await run(strategy, [slow, fast]).result
    expect(slow.asked).toBe(2)
  })
})
