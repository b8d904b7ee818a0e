/**
 * The public shapes of a {@link VrrpRouter}: options, states, events and the snapshot.
 */
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/logger.js'
import type { VrrpAuth, VrrpDropReason, VrrpPacket } from './packet.js'
import type { VrrpTransport } from './transport.js'
import type { VipActions } from './vip-actions.js'

/** RFC 5798 §6.4 states, plus keepalived's FAULT (a weight-0 tracked check is down). */
export type VrrpState = 'initialize' | 'backup' | 'master' | 'fault'

/** A tracked target's verdict (the same values as the pool's `HealthState`). */
export type VrrpHealthState = 'up' | 'down'

/** A tracked target changed (structurally the pool's `HealthChange`). */
export interface VrrpHealthChange {
  target: string
  state: VrrpHealthState
  reason: string
}

/**
 * Anything that says whether targets are up: the health prober, or a user's own checker.
 * Declared here with the same shape as the pool's `HealthSource`, because vrrp imports only util.
 */
export interface VrrpHealthSource {
  /** Calls `listener` on every change from now on; the returned function stops that. */
  watch(listener: (change: VrrpHealthChange) => void): () => void
  /** The current verdict for a target, `undefined` when not known yet (counted as not failing). */
  state(target: string): VrrpHealthState | undefined
}

/** One tracked target: keepalived's `track_script` with a weight. */
export interface VrrpTrack {
  source: VrrpHealthSource
  /** The target's name in `source`. */
  target: string
  /** While the target is down: a positive weight lowers the priority by that much; 0 enters FAULT (keepalived semantics). */
  weight: number
  /** What reasons call it (default: `target`). */
  name?: string
}

/** Options for {@link VrrpRouter}. */
export interface VrrpRouterOptions {
  /** Virtual router id, 1..255 (keepalived `virtual_router_id`). */
  vrid: number
  /** 1..255; 255 means we own the addresses (keepalived `priority`). */
  priority: number
  /** Advertisement_Interval in ms (default 1000): whole seconds for v2, a multiple of 10 ms up to 40950 for v3 (keepalived `advert_int`). */
  advertIntervalMs?: number
  /** Preempt_Mode (default true; keepalived `nopreempt` is `false`). */
  preempt?: boolean
  /** After start and after leaving FAULT, do not preempt a lower-priority master for this long (keepalived `preempt_delay`, default 0). */
  preemptDelayMs?: number
  /** RFC 5798 Accept_Mode (default false), handed to the VIP actions. */
  acceptMode?: boolean
  /** 3 (default, RFC 5798) or 2 (RFC 3768, IPv4 only; keepalived `vrrp_version`). */
  version?: 2 | 3
  /** The virtual addresses (keepalived `virtual_ipaddress`), all of the primary address's family. */
  vips: string[]
  transport: VrrpTransport
  /** Time source (default: real time). */
  clock?: Clock
  /** Send to these addresses instead of the multicast group, and accept adverts only from them (keepalived `unicast_peer`). */
  unicastPeers?: string[]
  /** VRRPv2 authentication (keepalived `authentication { auth_type PASS; auth_pass ... }`). */
  auth?: VrrpAuth
  /** Our primary address (default: the transport's `localAddress`; keepalived `unicast_src_ip`). */
  primaryAddress?: string
  /** keepalived `state`: `'master'` goes to Master at start without waiting (default `'backup'`, the RFC behaviour). */
  initialState?: 'master' | 'backup'
  /** Tracked targets (keepalived `track_script`). */
  track?: VrrpTrack[]
  /** What to do with the VIPs (default: a {@link MemoryVipActions}, which only records). */
  vipActions?: VipActions
  /**
   * Where state transitions are reported as keepalived words them (`Entering MASTER STATE`,
   * with `from` and `reason`; FAULT at `warn`), priority changes, split brain (`error`) and
   * its end, transport and VIP failures (`warn`; then no `process.emitWarning`) and dropped
   * adverts (`debug`), with `component: 'vrrp'`, `instance` and `vrid`; console- or pino-shaped.
   */
  logger?: Logger
  /** The instance name on log lines (keepalived's `vrrp_instance` name; default `VRID <vrid>`). */
  name?: string
}

