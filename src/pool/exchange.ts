/**
 * The exchange seam: how a pool asks one member one question. The default,
 * {@link clientExchange}, is the client's `query()`; tests and simulations pass their own.
 */
import { query } from '../client/query.js'
import type { Clock } from '../util/clock.js'
import type { Network } from '../util/network.js'
import type { Random } from '../util/random.js'

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
export type Exchange = (server: { address: string; port: number }, message: Uint8Array, options: ExchangeOptions) => Promise<ExchangeResult>

/** The seams {@link clientExchange} sends through (each defaults to the real one). */
export interface ClientExchangeOptions {
  clock?: Clock
  network?: Network
  random?: Random
}

/** An {@link Exchange} that asks with the client's `query()` over `network`. */
export function clientExchange(options: ClientExchangeOptions = {}): Exchange {
  const { clock, network, random } = options
  return (server, message, o) =>
    query(server, message, {
      timeoutMs: o.timeoutMs,
      retries: o.retries,
      randomizeCase: o.randomizeCase,
      ...(clock ? { clock } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(network ? { network } : {}),
      ...(random ? { random } : {}),
    }).then((r) => ({ raw: r.raw, rttMs: r.rttMs, transport: r.transport, ignored: r.ignored }))
}
