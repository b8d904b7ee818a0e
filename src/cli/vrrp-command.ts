/**
 * `dns-ha vrrp --config keepalived.conf`: a keepalived configuration's VRRP instances run by
 * dns-ha, unchanged, so an operator can put dns-ha beside (or instead of) keepalived. Each
 * `vrrp_instance` becomes a VrrpRouter on the raw IP protocol 112 transport of its `interface`
 * (multicast 224.0.0.18, or its `unicast_peer`s), adding and removing its `virtual_ipaddress`
 * lines with `ip addr` and gratuitous ARP, running its `vrrp_script`s as tracked health checks and
 * its `notify_*` scripts on every change. SIGTERM stops every router with a priority-0 advert
 * (the backup takes over within Skew_Time) and waits for `notify_stop`.
 *
 * `--check` is keepalived's `--config-test`: parse, map and lint, print what would run, exit 65
 * on an error. It needs neither root nor the interfaces.
 */
import { readFile } from 'node:fs/promises'
import { fnCheck, HealthProber, scriptCheck } from '../health/index.js'
import { DnsHaError } from '../util/errors.js'
import type { Logger } from '../util/logger.js'
import type { KeepalivedInstanceMapping, KeepalivedVipAssignment, VipActions, VrrpLintFinding, VrrpTrack } from '../vrrp/index.js'
import { attachNotify, LinuxVip, lintVrrp, RawTransport, readKeepalivedConf, vrrpRouterOptionsFromKeepalived, VrrpRouter } from '../vrrp/index.js'
import type { NotifyHandle } from '../vrrp/index.js'
import type { CliIo, RunningService } from './service.js'

/** What `dns-ha vrrp` was asked for. */
export interface VrrpSettings {
  config: string
  /** Only check the file (keepalived `--config-test`). */
  check: boolean
  /** Where the routers and track scripts log (`--log-level`, `--log-format`): warnings and split brain at the default level. */
  logger?: Logger
}

/** Reads, maps and lints the file; then (unless `check`) starts every instance. */
export async function startVrrp(settings: VrrpSettings, io: CliIo): Promise<RunningService> {
  const config = await readKeepalivedConf(settings.config)
  for (const w of config.warnings) io.err(`${w.file}:${w.line}:${w.column}: ${w.configTestFails ? 'error' : 'warning'}: ${w.message}`)
  const findings = lintVrrp([config])
  for (const f of findings) io.err(findingLine(f))
  const mappings = config.instances.map((instance) => vrrpRouterOptionsFromKeepalived(instance, config))
  const refused = findings.find((f) => f.severity === 'error') ?? config.warnings.find((w) => w.configTestFails)
  if (refused !== undefined) throw new DnsHaError('ERR_VRRP_CONFIG', `${settings.config}: not running a configuration keepalived --config-test or lintVrrp rejects (see above)`)
  if (mappings.length === 0) throw new DnsHaError('ERR_VRRP_CONFIG', `${settings.config}: no vrrp_instance to run`)
  for (const m of mappings) io.out(describe(m))
  if (settings.check) {
    io.out(`${settings.config}: configuration OK (${mappings.length} instance${mappings.length === 1 ? '' : 's'})`)
    return { close: async () => {}, done: Promise.resolve() }
  }
  return runInstances(mappings, io, settings.logger)
}

async function runInstances(mappings: KeepalivedInstanceMapping[], io: CliIo, logger: Logger | undefined): Promise<RunningService> {
  const started = Date.now()
  const t = (): string => `+${((Date.now() - started) / 1000).toFixed(3)}s`
  const prober = new HealthProber(logger === undefined ? {} : { logger })
  prober.on('change', ({ target, state, reason }) => io.out(`[${t()}] check ${target}: ${state} (${reason})`))
  const scripts = new Set<string>()
  const routers: { name: string; router: VrrpRouter; notify: NotifyHandle }[] = []
  try {
    for (const m of mappings) {
      const iface = m.host.interface ?? fail(`vrrp_instance ${m.name}: no interface`)
      for (const s of m.scripts) {
        if (scripts.has(s.name)) continue
        scripts.add(s.name)
        if (s.user !== undefined) io.err(`vrrp_script ${s.name}: runs as this process's user, not ${s.user.user} (dns-ha does not switch users)`)
        prober.add({ name: s.name, check: scriptCheck(s.script), intervalMs: s.intervalMs, timeoutMs: s.timeoutMs, rise: s.rise, fall: s.fall })
      }
      const track: VrrpTrack[] = m.tracks.map((tr) => {
        if (tr.kind === 'interface') {
          // keepalived's track_interface: the link's state, read like any other check.
          const name = `link:${tr.target}`
          if (!scripts.has(name)) {
            scripts.add(name)
            prober.add({ name, check: fnCheck(async () => (await linkUp(tr.target)) ? { ok: true, reason: 'link up' } : { ok: false, reason: 'link down' }), intervalMs: 1000, timeoutMs: 1000, rise: 1, fall: 1 })
          }
          return { source: prober, target: name, weight: tr.weight, name: `interface ${tr.target}` }
        }
        return { source: prober, target: tr.target, weight: tr.weight }
      })
      const router = new VrrpRouter({
        ...m.router,
        transport: new RawTransport({
          interface: iface,
          family: familyOf(m),
          ...(m.host.unicastSrcIp === undefined ? {} : { localAddress: m.host.unicastSrcIp }),
          multicast: (m.router.unicastPeers ?? []).length === 0,
        }),
        vipActions: vipActionsFor([...m.host.vips, ...m.host.excludedVips], iface, m.host.garp, (error) => io.err(`[${t()}] VRRP ${m.name}: ${error.message}`)),
        track,
        ...(logger === undefined ? {} : { logger, name: m.name }),
      })
      router.on('state', ({ from, to, reason }) => io.out(`[${t()}] VRRP ${m.name}: ${from} -> ${to} (${reason})`))
      if (logger === undefined) {
        // With a logger, the router logs these itself (warn, error).
        router.on('warning', ({ message }) => io.err(`[${t()}] VRRP ${m.name}: ${message}`))
        router.on('split-brain', ({ peer, priority }) => io.err(`[${t()}] VRRP ${m.name}: split brain: ${peer} (priority ${priority}) is master too`))
      }
      const notify = attachNotify(
        router,
        {
          ...(m.host.notify.master ? { notifyMaster: m.host.notify.master } : {}),
          ...(m.host.notify.backup ? { notifyBackup: m.host.notify.backup } : {}),
          ...(m.host.notify.fault ? { notifyFault: m.host.notify.fault } : {}),
          ...(m.host.notify.stop ? { notifyStop: m.host.notify.stop } : {}),
          ...(m.host.notify.any ? { notify: m.host.notify.any } : {}),
        },
        { name: m.name },
      )
      routers.push({ name: m.name, router, notify })
      await router.start()
    }
  } catch (error) {
    await stopAll(routers, prober)
    throw error
  }
  return {
    watch(metrics) {
      metrics.watch('main', prober)
      for (const r of routers) metrics.watch(r.name, r.router)
    },
    close: () => stopAll(routers, prober),
  }
}

