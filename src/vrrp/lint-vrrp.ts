/**
 * {@link lintVrrp}: what a set of VRRP configurations gets wrong that no single router can see
 * by itself (a track weight too small to hand the VIPs over, equal priorities, colliding vrids)
 * and what the RFCs or the wire make useless (PASS authentication, an interval VRRPv2 cannot
 * carry). Give every host's keepalived.conf (or every router's options) of a segment at once: the
 * pair rules compare instances of different hosts with the same vrid that name each other
 * (unicast_peer / unicast_src_ip) or share a VIP.
 */
import { addressBytes } from '../util/cidr.js'
import type { KeepalivedConfig, KeepalivedLocation } from './keepalived-config.js'
import type { VrrpAuth } from './packet.js'
import type { VrrpRouterOptions } from './types.js'

/** The linter's rules. */
export type VrrpLintRule =
  | 'track-weight-cannot-cross'
  | 'nopreempt-initial-master'
  | 'equal-priority'
  | 'duplicate-vrid'
  | 'pass-authentication'
  | 'advert-interval'
  | 'unicast-peer-self'
  | 'vip-subnet'

/** One finding of {@link lintVrrp}. */
export interface VrrpLintFinding {
  rule: VrrpLintRule
  severity: 'error' | 'warning'
  /** The instance name (`vrrp_instance NAME`; for router options, `name` or `vrid N`). */
  instance: string
  /** What is wrong here, with the numbers. */
  message: string
  /** Why it matters (the same text for every finding of a rule). */
  explanation: string
  /** Where (keepalived input only). */
  file?: string
  line?: number
}

/** Router options as {@link lintVrrp} reads them: the fields of {@link VrrpRouterOptions} it judges, a name, and tracks without their sources. */
export type VrrpLintRouter = Pick<VrrpRouterOptions, 'vrid' | 'priority' | 'advertIntervalMs' | 'preempt' | 'version' | 'vips' | 'unicastPeers' | 'auth' | 'primaryAddress' | 'initialState'> & {
  /** What findings call it (default `vrid N`). */
  name?: string
  /** The interface, when known (the duplicate-vrid rule compares routers of one host on one interface). */
  interface?: string
  /** Tracks as the router counts them: `weight` lowers the priority while down, 0 is FAULT. */
  track?: { target: string; weight: number; name?: string }[]
  /** Routers with the same `host` run on one machine (default: each router its own host). */
  host?: string
}

/** Why each rule matters. */
export const VRRP_LINT_EXPLANATIONS: Record<VrrpLintRule, string> = {
  'track-weight-cannot-cross':
    'A weighted track exists to hand the VIPs to the peer when a check fails. If the priority with every weighted track failing is still above the best priority the peer can advertise, the peer never preempts: the failing host keeps the VIPs. Make the weight larger than the priority gap (or use weight 0, which enters FAULT).',
  'nopreempt-initial-master':
    'keepalived silently clears nopreempt for an instance declared MASTER, so the setting does nothing and the instance preempts after all. dns-ha refuses it. Start every nopreempt instance as BACKUP.',
  'equal-priority':
    'With equal priorities, the tie is broken by the higher primary IP address (RFC 5798 §6.4.3): which host is master depends on addressing, not on intent, and a restarted host may or may not take over. Give each host a distinct priority.',
  'duplicate-vrid':
    'The vrid names the virtual router on a segment (and its virtual MAC 00-00-5E-00-01-{VRID}). Two different instances with one vrid on one segment read each other\'s adverts: they fight over mastership, or drop each other\'s adverts as misconfigured, and both may hold addresses. Give each virtual router its own vrid.',
  'pass-authentication':
    'PASS authentication sends the password in clear text in every advert: anyone who can inject an advert can read it first. RFC 5798 removed authentication from VRRPv3 for this reason; it only guards against a misconfigured neighbour. Use VRRPv3 without authentication and protect the segment instead (or IPsec/AH at the IP layer).',
  'advert-interval':
    'VRRPv2 carries the advert interval in whole seconds (1..255); VRRPv3 in centiseconds (0.01..40.95 s). keepalived rounds or clamps anything else, so peers and timers disagree with the file.',
  'unicast-peer-self':
    "An instance that lists its own unicast_src_ip among its peers sends adverts to itself: they are dropped or, worse, counted as a peer's, and the real peer list is probably a copy-paste of the other host's file.",
  'vip-subnet':
    "A VIP with a prefix length that does not contain the host's own address is added on a subnet the interface is not on: gratuitous ARP announces it where clients may not look, and replies may leave by another route. Check the prefix, or write the VIP without one (/32, /128).",
}

