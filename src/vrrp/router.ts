/**
 * A VRRP router: the RFC 5798 §6.4 state machine (and RFC 3768 for version 2), on an injected
 * Clock, over a pluggable transport, with keepalived's tracking and FAULT state.
 *
 * Timings are the RFC's, in ms and unrounded: Skew_Time = (256 − Priority) × Master_Adver_Interval
 * / 256, Master_Down_Interval = 3 × Master_Adver_Interval + Skew_Time. The state machine is
 * synchronous: a received advert is handled to completion; VIP actions run beside it and report
 * their failures as `warning`.
 */
import { EventEmitter } from 'eventemitter3'
import { addressBytes } from '../util/cidr.js'
import { realClock, type Clock, type TimerHandle } from '../util/clock.js'
import { DnsHaError } from '../util/errors.js'
import type { ComponentLogger } from '../util/logger.js'
import { toLogger } from '../util/logger.js'
import { decodeVrrpPacket, encodeVrrpPacket, VRRP_MULTICAST_V4, VRRP_MULTICAST_V6, type VrrpAuth, type VrrpDropReason, type VrrpPacket } from './packet.js'
import type { VrrpInbound, VrrpTransport } from './transport.js'
import type { VrrpRouterEvents, VrrpRouterOptions, VrrpRouterSnapshot, VrrpState, VrrpTrack } from './types.js'
import { MemoryVipActions, type VipActions, type VipContext } from './vip-actions.js'

/** Why the Master_Down_Timer is running, so the takeover can say so. */
interface DownCause {
  kind: 'silence' | 'stopped'
  peer?: string
}

/** A master we saw while being master ourselves, and did not yield to. */
interface ForeignMaster {
  first: number
  last: number
  priority: number
  reason: string
  reported: boolean
}

/** One VRRP virtual router instance (keepalived's `vrrp_instance`). */
export class VrrpRouter extends EventEmitter<VrrpRouterEvents> {
  private readonly vrid: number
  private readonly basePriority: number
  private readonly advertIntervalMs: number
  private readonly preempt: boolean
  private readonly preemptDelayMs: number
  private readonly version: 2 | 3
  private readonly vips: string[]
  private readonly transport: VrrpTransport
  private readonly clock: Clock
  private readonly unicastPeers: string[]
  private readonly auth: VrrpAuth
  private readonly primaryAddress: string
  private readonly primaryBytes: Uint8Array
  private readonly initialState: 'master' | 'backup'
  private readonly tracks: VrrpTrack[]
  private readonly vipActions: VipActions
  private readonly vipContext: VipContext
  private readonly multicast: string

  private current: VrrpState = 'initialize'
  private running = false
  private timer: TimerHandle | undefined
  private masterAdverIntervalMs: number
  private effective: number
  private preemptAfter = 0
  private holding = false
  private masterAddress: string | undefined
  private downCause: DownCause = { kind: 'silence' }
  private lowerMaster: { peer: string; priority: number } | undefined
  private readonly failing = new Set<VrrpTrack>()
  private readonly unwatch: (() => void)[] = []
  private readonly foreign = new Map<string, ForeignMaster>()
  private readonly counters = { sent: 0, received: 0, dropped: {} as Partial<Record<VrrpDropReason, number>>, transitions: {} as Partial<Record<VrrpState, number>> }

