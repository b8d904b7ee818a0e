/**
 * VIP actions on a Linux host, as keepalived performs them: `ip addr add VIP/prefix dev IF
 * label L` when we become master, then a burst of gratuitous ARPs for each IPv4 VIP (so
 * neighbours and switches move the address to our MAC now, not when their caches expire), and
 * `ip addr del` when we stop being master. A router killed with SIGKILL leaves its VIPs on the
 * interface; `VrrpRouter.start()` removes them before anything else, and {@link LinuxVip.removeStale}
 * does the same for a caller that starts no router.
 *
 * IPv6 VIPs are added with `nodad` (usable at once) and announced with unsolicited Neighbour
 * Advertisements, as keepalived does. Like keepalived, a second burst follows after
 * `garpMasterDelayMs` (default 5 s: a switch that was still learning the port misses no
 * announcement), and with `garpMasterRefreshMs` the burst repeats while we hold the VIPs.
 */
import { addressBytes } from '../util/cidr.js'
import { realClock, type Clock, type TimerHandle } from '../util/clock.js'
import { DnsHaError } from '../util/errors.js'
import { gratuitousArpFrame } from './arp.js'
import { unsolicitedNaFrame } from './ndisc.js'
import { nodeVrrpHost, type VrrpHost } from './node-host.js'
import type { VipActions } from './vip-actions.js'

/** Options for {@link LinuxVip}. */
export interface LinuxVipOptions {
  /** The interface the VIPs live on (keepalived `interface`, or `dev` of a `virtual_ipaddress`). */
  interface: string
  /** Prefix length of IPv4 VIPs (default 32, as keepalived's default for an address without a mask). */
  prefixLength?: number
  /** Prefix length of IPv6 VIPs (default 128). */
  prefixLength6?: number
  /**
   * The address label (`ip addr ... label`), which must start with the interface name; default
   * `<interface>:vip` when it fits the kernel's 15 characters. `false` adds no label. A label
   * keeps VIPs apart from the interface's own addresses in `ip addr` and `os.networkInterfaces()`.
   */
  label?: string | false
  /** Gratuitous ARPs (unsolicited NAs for IPv6) sent per VIP in each burst (keepalived `garp_master_repeat`, default 5). */
  garpRepeat?: number
  /** The second burst, this long after an add (keepalived `garp_master_delay`, default 5000 ms; 0: none). */
  garpMasterDelayMs?: number
  /** Repeat the burst this often while the VIPs are held (keepalived `garp_master_refresh`, default 0: never). */
  garpMasterRefreshMs?: number
  /** Set the Router flag in unsolicited NAs (keepalived does when the interface forwards IPv6; default false). */
  naRouterFlag?: boolean
  /** Time source of the delayed and periodic bursts (default: real time). */
  clock?: Clock
  /** Where a failed delayed or periodic burst is reported (default: `process.emitWarning`, code `DNS_HA_VRRP_GARP`). */
  onError?: (error: Error) => void
  /** Kill an `ip` command that has not finished after this long (default 5000 ms). */
  commandTimeoutMs?: number
  /** The `ip` binary (default `ip`, looked up in PATH). */
  ipCommand?: string
  /** The host seam (default: the real one); tests pass a fake. */
  host?: VrrpHost
}

/** `ip addr` stderr when adding an address already there: the VIP is held, which is what we want. */
const ALREADY_THERE = /File exists/i
/** `ip addr del` stderr for an address not on the interface: nothing to remove, not an error. */
const NOT_THERE = /Cannot assign requested address|Address not found/i

/**
 * The arguments of `ip` that add or delete one VIP: `-4 addr add 10.0.0.100/32 dev eth0 label
 * eth0:vip`, or for IPv6 `-6 addr add 2001:db8::100/128 dev eth0 nodad`. Throws `DnsHaError`
 * `ERR_VRRP_CONFIG` on an address that is not one.
 */
