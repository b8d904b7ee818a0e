/**
 * The {@link Forwarder}'s families (label `forwarder`): queries, answers by source (hosts, cache,
 * upstream, stale...), forwarding, reloads, the response cache, and its upstreams as pool members
 * (`pool` = the forwarder's name).
 */
import { Forwarder } from '../forwarder/forwarder.js'
import type { ForwarderSnapshot } from '../forwarder/forwarder.js'
import { cacheFamilies } from './cache-families.js'
import type { ComponentKind } from './family.js'
import { byKey, counter, gauge } from './family.js'
import { memberFamilies } from './member-families.js'

const one = (pick: (s: ForwarderSnapshot) => number) => (s: ForwarderSnapshot, forwarder: string) => [[{ forwarder }, pick(s)] as const]

/** `Forwarder` as a watched kind. */
export const forwarderKind: ComponentKind<Forwarder, ForwarderSnapshot> = {
  kind: 'forwarder',
  matches: (c): c is Forwarder => c instanceof Forwarder,
  snapshot: (c) => c.snapshot(),
  families: [
    counter('dnsha_forwarder_queries_total', 'Queries the forwarder handled.', ['forwarder'], one((s) => s.queries)),
    counter('dnsha_forwarder_answers_total', 'Answers by where they came from (hosts, rule, local, cache, upstream, stale, failure).', ['forwarder', 'source'], (s, forwarder) => byKey({ forwarder }, 'source', s.answers)),
    counter('dnsha_forwarder_forwarded_total', 'Queries sent upstream.', ['forwarder'], one((s) => s.forwarded)),
    counter('dnsha_forwarder_deduplicated_total', 'Queries that joined an identical one already in flight upstream.', ['forwarder'], one((s) => s.deduplicated)),
    counter('dnsha_forwarder_overflows_total', 'Queries refused because too many were in flight (dnsmasq dns-forward-max).', ['forwarder'], one((s) => s.overflows)),
    counter('dnsha_forwarder_rebind_blocked_total', 'Upstream answers blocked by DNS-rebind protection.', ['forwarder'], one((s) => s.rebindBlocked)),
    counter('dnsha_forwarder_reloads_total', 'Reloads of hosts, servers and resolv files.', ['forwarder'], one((s) => s.reloads)),
    counter('dnsha_forwarder_reload_errors_total', 'Reloads that failed (the old data kept serving).', ['forwarder'], one((s) => s.reloadErrors)),
    gauge('dnsha_forwarder_in_flight_queries', 'Queries waiting for an upstream now.', ['forwarder'], one((s) => s.inFlight)),
    gauge('dnsha_forwarder_hosts_entries', 'Names known from hosts files and address= lines.', ['forwarder'], one((s) => s.hostsEntries)),
    ...cacheFamilies<ForwarderSnapshot>('forwarder', (s) => ({ ...s.cache, entries: s.cache.size })),
    ...memberFamilies<ForwarderSnapshot>((s) =>
      s.upstreams.map((u) => ({
        member: `${u.address}#${u.port}`,
        up: u.status === 'up',
        latencyMs: u.srttMs,
        failures: u.consecutiveFailures,
        queries: u.queries,
        answers: u.answers,
        timeouts: u.timeouts,
        mismatches: u.mismatches,
        garbage: u.garbage,
        errors: u.errors,
      })),
    ),
  ],
}