  /** Checks the configuration; throws `DnsHaError` `ERR_VRRP_CONFIG` on anything the RFC or the wire cannot do. */
  constructor(options: VrrpRouterOptions) {
    super()
    const fail = (message: string): never => {
      throw new DnsHaError('ERR_VRRP_CONFIG', `vrrp vrid ${options.vrid}: ${message}`)
    }
    this.vrid = options.vrid
    this.basePriority = options.priority
    this.version = options.version ?? 3
    this.advertIntervalMs = options.advertIntervalMs ?? 1000
    this.preempt = options.preempt ?? true
    this.preemptDelayMs = options.preemptDelayMs ?? 0
    this.vips = [...options.vips]
    this.transport = options.transport
    this.clock = options.clock ?? realClock
    this.unicastPeers = [...(options.unicastPeers ?? [])]
    this.auth = options.auth ?? { type: 'none' }
    this.primaryAddress = options.primaryAddress ?? options.transport.localAddress
    this.initialState = options.initialState ?? 'backup'
    this.tracks = [...(options.track ?? [])]
    this.vipActions = options.vipActions ?? new MemoryVipActions(() => this.clock.now())
    this.vipContext = { vrid: this.vrid, acceptMode: options.acceptMode ?? false }

    if (!Number.isInteger(this.vrid) || this.vrid < 1 || this.vrid > 255) fail('virtual_router_id must be 1..255')
    if (!Number.isInteger(this.basePriority) || this.basePriority < 1 || this.basePriority > 255) fail(`priority ${this.basePriority} must be 1..255 (0 is reserved for a stopping master)`)
    if (this.version !== 2 && this.version !== 3) fail(`version ${String(this.version)} must be 2 or 3`)
    if (this.version === 2 && !(Number.isInteger(this.advertIntervalMs / 1000) && this.advertIntervalMs >= 1000 && this.advertIntervalMs <= 255_000)) {
      fail(`VRRPv2 carries the advert interval in whole seconds 1..255, not ${this.advertIntervalMs} ms`)
    }
    if (this.version === 3 && !(Number.isInteger(this.advertIntervalMs / 10) && this.advertIntervalMs >= 10 && this.advertIntervalMs <= 40_950)) {
      fail(`VRRPv3 carries the advert interval in centiseconds, 10..40950 ms, not ${this.advertIntervalMs} ms`)
    }
    if (!(this.preemptDelayMs >= 0)) fail(`preemptDelayMs ${this.preemptDelayMs} must be >= 0`)
    if (!this.preempt && this.initialState === 'master') {
      fail('nopreempt (preempt: false) with initial state MASTER: a MASTER start takes over from whoever holds the VIPs, which is preemption. keepalived silently drops nopreempt here; start as BACKUP instead')
    }
    const primary = addressBytes(this.primaryAddress) ?? fail(`primary address ${JSON.stringify(this.primaryAddress)} is not an IP address`)
    this.primaryBytes = primary
    if (this.version === 2 && primary.length !== 4) fail('VRRPv2 is IPv4 only (RFC 3768)')
    if (this.auth.type !== 'none') {
      if (this.version !== 2) fail('authentication exists only in VRRPv2 (RFC 5798 removed it)')
      if (this.auth.type !== 'pass') fail('only PASS authentication is supported')
      const length = this.auth.type === 'pass' ? new TextEncoder().encode(this.auth.password).length : 0
      if (length < 1 || length > 8) fail(`a PASS password is 1..8 bytes (keepalived silently cuts longer ones), got ${length}`)
    }
    if (this.vips.length === 0 || this.vips.length > 255) fail('give 1..255 virtual addresses')
    for (const vip of this.vips) {
      const bytes = addressBytes(vip)
      // keepalived's virtual_ipaddress carries a prefix; the router advertises bare addresses (the prefix is the VIP actions' business).
      if (bytes === undefined) fail(`virtual address ${vip} is not an IP address${vip.includes('/') ? ' (give it without the prefix length: the prefix belongs to the VIP actions, as LinuxVip takes it)' : ''}`)
      else if (bytes.length !== primary.length) fail(`virtual address ${vip} is not of the primary address's family (${this.primaryAddress})`)
    }
    for (const peer of this.unicastPeers) if (addressBytes(peer)?.length !== primary.length) fail(`unicast peer ${peer} is not of the primary address's family`)
    if (this.transport.unicastOnly && this.unicastPeers.length === 0) fail('this transport cannot multicast: give unicastPeers')
    for (const t of this.tracks) if (!Number.isInteger(t.weight) || t.weight < 0 || t.weight > 254) fail(`track ${t.name ?? t.target}: weight ${t.weight} must be 0 (FAULT) or 1..254`)
    this.multicast = primary.length === 4 ? VRRP_MULTICAST_V4 : VRRP_MULTICAST_V6
    this.masterAdverIntervalMs = this.advertIntervalMs
    this.effective = this.basePriority
    if (options.logger !== undefined) this.logTo(toLogger(options.logger, { component: 'vrrp', instance: options.name ?? `VRID ${this.vrid}`, vrid: this.vrid }))
  }