export function ipAddrArgs(action: 'add' | 'del', vip: string, options: { interface: string; prefixLength?: number; prefixLength6?: number; label?: string | false }): string[] {
  const bytes = addressBytes(vip)
  if (!bytes) throw new DnsHaError('ERR_VRRP_CONFIG', `vrrp: virtual address ${JSON.stringify(vip)} is not an IP address`)
  if (bytes.length === 16) return ['-6', 'addr', action, `${vip}/${options.prefixLength6 ?? 128}`, 'dev', options.interface, ...(action === 'add' ? ['nodad'] : [])]
  const label = vipLabel(options.interface, options.label)
  return ['-4', 'addr', action, `${vip}/${options.prefixLength ?? 32}`, 'dev', options.interface, ...(label === undefined ? [] : ['label', label])]
}

function vipLabel(iface: string, label: string | false | undefined): string | undefined {
  if (label === false) return undefined
  if (label !== undefined) return label
  const fallback = `${iface}:vip`
  return fallback.length <= 15 ? fallback : undefined
}

/** Adds, announces and removes VIPs on a Linux interface with `ip` and an AF_PACKET socket. */
export class LinuxVip implements VipActions {
  private readonly options: LinuxVipOptions
  private readonly host: VrrpHost
  private readonly clock: Clock
  /** The VIPs the delayed and periodic bursts announce: those of the last add, until a remove. */
  private held: string[] = []
  private delayTimer: TimerHandle | undefined
  private refreshTimer: TimerHandle | undefined

  /** Checks the options; throws `DnsHaError` `ERR_VRRP_CONFIG` on a bad prefix, label or repeat count. */
  constructor(options: LinuxVipOptions) {
    this.options = options
    this.host = options.host ?? nodeVrrpHost
    this.clock = options.clock ?? realClock
    const fail = (message: string): never => {
      throw new DnsHaError('ERR_VRRP_CONFIG', `vrrp LinuxVip on ${options.interface}: ${message}`)
    }
    if (!/^[^/\s:]{1,15}$/.test(options.interface)) fail('interface must be a name of 1..15 characters without /, : or spaces')
    const prefix = options.prefixLength ?? 32
    if (!Number.isInteger(prefix) || prefix < 1 || prefix > 32) fail(`prefixLength ${prefix} must be 1..32`)
    const prefix6 = options.prefixLength6 ?? 128
    if (!Number.isInteger(prefix6) || prefix6 < 1 || prefix6 > 128) fail(`prefixLength6 ${prefix6} must be 1..128`)
    for (const [name, value] of [['garpMasterDelayMs', options.garpMasterDelayMs], ['garpMasterRefreshMs', options.garpMasterRefreshMs]] as const) {
      if (value !== undefined && (!Number.isFinite(value) || value < 0)) fail(`${name} ${value} must be a number of ms >= 0`)
    }
    const label = options.label
    if (typeof label === 'string' && (label.length > 15 || !label.startsWith(options.interface))) fail(`label ${JSON.stringify(label)} must start with the interface name and be at most 15 characters`)
    const repeat = options.garpRepeat ?? 5
    if (!Number.isInteger(repeat) || repeat < 0 || repeat > 255) fail(`garpRepeat ${repeat} must be 0..255`)
  }

  /**
   * Adds each VIP (one already there is kept) and sends the gratuitous ARPs and unsolicited NAs,
   * also for VIPs that were already there: a second add is a re-announcement. Then schedules the
   * delayed burst and, with `garpMasterRefreshMs`, the periodic ones. Rejects with `DnsHaError`
   * `ERR_VRRP_VIP` naming what failed, after trying every VIP.
   */
  async add(vips: readonly string[]): Promise<void> {
    const failures: string[] = []
    const announce: string[] = []
    for (const vip of vips) {
      const failure = await this.ip('add', vip, ALREADY_THERE)
      if (failure) failures.push(failure)
      else announce.push(vip)
    }
    if (announce.length > 0) {
      try {
        this.announce(announce)
      } catch (error) {
        failures.push(`gratuitous ARP / unsolicited NA for ${announce.join(', ')}: ${(error as Error).message}`)
      }
    }
    this.schedule(announce)
    if (failures.length > 0) throw new DnsHaError('ERR_VRRP_VIP', failures.join('; '))
  }

