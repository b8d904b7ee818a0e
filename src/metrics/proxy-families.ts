/**
 * The {@link UdpProxyPool}'s families (label `pool`): client queries and what became of them, the
 * packet cache, the TCP and datagram relays, and each member.
 */
import { UdpProxyPool } from '../proxy/udp-proxy-pool.js'
import type { UdpProxyPoolCounters, UdpProxyPoolSnapshot } from '../proxy/udp-proxy-pool.js'
import { cacheFamilies } from './cache-families.js'
import type { ComponentKind } from './family.js'
import { counter, gauge } from './family.js'
import { memberFamilies } from './member-families.js'

const one = (pick: (s: UdpProxyPoolSnapshot) => number) => (s: UdpProxyPoolSnapshot, pool: string) => [[{ pool }, pick(s)] as const]
const count = (key: keyof UdpProxyPoolCounters, help: string) => counter(`dnsha_pool_${snake(key)}_total`, help, ['pool'], one((s) => s.counters[key]))

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

/** `UdpProxyPool` as a watched kind. */
export const proxyPoolKind: ComponentKind<UdpProxyPool, UdpProxyPoolSnapshot> = {
  kind: 'pool',
  matches: (c): c is UdpProxyPool => c instanceof UdpProxyPool,
  snapshot: (c) => c.snapshot(),
  families: [
    count('queries', 'Client queries accepted for relaying to a member (packet-cache hits not included).'),
    count('answers', 'Member answers relayed to clients.'),
    count('servfail', 'SERVFAILs the pool answered itself (no member up, or the query\'s time ran out).'),
    count('formerr', 'Client queries answered FORMERR.'),
    count('dropped', 'Client datagrams dropped (shorter than a header, or responses).'),
    count('hedges', 'Queries sent again to another member after a hedge deadline.'),
    count('retries', 'Queries sent again because their member failed.'),
    count('timeouts', 'Client queries whose time ran out unanswered.'),
    count('duplicates', 'Member answers dropped because the client already had one.'),
    count('unmatched', 'Member datagrams with no query in flight under their id (late or spoofed).'),
    gauge('dnsha_pool_in_flight_queries', 'Client queries waiting for an answer now.', ['pool'], one((s) => s.inFlight)),
    gauge('dnsha_pool_tcp_connections', 'TCP connections being relayed now.', ['pool'], one((s) => s.tcp.connections)),
    counter('dnsha_pool_tcp_accepted_total', 'TCP connections accepted.', ['pool'], one((s) => s.tcp.accepted)),
    counter('dnsha_pool_tcp_connect_failures_total', 'Member connects that failed (refused or timed out).', ['pool'], one((s) => s.tcp.connectFailures)),
    counter('dnsha_pool_tcp_bytes_total', 'Bytes relayed over TCP, by direction (up: client to member).', ['pool', 'direction'], (s, pool) => [
      [{ pool, direction: 'up' }, s.tcp.bytesUp],
      [{ pool, direction: 'down' }, s.tcp.bytesDown],
    ]),
    gauge('dnsha_pool_datagram_sessions', 'Datagram-mode sessions open now.', ['pool'], one((s) => s.datagram.sessions)),
    counter('dnsha_pool_datagram_received_total', 'Datagram-mode client datagrams received.', ['pool'], one((s) => s.datagram.received)),
    counter('dnsha_pool_datagram_relayed_total', 'Datagram-mode replies relayed back to clients.', ['pool'], one((s) => s.datagram.relayed)),
    ...cacheFamilies<UdpProxyPoolSnapshot>('pool', (s) => (s.cache === undefined ? undefined : { ...s.cache, entries: s.cache.size })),
    ...memberFamilies<UdpProxyPoolSnapshot>((s) =>
      s.members.map((m) => ({
        member: m.key,
        up: m.state === 'up' && !m.disabled,
        latencyMs: m.latencyMs,
        failures: m.failures,
        ...m.counters,
        weight: m.weight,
        outstanding: m.outstanding,
        backup: m.backup,
      })),
    ),
  ],
}