  /** The log lines, from the router's events (keepalived's wording for the transitions). */
  private logTo(logger: ComponentLogger): void {
    this.on('state', ({ from, to, reason }) => {
      const meta = { from, to, reason, priority: this.effective }
      if (to === 'fault') logger.warn('Entering FAULT STATE', meta)
      else logger.info(`Entering ${to.toUpperCase()} STATE`, meta)
    })
    this.on('priority', ({ from, to, reason }) => logger.info(`priority ${from} -> ${to}`, { from, to, reason }))
    this.on('split-brain', ({ peer, priority, reason }) => logger.error(`split brain: ${reason}`, { peer, peerPriority: priority, reason }))
    this.on('split-brain-healed', ({ peer, reason, durationMs }) => logger.info('split brain over', { peer, reason, durationMs }))
    this.on('warning', ({ message, error }) => logger.warn(message, error === undefined ? {} : { err: error }))
    this.on('drop', ({ reason, source, detail }) => logger.debug(`advert dropped: ${detail}`, { reason, source }))
  }

  /** The current state. */
  get state(): VrrpState {
    return this.current
  }

  /**
   * Removes our VIPs (a router killed earlier may have left them), opens the transport, reads
   * the tracked targets, and leaves Initialize as §6.4.1 says.
   */
  async start(): Promise<void> {
    if (this.running) return
    this.running = true
    this.holding = false
    await this.runVipAction('remove')
    try {
      await this.transport.open((message) => this.receive(message))
    } catch (error) {
      this.running = false
      throw new DnsHaError('ERR_VRRP_TRANSPORT', `vrrp vrid ${this.vrid}: opening the transport on ${this.transport.localAddress} failed: ${(error as Error).message}`, { cause: error })
    }
    for (const track of this.tracks) {
      if (track.source.state(track.target) === 'down') this.failing.add(track)
      this.unwatch.push(track.source.watch((change) => change.target === track.target && this.trackChanged(track, change.state, change.reason)))
    }
    this.effective = this.computePriority()
    this.preemptAfter = this.clock.now() + this.preemptDelayMs
    if (this.faulted()) this.enterFault(`check ${this.faultCause()} is down at start`)
    else if (this.effective === 255) this.becomeMaster('priority 255: we own the addresses')
    else if (this.initialState === 'master') this.becomeMaster('initial state MASTER')
    else this.becomeBackup('started: waiting Master_Down_Interval for a master')
  }

  /** Leaves the group: a Master sends priority 0 (a Backup takes over after its Skew_Time) and releases the VIPs. */
  async stop(): Promise<void> {
    if (!this.running) return
    this.cancelTimer()
    if (this.current === 'master') this.sendAdvert(0)
    for (const off of this.unwatch.splice(0)) off()
    this.failing.clear()
    this.healAll('we stopped')
    const release = this.holding ? this.runVipAction('remove') : Promise.resolve()
    this.holding = false
    this.setState('initialize', 'stopped')
    this.running = false
    await release
    await this.transport.close()
  }

  /** The state, timers and counters as plain data. */
  snapshot(): VrrpRouterSnapshot {
    return {
      vrid: this.vrid,
      version: this.version,
      state: this.current,
      priority: this.basePriority,
      effectivePriority: this.effective,
      preempt: this.preempt,
      primaryAddress: this.primaryAddress,
      masterAddress: this.current === 'master' ? this.primaryAddress : this.masterAddress,
      vips: [...this.vips],
      holdsVips: this.holding,
      advertIntervalMs: this.advertIntervalMs,
      masterAdverIntervalMs: this.masterAdverIntervalMs,
      skewTimeMs: this.skewTime(),
      masterDownIntervalMs: this.masterDownInterval(),
      tracks: this.tracks.map((t) => ({ name: t.name ?? t.target, target: t.target, weight: t.weight, failing: this.failing.has(t) })),
      counters: { sent: this.counters.sent, received: this.counters.received, dropped: { ...this.counters.dropped }, transitions: { ...this.counters.transitions } },
      splitBrain: [...this.foreign].filter(([, f]) => f.reported).map(([peer, f]) => ({ peer, priority: f.priority, since: f.first })),
    }
  }

