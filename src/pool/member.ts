/**
 * {@link PoolMember}: one upstream and its health. Passive health: every exchange that fails
 * (timeout, network error, garbage) counts against it, and `failuresToDown` in a row mark it
 * down with the last failure as the reason; one good exchange brings it back. Successful
 * exchanges feed a smoothed latency (RFC 6298-style EWMA, 1/8 weight per sample).
 */
import type { StrategyUpstream } from './strategies.js'

/** A member's address as the pool keys it (`port` defaults to 53 where servers are given). */
export interface MemberAddress {
  address: string
  port: number
}

/** Whether a member is asked: `'down'` members are skipped while any other is up. */
export type MemberState = 'up' | 'down'

/** A member's counters. */
export interface MemberCounters {
  /** Exchanges started (probes not included). */
  queries: number
  /** Exchanges that produced a usable answer (any rcode). */
  answers: number
  timeouts: number
  /** Answers that did not match what was asked (wrong id, question, source), dropped. */
  mismatches: number
  /** Answers that did not parse, dropped. */
  garbage: number
  /** Other failed exchanges (network errors). */
  errors: number
  /** Probes sent while the member was down. */
  probes: number
}

/** A member as plain data. */
export interface MemberSnapshot {
  address: string
  port: number
  /** Relative share of the traffic; 0 means drained (asked only when nothing else is up). */
  weight: number
  state: MemberState
  /** Why the member is down (the failure that took it down); `undefined` while up. */
  reason: string | undefined
  /** Failed exchanges in a row. */
  failures: number
  /** Smoothed round-trip time in ms (EWMA), `undefined` until measured. */
  latencyMs: number | undefined
  /** When it went down (clock ms), `undefined` while up. */
  downSince: number | undefined
  counters: MemberCounters
}

/**
 * An upstream as the forwarder's snapshot has always shown it (flat counters, `status`,
 * `srttMs`, `consecutiveFailures`); {@link toUpstreamSnapshot} derives it from a member.
 */
export interface UpstreamSnapshot {
  address: string
  port: number
  status: 'up' | 'down'
  srttMs: number | undefined
  consecutiveFailures: number
  queries: number
  answers: number
  timeouts: number
  /** Answers that did not match what was asked (wrong id, question, source), dropped. */
  mismatches: number
  /** Answers that did not parse, dropped. */
  garbage: number
  errors: number
}

/**
 * One upstream and its health. Strategies read `status`, `srttMs` and `weight`. Its status is
 * its own health (exchanges and probes) and the holds of tracked health sources together: down
 * when either says down.
 */
export class PoolMember implements StrategyUpstream {
  /** The failure that took it down by its own health; `undefined` while that says up. */
  reason: string | undefined = undefined
  /** Smoothed round-trip time (EWMA) in ms. */
  srttMs: number | undefined = undefined
  consecutiveFailures = 0
  /** When its status last went down (clock ms). */
  downSince = 0
  readonly counters: MemberCounters = { queries: 0, answers: 0, timeouts: 0, mismatches: 0, garbage: 0, errors: 0, probes: 0 }
  private own: MemberState = 'up'
  /** Tracked health sources holding it down, with their reasons. */
  private readonly holds = new Map<object, string>()

  constructor(
    readonly server: MemberAddress,
    public weight = 1,
  ) {}

  /** `address#port`. */
  get key(): string {
    return memberKey(this.server)
  }

  /** What strategies read: `'up'` only when its own health and every tracked source say up. */
  get status(): MemberState {
    return this.own === 'up' && this.holds.size === 0 ? 'up' : 'down'
  }

  /** Sets its own health (tracked sources' holds stay). */
  set status(state: MemberState) {
    this.own = state
  }

  /** Its own health alone, from its exchanges and probes (what probing is about). */
  get ownStatus(): MemberState {
    return this.own
  }

  /** Why a tracked health source holds it down; `undefined` when none does. */
  get heldDown(): string | undefined {
    for (const reason of this.holds.values()) return reason
    return undefined
  }

  /**
   * A tracked health source (`source`, any object identifying it) holds the member down for
   * `reason`, or lets it go (`undefined`). Returns true when this changed {@link status}.
   */
  hold(source: object, reason: string | undefined, now: number): boolean {
    const before = this.status
    if (reason === undefined) this.holds.delete(source)
    else this.holds.set(source, reason)
    const after = this.status
    if (before === 'up' && after === 'down') this.downSince = now
    return before !== after
  }

  /** A good exchange: failures reset, latency smoothed in. Returns true when this brought the member back up. */
  recordSuccess(rttMs: number): boolean {
    this.consecutiveFailures = 0
    this.srttMs = this.srttMs === undefined ? rttMs : this.srttMs + (rttMs - this.srttMs) / 8
    return this.markUp()
  }

  /** A probe answered: the member is taken back with the probe's time as its latency (the old one is stale). */
  recordRecovery(rttMs: number): boolean {
    if (this.own === 'up') return false
    this.consecutiveFailures = 0
    this.srttMs = rttMs
    return this.markUp()
  }

  /**
   * A failed exchange. Returns true when this failure took the member down by its own health
   * (the `failuresToDown`th in a row while that said up).
   */
  recordFailure(reason: string, failuresToDown: number, now: number): boolean {
    this.consecutiveFailures++
    if (this.own === 'down' || this.consecutiveFailures < failuresToDown) return false
    if (this.status === 'up') this.downSince = now
    this.own = 'down'
    this.reason = reason
    return true
  }

  /** This member as plain data. */
  snapshot(): MemberSnapshot {
    const down = this.status === 'down'
    return {
      address: this.server.address,
      port: this.server.port,
      weight: this.weight,
      state: this.status,
      reason: this.reason ?? this.heldDown,
      failures: this.consecutiveFailures,
      latencyMs: this.srttMs,
      downSince: down ? this.downSince : undefined,
      counters: { ...this.counters },
    }
  }

  /** Its own health says up again; true when it said down before (tracked holds aside). */
  private markUp(): boolean {
    if (this.own === 'up') return false
    this.own = 'up'
    this.reason = undefined
    return true
  }
}

/** The key a pool files a member under: `address#port`. */
export function memberKey(server: MemberAddress): string {
  return `${server.address}#${server.port}`
}

/** The forwarder's flat view of a member. */
export function toUpstreamSnapshot(member: MemberSnapshot): UpstreamSnapshot {
  const { queries, answers, timeouts, mismatches, garbage, errors } = member.counters
  return {
    address: member.address,
    port: member.port,
    status: member.state,
    srttMs: member.latencyMs,
    consecutiveFailures: member.failures,
    queries,
    answers,
    timeouts,
    mismatches,
    garbage,
    errors,
  }
}
