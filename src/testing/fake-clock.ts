/**
 * A deterministic {@link Clock} for tests: time moves only when the test says so, and timers
 * fire in due-time order (ties in creation order), each seeing `now()` equal to its due time.
 */
import type { Clock, TimerHandle } from '../util/clock.js'

/** Options for {@link FakeClock}. */
export interface FakeClockOptions {
  /** The starting `now()` in epoch milliseconds (default 1,700,000,000,000). */
  now?: number
}

interface FakeTimer {
  id: number
  due: number
  fn: () => void
  intervalMs: number | undefined
}

/** A clock whose time advances only through {@link FakeClock.advance} and its siblings. */
export class FakeClock implements Clock {
  private current: number
  private readonly timers = new Map<number, FakeTimer>()
  private nextId = 1

  constructor(options: FakeClockOptions = {}) {
    this.current = options.now ?? 1_700_000_000_000
  }

  now(): number {
    return this.current
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.schedule(fn, ms, undefined)
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.schedule(fn, ms, Math.max(1, ms))
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.timers.delete((handle as { id: number }).id)
  }

  clearInterval(handle: TimerHandle | undefined): void {
    this.clearTimeout(handle)
  }

  /** How many timers are waiting. */
  get pending(): number {
    return this.timers.size
  }

  /** When the next timer is due, or `undefined` when none is. */
  nextDue(): number | undefined {
    return this.earliest()?.due
  }

  /** Moves time forward by `ms`, firing every timer due on the way, synchronously. */
  advance(ms: number): void {
    const target = this.current + ms
    for (let t = this.dueBy(target); t; t = this.dueBy(target)) this.fire(t)
    this.current = target
  }

  /**
   * Like {@link FakeClock.advance}, but lets promise callbacks run before and after each timer,
   * so async code waiting on a timer resumes as it would in real time.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.current + ms
    await flush()
    for (let t = this.dueBy(target); t; t = this.dueBy(target)) {
      this.fire(t)
      await flush()
    }
    this.current = target
  }

  /** Fires timers until none is left (intervals make this endless: `limit` bounds it, default 10,000). */
  runAll(limit = 10_000): void {
    for (let i = 0; i < limit; i++) {
      const t = this.earliest()
      if (!t) return
      this.fire(t)
    }
    throw new Error(`FakeClock.runAll: still timers after ${limit} firings (an interval?)`)
  }

  /** The async form of {@link FakeClock.runAll}. */
  async runAllAsync(limit = 10_000): Promise<void> {
    await flush()
    for (let i = 0; i < limit; i++) {
      const t = this.earliest()
      if (!t) return
      this.fire(t)
      await flush()
    }
    throw new Error(`FakeClock.runAllAsync: still timers after ${limit} firings (an interval?)`)
  }

  private schedule(fn: () => void, ms: number, intervalMs: number | undefined): TimerHandle {
    const id = this.nextId++
    this.timers.set(id, { id, due: this.current + Math.max(0, ms), fn, intervalMs })
    return { id }
  }

  private earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined
    for (const t of this.timers.values()) if (!best || t.due < best.due) best = t
    return best
  }

  private dueBy(target: number): FakeTimer | undefined {
    const t = this.earliest()
    return t && t.due <= target ? t : undefined
  }

  private fire(t: FakeTimer): void {
    this.current = Math.max(this.current, t.due)
    if (t.intervalMs === undefined) this.timers.delete(t.id)
    else t.due += t.intervalMs
    t.fn()
  }
}

/** Lets every queued promise callback run (one macrotask turn). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
