/**
 * Chaining handlers, middleware style: each handler answers, or passes the query on — by
 * returning `undefined` or by calling `next()` itself (to wrap or inspect what comes after).
 * Calling `next()` twice is a bug and throws, as in hono's compose.
 *
 * The chain starts and closes its members (`start()`/`close()`), and keeps the UDP fast path
 * (`answerPlain`) when every member has one. Only the first member is asked: on the fast path
 * `undefined` means "take the full path", not "not mine" (the first member's full path may well
 * answer, e.g. an Authority on a cache miss), so asking the second after the first declined could
 * send an answer the full path would not.
 */
import { DnsHaError } from '../util/errors.js'
import type { Handler, HandlerLike, HandlerResult, MaybePromise, Next } from './handler.js'
import { closeAll, isPromiseLike, startAll, toHandler } from './handler.js'
import type { PlainQuery } from './plain-query.js'
import type { DnsQuery } from './query.js'

/** One handler made of several, tried in order until one answers. */
export function compose(...handlers: HandlerLike[]): Handler {
  const chain = handlers.map(toHandler)
  const composed: Handler = {
    handle(query: DnsQuery, next: Next): MaybePromise<HandlerResult> {
      const dispatch = (i: number): MaybePromise<HandlerResult> => {
        const handler = chain[i]
        if (!handler) return next()
        let called = false
        const rest: Next = () => {
          if (called) throw new DnsHaError('ERR_HANDLER', 'next() called more than once by one handler')
          called = true
          return dispatch(i + 1)
        }
        const result = handler.handle(query, rest)
        // A handler that returns `undefined` without calling next() passes the query on.
        if (isPromiseLike(result)) return result.then((r) => (r === undefined && !called ? rest() : r))
        return result === undefined && !called ? rest() : result
      }
      return dispatch(0)
    },
    start: () => startAll(chain),
    close: () => closeAll(chain),
  }
  // A member without a fast path may inspect or rewrite any query: then none is taken.
  const first = chain[0]
  if (first !== undefined && chain.every((h) => typeof h.answerPlain === 'function')) {
    composed.answerPlain = (query: PlainQuery) => first.answerPlain!(query)
  }
  return composed
}
