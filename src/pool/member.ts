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

/** One upstream and its health. Strategies read `status`, `srttMs` and `weight`. */
export class PoolMember implements StrategyUpstream {
  status: MemberState = 'up'
  /** The failure that took it down; `undefined` while up. */
  reason: string | undefined = undefined
  /** Smoothed round-trip time (EWMA) in ms. */
  srttMs: number | undefined = undefined
  consecutiveFailures = 0
  downSince = 0
  readonly counters: MemberCounters = { queries: 0, answers: 0, timeouts: 0, mismatches: 0, garbage: 0, errors: 0, probes: 0 }

  constructor(
    readonly server: MemberAddress,
    public weight = 1,
  ) {}

  /** `address#port`. */
  get key(): string {
    return memberKey(this.server)
  }

  /** A good exchange: failures reset, latency smoothed in. Returns true when this brought the member back up. */
  recordSuccess(rttMs: number): boolean {
    this.consecutiveFailures = 0
    this.srttMs = this.srttMs === undefined ? rttMs : this.srttMs + (rttMs - this.srttMs) / 8
    return this.markUp()
  }

  /** A probe answered: the member is taken back with the probe's time as its latency (the old one is stale). */
  recordRecovery(rttMs: number): boolean {
    if (this.status === 'up') return false
    this.consecutiveFailures = 0
    this.srttMs = rttMs
    return this.markUp()
  }

  /**
   * A failed exchange. Returns true when this failure took the member down (the
   * `failuresToDown`th in a row while up).
   */
  recordFailure(reason: string, failuresToDown: number, now: number): boolean {
    this.consecutiveFailures++
    if (this.status === 'down' || this.consecutiveFailures < failuresToDown) return false
    this.status = 'down'
    this.reason = reason
    this.downSince = now
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
      reason: this.reason,
      failures: this.consecutiveFailures,
      latencyMs: this.srttMs,
      downSince: down ? this.downSince : undefined,
      counters: { ...this.counters },
    }
  }

  private markUp(): boolean {
    if (this.status === 'up') return false
    this.status = 'up'
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
