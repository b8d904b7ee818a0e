/**
 * {@link SecondaryZone}: a zone copied from primaries and kept current, as a BIND or NSD
 * secondary keeps it. The SOA's refresh, retry and expire drive the timers (clamped, see
 * {@link SecondaryTimerLimits}); serials compare by RFC 1982 arithmetic; a change is fetched by
 * IXFR (AXFR when we hold no copy, when the primary refuses IXFR, or after an IXFR that did not
 * fit our copy); a NOTIFY from a primary's address starts a check at once. A new copy replaces
 * the old one whole through the sink (the Authority's ZoneSet), is written to `stateDir`, and
 * a restart serves that copy at once before asking the primary. Past expire without a
 * successful check the zone is withdrawn (SERVFAIL) until a check succeeds again.
 */
import { EventEmitter } from 'eventemitter3'
import type { Packet } from 'dns-packet'
import { query } from '../client/query.js'
import { canonicalName } from '../packet/names.js'
import type { DnsQuery } from '../server/query.js'
import type { ResolvedTsigKey, TsigKey } from '../tsig/key.js'
import { resolveTsigKey } from '../tsig/keyring.js'
import type { Clock, TimerHandle } from '../util/clock.js'
import { realClock } from '../util/clock.js'
import { addressBytes } from '../util/cidr.js'
import { rcodeName } from '../packet/constants.js'
import { DnsHaError } from '../util/errors.js'
import type { ComponentLogger, Logger } from '../util/logger.js'
import { toLogger } from '../util/logger.js'
import type { Network } from '../util/network.js'
import { nodeNetwork } from '../util/network.js'
import type { Random } from '../util/random.js'
import { defaultRandom } from '../util/random.js'
import type { ZoneLimits } from '../zone/limits.js'
import { compareSerial } from '../zone/serial.js'
import type { Zone } from '../zone/zone.js'
import { serialOf } from './incoming-sequence.js'
import type { TransferFiles } from './node-files.js'
import { nodeTransferFiles } from './node-files.js'
import { answerNotify, sameIp } from './notify-in.js'
import { transferFailureCode } from './transfer-failure.js'
import type { TransferFailureCode } from './transfer-failure.js'
import type { TransferInResult } from './transfer-in.js'
import { ixfrFallsBack, transferIn } from './transfer-in.js'
import { formatZoneState, parseZoneState, stateFileName, zoneStateChunks } from './zone-state-file.js'

/** One primary to follow. */
export interface SecondaryPrimary {
  /** An IP literal: SOA queries and transfers go there, and NOTIFY is accepted from it (any port). */
  address: string
  /** Default 53. */
  port?: number
  /** The key for this primary (overrides the zone's `tsig`); `false`: none. */
  tsig?: TsigKey | false
}

/**
 * Clamps on the SOA's timers, in seconds, as BIND's `min-refresh-time` & co. The defaults are
 * BIND 9.18's: refresh 300 s to 4 weeks, retry 500 s to 2 weeks, expire at least refresh + retry
 * and at most 24 weeks (BIND's `DNS_MAX_EXPIRE`); NSD's are the same idea, with other numbers.
 */
export interface SecondaryTimerLimits {
  minRefreshSec?: number
  maxRefreshSec?: number
  minRetrySec?: number
  maxRetrySec?: number
  minExpireSec?: number
  maxExpireSec?: number
}

/** Options of {@link SecondaryZone}. */
export interface SecondaryZoneOptions {
  /** The zone's name. */
  origin: string
  /** Asked in order; the first that answers wins. At least one. */
  primaries: SecondaryPrimary[]
  /** The TSIG key for every primary without its own (SOA queries and transfers are signed, answers must verify). */
  tsig?: TsigKey
  /** Where the last complete copy is kept (`<origin>.zone`); without it nothing is written. */
  stateDir?: string
  /** File access (default node:fs: temp file, fsync, rename, directory fsync). */
  files?: TransferFiles
  /** Timer clamps (see {@link SecondaryTimerLimits}). */
  timers?: SecondaryTimerLimits
  /** Retry interval while we hold no copy, in seconds (default 60; the SOA's retry applies once we have one). */
  noCopyRetrySec?: number
  /** SOA query timeout per attempt, in ms (default 2000; one re-send, then TCP on TC). */
  queryTimeoutMs?: number
  /** Transfer connect timeout in ms (default 10,000). */
  connectTimeoutMs?: number
  /** A transfer with no byte for this long is stalled and fails (default 60,000 ms). */
  idleTimeoutMs?: number
  /** A transfer's overall bound in ms (default 1,800,000). */
  transferTimeoutMs?: number
  /** The most bytes one transfer may bring (default 512 MiB). */
  maxTransferBytes?: number
  /** Bounds a transferred zone must be within (the Authority's `zoneLimits` apply on top). */
  limits?: ZoneLimits
  clock?: Clock
  network?: Network
  random?: Random
  /**
   * Where transfers (`info`, with kind, serials, records, ms), checks that failed on every
   * primary (`warn`), expiry (`error`; then no `process.emitWarning`) and NOTIFYs received
   * (`info`) are reported, with `component: 'secondary'` and `zone`; console- or pino-shaped.
   */
  logger?: Logger
}