interface LintInstance {
  name: string
  host: string
  at?: KeepalivedLocation
  locations: Record<string, KeepalivedLocation | undefined>
  vrid: number
  priority: number
  initialMaster: boolean
  preempt: boolean
  version: 2 | 3
  advertIntervalMs: number
  auth: VrrpAuth['type'] | 'ah'
  primary: string | undefined
  peers: string[]
  vips: { address: string; prefixLength?: number }[]
  iface: string | undefined
  /** keepalived's signed weights: negative lowers while down, positive raises while up, 0 is FAULT. */
  weights: number[]
}

/** Lints keepalived configurations (one per host) or router options; an empty list means nothing found. */
export function lintVrrp(inputs: readonly KeepalivedConfig[] | readonly VrrpLintRouter[]): VrrpLintFinding[] {
  const instances = inputs.flatMap((input, index) => ('instances' in input ? fromKeepalived(input, index) : [fromRouter(input, index)]))
  const findings: VrrpLintFinding[] = []
  const add = (rule: VrrpLintRule, severity: 'error' | 'warning', instance: LintInstance, message: string, where?: string): void => {
    const at = (where === undefined ? undefined : instance.locations[where]) ?? instance.at
    findings.push({ rule, severity, instance: instance.name, message, explanation: VRRP_LINT_EXPLANATIONS[rule], ...(at ? { file: at.file, line: at.line } : {}) })
  }
  for (const a of instances) {
    if (!a.preempt && a.initialMaster) add('nopreempt-initial-master', 'error', a, `${a.name}: nopreempt with an initial MASTER state`, 'nopreempt')
    if (a.auth === 'pass') add('pass-authentication', 'warning', a, `${a.name}: PASS authentication (a clear-text password in every advert)`, 'authentication')
    if (a.auth === 'ah') add('pass-authentication', 'warning', a, `${a.name}: AH authentication (removed by RFC 3768; keepalived's own implementation is deprecated)`, 'authentication')
    const s = a.advertIntervalMs / 1000
    if (a.version === 2 && !(Number.isInteger(s) && s >= 1 && s <= 255)) add('advert-interval', 'error', a, `${a.name}: advert interval ${s} s cannot be carried by VRRPv2 (whole seconds 1..255)`, 'advert_int')
    if (a.version === 3 && !(Number.isInteger(Math.round(a.advertIntervalMs * 1000) / 10000) && a.advertIntervalMs >= 10 && a.advertIntervalMs <= 40_950)) {
      add('advert-interval', 'error', a, `${a.name}: advert interval ${s} s cannot be carried by VRRPv3 (centiseconds, 0.01..40.95 s)`, 'advert_int')
    }
    if (a.primary !== undefined && a.peers.includes(a.primary)) add('unicast-peer-self', 'error', a, `${a.name}: unicast_peer lists our own unicast_src_ip ${a.primary}`, 'unicast_peer')
    if (a.primary !== undefined) {
      for (const vip of a.vips) {
        const full = vip.address.includes(':') ? 128 : 32
        if (vip.prefixLength === undefined || vip.prefixLength === full || vip.address.includes(':') !== a.primary.includes(':')) continue
        if (!sameSubnet(vip.address, vip.prefixLength, a.primary)) {
          add('vip-subnet', 'warning', a, `${a.name}: VIP ${vip.address}/${vip.prefixLength} is not on the subnet of our address ${a.primary}`, 'virtual_ipaddress')
        }
      }
    }
  }
  for (let i = 0; i < instances.length; i++) {
    for (let j = i + 1; j < instances.length; j++) {
      const a = instances[i]!
      const b = instances[j]!
      if (a.vrid !== b.vrid) continue
      const family = (x: LintInstance): boolean => x.vips[0]?.address.includes(':') ?? false
      if (a.host === b.host) {
        if (a.iface === b.iface && family(a) === family(b)) {
          add('duplicate-vrid', 'error', b, `${b.name}: vrid ${b.vrid} is also used by ${a.name} on interface ${b.iface ?? '(unnamed)'}`, 'virtual_router_id')
        }
        continue
      }
      if (!linked(a, b)) continue
      const vipsA = a.vips.map((v) => v.address).sort().join(',')
      const vipsB = b.vips.map((v) => v.address).sort().join(',')
      if (vipsA !== vipsB) {
        add('duplicate-vrid', 'error', b, `${b.name}: vrid ${b.vrid} on this segment is also ${a.name} on another host with different VIPs (${vipsA} vs ${vipsB})`, 'virtual_router_id')
        continue
      }
      if (a.priority === b.priority) add('equal-priority', 'warning', b, `${b.name}: priority ${b.priority} equals its peer ${a.name}'s`, 'priority')
      for (const [high, low] of [
        [a, b],
        [b, a],
      ] as const) {
        if (high.priority <= low.priority && maxPriority(high) <= maxPriority(low)) continue
        if (!high.weights.some((w) => w !== 0)) continue
        const worst = minPriority(high)
        const best = maxPriority(low)
        if (worst > best) {
          add(
            'track-weight-cannot-cross',
            'warning',
            high,
            `${high.name}: priority ${high.priority} with tracks (weights ${high.weights.filter((w) => w !== 0).join(', ')}) falls at most to ${worst}, still above its peer ${low.name} at ${best}: a failing check never hands the VIPs over`,
            'priority',
          )
        }
      }
    }
  }
  return findings
}