  // --- the state machine (§6.4) ---

  private becomeMaster(reason: string): void {
    this.cancelTimer()
    this.masterAdverIntervalMs = this.advertIntervalMs
    this.setState('master', reason)
    this.sendAdvert(this.effective)
    this.holding = true
    void this.runVipAction('add')
    this.timer = this.clock.setTimeout(() => this.advertTimer(), this.advertIntervalMs)
  }

  private becomeBackup(reason: string): void {
    this.cancelTimer()
    const wasHolding = this.holding
    this.holding = false
    this.healAll('we stepped down')
    this.setState('backup', reason)
    if (wasHolding) void this.runVipAction('remove')
    this.downCause = { kind: 'silence' }
    this.lowerMaster = undefined
    this.armDownTimer(this.masterDownInterval())
  }

  private enterFault(reason: string): void {
    this.cancelTimer()
    if (this.current === 'master') this.sendAdvert(0)
    this.healAll('we entered FAULT')
    const wasHolding = this.holding
    this.holding = false
    this.setState('fault', reason)
    if (wasHolding) void this.runVipAction('remove')
  }

  private advertTimer(): void {
    this.timer = this.clock.setTimeout(() => this.advertTimer(), this.advertIntervalMs)
    this.sendAdvert(this.effective)
    this.expireForeign()
  }

  private masterDownTimer(): void {
    this.timer = undefined
    const down = this.masterDownInterval()
    const reason =
      this.downCause.kind === 'stopped'
        ? `master ${this.downCause.peer} stopped (priority 0): took over after Skew_Time ${this.skewTime()} ms`
        : this.lowerMaster
          ? `preempting ${this.lowerMaster.peer}: its priority ${this.lowerMaster.priority} < ours ${this.effective}, no advert we accept for ${down} ms`
          : `no advert from a master for Master_Down_Interval ${down} ms (3 × ${this.masterAdverIntervalMs} + skew ${this.skewTime()})`
    this.becomeMaster(reason)
  }

  private receive(message: VrrpInbound): void {
    try {
      this.handle(message)
    } catch (error) {
      this.warn(`vrrp vrid ${this.vrid}: handling an advert from ${message.source} failed`, error)
    }
  }

  private handle(message: VrrpInbound): void {
    if (!this.running || this.current === 'initialize' || message.source === this.primaryAddress) return
    if (message.ttl !== undefined && message.ttl !== 255) return this.drop('ttl', message.source, `TTL ${message.ttl}, RFC 5798 requires 255`)
    if (this.unicastPeers.length > 0 && !this.unicastPeers.includes(message.source)) return this.drop('unknown-peer', message.source, 'not one of our unicast peers')
    const decoded = decodeVrrpPacket(message.bytes, { source: message.source, destination: message.destination })
    if (!decoded.ok) return this.drop(decoded.reason, message.source, decoded.detail)
    const packet = decoded.packet
    if (packet.vrid !== this.vrid) return this.drop('vrid', message.source, `vrid ${packet.vrid}, ours is ${this.vrid}`)
    if (this.effective === 255) {
      // RFC 5798 §7.1: the address owner discards every advert. Another master beside it is a misconfiguration to report.
      this.noteForeign(message.source, packet.priority, `peer ${message.source} advertises priority ${packet.priority} as master, and we own the addresses (priority 255)`)
      return this.drop('owner', message.source, 'we own the addresses (priority 255): RFC 5798 §7.1 discards every advert')
    }
    // From here on the advert is for our vrid: a mismatch we must drop is a master we can never agree with.
    const mismatch = this.mismatch(packet)
    if (mismatch) {
      this.noteForeign(message.source, packet.priority, mismatch.detail)
      return this.drop(mismatch.reason, message.source, mismatch.detail)
    }
    this.counters.received++
    this.emit('advert', { direction: 'received', source: message.source, packet })
    if (this.current === 'backup') this.backupReceives(message.source, packet)
    else if (this.current === 'master') this.masterReceives(message.source, packet)
  }