/** A new copy was swapped in. */
export interface SecondaryTransferredEvent {
  origin: string
  serial: number
  previousSerial: number | undefined
  kind: 'axfr' | 'ixfr'
  /** Records in the answer (IXFR: the changes with their SOAs). */
  records: number
  /** From the start of the check (SOA query) to the swap. */
  ms: number
  primary: string
}

/** The primary has what we have. */
export interface SecondaryUpToDateEvent {
  origin: string
  serial: number
  primary: string
}

/** A check failed on every primary: the copy is kept, the retry timer runs. */
export interface SecondaryFailedEvent {
  origin: string
  /** For people: each primary's failure. */
  reason: string
  /** The last primary's failure code, when it was a transfer failure (`TransferFailureCode`) or `'query'`/`'persist'`. */
  code: TransferFailureCode | 'query' | 'persist' | 'swap' | undefined
  /** The serial we still serve. */
  serial: number | undefined
}

/** Expire passed without a successful check: the zone answers SERVFAIL until one succeeds. */
export interface SecondaryExpiredEvent {
  origin: string
  serial: number | undefined
}

/** Events of {@link SecondaryZone}. */
export interface SecondaryZoneEvents {
  transferred: (event: SecondaryTransferredEvent) => void
  'up-to-date': (event: SecondaryUpToDateEvent) => void
  failed: (event: SecondaryFailedEvent) => void
  expired: (event: SecondaryExpiredEvent) => void
}

/** Where a secondary puts its copy (the Authority gives one; see {@link SecondaryZone.attach}). */
export interface SecondarySink {
  /** Serve `zone` from now on (atomically); throws to refuse it (limits). */
  swap(zone: Zone): void
  /** Stop serving the zone: SERVFAIL for it. */
  unload(): void
}

/** `loading` (no copy yet), `serving`, `expired` (copy held, not served), `stopped`. */
export type SecondaryState = 'loading' | 'serving' | 'expired' | 'stopped'

/** A plain-data view of a secondary. */
export interface SecondaryZoneSnapshot {
  origin: string
  state: SecondaryState
  serial: number | undefined
  /** ms since the epoch, `undefined` when it has not happened. */
  lastCheck: number | undefined
  lastSuccess: number | undefined
  nextRefresh: number | undefined
  expiresAt: number | undefined
  lastFailure: string | undefined
  /** The serial the primary's SOA showed at the last check that reached one, `undefined` before. */
  primarySerial: number | undefined
  transfers: number
  failures: number
}

/** Default timer clamps (BIND 9.18). */
export const SECONDARY_TIMER_DEFAULTS: Readonly<Required<SecondaryTimerLimits>> = Object.freeze({
  minRefreshSec: 300,
  maxRefreshSec: 2_419_200,
  minRetrySec: 500,
  maxRetrySec: 1_209_600,
  minExpireSec: 0,
  maxExpireSec: 14_515_200,
})

// Node timers overflow past 2^31 - 1 ms (24.8 days); longer waits are taken in steps.
const MAX_TIMER_MS = 2 ** 31 - 1

interface Primary {
  address: string
  port: number
  key: ResolvedTsigKey | undefined
  label: string
}

/** A zone kept as a copy of a primary's. */
export class SecondaryZone extends EventEmitter<SecondaryZoneEvents> {
  /** Canonical origin. */
  readonly origin: string
  private readonly primaries: Primary[]
  private readonly clock: Clock
  private readonly network: Network
  private readonly random: Random
  private readonly files: TransferFiles
  private readonly log: ComponentLogger
  private readonly stateFile: string | undefined
  private readonly limits: Required<SecondaryTimerLimits>
  private readonly options: SecondaryZoneOptions
  private copy: Zone | undefined
  private expired = false
  private stopped = true
  private sink: SecondarySink | undefined
  private refreshTimer: TimerHandle | undefined
  private expireTimer: TimerHandle | undefined
  private nextRefresh: number | undefined
  private expiresAt: number | undefined
  private lastCheck: number | undefined
  private lastSuccess: number | undefined
  private lastFailure: string | undefined
  private primarySerial: number | undefined
  private transfers = 0
  private failures = 0
  private forceAxfr = false
  private running: Promise<void> | undefined
  private again = false
  private abort: AbortController | undefined
  private loaded: Promise<void> | undefined

