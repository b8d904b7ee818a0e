/**
 * {@link HealthProber}: keepalived's checker loop on an injected clock. Each target runs its check
 * every `intervalMs` (plus jitter), never two runs at once; a run that outlives `timeoutMs` fails
 * and is aborted. `fall` failures in a row take an up target down, `rise` passes bring a down one
 * up. An operator override wins over the checks until set back to `'auto'`.
 *
 * It is a `HealthSource` for `pool.track(prober)`: `watch()` hears every change, `state()` reads
 * a verdict.
 */
import { EventEmitter } from 'eventemitter3'
import type { Clock, TimerHandle } from '../util/clock.js'
import { realClock } from '../util/clock.js'
import { DnsHaError } from '../util/errors.js'
import type { ComponentLogger, Logger } from '../util/logger.js'
import { toLogger } from '../util/logger.js'
import type { Random } from '../util/random.js'
import { defaultRandom } from '../util/random.js'
import type {
  CheckOutcome,
  HealthCheck,
  HealthProberChange,
  HealthProberEvents,
  HealthProberSnapshot,
  HealthTargetSnapshot,
  HealthVerdict,
  InitialState,
  OverrideMode,
  TargetOptions,
} from './types.js'

/** Options of {@link HealthProber}. */
export interface HealthProberOptions {
  /** Timers and latencies (default: the real clock). */
  clock?: Clock
  /** Jitter draws (default: the shared CSPRNG). */
  random?: Random
  /**
   * Where check transitions are reported: a target going down (`warn`) or up (`info`), with
   * the check's reason and weight, `component: 'health'`; console- or pino-shaped. Never per run.
   */
  logger?: Logger
}

/** Target defaults, keepalived's where it has one. */
export const HEALTH_DEFAULTS = {
  intervalMs: 5000,
  timeoutMs: 2000,
  rise: 2,
  fall: 3,
  jitter: 0,
  initialState: 'up' as InitialState,
  weight: 1,
} as const

/** Runs health checks against named targets and keeps a verdict for each. */
export class HealthProber extends EventEmitter<HealthProberEvents> {
  private readonly clock: Clock
  private readonly random: Random
  private readonly targets = new Map<string, Target>()
  private closed = false

  constructor(options: HealthProberOptions = {}) {
    super()
    this.clock = options.clock ?? realClock
    this.random = options.random ?? defaultRandom()
    if (options.logger !== undefined) this.logTo(toLogger(options.logger, { component: 'health' }))
  }

  /** The log lines, from the transition events. */
  private logTo(logger: ComponentLogger): void {
    this.on('down', ({ target, reason, weight }) => logger.warn(`${target} down: ${reason}`, weight === undefined ? { target, reason } : { target, reason, weight }))
    this.on('up', ({ target, reason, weight }) => logger.info(`${target} up: ${reason}`, weight === undefined ? { target, reason } : { target, reason, weight }))
  }

  /** Adds a target and schedules its first run (after 0..`jitter` ms). Throws `ERR_CONFIG` on a bad option or a name already taken. */
  add(options: TargetOptions): void {
    if (this.closed) throw new DnsHaError('ERR_HEALTH_CLOSED', 'the health prober is closed')
    const config = resolveTarget(options)
    if (this.targets.has(config.name)) throw new DnsHaError('ERR_CONFIG', `health target ${JSON.stringify(config.name)} already exists`)
    const initial = config.initialState === 'unknown' ? undefined : config.initialState
    const target: Target = {
      config,
      checked: initial,
      override: 'auto',
      successes: 0,
      failures: 0,
      runs: 0,
      dynamicWeight: undefined,
      timer: undefined,
      running: undefined,
      last: undefined,
    }
    this.targets.set(config.name, target)
    this.schedule(target, this.jitter(config))
  }

  /** Stops a target: its timer is cleared and a run in progress aborted (its result is dropped). Returns whether it existed. */
  remove(name: string): boolean {
    const target = this.targets.get(name)
    if (!target) return false
    this.targets.delete(name)
    this.stop(target, 'target removed')
    return true
  }

  /** Forces a target `'up'` or `'down'` whatever its checks say, or gives it back to them (`'auto'`). Checks keep running meanwhile. */
  override(name: string, mode: OverrideMode): void {
    const target = this.targets.get(name)
    if (!target) throw new DnsHaError('ERR_CONFIG', `no health target ${JSON.stringify(name)}`)
    if (mode !== 'up' && mode !== 'down' && mode !== 'auto') throw new DnsHaError('ERR_CONFIG', `override must be 'up', 'down' or 'auto', got ${JSON.stringify(mode)}`)
    const before = effective(target)
    const weightBefore = weightOf(target)
    target.override = mode
    const reason = mode === 'auto' ? `operator override cleared; checks say ${target.checked ?? 'unknown'}` : `operator override: ${mode}`
    this.announce(target, before, weightBefore, reason)
  }