async function stopAll(routers: { router: VrrpRouter; notify: NotifyHandle }[], prober: HealthProber): Promise<void> {
  await Promise.all(routers.map((r) => r.router.stop()))
  await Promise.all(routers.map((r) => r.notify.settled()))
  prober.close()
}

/**
 * The instance's IP family, as keepalived picks it: from `unicast_src_ip` when given, else from
 * its advertised VIPs (an instance with IPv6 VIPs speaks VRRPv3 over IPv6 from the link-local address).
 */
export function familyOf(m: KeepalivedInstanceMapping): 4 | 6 {
  const first = m.host.unicastSrcIp ?? m.router.vips[0]
  return first !== undefined && first.includes(':') ? 6 : 4
}

/** keepalived's gratuitous ARP timing as LinuxVip options: repeat per burst, the delayed second burst, the periodic refresh. */
export function linuxVipGarpOptions(garp: KeepalivedInstanceMapping['host']['garp']): { garpRepeat: number; garpMasterDelayMs: number; garpMasterRefreshMs: number } {
  return { garpRepeat: garp.masterRepeat, garpMasterDelayMs: garp.masterDelayMs, garpMasterRefreshMs: garp.masterRefreshMs }
}

/** One LinuxVip per (dev, prefix, label) the file's VIP lines name; the router's add/remove fans out to each with its own addresses. */
function vipActionsFor(vips: KeepalivedVipAssignment[], iface: string, garp: KeepalivedInstanceMapping['host']['garp'], onError: (error: Error) => void): VipActions {
  const groups = new Map<string, { vip: LinuxVip; addresses: Set<string> }>()
  for (const v of vips) {
    const dev = v.dev ?? iface
    const key = `${dev}/${v.prefixLength}/${v.label ?? ''}`
    let group = groups.get(key)
    if (group === undefined) {
      const prefix = v.address.includes(':') ? { prefixLength6: v.prefixLength } : { prefixLength: v.prefixLength }
      group = { vip: new LinuxVip({ interface: dev, ...prefix, ...(v.label === undefined ? {} : { label: v.label }), ...linuxVipGarpOptions(garp), onError }), addresses: new Set() }
      groups.set(key, group)
    }
    group.addresses.add(v.address)
  }
  const all = [...groups.values()]
  // Excluded VIPs are not advertised, so the router never names them: a group's own list is used.
  return {
    add: async () => {
      await Promise.all(all.map((g) => g.vip.add([...g.addresses])))
    },
    remove: async () => {
      await Promise.all(all.map((g) => g.vip.remove([...g.addresses])))
    },
  }
}

async function linkUp(iface: string): Promise<boolean> {
  const state = await readFile(`/sys/class/net/${iface}/operstate`, 'utf8').catch(() => 'down')
  return state.trim() === 'up' || state.trim() === 'unknown'
}

function describe(m: KeepalivedInstanceMapping): string {
  const r = m.router
  const peers = (r.unicastPeers ?? []).length > 0 ? `unicast to ${r.unicastPeers!.join(', ')}` : `multicast ${familyOf(m) === 6 ? 'ff02::12' : '224.0.0.18'}`
  const vips = m.host.vips.map((v) => `${v.address}/${v.prefixLength}${v.dev ? ` dev ${v.dev}` : ''}${v.label ? ` label ${v.label}` : ''}`).join(', ')
  const tracks = m.tracks.map((t) => `${t.kind} ${t.target} ${t.weight === 0 ? 'FAULT' : `-${t.weight}`}`).join(', ')
  return `vrrp_instance ${m.name}: vrid ${r.vrid} priority ${r.priority} ${m.host.state} v${r.version} advert ${r.advertIntervalMs} ms${r.preempt ? '' : ' nopreempt'}${r.auth ? ' PASS' : ''} on ${m.host.interface ?? '?'}, ${peers}; VIPs ${vips}${tracks ? `; tracks ${tracks}` : ''}`
}

function findingLine(f: VrrpLintFinding): string {
  return `${f.file ?? ''}${f.line === undefined ? '' : `:${f.line}`}${f.file ? ': ' : ''}${f.severity}: ${f.rule}: ${f.message}`
}

function fail(message: string): never {
  throw new DnsHaError('ERR_VRRP_CONFIG', message)
}
