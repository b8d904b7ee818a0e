/** The {@link VrrpRouter}'s families (labels `router`, `vrid`): state, transitions, priority, adverts. */
import { VrrpRouter } from '../vrrp/router.js'
import type { VrrpRouterSnapshot, VrrpState } from '../vrrp/types.js'
import type { ComponentKind, Sample } from './family.js'
import { byKey, counter, gauge } from './family.js'

const STATES: readonly VrrpState[] = ['initialize', 'backup', 'master', 'fault']
const base = (s: VrrpRouterSnapshot, router: string) => ({ router, vrid: String(s.vrid) })
const one = (pick: (s: VrrpRouterSnapshot) => number) => (s: VrrpRouterSnapshot, router: string): Sample[] => [[base(s, router), pick(s)]]
const labels = ['router', 'vrid']

/** `VrrpRouter` as a watched kind. */
export const vrrpKind: ComponentKind<VrrpRouter, VrrpRouterSnapshot> = {
  kind: 'router',
  matches: (c): c is VrrpRouter => c instanceof VrrpRouter,
  snapshot: (c) => c.snapshot(),
  families: [
    gauge('dnsha_vrrp_state', '1 for the state the router is in, 0 for the others (initialize, backup, master, fault).', [...labels, 'state'], (s, router) =>
      STATES.map((state) => [{ ...base(s, router), state }, s.state === state ? 1 : 0] as const)),
    counter('dnsha_vrrp_transitions_total', 'State changes, by the state entered.', [...labels, 'to'], (s, router) => byKey(base(s, router), 'to', s.counters.transitions)),
    gauge('dnsha_vrrp_holds_vips', '1 while this router holds the virtual addresses (master).', labels, one((s) => (s.holdsVips ? 1 : 0))),
    gauge('dnsha_vrrp_priority', 'The configured priority.', labels, one((s) => s.priority)),
    gauge('dnsha_vrrp_effective_priority', 'The priority advertised, after tracked weights.', labels, one((s) => s.effectivePriority)),
    counter('dnsha_vrrp_adverts_sent_total', 'Advertisements sent.', labels, one((s) => s.counters.sent)),
    counter('dnsha_vrrp_adverts_received_total', 'Advertisements accepted.', labels, one((s) => s.counters.received)),
    counter('dnsha_vrrp_adverts_dropped_total', 'Advertisements dropped, by reason (checksum, vrid, ttl, auth, interval...).', [...labels, 'reason'], (s, router) => byKey(base(s, router), 'reason', s.counters.dropped)),
    gauge('dnsha_vrrp_split_brain_peers', 'Peers claiming master at the same time as this router (a reported split brain).', labels, one((s) => s.splitBrain.length)),
    gauge('dnsha_vrrp_failing_tracks', 'Tracked targets failing now.', labels, one((s) => s.tracks.filter((t) => t.failing).length)),
  ],
}
