/**
 * The handler contract: how a server asks a piece of DNS logic for an answer.
 *
 * A handler looks at a {@link DnsQuery} and returns an answer (a dns-packet object or
 * pre-encoded bytes), `undefined` to pass the query on to `next`, or {@link DROP} to send
 * nothing. Returning a promise of any of these is fine. A plain function is accepted wherever a
 * handler is (see {@link toHandler}).
 */
import type { Packet } from 'dns-packet'
import type { PlainQuery } from './plain-query.js'
import type { DnsQuery } from './query.js'
import type { StreamResponse } from './stream-response.js'

/** Marker result: send no response at all (rate limiting, silently ignored clients). */
export const DROP: unique symbol = Symbol.for('dns-ha.drop') as never

/**
 * What a handler returns: an answer, bytes, many messages ({@link StreamResponse}, TCP only: a
 * zone transfer), "not mine" (`undefined`) or {@link DROP}.
 */
export type HandlerResult = Packet | Uint8Array | StreamResponse | undefined | typeof DROP

/** A value or a promise of it. */
export type MaybePromise<T> = T | Promise<T>

/** Continues with the rest of the chain; resolves to what the rest answered. */
export type Next = () => MaybePromise<HandlerResult>

/** DNS logic that answers queries. */
export interface Handler {
  handle(query: DnsQuery, next: Next): MaybePromise<HandlerResult>
  /**
   * An optional UDP fast path, tried before {@link Handler.handle} for queries in the plain shape
   * ({@link PlainQuery}) while nobody listens to the server's `query` and `response` events.
   * Return the complete response (id, flags and question case already the query's; a fresh
   * buffer the server may send as it is; no larger than `query.maxUdpSize`), or `undefined` to
   * let the query take the full path. It must answer exactly as `handle` would, and synchronously;
   * `query` is reused for the next datagram, so keep nothing of it.
   */
  answerPlain?(query: PlainQuery): Uint8Array | undefined
  /**
   * Optional: gets the handler ready to answer (reads its files, starts its probes).
   * `DnsServer.listen()` awaits it before the sockets answer anything, once per server however
   * many times `listen()` is called; a rejection fails `listen()` (a later `listen()` tries again).
   * It may also have been called by the application already, so it should be idempotent.
   */
  start?(): MaybePromise<void>
  /** Optional: releases what {@link Handler.start} took (watchers, timers). `DnsServer.close()` awaits it after the sockets are closed. */
  close?(): MaybePromise<void>
}

/** A plain function in the shape of {@link Handler.handle}. */
export type HandlerFn = (query: DnsQuery, next: Next) => MaybePromise<HandlerResult>

/** A handler object or a plain function. */
export type HandlerLike = Handler | HandlerFn

/** Wraps a plain function as a {@link Handler}; handler objects pass through unchanged. */
export function toHandler(h: HandlerLike): Handler {
  return typeof h === 'function' ? { handle: h } : h
}

/** Starts every handler of `handlers` that has a `start()`, together; resolves when all have. */
export async function startAll(handlers: readonly Handler[]): Promise<void> {
  await Promise.all(handlers.map((h) => (typeof h.start === 'function' ? h.start() : undefined)))
}

/**
 * Closes every handler of `handlers` that has a `close()`, together; resolves when all have
 * settled, then rejects with the first failure (one handler failing to close does not keep the
 * others open).
 */
export async function closeAll(handlers: readonly Handler[]): Promise<void> {
  const results = await Promise.allSettled(handlers.map((h) => (typeof h.close === 'function' ? h.close() : undefined)))
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
}

/** The `next` at the end of a chain: nobody answered. */
export const endOfChain: Next = () => undefined

/** True when `result` is a promise-like (so callers can stay synchronous otherwise). */
export function isPromiseLike<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function'
}