  /** Checks the options; throws `ERR_CONFIG`. Nothing runs until {@link SecondaryZone.start}. */
  constructor(options: SecondaryZoneOptions) {
    super()
    if (!options || typeof options.origin !== 'string' || options.origin === '') throw new DnsHaError('ERR_CONFIG', 'SecondaryZone needs an origin')
    this.origin = canonicalName(options.origin)
    if (!Array.isArray(options.primaries) || options.primaries.length === 0) throw new DnsHaError('ERR_CONFIG', `secondary ${this.origin}: primaries must list at least one { address }`)
    const zoneKey = options.tsig === undefined ? undefined : resolveTsigKey(options.tsig, `secondary ${this.origin}: tsig`)
    this.primaries = options.primaries.map((p, i) => {
      if (!p || typeof p.address !== 'string' || addressBytes(p.address) === undefined) {
        throw new DnsHaError('ERR_CONFIG', `secondary ${this.origin}: primaries[${i}].address must be an IP literal, got ${JSON.stringify(p?.address)}`)
      }
      const port = p.port ?? 53
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new DnsHaError('ERR_CONFIG', `secondary ${this.origin}: primaries[${i}].port must be 1-65535`)
      const key = p.tsig === false ? undefined : p.tsig !== undefined ? resolveTsigKey(p.tsig, `secondary ${this.origin}: primaries[${i}].tsig`) : zoneKey
      return { address: p.address, port, key, label: p.address.includes(':') ? `[${p.address}]:${port}` : `${p.address}:${port}` }
    })
    this.limits = { ...SECONDARY_TIMER_DEFAULTS, ...options.timers }
    for (const [name, value] of Object.entries(this.limits)) {
      if (!Number.isFinite(value) || value < 0) throw new DnsHaError('ERR_CONFIG', `secondary ${this.origin}: timers.${name} must be a non-negative number`)
    }
    this.options = options
    this.clock = options.clock ?? realClock
    this.network = options.network ?? nodeNetwork
    this.random = options.random ?? defaultRandom()
    this.files = options.files ?? nodeTransferFiles
    this.stateFile = options.stateDir === undefined ? undefined : this.files.join(options.stateDir, stateFileName(this.origin))
    this.log = toLogger(options.logger, { component: 'secondary', zone: this.origin })
    if (options.logger !== undefined) this.logTo(this.log)
  }

  /** The log lines, from the secondary's events (not `up-to-date`: one per refresh). */
  private logTo(logger: ComponentLogger): void {
    this.on('transferred', (e) =>
      logger.info(`${e.kind.toUpperCase()} from ${e.primary}: serial ${e.previousSerial ?? 'none'} -> ${e.serial}`, { primary: e.primary, kind: e.kind, serial: e.serial, previousSerial: e.previousSerial, records: e.records, ms: e.ms }),
    )
    this.on('failed', (e) => logger.warn(`refresh failed: ${e.reason}`, { reason: e.reason, code: e.code, serial: e.serial }))
    this.on('expired', (e) => logger.error('expired: answering SERVFAIL', { serial: e.serial }))
  }

  /** The copy being served: `undefined` before the first transfer and while expired. */
  get zone(): Zone | undefined {
    return this.expired ? undefined : this.copy
  }

  /** The serial of the copy held (served or expired). */
  get serial(): number | undefined {
    return serialOf(this.copy?.soa)
  }

  /**
   * Gives the secondary where to serve its copy (the Authority calls this); the sink gets the
   * copy at once, or `unload()` when there is none, so the zone answers SERVFAIL until loaded.
   */
  attach(sink: SecondarySink): void {
    this.sink = sink
    if (this.zone) sink.swap(this.zone)
    else sink.unload()
  }

  /**
   * Loads the last complete copy from `stateDir` and serves it at once (unless it is past its
   * expire), then checks the primaries in the background. Resolves once the copy is loaded;
   * calling it again is harmless.
   */
  start(): Promise<void> {
    if (!this.stopped) return this.loaded ?? Promise.resolve()
    this.stopped = false
    this.loaded = this.loadState().then(() => {
      if (!this.stopped) void this.refresh()
    })
    return this.loaded
  }

