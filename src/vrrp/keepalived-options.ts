/**
 * {@link vrrpRouterOptionsFromKeepalived}: one parsed `vrrp_instance` into the fields of
 * {@link VrrpRouterOptions} it determines, plus what the host side needs (interface, VIP prefix,
 * dev and label, notify scripts) and the `vrrp_script`s it tracks as prober targets.
 *
 * keepalived's semantics, applied here: the default version is 2; `state MASTER` is only the
 * initial state and makes the default priority 255; a negative track weight lowers the priority
 * while the target is down, a positive one raises it while the target is up, 0 puts the instance
 * in FAULT. What keepalived repairs silently or ignores (nopreempt with an initial MASTER, a
 * rounded VRRPv2 interval, authentication on VRRPv3, weights on an address owner) is refused
 * here with a `DnsHaError` `ERR_VRRP_CONFIG`, so a router never runs something other than what
 * the file says.
 */
import { DnsHaError } from '../util/errors.js'
import type { KeepalivedConfig, KeepalivedLocation, KeepalivedVip, KeepalivedVrrpInstance } from './keepalived-config.js'
import type { VrrpAuth } from './packet.js'
import type { VrrpRouterOptions } from './types.js'
import { splitWords } from './command-line.js'

/** The router options an instance determines: everything but the runtime seams (transport, clock, track sources, VIP actions). */
export type KeepalivedRouterFields = Required<Pick<VrrpRouterOptions, 'vrid' | 'priority' | 'advertIntervalMs' | 'preempt' | 'preemptDelayMs' | 'acceptMode' | 'version' | 'vips' | 'initialState'>> &
  Pick<VrrpRouterOptions, 'unicastPeers' | 'auth' | 'primaryAddress'>

/** A tracked target, ready for {@link VrrpTrack} once a health source is chosen. */
export interface KeepalivedTrackTarget {
  /** `script`: a `vrrp_script` (run it with the health module's `scriptCheck`); `interface`: a link's state. */
  kind: 'script' | 'interface'
  /** The target name in the health source (the script or interface name). */
  target: string
  /** The router's weight: lowered by this while down; 0 means FAULT. */
  weight: number
  /** The weight as keepalived reads it (negative: lower while down; positive: raise while up). */
  keepalivedWeight: number
  location: KeepalivedLocation
}

/**
 * A `vrrp_script` as a `HealthProber` target: `script` is `scriptCheck`'s options, the rest are
 * the prober's target options (`name`, `intervalMs`, `timeoutMs`, `rise`, `fall`).
 */
export interface KeepalivedScriptTarget {
  name: string
  script: { command: string; args: string[]; timeoutMs: number }
  intervalMs: number
  timeoutMs: number
  rise: number
  fall: number
  /** keepalived runs it as this user (`user`, else global_defs `script_user`); dns-ha runs it as itself. */
  user?: { user: string; group?: string }
}

/** One VIP as the host must configure it (`ip addr add ADDRESS/PREFIX dev DEV label LABEL`). */
export interface KeepalivedVipAssignment {
  address: string
  /** As written, else the full length (32 or 128), as keepalived does. */
  prefixLength: number
  /** As written, else the instance's interface. */
  dev: string | undefined
  label?: string
  broadcast?: string
  scope?: string
}

/** What the host side needs besides the router. */
export interface KeepalivedHostFields {
  /** keepalived `state` as written (default BACKUP); the router starts as Backup either way, as keepalived does (see `router.initialState`). */
  state: 'MASTER' | 'BACKUP'
  interface: string | undefined
  vips: KeepalivedVipAssignment[]
  /** `virtual_ipaddress_excluded`: added and removed with the VIPs, not advertised. */
  excludedVips: KeepalivedVipAssignment[]
  notify: { master?: string; backup?: string; fault?: string; stop?: string; any?: string }
  unicastSrcIp: string | undefined
  /** Gratuitous ARP timing: the instance's `garp_master_delay`, else global_defs' (keepalived default 5 s). */
  garp: { masterDelayMs: number; masterRepeat: number; masterRefreshMs: number }
  scriptUser?: { user: string; group?: string }
  enableScriptSecurity: boolean
}