  private mismatch(packet: VrrpPacket): { reason: VrrpDropReason; detail: string } | undefined {
    if (packet.version !== this.version) return { reason: 'version', detail: `VRRPv${packet.version} advert, we speak v${this.version}` }
    if (this.version === 2) {
      const theirs = packet.auth ?? { type: 'none' }
      if (theirs.type !== this.auth.type) return { reason: 'auth', detail: `auth type ${theirs.type}, ours is ${this.auth.type}` }
      if (theirs.type === 'pass' && this.auth.type === 'pass' && theirs.password !== this.auth.password) return { reason: 'auth', detail: 'PASS password differs from ours' }
      // RFC 3768 §7.1: a v2 advert with another interval is discarded.
      if (packet.advertIntervalMs !== this.advertIntervalMs) return { reason: 'interval', detail: `advert interval ${packet.advertIntervalMs} ms, ours is ${this.advertIntervalMs} ms` }
    }
    return undefined
  }

  private backupReceives(source: string, packet: VrrpPacket): void {
    if (packet.priority === 0) {
      this.downCause = { kind: 'stopped', peer: source }
      this.armDownTimer(this.skewTime())
      return
    }
    if (!this.preemptActive() || packet.priority >= this.effective) {
      this.masterAddress = source
      if (this.version === 3) this.masterAdverIntervalMs = packet.advertIntervalMs
      this.downCause = { kind: 'silence' }
      this.lowerMaster = undefined
      this.armDownTimer(this.masterDownInterval())
      return
    }
    // Preempt_Mode and a lower priority: discard, and let the Master_Down_Timer run out.
    this.lowerMaster = { peer: source, priority: packet.priority }
  }

  private masterReceives(source: string, packet: VrrpPacket): void {
    if (packet.priority === 0) {
      // A master we did not know of is stopping: answer at once so the Backups hear who is master.
      this.cancelTimer()
      this.advertTimer()
      return
    }
    const higher = packet.priority > this.effective
    if (higher || (packet.priority === this.effective && compareBytes(addressBytes(source)!, this.primaryBytes) > 0)) {
      this.masterAddress = source
      const reason = higher
        ? `peer ${source} priority ${packet.priority} > ours ${this.effective}`
        : `peer ${source} has our priority ${packet.priority} and a higher address than ${this.primaryAddress}`
      this.becomeBackup(reason)
      if (this.version === 3) {
        this.masterAdverIntervalMs = packet.advertIntervalMs
        this.armDownTimer(this.masterDownInterval())
      }
      return
    }
    this.noteForeign(source, packet.priority, `peer ${source} advertises priority ${packet.priority} as master while we are master with ${this.effective}, and does not yield`)
  }

  // --- tracking ---

  private trackChanged(track: VrrpTrack, state: 'up' | 'down', why: string): void {
    if (!this.running) return
    const wasFailing = this.failing.has(track)
    if ((state === 'down') === wasFailing) return
    if (state === 'down') this.failing.add(track)
    else this.failing.delete(track)
    const name = track.name ?? track.target
    const what = `check ${name} ${state === 'down' ? 'failed' : 'recovered'}${why ? ` (${why})` : ''}`
    const before = this.effective
    this.effective = this.computePriority()
    if (before !== this.effective) this.emit('priority', { from: before, to: this.effective, reason: `${what}: priority ${before} -> ${this.effective}` })
    if (this.faulted()) {
      if (this.current !== 'fault') this.enterFault(`${what}: weight 0, FAULT`)
      return
    }
    if (this.current === 'fault') {
      this.preemptAfter = this.clock.now() + this.preemptDelayMs
      if (this.effective === 255) this.becomeMaster(`${what}: left FAULT, priority 255`)
      else this.becomeBackup(`${what}: left FAULT`)
    }
  }

  private computePriority(): number {
    let lost = 0
    for (const t of this.failing) lost += t.weight
    if (lost === 0) return this.basePriority
    return Math.max(1, Math.min(254, this.basePriority - lost))
  }

  private faulted(): boolean {
    for (const t of this.failing) if (t.weight === 0) return true
    return false
  }

  private faultCause(): string {
    return [...this.failing].filter((t) => t.weight === 0).map((t) => t.name ?? t.target).join(', ')
  }

  // --- split brain ---