  /** The verdict for `name`: the override if any, else the checks'; `undefined` for an unknown target or one not judged yet. */
  state(name: string): HealthVerdict | undefined {
    const target = this.targets.get(name)
    return target ? effective(target) : undefined
  }

  /** Calls `listener` on every change (state, or weight) from now on; the returned function stops that. */
  watch(listener: (change: HealthProberChange) => void): () => void {
    this.on('change', listener)
    return () => {
      this.off('change', listener)
    }
  }

  /** Every target as plain data. */
  snapshot(): HealthProberSnapshot {
    const targets: HealthTargetSnapshot[] = [...this.targets.values()].map((t) => ({
      name: t.config.name,
      state: effective(t),
      checked: t.checked,
      override: t.override,
      weight: weightOf(t),
      successes: t.successes,
      failures: t.failures,
      runs: t.runs,
      running: t.running !== undefined,
      last: t.last ? { ...t.last } : undefined,
    }))
    return { closed: this.closed, targets }
  }

  /** Stops every target (runs in progress are aborted); `add` throws afterwards. */
  close(): void {
    if (this.closed) return
    this.closed = true
    for (const target of this.targets.values()) this.stop(target, 'health prober closed')
    this.targets.clear()
  }

  // ---- the run loop ----

  private schedule(target: Target, delayMs: number): void {
    target.timer = this.clock.setTimeout(() => {
      target.timer = undefined
      this.run(target)
    }, Math.max(0, delayMs))
  }

  private run(target: Target): void {
    if (this.targets.get(target.config.name) !== target) return
    const { config } = target
    const startedAt = this.clock.now()
    const next = (ok: boolean): void => {
      const base = ok ? config.intervalMs : config.delayBeforeRetryMs
      this.schedule(target, startedAt + base + this.jitter(config) - this.clock.now())
    }
    if (target.running) {
      // The last run ignored its abort and is still going: never start a second one beside it.
      this.record(target, { ok: false, reason: 'the previous run is still going after its abort' }, 0, startedAt)
      next(false)
      return
    }
    const controller = new AbortController()
    let done = false
    const finish = (outcome: CheckOutcome): void => {
      if (done) return
      done = true
      this.clock.clearTimeout(timer)
      if (this.targets.get(config.name) !== target) return
      this.record(target, outcome, this.clock.now() - startedAt, startedAt)
      next(outcome.ok)
    }
    const timer = this.clock.setTimeout(() => {
      finish({ ok: false, reason: `timed out after ${config.timeoutMs} ms` })
      controller.abort(new DnsHaError('ERR_HEALTH_TIMEOUT', `health check of ${config.name} timed out after ${config.timeoutMs} ms`))
    }, config.timeoutMs)
    const running: Running = { controller }
    target.running = running
    void invoke(config.check, { signal: controller.signal, clock: this.clock, timeoutMs: config.timeoutMs, target: config.name }).then((outcome) => {
      if (target.running === running) target.running = undefined
      finish(outcome)
    })
  }

  private record(target: Target, outcome: CheckOutcome, latencyMs: number, at: number): void {
    const before = effective(target)
    const weightBefore = weightOf(target)
    target.runs++
    target.last = { ok: outcome.ok, reason: outcome.reason, latencyMs, at }
    if (outcome.ok) {
      target.successes++
      target.failures = 0
      target.dynamicWeight = outcome.weight
      if (target.checked === undefined || (target.checked === 'down' && target.successes >= target.config.rise)) target.checked = 'up'
    } else {
      target.failures++
      target.successes = 0
      if (target.checked === undefined || (target.checked === 'up' && target.failures >= target.config.fall)) target.checked = 'down'
    }
    this.safeEmit('result', {
      target: target.config.name,
      ok: outcome.ok,
      latencyMs,
      reason: outcome.reason,
      ...(outcome.weight === undefined ? {} : { weight: outcome.weight }),
    })
    this.announce(target, before, weightBefore, outcome.reason)
  }

  /** Emits `change` (and `up` / `down`) when the effective state or weight moved. */
  private announce(target: Target, before: HealthVerdict | undefined, weightBefore: number, reason: string): void {
    const state = effective(target)
    const weight = weightOf(target)
    if (state === undefined || (state === before && weight === weightBefore)) return
    const name = target.config.name
    if (state !== before) this.safeEmit(state, { target: name, reason, weight })
    this.safeEmit('change', { target: name, state, weight, reason, previous: before })
  }

  private stop(target: Target, why: string): void {
    this.clock.clearTimeout(target.timer)
    target.timer = undefined
    target.running?.controller.abort(new DnsHaError('ERR_HEALTH_ABORTED', `health check of ${target.config.name} stopped: ${why}`))
  }

