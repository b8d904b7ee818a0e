/**
 * What a {@link UdpProxyPool} is built from: its members (with nginx's `server` parameters), the
 * balancing policy and the timeouts. `parseNginxStream` produces these shapes from an nginx
 * `stream` block, so the names follow nginx where nginx has one.
 */
import type { ClientSubnetOptions } from '../packet/client-subnet.js'
import type { BalancePolicy } from '../pool/balancers.js'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/logger.js'
import type { Network } from '../util/network.js'
import type { Random } from '../util/random.js'
import type { ProxyCacheOptions } from './packet-cache.js'

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

/** The datagram engine of a {@link UdpProxyPool}'s client-facing socket (see {@link UdpProxyPoolOptions.engine}). */
export type ProxyEngine = 'dgram' | 'batched'

/**
 * How a {@link UdpProxyPool} in DNS mode talks to its members (see {@link UdpProxyPoolOptions.memberSockets}):
 * `'connected'` sockets per member, or one `'shared'` unconnected socket for them all.
 */
export type ProxyMemberSockets = 'connected' | 'shared'

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
  /** TCP: send each member connection a PROXY protocol v2 header naming the client first (nginx `proxy_protocol on`, default false). */
  proxyProtocol?: boolean
  /**
   * DNS mode: the shortest hedge deadline. A query unanswered this long after it was sent (or
   * 4 × the member's latency EWMA, if longer, capped at `timeoutMs / 4`) is sent again to another
   * member while the first may still answer (default 50 ms; dnsdist and nginx have no hedging).
   */
  hedgeMs?: number
  /** DNS mode: sends per client query, hedges and retries included (default 3). */
  maxAttempts?: number
  /**
   * DNS mode: unanswered queries in a row (each past its hedge deadline) that mark a member down
   * as frozen, long before `maxFails` timeouts could (default 5; `maxFails` 0 turns this off too).
   */
  unansweredToDown?: number
  /** DNS mode: how often a down member is probed with a `. NS` query; any matching answer brings it back (default 1000 ms). */
  probeIntervalMs?: number
  /** DNS mode: connected upstream sockets per member, the queries multiplexed over them (default 4). */
  socketsPerMember?: number
  /** DNS mode: answer SERVFAIL when a query's `timeoutMs` runs out unanswered (default true; false stays silent, as nginx does). */
  servfailOnTimeout?: boolean
  /**
   * SO_RCVBUF asked for on the client-facing and upstream sockets (default 4 MiB; the kernel caps
   * it at `net.core.rmem_max`), so a burst arriving while the event loop is busy is queued, not dropped.
   */
  receiveBufferBytes?: number
  /**
   * DNS mode: a packet cache (dnsdist `newPacketCache` + `setCache`; off by default): answers
   * kept as bytes, keyed on the question, RD, CD, EDNS and DO (and the client's subnet with
   * `clientSubnet`), TTL-aged, negative answers for their SOA's RFC 2308 TTL. `true` takes the
   * defaults.
   */
  cache?: boolean | ProxyCacheOptions
  /**
   * DNS mode: insert EDNS Client Subnet (RFC 7871) carrying the client's address cut to
   * `ipv4Prefix` (default 24) / `ipv6Prefix` (default 56) bits, so the members' views see the
   * real client (dnsdist `useClientSubnet` with `setECSSourcePrefixV4/V6`, `setECSOverride`).
   * The client's answer carries no OPT when it sent none and no ECS option it did not send.
   */
  clientSubnet?: ClientSubnetOptions
  /** Timers (default: the real clock). */
  clock?: Clock
  /** Sockets (default: Node's dgram). */
  network?: Network
  /**
   * DNS mode: how the client-facing UDP socket is read and written (default `'dgram'`), as
   * `DnsServer`'s `engine`:
   * - `'dgram'`: the `network` option's datagram sockets, one system call and one callback per datagram;
   * - `'batched'`: up to 64 client queries per `recvmmsg` and the answers written with `sendmmsg`,
   *   through the optional dependency koffi (Linux, 64-bit); throws a `DnsHaError` (`ERR_CONFIG`)
   *   saying why when it cannot run here;
   * - `'auto'`: `'batched'` where it can run and no `network` was given, else `'dgram'`.
   *
   * With `memberSockets: 'shared'` the member side runs on it too. The snapshot's `engine` says
   * which one serves the clients.
   */
  engine?: ProxyEngine | 'auto'
  /**
   * DNS mode: the member-side sockets (default `'connected'`):
   * - `'connected'`: `socketsPerMember` connected sockets per member (dgram, one system call and
   *   one callback per datagram); the kernel hands a socket only its member's datagrams and a
   *   dead member's port unreachable as ECONNREFUSED;
   * - `'shared'`: one unconnected socket per address family for every member, from the client
   *   side's engine: on the batched engine the queries of a client batch leave in one `sendmmsg`
   *   and answers arrive up to 64 per `recvmmsg`. An answer is taken only when its source
   *   address and port are those of the member asked, with the id and question sent (RFC 5452);
   *   datagrams from anyone else are counted as `strangers` and dropped. The socket asks for ICMP
   *   errors (`IP_RECVERR`, read from the error queue), so a dead member is still down at once.
   *   Refused (`ERR_CONFIG`) on the dgram engine with Node's network, whose unconnected sockets
   *   hear no ICMP errors; a custom `network` must report them (`DatagramSocket.reportUnreachable`).
   *   Not the default yet: on a heavily overloaded machine its receive (a worker thread's
   *   `recvmmsg`) lags more than connected sockets' and the frozen-member row of the failover
   *   table is not held there (see docs/proxy.md).
   */
  memberSockets?: ProxyMemberSockets
  /** Query ids and the `random-two` draws (default: the CSPRNG). */
  random?: Random
  /** Whether a failed member's traffic moves to the next member (nginx `proxy_next_upstream`, default on). */
  nextUpstream?: boolean
  /** At most this many members are tried for one client (nginx `proxy_next_upstream_tries`; 0: no limit beyond the members). */
  nextUpstreamTries?: number
  /** Moving on to the next member stops after this long (nginx `proxy_next_upstream_timeout`; 0: no limit). */
  nextUpstreamTimeoutMs?: number
  /**
   * Where the pool reports listening, members going down (`warn`, with the reason) and up
   * (`info`), every member down (`error`), errors inside callbacks (`error`; then no
   * `process.emitWarning`) and closing, with `component: 'proxy'`; console- or pino-shaped.
   */
  logger?: Logger
}