function maxPriority(x: LintInstance): number {
  if (x.priority === 255) return 255
  return Math.min(254, x.priority + x.weights.filter((w) => w > 0).reduce((sum, w) => sum + w, 0))
}

function minPriority(x: LintInstance): number {
  if (x.priority === 255) return 255
  return Math.max(1, x.priority + x.weights.filter((w) => w < 0).reduce((sum, w) => sum + w, 0))
}

function linked(a: LintInstance, b: LintInstance): boolean {
  if (a.primary !== undefined && b.peers.includes(a.primary)) return true
  if (b.primary !== undefined && a.peers.includes(b.primary)) return true
  return a.vips.some((v) => b.vips.some((w) => w.address === v.address))
}

function fromKeepalived(config: KeepalivedConfig, index: number): LintInstance[] {
  return config.instances.map((instance) => {
    const initialMaster = instance.state === 'MASTER'
    const weights = [
      ...instance.trackScripts.map((t) => t.weight ?? config.scripts.find((s) => s.name === t.name)?.weight ?? 0),
      ...instance.trackInterfaces.map((t) => t.weight ?? 0),
    ]
    return {
      name: instance.name,
      host: `config ${index}`,
      at: instance.location,
      locations: instance.locations,
      vrid: instance.virtualRouterId ?? 0,
      priority: instance.priority ?? (initialMaster ? 255 : 100),
      initialMaster,
      preempt: !instance.nopreempt,
      version: instance.version ?? config.globalDefs.vrrpVersion ?? 2,
      advertIntervalMs: Math.round((instance.advertInt ?? 1) * 1000),
      auth: instance.authentication === undefined ? 'none' : instance.authentication.type === 'PASS' ? 'pass' : 'ah',
      primary: instance.unicastSrcIp ?? instance.mcastSrcIp,
      peers: instance.unicastPeers.map((p) => p.address),
      vips: instance.virtualIpaddresses.map((v) => (v.prefixLength === undefined ? { address: v.address } : { address: v.address, prefixLength: v.prefixLength })),
      iface: instance.interface,
      weights,
    }
  })
}

function fromRouter(router: VrrpLintRouter, index: number): LintInstance {
  return {
    name: router.name ?? `vrid ${router.vrid}`,
    host: router.host ?? `router ${index}`,
    locations: {},
    vrid: router.vrid,
    priority: router.priority,
    initialMaster: router.initialState === 'master',
    preempt: router.preempt ?? true,
    version: router.version ?? 3,
    advertIntervalMs: router.advertIntervalMs ?? 1000,
    auth: router.auth?.type ?? 'none',
    primary: router.primaryAddress,
    peers: router.unicastPeers ?? [],
    vips: router.vips.map((address) => {
      const slash = address.indexOf('/')
      return slash < 0 ? { address } : { address: address.slice(0, slash), prefixLength: Number(address.slice(slash + 1)) }
    }),
    iface: router.interface,
    // The router lowers by `weight` while down: keepalived's negative weight.
    weights: (router.track ?? []).map((t) => -t.weight),
  }
}

/** True when `address` is inside `network/prefix` (same family assumed). */
function sameSubnet(network: string, prefix: number, address: string): boolean {
  const a = addressBytes(network)
  const b = addressBytes(address)
  if (a === undefined || b === undefined || a.length !== b.length) return false
  for (let bit = 0; bit < prefix; bit++) {
    const byte = bit >> 3
    const mask = 0x80 >> (bit & 7)
    if ((a[byte]! & mask) !== (b[byte]! & mask)) return false
  }
  return true
}