  private jitter(config: ResolvedTarget): number {
    return config.jitter > 0 ? this.random.int(config.jitter + 1) : 0
  }

  /** A listener that throws must not break the loop (we are inside a timer or a promise callback). */
  private safeEmit<E extends keyof HealthProberEvents>(event: E, payload: Parameters<HealthProberEvents[E]>[0]): void {
    try {
      ;(this.emit as (e: string, p: unknown) => boolean)(event, payload)
    } catch (error) {
      process.emitWarning(`a health prober '${event}' listener threw: ${error instanceof Error ? error.message : String(error)}`, { code: 'DNS_HA_HEALTH_LISTENER' })
    }
  }
}

// ---- helpers ----

interface ResolvedTarget {
  name: string
  check: HealthCheck
  intervalMs: number
  timeoutMs: number
  rise: number
  fall: number
  delayBeforeRetryMs: number
  jitter: number
  initialState: InitialState
  weight: number
}

interface Running {
  controller: AbortController
}

interface Target {
  config: ResolvedTarget
  checked: HealthVerdict | undefined
  override: OverrideMode
  successes: number
  failures: number
  runs: number
  dynamicWeight: number | undefined
  timer: TimerHandle | undefined
  running: Running | undefined
  last: { ok: boolean; reason: string; latencyMs: number; at: number } | undefined
}

function effective(target: Target): HealthVerdict | undefined {
  return target.override === 'auto' ? target.checked : target.override
}

function weightOf(target: Target): number {
  return target.dynamicWeight ?? target.config.weight
}

/** Runs a check and turns whatever it does (throw, reject, a malformed outcome) into an outcome. */
async function invoke(check: HealthCheck, context: Parameters<HealthCheck>[0]): Promise<CheckOutcome> {
  try {
    const outcome = await check(context)
    if (!outcome || typeof outcome.ok !== 'boolean') return { ok: false, reason: 'the check returned no outcome' }
    const reason = typeof outcome.reason === 'string' && outcome.reason !== '' ? outcome.reason : outcome.ok ? 'passed' : 'failed'
    const weight = outcome.ok && Number.isFinite(outcome.weight) ? outcome.weight : undefined
    return weight === undefined ? { ok: outcome.ok, reason } : { ok: outcome.ok, reason, weight }
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) }
  }
}

function resolveTarget(options: TargetOptions): ResolvedTarget {
  if (!options || typeof options.name !== 'string' || options.name === '') throw new DnsHaError('ERR_CONFIG', 'a health target needs a non-empty name')
  if (typeof options.check !== 'function') throw new DnsHaError('ERR_CONFIG', `health target ${options.name}: check must be a function`)
  const intervalMs = positive(options, 'intervalMs', HEALTH_DEFAULTS.intervalMs)
  const initialState = options.initialState ?? HEALTH_DEFAULTS.initialState
  if (initialState !== 'up' && initialState !== 'down' && initialState !== 'unknown') {
    throw new DnsHaError('ERR_CONFIG', `health target ${options.name}: initialState must be 'up', 'down' or 'unknown'`)
  }
  const weight = options.weight ?? HEALTH_DEFAULTS.weight
  if (!Number.isFinite(weight) || weight < 0) throw new DnsHaError('ERR_CONFIG', `health target ${options.name}: weight must be a number >= 0`)
  const jitter = options.jitter ?? HEALTH_DEFAULTS.jitter
  if (!Number.isInteger(jitter) || jitter < 0) throw new DnsHaError('ERR_CONFIG', `health target ${options.name}: jitter must be an integer >= 0 (ms)`)
  return {
    name: options.name,
    check: options.check,
    intervalMs,
    timeoutMs: positive(options, 'timeoutMs', HEALTH_DEFAULTS.timeoutMs),
    rise: count(options, 'rise', HEALTH_DEFAULTS.rise),
    fall: count(options, 'fall', HEALTH_DEFAULTS.fall),
    delayBeforeRetryMs: positive(options, 'delayBeforeRetryMs', intervalMs),
    jitter,
    initialState,
    weight,
  }
}

function positive(options: TargetOptions, key: 'intervalMs' | 'timeoutMs' | 'delayBeforeRetryMs', fallback: number): number {
  const value = options[key] ?? fallback
  if (!Number.isFinite(value) || value <= 0) throw new DnsHaError('ERR_CONFIG', `health target ${options.name}: ${key} must be a positive number of ms, got ${value}`)
  return value
}

function count(options: TargetOptions, key: 'rise' | 'fall', fallback: number): number {
  const value = options[key] ?? fallback
  if (!Number.isInteger(value) || value < 1) throw new DnsHaError('ERR_CONFIG', `health target ${options.name}: ${key} must be an integer >= 1, got ${value}`)
  return value
}