  private noteForeign(peer: string, priority: number, reason: string): void {
    if (this.current !== 'master' || priority === 0) return
    const now = this.clock.now()
    let entry = this.foreign.get(peer)
    if (!entry) {
      entry = { first: now, last: now, priority, reason, reported: false }
      this.foreign.set(peer, entry)
    }
    entry.last = now
    entry.priority = priority
    entry.reason = reason
    if (!entry.reported && now - entry.first >= this.masterDownInterval()) {
      entry.reported = true
      const event = { peer, priority, reason: `split brain: ${reason}; both of us hold the VIPs`, since: entry.first }
      this.emit('split-brain', event)
      if (this.listenerCount('split-brain') === 0) process.emitWarning(`vrrp vrid ${this.vrid}: ${event.reason}`, { code: 'DNS_HA_VRRP_SPLIT_BRAIN' })
    }
  }

  /** A foreign master quiet for Master_Down_Interval is gone: the split brain healed, so announce the VIPs afresh. */
  private expireForeign(): void {
    const now = this.clock.now()
    let healed = false
    for (const [peer, entry] of this.foreign) {
      if (now - entry.last < this.masterDownInterval()) continue
      this.foreign.delete(peer)
      if (entry.reported) {
        healed = true
        this.emit('split-brain-healed', { peer, reason: `no advert from ${peer} for ${now - entry.last} ms`, durationMs: entry.last - entry.first })
      }
    }
    if (healed && this.holding) void this.runVipAction('add')
  }

  private healAll(reason: string): void {
    const now = this.clock.now()
    for (const [peer, entry] of this.foreign) if (entry.reported) this.emit('split-brain-healed', { peer, reason, durationMs: now - entry.first })
    this.foreign.clear()
  }

  // --- helpers ---

  private skewTime(): number {
    return ((256 - this.effective) * this.masterAdverIntervalMs) / 256
  }

  private masterDownInterval(): number {
    return 3 * this.masterAdverIntervalMs + this.skewTime()
  }

  private preemptActive(): boolean {
    return this.preempt && this.clock.now() >= this.preemptAfter
  }

  private armDownTimer(ms: number): void {
    this.cancelTimer()
    this.timer = this.clock.setTimeout(() => this.masterDownTimer(), ms)
  }

  private cancelTimer(): void {
    this.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  private setState(to: VrrpState, reason: string): void {
    const from = this.current
    this.current = to
    if (from === to) return
    this.counters.transitions[to] = (this.counters.transitions[to] ?? 0) + 1
    this.emit('state', { from, to, reason })
    if (to === 'master') this.emit('master', { from, reason })
    else if (to === 'backup') this.emit('backup', { from, reason })
    else if (to === 'fault') this.emit('fault', { from, reason })
  }

  private sendAdvert(priority: number): void {
    const packet: VrrpPacket = {
      version: this.version,
      vrid: this.vrid,
      priority,
      advertIntervalMs: this.advertIntervalMs,
      addresses: this.vips,
      ...(this.version === 2 ? { auth: this.auth } : {}),
    }
    const destinations = this.unicastPeers.length > 0 ? this.unicastPeers : [this.multicast]
    for (const destination of destinations) {
      const bytes = encodeVrrpPacket(packet, { source: this.primaryAddress, destination })
      this.transport.send(bytes, destination, (error) => this.warn(`vrrp vrid ${this.vrid}: sending to ${destination} failed`, error))
    }
    this.counters.sent++
    this.emit('advert', { direction: 'sent', source: this.primaryAddress, packet })
  }

  private drop(reason: VrrpDropReason, source: string, detail: string): void {
    this.counters.dropped[reason] = (this.counters.dropped[reason] ?? 0) + 1
    this.emit('drop', { reason, source, detail })
  }

  private async runVipAction(action: 'add' | 'remove'): Promise<void> {
    try {
      await this.vipActions[action](this.vips, this.vipContext)
    } catch (error) {
      this.warn(`vrrp vrid ${this.vrid}: ${action} of ${this.vips.join(', ')} failed`, error)
    }
  }

  private warn(message: string, error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error))
    if (this.listenerCount('warning') > 0) this.emit('warning', { message: `${message}: ${err.message}`, error: err })
    else process.emitWarning(`${message}: ${err.message}`, { code: 'DNS_HA_VRRP' })
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}
