/**
 * {@link UpstreamPool}: every upstream the forwarder knows, with its health. An exchange that
 * fails (timeout, network error, garbage) counts against the upstream; after `failuresToDown`
 * in a row it is marked down, strategies skip it, and a background probe asks it a question
 * every `probeIntervalMs` until it answers, when it is taken back. Successful exchanges feed a
 * smoothed RTT for the `fastest` strategy.
 */
import type { Clock, TimerHandle } from '../util/clock.js'
import { isDnsHaError } from '../util/errors.js'
import type { UpstreamServer } from './parse-resolv-conf.js'
import type { StrategyUpstream } from './strategies.js'
import type { ResponseInfo } from './wire-response.js'
import { inspectResponse } from './wire-response.js'

/** The result of one upstream exchange, as the exchange seam reports it. */
export interface ExchangeResult {
  /** The response bytes (the upstream's id). */
  raw: Uint8Array
  rttMs: number
  transport: 'udp' | 'tcp'
  /** Messages received on the way and dropped as not matching (wrong source, id or question, undecodable). */
  ignored?: number
}

/** Options passed to the exchange seam for one upstream question. */
export interface ExchangeOptions {
  timeoutMs: number
  retries: number
  randomizeCase: boolean
  signal: AbortSignal | undefined
}

/**
 * Sends `message` (a full query; the seam picks a random id and source port per attempt) to one
 * upstream and resolves with a matching response. The default is the client's `query()`.
 */
export type Exchange = (server: Required<UpstreamServer>, message: Uint8Array, options: ExchangeOptions) => Promise<ExchangeResult>

/** An upstream's state as a snapshot shows it. */
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

/** A reply from an upstream. */
export interface UpstreamReply {
  upstream: UpstreamState
  rcode: number
  raw: Uint8Array
  info: ResponseInfo
  transport: 'udp' | 'tcp'
}

/** One upstream and its health. */
export class UpstreamState implements StrategyUpstream {
  status: 'up' | 'down' = 'up'
  srttMs: number | undefined = undefined
  consecutiveFailures = 0
  downSince = 0
  probeTimer: TimerHandle | undefined = undefined
  readonly counters = { queries: 0, answers: 0, timeouts: 0, mismatches: 0, garbage: 0, errors: 0 }

  constructor(readonly server: Required<UpstreamServer>) {}

  /** `address#port`. */
  get key(): string {
    return `${this.server.address}#${this.server.port}`
  }

  /** This upstream as plain data. */
  snapshot(): UpstreamSnapshot {
    return { ...this.server, status: this.status, srttMs: this.srttMs, consecutiveFailures: this.consecutiveFailures, ...this.counters }
  }
}

/** Options for {@link UpstreamPool}. */
export interface UpstreamPoolOptions {
  exchange: Exchange
  clock: Clock
  timeoutMs: number
  retries: number
  randomizeCase: boolean
  failuresToDown: number
  probeIntervalMs: number
  /** The probe question, a full query message (`. NS` by default). */
  probeMessage: Uint8Array
  onDown(upstream: UpstreamState, reason: string): void
  onUp(upstream: UpstreamState, downForMs: number): void
}

/** Every upstream the forwarder has talked to or been configured with. */
export class UpstreamPool {
  private readonly states = new Map<string, UpstreamState>()
  private closed = false

  constructor(private readonly options: UpstreamPoolOptions) {}

  /** The state for a server, created on first use. */
  get(server: UpstreamServer): UpstreamState {
    const port = server.port ?? 53
    const key = `${server.address}#${port}`
    let state = this.states.get(key)
    if (!state) this.states.set(key, (state = new UpstreamState({ address: server.address, port })))
    return state
  }

  /** Forgets upstreams no longer in `keep` (after a resolv-file reload), stopping their probes. */
  retain(keep: ReadonlySet<string>): void {
    for (const [key, state] of this.states) {
      if (keep.has(key)) continue
      this.options.clock.clearTimeout(state.probeTimer)
      this.states.delete(key)
    }
  }