  /** Stops every timer and aborts a transfer under way; the copy stays served. */
  stop(): void {
    this.stopped = true
    this.clock.clearTimeout(this.refreshTimer)
    this.clock.clearTimeout(this.expireTimer)
    this.refreshTimer = this.expireTimer = undefined
    this.nextRefresh = undefined
    this.abort?.abort()
  }

  /** Checks the primaries now (a NOTIFY does this); resolves when the check is over. One check runs at a time: a call during one runs another right after. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true
      return this.running
    }
    const run = this.check().finally(() => {
      this.running = undefined
      if (this.again && !this.stopped) {
        this.again = false
        void this.refresh()
      }
    })
    this.running = run
    return run
  }

  /** True when `address` is a primary's (NOTIFY is accepted from any of its ports). */
  acceptsNotifyFrom(address: string): boolean {
    return this.primaries.some((p) => sameIp(p.address, address))
  }

  /** A NOTIFY was accepted: check now. */
  notified(): void {
    if (!this.stopped) void this.refresh()
  }

  /** The answer to a NOTIFY for this zone: NOERROR+AA from a primary (and a check starts), REFUSED from anyone else. */
  answerNotify(query: DnsQuery): Packet {
    const answer = answerNotify(query, this)
    const rcode = rcodeName((answer.flags ?? 0) & 0xf)
    const client = `${query.client.address}#${query.client.port}`
    this.log.info(`NOTIFY from ${client}: ${rcode}`, { client, rcode })
    return answer
  }

  /** State as plain data. */
  snapshot(): SecondaryZoneSnapshot {
    return {
      origin: this.origin,
      state: this.stopped && this.loaded !== undefined ? 'stopped' : this.copy === undefined ? 'loading' : this.expired ? 'expired' : 'serving',
      serial: this.serial,
      lastCheck: this.lastCheck,
      lastSuccess: this.lastSuccess,
      nextRefresh: this.nextRefresh,
      expiresAt: this.expiresAt,
      lastFailure: this.lastFailure,
      primarySerial: this.primarySerial,
      transfers: this.transfers,
      failures: this.failures,
    }
  }

  // ---- the check ----

  private async check(): Promise<void> {
    if (this.stopped) return
    this.clock.clearTimeout(this.refreshTimer)
    this.refreshTimer = undefined
    const started = this.clock.now()
    this.lastCheck = started
    const reasons: string[] = []
    let code: SecondaryFailedEvent['code']
    for (const primary of this.primaries) {
      try {
        await this.checkPrimary(primary, started)
        return
      } catch (error) {
        if (this.stopped) return
        code = (error as { secondaryCode?: SecondaryFailedEvent['code'] }).secondaryCode ?? transferFailureCode(error)
        if (code === 'ixfr-mismatch') this.forceAxfr = true
        reasons.push(`${primary.label}: ${(error as Error)?.message ?? String(error)}`)
      }
    }
    this.failed(reasons.join('; '), code)
  }

  private async checkPrimary(primary: Primary, started: number): Promise<void> {
    const remote = await this.querySoa(primary)
    this.primarySerial = remote
    const ours = this.serial
    if (this.copy !== undefined && ours !== undefined) {
      const order = compareSerial(ours, remote)
      if (order === 0) return this.upToDate(primary, ours)
      if (order > 0) throw tagged(new Error(`the primary's serial ${remote} is older than ours (${ours}): serial going backwards`), 'serial-backwards')
    }
    const useIxfr = this.copy !== undefined && !this.forceAxfr
    let result: TransferInResult
    try {
      result = await this.transfer(primary, useIxfr ? 'ixfr' : 'axfr')
    } catch (error) {
      if (!useIxfr || !ixfrFallsBack(transferFailureCode(error))) throw error
      result = await this.transfer(primary, 'axfr')
    }
    if (result.kind === 'up-to-date' || result.zone === undefined) return this.upToDate(primary, result.serial)
    const zone = result.zone
    const previousSerial = this.serial
    try {
      this.sink?.swap(zone)
    } catch (error) {
      throw tagged(new Error(`the transferred zone was refused: ${(error as Error)?.message ?? error}`), 'swap')
    }
    this.copy = zone
    this.forceAxfr = false
    this.transfers++
    const now = this.clock.now()
    this.succeeded(now)
    // Written before the event, so a listener sees the copy on disk too.
    await this.persist(zone, now)
    this.emit('transferred', { origin: this.origin, serial: result.serial, previousSerial, kind: result.kind, records: result.records, ms: now - started, primary: primary.label })
  }

