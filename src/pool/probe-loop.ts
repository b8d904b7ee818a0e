/**
 * {@link ProbeLoop}: active recovery of down members. While a member is down it is asked a
 * probe question every `intervalMs`; any well-formed answer (even REFUSED) proves it alive.
 * One timer per down member, none for up ones.
 */
import { FLAG, TYPE } from '../packet/constants.js'
import { nameToWire } from '../packet/names.js'
import type { Clock, TimerHandle } from '../util/clock.js'
import type { PoolMember } from './member.js'

/** What the loop is told. */
export interface ProbeLoopOptions {
  clock: Clock
  intervalMs: number
  /**
   * Asks the member the probe question: resolves with the round trip in ms when it answered
   * well-formed, rejects otherwise.
   */
  probe(member: PoolMember): Promise<number>
  /** Whether the member still belongs to the pool (a forgotten one is not probed). */
  isMember(member: PoolMember): boolean
  /** The probe answered: take the member back. */
  recovered(member: PoolMember, rttMs: number): void
}

/** Probe timers for down members. */
export class ProbeLoop {
  private readonly timers = new Map<PoolMember, TimerHandle>()
  private closed = false

  constructor(private readonly options: ProbeLoopOptions) {}

  /** Probes `member` after one interval, and again after each failed probe while it stays down. */
  schedule(member: PoolMember): void {
    if (this.closed) return
    this.cancel(member)
    const timer = this.options.clock.setTimeout(() => {
      this.timers.delete(member)
      // Its own health decides probing: a member a tracked source holds down is still probed
      // while its own health says down, so it is ready when the source lets it go.
      if (this.closed || member.ownStatus === 'up' || !this.options.isMember(member)) return
      member.counters.probes++
      this.options.probe(member).then(
        (rttMs) => {
          if (member.ownStatus === 'down') this.options.recovered(member, rttMs)
        },
        () => {
          if (member.ownStatus === 'down') this.schedule(member)
        },
      )
    }, this.options.intervalMs)
    this.timers.set(member, timer)
  }

  /** Stops probing `member` (it came back up, or left the pool). */
  cancel(member: PoolMember): void {
    const timer = this.timers.get(member)
    if (timer === undefined) return
    this.options.clock.clearTimeout(timer)
    this.timers.delete(member)
  }

  /** How many members are waiting for a probe. */
  get pending(): number {
    return this.timers.size
  }

  /** Stops every probe for good. */
  close(): void {
    this.closed = true
    for (const timer of this.timers.values()) this.options.clock.clearTimeout(timer)
    this.timers.clear()
  }
}

/** A query message (id 0, RD) for `name` and `type`: the default probe is `. NS`. */
export function probeQuery(name = '.', type: number = TYPE.NS): Uint8Array {
  const qname = nameToWire(name)
  const out = new Uint8Array(12 + qname.length + 4)
  out[2] = FLAG.RD >> 8
  out[5] = 1 // QDCOUNT
  out.set(qname, 12)
  out[12 + qname.length] = type >> 8
  out[12 + qname.length + 1] = type & 0xff
  out[12 + qname.length + 3] = 1 // class IN
  return out
}