  /**
   * Asks one upstream; resolves with its reply (any rcode) or rejects when it did not answer
   * usefully, updating its health either way. An aborted exchange (another upstream won a race)
   * counts for nothing.
   */
  async ask(upstream: UpstreamState, message: Uint8Array, signal: AbortSignal | undefined): Promise<UpstreamReply> {
    const { timeoutMs, retries, randomizeCase } = this.options
    upstream.counters.queries++
    let result: ExchangeResult
    try {
      result = await this.options.exchange(upstream.server, message, { timeoutMs, retries, randomizeCase, signal })
    } catch (error) {
      if (isDnsHaError(error)) upstream.counters.mismatches += Number(error.details?.['ignored'] ?? 0)
      if (isDnsHaError(error, 'ERR_QUERY_ABORTED') || signal?.aborted) throw error
      if (isDnsHaError(error, 'ERR_QUERY_TIMEOUT')) upstream.counters.timeouts++
      else if (isDnsHaError(error, 'ERR_QUERY_MISMATCH')) upstream.counters.mismatches++
      else upstream.counters.errors++
      this.failure(upstream, error instanceof Error ? error.message : String(error))
      throw error
    }
    upstream.counters.mismatches += result.ignored ?? 0
    let info: ResponseInfo
    try {
      info = inspectResponse(result.raw)
    } catch (error) {
      upstream.counters.garbage++
      this.failure(upstream, 'unparseable answer')
      throw error
    }
    upstream.counters.answers++
    this.success(upstream, result.rttMs)
    return { upstream, rcode: info.rcode, raw: result.raw, info, transport: result.transport }
  }

  /** Stops every probe. */
  close(): void {
    this.closed = true
    for (const state of this.states.values()) this.options.clock.clearTimeout(state.probeTimer)
  }

  /** Per-upstream snapshots. */
  snapshot(): UpstreamSnapshot[] {
    return [...this.states.values()].map((s) => s.snapshot())
  }

  private success(upstream: UpstreamState, rttMs: number): void {
    upstream.consecutiveFailures = 0
    // RFC 6298-style smoothing, 1/8 weight for the new sample.
    upstream.srttMs = upstream.srttMs === undefined ? rttMs : upstream.srttMs + (rttMs - upstream.srttMs) / 8
    if (upstream.status === 'down') this.markUp(upstream)
  }

  private failure(upstream: UpstreamState, reason: string): void {
    upstream.consecutiveFailures++
    if (upstream.status === 'up' && upstream.consecutiveFailures >= this.options.failuresToDown) {
      upstream.status = 'down'
      upstream.downSince = this.options.clock.now()
      this.options.onDown(upstream, reason)
      this.scheduleProbe(upstream)
    }
  }

  private markUp(upstream: UpstreamState): void {
    upstream.status = 'up'
    this.options.clock.clearTimeout(upstream.probeTimer)
    upstream.probeTimer = undefined
    this.options.onUp(upstream, this.options.clock.now() - upstream.downSince)
  }

  private scheduleProbe(upstream: UpstreamState): void {
    if (this.closed) return
    this.options.clock.clearTimeout(upstream.probeTimer)
    upstream.probeTimer = this.options.clock.setTimeout(() => {
      upstream.probeTimer = undefined
      if (this.closed || upstream.status === 'up' || this.states.get(upstream.key) !== upstream) return
      const { timeoutMs, randomizeCase } = this.options
      this.options.exchange(upstream.server, this.options.probeMessage, { timeoutMs, retries: 0, randomizeCase, signal: undefined }).then(
        (result) => {
          try {
            inspectResponse(result.raw)
          } catch {
            upstream.counters.garbage++
            return this.scheduleProbe(upstream)
          }
          if (upstream.status === 'down') {
            upstream.consecutiveFailures = 0
            upstream.srttMs = result.rttMs
            this.markUp(upstream)
          }
        },
        () => {
          if (upstream.status === 'down') this.scheduleProbe(upstream)
        },
      )
    }, this.options.probeIntervalMs)
  }
}
