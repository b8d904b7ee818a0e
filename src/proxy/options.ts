/**
 * What a {@link UdpProxyPool} is built from: its members (with nginx's `server` parameters), the
 * balancing policy and the timeouts. `parseNginxStream` produces these shapes from an nginx
 * `stream` block, so the names follow nginx where nginx has one.
 */
import type { BalancePolicy } from '../pool/balancers.js'

/** One upstream DNS server of the pool, with nginx's `server` parameters. */
export interface ProxyMemberOptions {
  address: string
  /** Default 53. */
  port?: number
  /** Relative share of the traffic (nginx `weight=`, default 1); 0 drains the member. */
  weight?: number
  /** Failures within `failTimeoutMs` that mark the member down (nginx `max_fails=`, default 1; 0 never marks it down). */
  maxFails?: number
  /** The window for `maxFails`, and how long a failed member rests before a trial (nginx `fail_timeout=`, default 10 000 ms). */
  failTimeoutMs?: number
  /** Asked only while every primary member is down (nginx `backup`). */
  backup?: boolean
  /** Administratively down: never asked (nginx `down`). */
  down?: boolean
}

/** How queries are relayed: parsed as DNS (id rewriting, shared upstream sockets) or as opaque datagrams (nginx sessions). */
export type ProxyMode = 'dns' | 'datagram'

/** Options for {@link UdpProxyPool}. */
export interface UdpProxyPoolOptions {
  members: readonly ProxyMemberOptions[]
  /** Default `'round-robin'` (nginx's smooth weighted round robin). */
  policy?: BalancePolicy
  /** How long one client query may take, retries and hedges included (nginx `proxy_timeout`, default 2000 ms). */
  timeoutMs?: number
  /** Default `'dns'`. */
  mode?: ProxyMode
  /** Datagram mode: replies expected per client datagram before the session ends (nginx `proxy_responses`, default 1). */
  responses?: number
  /** TCP: how long connecting to a member may take (nginx `proxy_connect_timeout`, default 1000 ms). */
  connectTimeoutMs?: number
  /** Whether a failed member's traffic moves to the next member (nginx `proxy_next_upstream`, default on). */
  nextUpstream?: boolean
  /** At most this many members are tried for one client (nginx `proxy_next_upstream_tries`; 0: no limit beyond the members). */
  nextUpstreamTries?: number
  /** Moving on to the next member stops after this long (nginx `proxy_next_upstream_timeout`; 0: no limit). */
  nextUpstreamTimeoutMs?: number
}