  /** Removes each VIP (one not held is skipped) and stops the delayed and periodic bursts. Rejects with `DnsHaError` `ERR_VRRP_VIP` after trying every VIP. */
  async remove(vips: readonly string[]): Promise<void> {
    this.schedule([])
    const failures: string[] = []
    for (const vip of vips) {
      const failure = await this.ip('del', vip, NOT_THERE)
      if (failure) failures.push(failure)
    }
    if (failures.length > 0) throw new DnsHaError('ERR_VRRP_VIP', failures.join('; '))
  }

  /** Removes VIPs a killed process may have left (what `VrrpRouter.start()` does first). */
  removeStale(vips: readonly string[]): Promise<void> {
    return this.remove(vips)
  }

  /** Runs one `ip addr`; a failure message, or `undefined` when it did what we want. */
  private async ip(action: 'add' | 'del', vip: string, harmless: RegExp): Promise<string | undefined> {
    const args = ipAddrArgs(action, vip, this.options)
    const command = this.options.ipCommand ?? 'ip'
    try {
      const result = await this.host.run(command, args, { timeoutMs: this.options.commandTimeoutMs ?? 5000 })
      if (result.timedOut) return `${command} ${args.join(' ')}: killed after ${this.options.commandTimeoutMs ?? 5000} ms`
      if (result.code === 0 || harmless.test(result.stderr)) return undefined
      return `${command} ${args.join(' ')}: exit ${result.code ?? result.signal}: ${result.stderr.trim()}`
    } catch (error) {
      return `${command} ${args.join(' ')}: ${(error as Error).message}`
    }
  }

  /** Replaces the held set: cancels the pending bursts and, for a non-empty set, schedules the delayed and periodic ones. */
  private schedule(vips: readonly string[]): void {
    this.clock.clearTimeout(this.delayTimer)
    this.clock.clearInterval(this.refreshTimer)
    this.delayTimer = undefined
    this.refreshTimer = undefined
    this.held = [...vips]
    if (vips.length === 0) return
    const delay = this.options.garpMasterDelayMs ?? 5000
    if (delay > 0) {
      this.delayTimer = this.clock.setTimeout(() => {
        this.delayTimer = undefined
        this.burst('delayed')
      }, delay)
    }
    const refresh = this.options.garpMasterRefreshMs ?? 0
    if (refresh > 0) this.refreshTimer = this.clock.setInterval(() => this.burst('periodic'), refresh)
  }

  /** A timer's burst: a failure cannot reject anything, so it goes to `onError`. */
  private burst(what: string): void {
    if (this.held.length === 0) return
    try {
      this.announce(this.held)
    } catch (error) {
      const err = new Error(`vrrp LinuxVip on ${this.options.interface}: ${what} gratuitous ARP / unsolicited NA for ${this.held.join(', ')}: ${(error as Error).message}`)
      if (this.options.onError) this.options.onError(err)
      else process.emitWarning(err.message, { code: 'DNS_HA_VRRP_GARP' })
    }
  }

  private announce(vips: readonly string[]): void {
    const iface = this.host.interfaceInfo(this.options.interface)
    if (!iface) throw new Error(`no interface ${this.options.interface}`)
    const frames: Uint8Array[] = []
    const frameFor = (vip: string): Uint8Array => (addressBytes(vip)?.length === 4 ? gratuitousArpFrame(iface.mac, vip) : unsolicitedNaFrame(iface.mac, vip, { router: this.options.naRouterFlag === true }))
    for (let i = 0; i < (this.options.garpRepeat ?? 5); i++) for (const vip of vips) frames.push(frameFor(vip))
    if (frames.length > 0) this.host.sendFrames(iface, frames)
  }
}
