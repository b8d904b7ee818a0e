/**
 * {@link DeadlineQueue}: many deadlines on one clock timer. A proxy has a hedge deadline, an
 * attempt expiry and a client budget per query in flight; a clock timer each would cost a timer
 * object per query (and a fake clock's scan per firing), so they sit in a binary min-heap and
 * only the earliest holds a timer.
 *
 * A deadline is an item and a numeric tag, not a closure: the heap lives in typed arrays (the
 * items in one plain array beside them), so adding one allocates nothing once the arrays have
 * grown to the load, and one `run(item, tag)` given at construction handles them all. Cancelled
 * deadlines are not removed: the tag carries what the caller needs to tell a stale one (a
 * generation, say) and `run` ignores it (lazy deletion), which keeps every operation O(log n).
 */
import type { Clock, TimerHandle } from '../util/clock.js'

/** A timer firing this much after its deadline means the event loop was busy. */
const LATE_MS = 5
const INITIAL_CAPACITY = 256

/** Deadlines run in time order (ties in the order they were added). */
export class DeadlineQueue<T> {
  private ats: Float64Array = new Float64Array(INITIAL_CAPACITY)
  /** Insertion order, for ties. */
  private seqs: Float64Array = new Float64Array(INITIAL_CAPACITY)
  private tags: Float64Array = new Float64Array(INITIAL_CAPACITY)
  private items: (T | undefined)[] = new Array<T | undefined>(INITIAL_CAPACITY).fill(undefined)
  private length = 0
  private seq = 0
  private timer: TimerHandle | undefined
  private timerAt = Infinity
  private stopped = false
  /** One extra event-loop turn was already given to late deadlines. */
  private graced = false

  constructor(
    private readonly clock: Clock,
    /** Runs around every deadline, so one that throws cannot stop the others. */
    private readonly onError: (error: unknown) => void,
    /** What a deadline does when its time comes. */
    private readonly run: (item: T, tag: number) => void,
  ) {}

  /** Deadlines waiting (cancelled ones included until their time). */
  get size(): number {
    return this.length
  }

  /** Runs `run(item, tag)` at clock time `at`. */
  add(at: number, item: T, tag: number): void {
    if (this.stopped) return
    if (this.length === this.ats.length) this.grow()
    const seq = this.seq++
    const ats = this.ats
    const seqs = this.seqs
    let i = this.length++
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!(at < ats[parent]! || (at === ats[parent]! && seq < seqs[parent]!))) break
      this.move(parent, i)
      i = parent
    }
    this.put(i, at, seq, tag, item)
    if (at < this.timerAt) this.arm(at)
  }

  /** Drops every deadline and the timer; later adds are ignored. */
  stop(): void {
    this.stopped = true
    this.items.fill(undefined, 0, this.length)
    this.length = 0
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
    if (!this.graced && this.length > 0 && now - this.ats[0]! > LATE_MS) {
      // The timer is late: the event loop was busy, and the answers that would settle these
      // deadlines may be waiting unread in socket buffers. Timers run before I/O in an event
      // loop turn, so look again on the next turn, after the sockets have been read.
      this.graced = true
      this.timerAt = now
      this.timer = this.clock.setTimeout(() => this.fire(), 0)
      return
    }
    this.graced = false
    while (this.length > 0 && this.ats[0]! <= now) {
      const item = this.items[0] as T
      const tag = this.tags[0]!
      this.removeTop()
      try {
        this.run(item, tag)
      } catch (error) {
        this.onError(error)
      }
    }
    if (this.length > 0 && !this.stopped) this.arm(this.ats[0]!)
  }

  /** Takes the earliest entry out: the last one sifts down from the top. */
  private removeTop(): void {
    const last = --this.length
    const at = this.ats[last]!
    const seq = this.seqs[last]!
    const tag = this.tags[last]!
    const item = this.items[last]
    this.items[last] = undefined
    if (last === 0) return
    const ats = this.ats
    const seqs = this.seqs
    const n = last
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      const child = r < n && (ats[r]! < ats[l]! || (ats[r] === ats[l] && seqs[r]! < seqs[l]!)) ? r : l
      if (!(ats[child]! < at || (ats[child] === at && seqs[child]! < seq))) break
      this.move(child, i)
      i = child
    }
    this.put(i, at, seq, tag, item)
  }

  private move(from: number, to: number): void {
    this.ats[to] = this.ats[from]!
    this.seqs[to] = this.seqs[from]!
    this.tags[to] = this.tags[from]!
    this.items[to] = this.items[from]
  }

  private put(i: number, at: number, seq: number, tag: number, item: T | undefined): void {
    this.ats[i] = at
    this.seqs[i] = seq
    this.tags[i] = tag
    this.items[i] = item
  }

  private grow(): void {
    const capacity = this.ats.length * 2
    const grown = (from: Float64Array): Float64Array => {
      const to = new Float64Array(capacity)
      to.set(from)
      return to
    }
    this.ats = grown(this.ats)
    this.seqs = grown(this.seqs)
    this.tags = grown(this.tags)
    const items = new Array<T | undefined>(capacity).fill(undefined)
    for (let i = 0; i < this.length; i++) items[i] = this.items[i]
    this.items = items
  }
}