  private async querySoa(primary: Primary): Promise<number> {
    const ask = (tcp: boolean) =>
      query(
        { address: primary.address, port: primary.port },
        { name: this.origin, type: 'SOA' },
        {
          recursionDesired: false,
          retries: 1,
          tcp,
          timeoutMs: this.options.queryTimeoutMs ?? 2000,
          network: this.network,
          clock: this.clock,
          random: this.random,
          ...(primary.key ? { tsig: { key: primary.key } } : {}),
        },
      )
    let answer
    try {
      // UDP first (TCP when truncated); a UDP timeout is tried once more over TCP, as BIND does
      // when UDP to a primary is filtered.
      answer = await ask(false).catch((error: unknown) => {
        if ((error as { code?: string })?.code !== 'ERR_QUERY_TIMEOUT') throw error
        return ask(true)
      })
    } catch (error) {
      throw tagged(new Error(`SOA query failed: ${(error as Error)?.message ?? error}`), 'query')
    }
    const packet = answer.packet
    const rcode = (packet as { rcode?: string }).rcode ?? 'NOERROR'
    if (rcode !== 'NOERROR') throw tagged(new Error(`SOA query answered ${rcode}`), 'query')
    if (!(packet.flags !== undefined && (packet.flags & 0x0400) !== 0)) throw tagged(new Error('SOA answer is not authoritative (AA=0)'), 'query')
    const soa = (packet.answers ?? []).find((a) => a.type === 'SOA' && canonicalName(a.name) === this.origin)
    const serial = ((soa as { data?: unknown } | undefined)?.data as { serial?: unknown } | undefined)?.serial
    if (typeof serial !== 'number') throw tagged(new Error('SOA answer holds no SOA for the zone'), 'query')
    return serial
  }

  private async transfer(primary: Primary, kind: 'axfr' | 'ixfr'): Promise<TransferInResult> {
    const abort = new AbortController()
    this.abort = abort
    try {
      return await transferIn({
        origin: this.origin,
        server: { address: primary.address, port: primary.port },
        kind,
        ...(this.copy ? { current: this.copy } : {}),
        ...(primary.key ? { tsig: primary.key } : {}),
        ...(this.options.connectTimeoutMs !== undefined ? { connectTimeoutMs: this.options.connectTimeoutMs } : {}),
        ...(this.options.idleTimeoutMs !== undefined ? { idleTimeoutMs: this.options.idleTimeoutMs } : {}),
        ...(this.options.transferTimeoutMs !== undefined ? { timeoutMs: this.options.transferTimeoutMs } : {}),
        ...(this.options.maxTransferBytes !== undefined ? { maxBytes: this.options.maxTransferBytes } : {}),
        ...(this.options.limits !== undefined ? { limits: this.options.limits } : {}),
        signal: abort.signal,
        network: this.network,
        clock: this.clock,
        random: this.random,
      })
    } finally {
      if (this.abort === abort) this.abort = undefined
    }
  }

  // ---- outcomes ----

  private upToDate(primary: Primary, serial: number): void {
    this.succeeded(this.clock.now())
    this.emit('up-to-date', { origin: this.origin, serial, primary: primary.label })
  }

  /** A check succeeded at `now`: serve the copy (again, after an expiry), rearm refresh and expire. */
  private succeeded(now: number): void {
    this.lastSuccess = now
    this.lastFailure = undefined
    if (this.expired && this.copy) {
      this.expired = false
      this.sink?.swap(this.copy)
    }
    const t = this.soaTimers()
    this.armExpire(now + t.expire * 1000)
    this.armRefresh(now + t.refresh * 1000)
  }

  private failed(reason: string, code: SecondaryFailedEvent['code']): void {
    this.failures++
    this.lastFailure = reason
    const wait = this.copy ? this.soaTimers().retry : (this.options.noCopyRetrySec ?? 60)
    this.armRefresh(this.clock.now() + wait * 1000)
    const event: SecondaryFailedEvent = { origin: this.origin, reason, code, serial: this.serial }
    if (this.listenerCount('failed') === 0) process.emitWarning(`secondary ${this.origin}: ${reason}`, { code: 'DNS_HA_SECONDARY_FAILED' })
    this.emit('failed', event)
  }

