import { describe, expect, it } from 'vitest'
import { DeadlineQueue } from '../../src/proxy/deadline-queue.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import type { Clock } from '../../src/util/clock.js'

/** The queue with closures as items: the tests read as deadlines that run code. */
function closureQueue(clock: Clock, onError: (error: unknown) => void) {
  const q = new DeadlineQueue<() => void>(clock, onError, (fn) => fn())
  return {
    add: (at: number, fn: () => void) => q.add(at, fn, 0),
    stop: () => q.stop(),
    get size() {
      return q.size
    },
  }
}

describe('DeadlineQueue', () => {
  it('hands each deadline its own item and tag, through more deadlines than its first arrays hold', () => {
    const clock = new FakeClock({ now: 0 })
    const ran: [string, number][] = []
    const q = new DeadlineQueue<string>(clock, () => {}, (item, tag) => ran.push([item, tag]))
    // 1,000 deadlines: the heap's typed arrays grow (from 256) with every entry kept.
    for (let i = 999; i >= 0; i--) q.add(i, `item${i}`, i * 4 + (i % 4))
    expect(q.size).toBe(1000)
    clock.advance(999)
    expect(ran).toHaveLength(1000)
    expect(ran.filter(([item, t], i) => item !== `item${i}` || t !== i * 4 + (i % 4))).toEqual([])
    expect(q.size).toBe(0)
  })

  it('runs deadlines in time order, ties in insertion order, on one timer', () => {
    const clock = new FakeClock({ now: 0 })
    const q = closureQueue(clock, () => {})
    const ran: string[] = []
    for (const [at, name] of [[30, 'c'], [10, 'a'], [20, 'b1'], [20, 'b2'], [5, 'first']] as const) q.add(at, () => ran.push(name))
    expect(clock.pending).toBe(1)
    clock.advance(19)
    expect(ran).toEqual(['first', 'a'])
    clock.advance(100)
    expect(ran).toEqual(['first', 'a', 'b1', 'b2', 'c'])
    expect(clock.pending).toBe(0)
    expect(q.size).toBe(0)
  })

  it('runs deadlines added from a callback, and goes on after one throws', () => {
    const clock = new FakeClock({ now: 0 })
    const errors: unknown[] = []
    const q = closureQueue(clock, (e) => errors.push(e))
    const ran: number[] = []
    q.add(10, () => {
      ran.push(10)
      q.add(10, () => ran.push(11))
      q.add(15, () => ran.push(15))
      throw new Error('boom')
    })
    q.add(12, () => ran.push(12))
    clock.advance(20)
    expect(ran).toEqual([10, 11, 12, 15])
    expect(errors).toHaveLength(1)
  })

  it('keeps order over many random deadlines', () => {
    const clock = new FakeClock({ now: 0 })
    const q = closureQueue(clock, () => {})
    const ran: number[] = []
    const ats = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000)
    for (const at of ats) q.add(at, () => ran.push(at))
    clock.advance(1000)
    expect(ran).toEqual([...ats].sort((a, b) => a - b))
  })

  it('stops: nothing runs, no timer left, later adds ignored', () => {
    const clock = new FakeClock({ now: 0 })
    const q = closureQueue(clock, () => {})
    const ran: number[] = []
    q.add(10, () => ran.push(1))
    q.stop()
    q.add(5, () => ran.push(2))
    expect(clock.pending).toBe(0)
    clock.advance(100)
    expect(ran).toEqual([])
  })
})

/** A clock whose timers fire only when the test says, however late. */
function lateClock() {
  let now = 0
  const timers: { due: number; fn: () => void }[] = []
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = { due: now + ms, fn }
      timers.push(t)
      return t
    },
    clearTimeout: (h) => {
      const i = timers.indexOf(h as never)
      if (i >= 0) timers.splice(i, 1)
    },
    setInterval: () => ({}),
    clearInterval: () => {},
  }
  /** Sets the time and fires the timers due by then (one turn: not those they set). */
  const turn = (at: number) => {
    now = at
    for (const t of timers.filter((x) => x.due <= now)) {
      timers.splice(timers.indexOf(t), 1)
      t.fn()
    }
  }
  return { clock, turn, pending: () => timers.length }
}

describe('DeadlineQueue when the event loop was busy', () => {
  it('gives late deadlines one more timer turn before running them; on-time ones run at once', () => {
    const { clock, turn, pending } = lateClock()
    const q = closureQueue(clock, () => {})
    const ran: string[] = []
    q.add(10, () => ran.push('a'))
    q.add(100, () => ran.push('b'))
    turn(10)
    expect(ran).toEqual(['a'])
    turn(200)
    expect(ran).toEqual(['a'])
    expect(pending()).toBe(1)
    turn(200)
    expect(ran).toEqual(['a', 'b'])
    q.add(205, () => ran.push('c'))
    turn(205 + 5)
    expect(ran).toEqual(['a', 'b', 'c'])
  })
})
