/**
 * {@link DeadlineQueue}: many deadlines on one clock timer. A proxy has a hedge deadline, an
 * attempt expiry and a client budget per query in flight; a clock timer each would cost a timer
 * object per query (and a fake clock's scan per firing), so they sit in a binary min-heap and
 * only the earliest holds a timer. Cancelled deadlines are not removed: the callback checks
 * whether it still matters (lazy deletion), which keeps every operation O(log n).
 */
import type { Clock, TimerHandle } from '../util/clock.js'

/** A timer firing this much after its deadline means the event loop was busy. */
const LATE_MS = 5

interface Entry {
  at: number
  seq: number
  fn: () => void
}

/** Deadlines run in time order (ties in the order they were added). */
export class DeadlineQueue {
  private readonly heap: Entry[] = []
  private seq = 0
  private timer: TimerHandle | undefined
  private timerAt = Infinity
  private stopped = false
  /** One extra event-loop turn was already given to late deadlines. */
  private graced = false

  constructor(
    private readonly clock: Clock,
    /** Runs around every callback, so one that throws cannot stop the others. */
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Deadlines waiting (cancelled ones included until their time). */
  get size(): number {
    return this.heap.length
  }

  /** Runs `fn` at clock time `at`. */
  add(at: number, fn: () => void): void {
    if (this.stopped) return
    const entry = { at, seq: this.seq++, fn }
    const heap = this.heap
    let i = heap.push(entry) - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(entry, heap[parent]!)) break
      heap[i] = heap[parent]!
      i = parent
    }
    heap[i] = entry
    if (at < this.timerAt) this.arm(at)
  }

  /** Drops every deadline and the timer; later adds are ignored. */
  stop(): void {
    this.stopped = true
    this.heap.length = 0
    this.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.timerAt = Infinity
  }

  private arm(at: number): void {
    this.clock.clearTimeout(this.timer)
    this.timerAt = at
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, at - this.clock.now()))
  }

  private fire(): void {
    this.timer = undefined
    this.timerAt = Infinity
    const now = this.clock.now()
    if (!this.graced && this.heap.length > 0 && now - this.heap[0]!.at > LATE_MS) {
      // The timer is late: the event loop was busy, and the answers that would settle these
      // deadlines may be waiting unread in socket buffers. Timers run before I/O in an event
      // loop turn, so look again on the next turn, after the sockets have been read.
      this.graced = true
      this.timerAt = now
      this.timer = this.clock.setTimeout(() => this.fire(), 0)
      return
    }
    this.graced = false
    while (this.heap.length > 0 && this.heap[0]!.at <= now) {
      const entry = this.pop()
      try {
        entry.fn()
      } catch (error) {
        this.onError(error)
      }
    }
    if (this.heap.length > 0 && !this.stopped) this.arm(this.heap[0]!.at)
  }

  private pop(): Entry {
    const heap = this.heap
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length > 0) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= heap.length) break
        const r = l + 1
        const child = r < heap.length && before(heap[r]!, heap[l]!) ? r : l
        if (!before(heap[child]!, last)) break
        heap[i] = heap[child]!
        i = child
      }
      heap[i] = last
    }
    return top
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}
