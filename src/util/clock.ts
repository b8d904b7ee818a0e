/**
 * Time as a dependency. Every timer in dns-ha goes through a {@link Clock}, so tests run on a
 * `FakeClock` (from `dns-ha/testing`) and never sleep. Only {@link realClock} touches the real
 * timers.
 */

/** An opaque timer handle returned by a {@link Clock}. */
export type TimerHandle = { readonly __timer?: never } | object

/** The time source and timer scheduler every stateful component takes as its `clock` option. */
export interface Clock {
  /** Milliseconds since the Unix epoch (the fake clock starts wherever it is told). */
  now(): number
  /** Runs `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle
  /** Cancels a timer made by {@link Clock.setTimeout}; unknown or spent handles are ignored. */
  clearTimeout(handle: TimerHandle | undefined): void
  /** Runs `fn` every `ms` milliseconds until cleared. */
  setInterval(fn: () => void, ms: number): TimerHandle
  /** Cancels a timer made by {@link Clock.setInterval}. */
  clearInterval(handle: TimerHandle | undefined): void
  /**
   * Optional: a monotonic time in milliseconds with a fraction (sub-millisecond durations,
   * such as the query log's µs). Absent, durations are taken from {@link Clock.now}.
   */
  monotonic?(): number
}

/** The default clock: `Date.now()` and Node's timers. */
export const realClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => {
    if (handle !== undefined) clearTimeout(handle as NodeJS.Timeout)
  },
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => {
    if (handle !== undefined) clearInterval(handle as NodeJS.Timeout)
  },
}
