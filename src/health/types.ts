/**
 * The health prober's public shapes: what a check is and returns, how a target is described, the
 * events and the snapshot. The verdict types match `HealthSource` / `HealthChange` of
 * `dns-ha/pool` structurally (health sits beside pool in the layering and may not import it), so
 * `pool.track(prober)` takes a {@link HealthProber} as it is.
 */
import type { Clock } from '../util/clock.js'

/** A target's verdict (the same strings as the pool's `HealthState`). */
export type HealthVerdict = 'up' | 'down'

/** A target changed state or weight: the pool's `HealthChange`, plus the state before. */
export interface HealthProberChange {
  /** The target's name (for a pool member: `address#port`, see {@link memberTarget}). */
  target: string
  state: HealthVerdict
  /** The weight the target now carries (its configured weight, or one a dynamic check asked for). */
  weight?: number
  /** Why, in words a person can read. */
  reason: string
  /** The verdict before this change (`undefined` when it was not known yet). */
  previous: HealthVerdict | undefined
}

/** What one run of a check found. */
export interface CheckOutcome {
  ok: boolean
  /** Why, in words a person can read ("answer 192.0.2.9, expected 192.0.2.80"). */
  reason: string
  /** A weight the check asks for (keepalived's dynamic MISC_CHECK); absent: the target's own. */
  weight?: number
}

/** What a check is given on each run. */
export interface CheckContext {
  /** Aborted when the run outlives the target's `timeoutMs`, or the target is removed or the prober closed: stop and release everything. */
  signal: AbortSignal
  /** The prober's clock (timers inside a check go through it). */
  clock: Clock
  /** The target's `timeoutMs`, for checks that pass a time limit on (a query's own timeout). */
  timeoutMs: number
  /** The target's name. */
  target: string
}

/** A health check: one run, one outcome. Throwing (or rejecting) counts as a failure with the error as the reason. */
export type HealthCheck = (context: CheckContext) => Promise<CheckOutcome>

/** The state a target starts in, before its first `rise` or `fall` run of checks. */
export type InitialState = 'up' | 'down' | 'unknown'

/** An operator's override: force a target up or down, or give it back to its checks. */
export type OverrideMode = 'up' | 'down' | 'auto'

/** One target of a {@link HealthProber}. */
export interface TargetOptions {
  /** Unique name; a pool matches it to a member by `address#port` ({@link memberTarget}). */
  name: string
  check: HealthCheck
  /** Between the starts of two runs, in ms (keepalived `delay_loop`; default 5,000). */
  intervalMs?: number
  /** A run that takes longer fails and is aborted (keepalived `connect_timeout`; default 2,000). */
  timeoutMs?: number
  /** Passes in a row that bring a down target up (default 2). */
  rise?: number
  /** Failures in a row that take an up target down (keepalived `retry`; default 3). */
  fall?: number
  /** After a failure, the next run starts this long after the failed one instead of `intervalMs` (keepalived `delay_before_retry`; default `intervalMs`). */
  delayBeforeRetryMs?: number
  /** Each wait gets a random extra 0..`jitter` ms, so many targets do not probe in lockstep (default 0). The first run starts after 0..`jitter` ms. */
  jitter?: number
  /** `'up'` (default, keepalived without `alpha`), `'down'` (keepalived `alpha`: must pass `rise` times first) or `'unknown'` (the first run decides). */
  initialState?: InitialState
  /** The weight reported with the target's changes (default 1); a dynamic check's weight replaces it while it asks for one. */
  weight?: number
}

/** A `result` event: every finished run. */
export interface HealthResultEvent {
  target: string
  ok: boolean
  /** From the start of the run to its outcome (the timeout for a run that timed out). */
  latencyMs: number
  reason: string
  /** The weight the check asked for, if any. */
  weight?: number
}

/** An `up` or `down` event. */
export interface HealthTransitionEvent {
  target: string
  reason: string
  weight?: number
}

/** Events of {@link HealthProber}. */
export interface HealthProberEvents {
  result: (event: HealthResultEvent) => void
  up: (event: HealthTransitionEvent) => void
  down: (event: HealthTransitionEvent) => void
  change: (event: HealthProberChange) => void
}

/** One target in a {@link HealthProberSnapshot}. */
export interface HealthTargetSnapshot {
  name: string
  /** The verdict others see (the override, if any, else the checks'). */
  state: HealthVerdict | undefined
  /** The checks' own verdict. */
  checked: HealthVerdict | undefined
  override: OverrideMode
  weight: number
  /** Passes and failures in a row. */
  successes: number
  failures: number
  runs: number
  /** A run is in progress. */
  running: boolean
  last: { ok: boolean; reason: string; latencyMs: number; at: number } | undefined
}

/** {@link HealthProber.snapshot}: plain data. */
export interface HealthProberSnapshot {
  closed: boolean
  targets: HealthTargetSnapshot[]
}
