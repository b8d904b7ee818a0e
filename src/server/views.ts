/**
 * Picking a handler by who is asking, like BIND's `view { match-clients { ... } }`: the first
 * view whose `match` accepts the query answers it; when none does, the query passes to `next`
 * (a server with nothing after it answers REFUSED, as BIND does for unmatched clients).
 */
import type { Acl, AclInput } from '../util/cidr.js'
import { compileAcl } from '../util/cidr.js'
import type { Handler, HandlerLike, HandlerResult, MaybePromise, Next } from './handler.js'
import { toHandler } from './handler.js'
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
  const compiled = list.map((v) => ({ test: toPredicate(v.match), handler: toHandler(v.handler) }))
  return {
    handle(query: DnsQuery, next: Next): MaybePromise<HandlerResult> {
      for (const view of compiled) if (view.test(query)) return view.handler.handle(query, next)
      return next()
    },
  }
}

function toPredicate(match: ViewMatch): (query: DnsQuery) => boolean {
  if (typeof match === 'function') return match
  const acl: Acl = compileAcl(match)
  return (query) => acl.allows(query.client.address)
}