/** {@link vrrpRouterOptionsFromKeepalived}'s result. */
export interface KeepalivedInstanceMapping {
  name: string
  router: KeepalivedRouterFields
  tracks: KeepalivedTrackTarget[]
  /** The `vrrp_script`s the tracks name, as prober targets. */
  scripts: KeepalivedScriptTarget[]
  host: KeepalivedHostFields
}

/** Maps one `vrrp_instance` of `config`; throws `DnsHaError` `ERR_VRRP_CONFIG` for what a router cannot run as written. */
export function vrrpRouterOptionsFromKeepalived(instance: KeepalivedVrrpInstance, config: KeepalivedConfig): KeepalivedInstanceMapping {
  const fail = (message: string, at: KeepalivedLocation = instance.location): never => {
    throw new DnsHaError('ERR_VRRP_CONFIG', `${at.file}:${at.line}:${at.column}: vrrp_instance ${instance.name}: ${message}`, {
      details: { file: at.file, line: at.line, column: at.column, instance: instance.name },
    })
  }
  const version = instance.version ?? config.globalDefs.vrrpVersion ?? 2
  const declaredMaster = instance.state === 'MASTER'
  // keepalived 2.2.7 with `state MASTER` below priority 255 still enters BACKUP at init and takes
  // the VIPs only after Master_Down_Interval (measured here: "Entering BACKUP STATE (init)", then
  // MASTER, VIP after 3.7 s at advert_int 1, priority 150), so the router starts as the RFC says;
  // a priority-255 owner goes to Master at once either way.
  const initialState = 'backup' as const
  const configured = instance.priority ?? (declaredMaster ? 255 : 100)
  const advertInt = instance.advertInt ?? 1
  const advertAt = instance.locations['advert_int'] ?? instance.location
  if (instance.virtualRouterId === undefined) fail('virtual_router_id is not set')
  if (instance.nopreempt && declaredMaster) {
    fail('nopreempt with state MASTER: a MASTER start takes the VIPs from whoever holds them, which is preemption (keepalived silently clears nopreempt). Use state BACKUP with nopreempt', instance.locations['nopreempt'])
  }
  if (instance.nopreempt && (instance.preemptDelay ?? 0) > 0) {
    fail('preempt_delay with nopreempt: there is no preemption to delay (keepalived resets preempt_delay); remove one', instance.locations['preempt_delay'])
  }
  if (version === 2 && !Number.isInteger(advertInt)) fail(`advert_int ${advertInt}: VRRPv2 carries whole seconds (keepalived would round it); write a whole number or use version 3`, advertAt)
  if (version === 3 && (advertInt > 40.95 || !Number.isInteger(Math.round(advertInt * 1e6) / 1e4))) {
    fail(`advert_int ${advertInt}: VRRPv3 carries centiseconds up to 40.95 s`, advertAt)
  }
  if (instance.virtualIpaddresses.length === 0) fail('no virtual_ipaddress')

  let auth: VrrpAuth | undefined
  if (instance.authentication !== undefined) {
    const at = instance.authentication.location
    if (version === 3) fail('authentication with VRRPv3: RFC 5798 removed it (keepalived ignores it); remove the block', at)
    if (instance.authentication.type === 'AH') fail('auth_type AH is not supported (RFC 3768 removed it; dns-ha only decodes it)', at)
    auth = { type: 'pass', password: instance.authentication.password }
  }

  const tracks: KeepalivedTrackTarget[] = []
  const scripts: KeepalivedScriptTarget[] = []
  for (const ref of instance.trackScripts) {
    const script = config.scripts.find((s) => s.name === ref.name) ?? fail(`track_script ${ref.name}: no vrrp_script of that name`, ref.location)
    const keepalivedWeight = ref.weight ?? script.weight ?? 0
    tracks.push({ kind: 'script', target: script.name, weight: Math.abs(keepalivedWeight), keepalivedWeight, location: ref.location })
    if (!scripts.some((s) => s.name === script.name)) {
      const words = splitKeepalivedCommand(script.script)
      const intervalMs = Math.round((script.interval ?? 1) * 1000)
      const timeoutMs = Math.round((script.timeout ?? script.interval ?? 1) * 1000)
      const user = script.user ?? config.globalDefs.scriptUser
      scripts.push({
        name: script.name,
        script: { command: words[0] ?? '', args: words.slice(1), timeoutMs },
        intervalMs,
        timeoutMs,
        rise: script.rise ?? 1,
        fall: script.fall ?? 1,
        ...(user ? { user } : {}),
      })
    }
  }
  for (const ref of instance.trackInterfaces) {
    const keepalivedWeight = ref.weight ?? 0
    tracks.push({ kind: 'interface', target: ref.name, weight: Math.abs(keepalivedWeight), keepalivedWeight, location: ref.location })
  }
  // A positive weight raises the priority while the target is up: the router's base is the raised
  // priority, and a down target lowers it back.
  let priority = configured
  for (const track of tracks) {
    if (track.keepalivedWeight === 0) continue
    if (configured === 255) fail(`track ${track.target} weight ${track.keepalivedWeight}: keepalived ignores weights on an address owner (priority 255); remove the weight or lower the priority`, track.location)
    if (track.keepalivedWeight > 0) priority += track.keepalivedWeight
  }
  if (configured !== 255 && priority > 254) {
    fail(`priority ${configured} plus positive track weights is ${priority}: keepalived caps it at 254, so a failure would not lower it by the full weight; lower the weights`, instance.locations['priority'] ?? instance.location)
  }

  const router: KeepalivedRouterFields = {
    vrid: instance.virtualRouterId!,
    priority,
    advertIntervalMs: Math.round(advertInt * 1000),
    preempt: !instance.nopreempt,
    preemptDelayMs: Math.round((instance.preemptDelay ?? 0) * 1000),
    acceptMode: instance.accept ?? false,
    version,
    vips: instance.virtualIpaddresses.map((v) => v.address),
    initialState,
  }
  if (instance.unicastPeers.length > 0) router.unicastPeers = instance.unicastPeers.map((p) => p.address)
  if (auth !== undefined) router.auth = auth
  const primary = instance.unicastSrcIp ?? instance.mcastSrcIp
  if (primary !== undefined) router.primaryAddress = primary

  const assign = (vip: KeepalivedVip): KeepalivedVipAssignment => ({
    address: vip.address,
    prefixLength: vip.prefixLength ?? (vip.address.includes(':') ? 128 : 32),
    dev: vip.dev ?? instance.interface,
    ...(vip.label !== undefined ? { label: vip.label } : {}),
    ...(vip.broadcast !== undefined ? { broadcast: vip.broadcast } : {}),
    ...(vip.scope !== undefined ? { scope: vip.scope } : {}),
  })
  const host: KeepalivedHostFields = {
    state: declaredMaster ? 'MASTER' : 'BACKUP',
    interface: instance.interface,
    vips: instance.virtualIpaddresses.map(assign),
    excludedVips: instance.virtualIpaddressesExcluded.map(assign),
    notify: { ...instance.notify },
    unicastSrcIp: instance.unicastSrcIp,
    garp: {
      masterDelayMs: (instance.garpMasterDelay ?? config.globalDefs.garpMasterDelay ?? 5) * 1000,
      masterRepeat: config.globalDefs.garpMasterRepeat ?? 5,
      masterRefreshMs: (config.globalDefs.garpMasterRefresh ?? 0) * 1000,
    },
    enableScriptSecurity: config.globalDefs.enableScriptSecurity,
  }
  if (config.globalDefs.scriptUser !== undefined) host.scriptUser = config.globalDefs.scriptUser
  return { name: instance.name, router, tracks, scripts, host }
}

/**
 * A keepalived script line into program and arguments, as keepalived splits it (no shell):
 * whitespace separates words; single or double quotes group them.
 */
export function splitKeepalivedCommand(line: string): string[] {
  return splitWords(line).words
}
