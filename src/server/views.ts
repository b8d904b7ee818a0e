/**
 * Picking a handler by who is asking, like BIND's `view { match-clients { ... } }`: the first
 * view whose `match` accepts the query answers it; when none does, the query passes to `next`
 * (a server with nothing after it answers REFUSED, as BIND does for unmatched clients).
 *
 * When every view matches by address (no predicate functions), the UDP fast path is kept: the
 * client's address picks the view exactly as on the full path, and the chosen handler's
 * `answerPlain` answers (or declines, and the query takes the full path). The views start and
 * close their handlers (`start()`/`close()`).
 */
import type { AclInput } from '../util/cidr.js'
import { compileAcl } from '../util/cidr.js'
import type { Handler, HandlerLike, HandlerResult, MaybePromise, Next } from './handler.js'
import { closeAll, startAll, toHandler } from './handler.js'
import type { PlainQuery } from './plain-query.js'
import type { DnsQuery } from './query.js'

/** How a view picks its clients: address list (CIDRs, `!` negation, `any`), a compiled ACL, or a predicate. */
export type ViewMatch = AclInput | ((query: DnsQuery) => boolean)

/** One view: who it is for, and the handler that answers them. */
export interface View {
  /** A label for logs and snapshots. */
  name?: string
  match: ViewMatch
  handler: HandlerLike
}

/** A handler that sends each query to the first view that matches its client. */
export function views(list: readonly View[]): Handler {
  const compiled = list.map((v) => {
    const acl = typeof v.match === 'function' ? undefined : compileAcl(v.match)
    const test = acl === undefined ? (v.match as (query: DnsQuery) => boolean) : (query: DnsQuery) => acl.allows(query.client.address)
    return { acl, test, handler: toHandler(v.handler) }
  })
  const handlers = compiled.map((v) => v.handler)
  const handler: Handler = {
    handle(query: DnsQuery, next: Next): MaybePromise<HandlerResult> {
      for (const view of compiled) if (view.test(query)) return view.handler.handle(query, next)
      return next()
    },
    start: () => startAll(handlers),
    close: () => closeAll(handlers),
  }
  // A predicate may look at anything in a DnsQuery: only address lists can pick a view from a PlainQuery.
  if (compiled.every((v) => v.acl !== undefined) && handlers.some((h) => typeof h.answerPlain === 'function')) {
    const byAddress = compiled.map((v) => ({ acl: v.acl!, handler: v.handler }))
    handler.answerPlain = (query: PlainQuery): Uint8Array | undefined => {
      const address = query.client.address
      for (const view of byAddress) {
        // The view the full path would pick: its fast path answers, or the query goes the full way.
        if (view.acl.allows(address)) return view.handler.answerPlain?.(query)
      }
      return undefined
    }
  }
  return handler
}
