/**
 * Upstream strategies: in which order, and how many at once, the upstreams of a route are asked.
 * A strategy only orders and races attempts; timeouts, retries and health marking live in the
 * attempt it is given, so each strategy is a few lines and all of them run one conformance suite.
 */
import type { Clock } from '../util/clock.js'
import { DnsHaError } from '../util/errors.js'

/** The strategy names: dnsmasq's `strict-order`, `all-servers`, and its default (fastest first). */
export type StrategyName = 'strict' | 'all' | 'fastest'

/** What a strategy needs to know about an upstream. */
export interface StrategyUpstream {
  /** `'down'` upstreams are skipped while any other is up. */
  readonly status: 'up' | 'down'
  /** Smoothed round-trip time in ms, `undefined` until measured. */
  readonly srttMs: number | undefined
  /** 0 drains the upstream: it is skipped while any upstream with weight is up (default 1). */
  readonly weight?: number
}

/** A reply an attempt produced (any rcode). */
export interface AttemptReply<U> {
  upstream: U
  rcode: number
}

/** One exchange with one upstream; rejects on timeout, network error or a garbage answer. */
export type Attempt<U, R extends AttemptReply<U>> = (upstream: U, signal: AbortSignal | undefined) => Promise<R>

/** Everything a strategy is given for one query. */
export interface StrategyRun<U extends StrategyUpstream, R extends AttemptReply<U>> {
  /** The route's upstreams in configured order. */
  upstreams: readonly U[]
  attempt: Attempt<U, R>
  /** Rcodes that mean "ask the next one" (SERVFAIL, REFUSED by default). */
  fallbackRcodes: ReadonlySet<number>
}

/** An upstream strategy. */
export interface UpstreamStrategy {
  readonly name: StrategyName
  /**
   * Resolves with the first acceptable reply; when every upstream gave a fallback rcode, with the
   * last of those; rejects with `ERR_FORWARD_FAILED` when none answered at all.
   */
  resolve<U extends StrategyUpstream, R extends AttemptReply<U>>(run: StrategyRun<U, R>): Promise<R>
}

/** Options for {@link createStrategy}. */
export interface StrategyOptions {
  clock: Clock
  /** `fastest`: re-measure every upstream after this many queries (dnsmasq: 50). */
  remeasureEvery?: number
  /** `fastest`: and at least this often (ms, dnsmasq 2.90: 20 s, its FORWARD_TIME). */
  remeasureIntervalMs?: number
}

/** The strategy called `name`. */
export function createStrategy(name: StrategyName, options: StrategyOptions): UpstreamStrategy {
  if (name === 'strict') return { name, resolve: (run) => sequential(run, usable(run.upstreams)) }
  if (name === 'all') return { name, resolve: (run) => race(run, usable(run.upstreams)) }
  if (name === 'fastest') return fastest(options)
  throw new DnsHaError('ERR_CONFIG', `unknown upstream strategy "${String(name)}" (strict, all, fastest)`)
}

/**
 * Up upstreams with weight, in order; when none is, the up ones (drained too); when none is up,
 * all of them (a last resort that doubles as a probe).
 */
export function usable<U extends StrategyUpstream>(upstreams: readonly U[]): U[] {
  const up = upstreams.filter((u) => u.status === 'up')
  const weighted = up.filter((u) => u.weight === undefined || u.weight > 0)
  if (weighted.length > 0) return weighted
  return up.length > 0 ? up : [...upstreams]
}

function fastest(options: StrategyOptions): UpstreamStrategy {
  const every = options.remeasureEvery ?? 50
  const intervalMs = options.remeasureIntervalMs ?? 20_000
  let count = 0
  let lastMeasured = Number.NEGATIVE_INFINITY
  return {
    name: 'fastest',
    resolve(run) {
      const list = usable(run.upstreams)
      const now = options.clock.now()
      if (++count >= every || now - lastMeasured >= intervalMs || list.some((u) => u.srttMs === undefined)) {
        count = 0
        lastMeasured = now
        return race(run, list)
      }
      // Stable sort: ties keep configured order.
      return sequential(run, [...list].sort((a, b) => a.srttMs! - b.srttMs!))
    },
  }
}

async function sequential<U extends StrategyUpstream, R extends AttemptReply<U>>(run: StrategyRun<U, R>, list: readonly U[]): Promise<R> {
  let fallback: R | undefined
  let lastError: unknown
  for (const upstream of list) {
    try {
      const reply = await run.attempt(upstream, undefined)
      if (!run.fallbackRcodes.has(reply.rcode)) return reply
      fallback = reply
    } catch (error) {
      lastError = error
    }
  }
  if (fallback) return fallback
  throw failed(lastError)
}

function race<U extends StrategyUpstream, R extends AttemptReply<U>>(run: StrategyRun<U, R>, list: readonly U[]): Promise<R> {
  if (list.length === 1) return sequential(run, list)
  const controller = new AbortController()
  return new Promise<R>((resolve, reject) => {
    let pending = list.length
    let fallback: R | undefined
    let lastError: unknown
    const settle = (): void => {
      if (--pending > 0) return
      if (fallback) resolve(fallback)
      else reject(failed(lastError))
    }
    for (const upstream of list) {
      run.attempt(upstream, controller.signal).then(
        (reply) => {
          if (controller.signal.aborted) return
          if (!run.fallbackRcodes.has(reply.rcode)) {
            controller.abort()
            resolve(reply)
            return
          }
          fallback = reply
          settle()
        },
        (error: unknown) => {
          if (controller.signal.aborted) return
          lastError = error
          settle()
        },
      )
    }
  })
}

function failed(cause: unknown): DnsHaError {
  return new DnsHaError('ERR_FORWARD_FAILED', 'no upstream answered', { cause })
}