/** Payload of `state`. */
export interface VrrpStateEvent {
  from: VrrpState
  to: VrrpState
  /** Why, for a person: "peer 10.0.0.2 priority 150 > ours 100". */
  reason: string
}

/** Payload of `master`, `backup` and `fault`. */
export interface VrrpTransitionEvent {
  from: VrrpState
  reason: string
}

/** Payload of `advert`: one advertisement sent or accepted. */
export interface VrrpAdvertEvent {
  direction: 'sent' | 'received'
  /** The other router for a received advert; our primary address for a sent one. */
  source: string
  packet: VrrpPacket
}

/** Payload of `drop`: an incoming message discarded before the state machine saw it. */
export interface VrrpDropEvent {
  reason: VrrpDropReason
  source: string
  detail: string
}

/** Payload of `priority`: the effective priority changed (a tracked target went down or up). */
export interface VrrpPriorityEvent {
  from: number
  to: number
  reason: string
}

/**
 * Payload of `split-brain`: while we are Master, adverts for our vrid kept coming from `peer`
 * for at least Master_Down_Interval without either side yielding: it has a lower priority yet
 * stays master (it cannot hear us), or its adverts fail our checks (PASS password, v2 interval,
 * version), so neither side can ever yield. Both hold the VIPs.
 */
export interface VrrpSplitBrainEvent {
  peer: string
  /** The peer's advertised priority. */
  priority: number
  reason: string
  /** When the first such advert arrived (clock ms). */
  since: number
}

/** Payload of `split-brain-healed`: the other master went quiet or we stepped down. */
export interface VrrpSplitBrainHealedEvent {
  peer: string
  reason: string
  /** How long the split brain lasted, from the first foreign advert (ms). */
  durationMs: number
}

/** Payload of `warning`: a transport or VIP action failed (surfaces as `process.emitWarning` when nobody listens). */
export interface VrrpWarningEvent {
  message: string
  error?: Error
}

/** Events of {@link VrrpRouter}. */
export interface VrrpRouterEvents {
  state: (event: VrrpStateEvent) => void
  master: (event: VrrpTransitionEvent) => void
  backup: (event: VrrpTransitionEvent) => void
  fault: (event: VrrpTransitionEvent) => void
  advert: (event: VrrpAdvertEvent) => void
  drop: (event: VrrpDropEvent) => void
  priority: (event: VrrpPriorityEvent) => void
  'split-brain': (event: VrrpSplitBrainEvent) => void
  'split-brain-healed': (event: VrrpSplitBrainHealedEvent) => void
  warning: (event: VrrpWarningEvent) => void
}

/** {@link VrrpRouter.snapshot}: plain data. */
export interface VrrpRouterSnapshot {
  vrid: number
  version: 2 | 3
  state: VrrpState
  /** The configured priority. */
  priority: number
  /** After tracked weights. */
  effectivePriority: number
  preempt: boolean
  primaryAddress: string
  /** The master we last accepted an advert from (Backup), or ourselves (Master). */
  masterAddress: string | undefined
  vips: string[]
  /** True while we hold the VIPs (Master). */
  holdsVips: boolean
  advertIntervalMs: number
  /** The master's interval as learned (v3) or ours. */
  masterAdverIntervalMs: number
  skewTimeMs: number
  masterDownIntervalMs: number
  tracks: { name: string; target: string; weight: number; failing: boolean }[]
  /**
   * Adverts sent, received and dropped (by reason), and state changes by the state entered
   * (`transitions.master` counts each time this router became master; the start into
   * `initialize` is not a change and is not counted).
   */
  counters: { sent: number; received: number; dropped: Partial<Record<VrrpDropReason, number>>; transitions: Partial<Record<VrrpState, number>> }
  /** Peers currently in a reported split brain with us. */
  splitBrain: { peer: string; priority: number; since: number }[]
}