  private expire(): void {
    this.expireTimer = undefined
    this.expiresAt = undefined
    if (this.expired || !this.copy) return
    this.expired = true
    this.sink?.unload()
    if (this.listenerCount('expired') === 0) process.emitWarning(`secondary ${this.origin}: expired, answering SERVFAIL`, { code: 'DNS_HA_SECONDARY_EXPIRED' })
    this.emit('expired', { origin: this.origin, serial: this.serial })
  }

  /** Refresh, retry and expire of the copy's SOA, clamped (seconds). */
  private soaTimers(): { refresh: number; retry: number; expire: number } {
    const data = (this.copy?.soa?.data ?? {}) as { refresh?: number; retry?: number; expire?: number }
    const l = this.limits
    const refresh = clamp(data.refresh ?? 3600, l.minRefreshSec, l.maxRefreshSec)
    const retry = clamp(data.retry ?? 600, l.minRetrySec, l.maxRetrySec)
    const expire = clamp(Math.max(data.expire ?? 604800, refresh + retry), l.minExpireSec, l.maxExpireSec)
    return { refresh, retry, expire }
  }

  private armRefresh(at: number): void {
    this.clock.clearTimeout(this.refreshTimer)
    if (this.stopped) return
    this.nextRefresh = at
    this.refreshTimer = this.at(at, () => {
      this.refreshTimer = undefined
      this.nextRefresh = undefined
      void this.refresh()
    }, (h) => (this.refreshTimer = h))
  }

  private armExpire(at: number): void {
    this.clock.clearTimeout(this.expireTimer)
    if (this.stopped) return
    this.expiresAt = at
    this.expireTimer = this.at(at, () => this.expire(), (h) => (this.expireTimer = h))
  }

  /** Runs `fn` at time `at`, in steps no Node timer overflows on; `rearm` records each step's handle. */
  private at(at: number, fn: () => void, rearm: (handle: TimerHandle) => void): TimerHandle {
    const wait = Math.max(0, at - this.clock.now())
    if (wait <= MAX_TIMER_MS) return this.clock.setTimeout(fn, wait)
    return this.clock.setTimeout(() => rearm(this.at(at, fn, rearm)), MAX_TIMER_MS)
  }

  // ---- state on disk ----

  private async loadState(): Promise<void> {
    if (this.stateFile === undefined || this.copy !== undefined) return
    let text: string | undefined
    try {
      text = await this.files.read(this.stateFile)
    } catch (error) {
      this.warn(`cannot read ${this.stateFile}: ${(error as Error)?.message ?? error}`)
      return
    }
    if (text === undefined) return
    let state
    try {
      state = parseZoneState(text, this.origin, this.stateFile, this.options.limits)
    } catch (error) {
      this.warn(`ignoring ${this.stateFile}: ${(error as Error)?.message ?? error}`)
      return
    }
    this.copy = state.zone
    this.lastSuccess = state.savedAt
    const expiresAt = state.savedAt + this.soaTimers().expire * 1000
    if (expiresAt <= this.clock.now()) {
      // Too old to serve: held, so a check that finds it current can serve it again.
      this.expired = true
      this.sink?.unload()
      return
    }
    try {
      this.sink?.swap(state.zone)
    } catch (error) {
      this.copy = undefined
      this.warn(`ignoring ${this.stateFile}: ${(error as Error)?.message ?? error}`)
      return
    }
    this.armExpire(expiresAt)
  }

  private async persist(zone: Zone, at: number): Promise<void> {
    if (this.stateFile === undefined) return
    try {
      // Written piece by piece as the zone is formatted: a large copy's text is never one string.
      if (this.files.writeAtomicChunks) await this.files.writeAtomicChunks(this.stateFile, zoneStateChunks(zone, at))
      else await this.files.writeAtomic(this.stateFile, formatZoneState(zone, at))
    } catch (error) {
      // Still serving the new copy; only a restart would fall back to the older file.
      this.warn(`cannot write ${this.stateFile}: ${(error as Error)?.message ?? error}`)
    }
  }

  private warn(message: string): void {
    if (this.listenerCount('failed') > 0) this.emit('failed', { origin: this.origin, reason: message, code: 'persist', serial: this.serial })
    else process.emitWarning(`secondary ${this.origin}: ${message}`, { code: 'DNS_HA_SECONDARY_STATE' })
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max)
}

function tagged(error: Error, code: SecondaryFailedEvent['code']): Error {
  return Object.assign(error, { secondaryCode: code })
}
