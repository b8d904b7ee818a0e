import { describe, expect, it } from 'vitest'
import { FakeClock } from '../../src/testing/fake-clock.js'

describe('FakeClock', () => {
  it('fires timers in due order, each seeing its own due time', () => {
    const clock = new FakeClock({ now: 1000 })
    const seen: [string, number][] = []
    clock.setTimeout(() => seen.push(['b', clock.now()]), 20)
    clock.setTimeout(() => seen.push(['a', clock.now()]), 10)
    clock.setTimeout(() => seen.push(['a2', clock.now()]), 10)
    clock.advance(15)
    expect(seen).toEqual([['a', 1010], ['a2', 1010]])
    expect(clock.now()).toBe(1015)
    clock.advance(5)
    expect(seen.at(-1)).toEqual(['b', 1020])
  })

  it('repeats intervals and clears timers', () => {
    const clock = new FakeClock()
    let ticks = 0
    const h = clock.setInterval(() => ticks++, 100)
    clock.advance(350)
    expect(ticks).toBe(3)
    clock.clearInterval(h)
    clock.advance(1000)
    expect(ticks).toBe(3)
    const t = clock.setTimeout(() => ticks++, 1)
    clock.clearTimeout(t)
    clock.runAll()
    expect(ticks).toBe(3)
    expect(clock.pending).toBe(0)
  })

  it('runs timers scheduled by timers within the same advance', () => {
    const clock = new FakeClock()
    const seen: number[] = []
    clock.setTimeout(() => clock.setTimeout(() => seen.push(clock.now()), 5), 5)
    clock.advance(10)
    expect(seen).toHaveLength(1)
  })

  it('lets async code resume between timers with advanceAsync', async () => {
    const clock = new FakeClock()
    const sleep = (ms: number) => new Promise<void>((r) => clock.setTimeout(r, ms))
    const steps: number[] = []
    const task = (async () => {
      await sleep(10)
      steps.push(clock.now())
      await sleep(10)
      steps.push(clock.now())
    })()
    const start = clock.now()
    await clock.advanceAsync(20)
    await task
    expect(steps).toEqual([start + 10, start + 20])
  })

  it('runAll refuses to spin forever on an interval', () => {
    const clock = new FakeClock()
    clock.setInterval(() => {}, 1)
    expect(() => clock.runAll(100)).toThrow(/interval/)
  })
})
