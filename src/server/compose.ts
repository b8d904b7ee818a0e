/**
 * Chaining handlers, middleware style: each handler answers, or passes the query on — by
 * returning `undefined` or by calling `next()` itself (to wrap or inspect what comes after).
 * Calling `next()` twice is a bug and throws, as in hono's compose.
 */
import { DnsHaError } from '../util/errors.js'
import type { Handler, HandlerLike, HandlerResult, MaybePromise, Next } from './handler.js'
import { isPromiseLike, toHandler } from './handler.js'
import type { DnsQuery } from './query.js'

/** One handler made of several, tried in order until one answers. */
export function compose(...handlers: HandlerLike[]): Handler {
  const chain = handlers.map(toHandler)
  return {
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
  }
}
