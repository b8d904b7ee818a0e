/**
 * {@link UpstreamPool}: a set of upstream servers with their health, shared by whatever asks
 * them (the forwarder today, the proxy and the health prober next). An exchange that fails
 * (timeout, network error, garbage) counts against the member; after `failuresToDown` in a row
 * it is marked down, strategies skip it, and the probe loop asks it a question every
 * `probeIntervalMs` until it answers, when it is taken back. Every change of state or weight is
 * an event; `snapshot()` shows it all as plain data.
 */
import { EventEmitter } from 'eventemitter3'
import { FLAG } from '../packet/constants.js'
import type { Clock } from '../util/clock.js'
import { DnsHaError, isDnsHaError } from '../util/errors.js'
import type { Exchange, ExchangeResult } from './exchange.js'
import type { MemberAddress, MemberSnapshot } from './member.js'
import { memberKey, PoolMember } from './member.js'
import { ProbeLoop, probeQuery } from './probe-loop.js'
import type { HealthSource } from './tracking.js'

/** A server to put in the pool (`port` defaults to 53, `weight` to 1). */
export interface PoolServer {
  address: string
  port?: number
  weight?: number
}

/** What the pool learns from an answer; at least its rcode. Throws on a garbage answer. */
export type InspectAnswer<I extends { rcode: number }> = (raw: Uint8Array) => I

/** Options for {@link UpstreamPool}, whatever it reads from answers. */
export interface UpstreamPoolBaseOptions {
  exchange: Exchange
  clock: Clock
  /** Per-attempt timeout handed to the exchange (default 1500 ms). */
  timeoutMs?: number
  /** Re-sends to the same member within one exchange (default 0). */
  retries?: number
  /** DNS 0x20 on every exchange (default false). */
  randomizeCase?: boolean
  /** Failed exchanges in a row before a member is marked down (default 1). */
  failuresToDown?: number
  /** How often a down member is probed (default 1000 ms). */
  probeIntervalMs?: number
  /** The probe question, a full query message (default `. NS`, see `probeQuery`). */
  probeMessage?: Uint8Array
}

/**
 * Options for {@link UpstreamPool}. `inspect` reads an answer (throwing marks it garbage, a
 * failure); it may be left out only when the pool reads nothing but the rcode, and then the
 * default checks the header (12 bytes, QR set) and reads the rcode.
 */
export type UpstreamPoolOptions<I extends { rcode: number } = { rcode: number }> = UpstreamPoolBaseOptions &
  ({ rcode: number } extends I ? { inspect?: InspectAnswer<I> } : { inspect: InspectAnswer<I> })

/** A member's reply (any rcode). */
export interface UpstreamReply<I extends { rcode: number } = { rcode: number }> {
  upstream: PoolMember
  rcode: number
  raw: Uint8Array
  /** What `inspect` read from the answer. */
  info: I
  transport: 'udp' | 'tcp'
}

/** Options for {@link UpstreamPool.track}. */
export interface PoolTrackOptions {
  /** The health source's target name for a member (default its key, `address#port`). */
  target?: (member: MemberSnapshot) => string
}

/** One tracked health source. */
interface Tracker {
  readonly source: HealthSource
  readonly target: (member: MemberSnapshot) => string
}

/** The pool's events, one payload object each. */
export interface PoolEvents {
  /** A down member answered again (an exchange or a probe), or a tracked source let it go, and nothing holds it down any more. */
  'member-up': (event: { server: MemberAddress; downForMs: number }) => void
  /** A member failed `failuresToDown` times in a row (`reason` is the last failure), or a tracked health source called it down (`reason` starts `health:`). */
  'member-down': (event: { server: MemberAddress; reason: string; failures: number }) => void
  /** A member's weight changed. */
  'member-weight': (event: { server: MemberAddress; weight: number; previous: number }) => void
}

/** The pool as plain data. */
export interface PoolSnapshot {
  members: MemberSnapshot[]
}

/** Every upstream a user of the pool has been configured with or talked to. */
export class UpstreamPool<I extends { rcode: number } = { rcode: number }> extends EventEmitter<PoolEvents> {
  private readonly members = new Map<string, PoolMember>()
  private readonly probes: ProbeLoop
  private readonly inspect: InspectAnswer<I>
  private readonly timeoutMs: number
  private readonly retries: number
  private readonly randomizeCase: boolean
  private readonly failuresToDown: number
  private readonly probeMessage: Uint8Array
  private readonly trackers = new Set<Tracker>()
  private readonly stopTracking = new Set<() => void>()
  private closed = false

  constructor(private readonly options: UpstreamPoolOptions<I>) {
    super()
    this.timeoutMs = options.timeoutMs ?? 1500
    this.retries = options.retries ?? 0
    this.randomizeCase = options.randomizeCase ?? false
    this.failuresToDown = options.failuresToDown ?? 1
    this.probeMessage = options.probeMessage ?? probeQuery()
    // Without `inspect`, I is `{ rcode }` (the options type requires it otherwise).
    this.inspect = (options.inspect ?? readRcode) as InspectAnswer<I>
    this.probes = new ProbeLoop({
      clock: options.clock,
      intervalMs: options.probeIntervalMs ?? 1000,
      isMember: (m) => this.members.get(m.key) === m,
      probe: (m) => this.probe(m),
      recovered: (m, rttMs) => {
        if (m.recordRecovery(rttMs) && m.status === 'up') this.announceUp(m)
      },
    })
  }

  /** The member for a server, created on first use (with `server.weight`, default 1). */
  get(server: PoolServer): PoolMember {
    const address: MemberAddress = { address: server.address, port: server.port ?? 53 }
    const key = memberKey(address)
    let member = this.members.get(key)
    if (!member) {
      member = new PoolMember(address, checkWeight(server.weight ?? 1))
      this.members.set(key, member)
      for (const tracker of this.trackers) this.applyInitialState(member, tracker)
    }
    return member
  }

  /**
   * Makes the members follow a health source (a `HealthProber`, or your own): a target it calls
   * down is skipped by the strategies as a member down by its own failures is, up gives the
   * member back to its own health, and a weight in a change becomes the member's weight. Members
   * that join later start from the source's current verdict. Returns a function that stops
   * tracking (and lets go of what this source held down).
   */
  track(source: HealthSource, options: PoolTrackOptions = {}): () => void {
    const tracker: Tracker = { source, target: options.target ?? ((m) => memberKey(m)) }
    this.trackers.add(tracker)
    for (const m of this.members.values()) this.applyInitialState(m, tracker)
    const unwatch = source.watch((change) => {
      for (const m of [...this.members.values()]) {
        if (tracker.target(m.snapshot()) !== change.target) continue
        if (change.weight !== undefined && Number.isFinite(change.weight) && change.weight >= 0) this.setWeight(m.server, change.weight)
        this.setHold(m, tracker, change.state === 'down' ? `health: ${change.reason}` : undefined)
      }
    })
    const stop = (): void => {
      if (!this.stopTracking.delete(stop)) return
      unwatch()
      this.trackers.delete(tracker)
      // What this source held down is the members' own health's to judge again (not on close:
      // a closing pool announces nothing).
      if (!this.closed) for (const m of this.members.values()) this.setHold(m, tracker, undefined)
    }
    this.stopTracking.add(stop)
    return stop
  }

  /** Every member, in the order they joined. */
  list(): PoolMember[] {
    return [...this.members.values()]
  }

  /**
   * Sets a member's weight (0 drains it: strategies ask it only when no weighted member is up);
   * emits `member-weight` when it changed. Throws `ERR_CONFIG` for a negative or non-finite
   * weight.
   */
  setWeight(server: PoolServer, weight: number): void {
    checkWeight(weight)
    const member = this.get(server)
    const previous = member.weight
    if (previous === weight) return
    member.weight = weight
    this.emit('member-weight', { server: { ...member.server }, weight, previous })
  }

  /** Forgets members whose key (`address#port`) is not in `keep`, stopping their probes. */
  retain(keep: ReadonlySet<string>): void {
    for (const [key, member] of this.members) {
      if (keep.has(key)) continue
      this.probes.cancel(member)
      this.members.delete(key)
    }
  }

  /**
   * Asks one member; resolves with its reply (any rcode) or rejects when it did not answer
   * usefully, updating its health either way. An aborted exchange (another member won a race)
   * counts for nothing.
   */
  async ask(member: PoolMember, message: Uint8Array, signal: AbortSignal | undefined): Promise<UpstreamReply<I>> {
    member.counters.queries++
    let result: ExchangeResult
    try {
      result = await this.options.exchange(member.server, message, { timeoutMs: this.timeoutMs, retries: this.retries, randomizeCase: this.randomizeCase, signal })
    } catch (error) {
      if (isDnsHaError(error)) member.counters.mismatches += Number(error.details?.['ignored'] ?? 0)
      if (isDnsHaError(error, 'ERR_QUERY_ABORTED') || signal?.aborted) throw error
      if (isDnsHaError(error, 'ERR_QUERY_TIMEOUT')) member.counters.timeouts++
      else if (isDnsHaError(error, 'ERR_QUERY_MISMATCH')) member.counters.mismatches++
      else member.counters.errors++
      this.failed(member, error instanceof Error ? error.message : String(error))
      throw error
    }
    member.counters.mismatches += result.ignored ?? 0
    let info: I
    try {
      info = this.inspect(result.raw)
    } catch (error) {
      member.counters.garbage++
      this.failed(member, 'unparseable answer')
      throw error
    }
    member.counters.answers++
    if (member.recordSuccess(result.rttMs)) {
      this.probes.cancel(member)
      if (member.status === 'up') this.announceUp(member)
    }
    return { upstream: member, rcode: info.rcode, raw: result.raw, info, transport: result.transport }
  }

  /** Stops every probe and every tracking. */
  close(): void {
    this.closed = true
    this.probes.close()
    for (const stop of [...this.stopTracking]) stop()
  }

  /** Every member as plain data. */
  snapshot(): PoolSnapshot {
    return { members: [...this.members.values()].map((m) => m.snapshot()) }
  }

  private failed(member: PoolMember, reason: string): void {
    const wasUp = member.status === 'up'
    if (!member.recordFailure(reason, this.failuresToDown, this.options.clock.now())) return
    if (wasUp) this.emit('member-down', { server: { ...member.server }, reason, failures: member.consecutiveFailures })
    this.probes.schedule(member)
  }

  private setHold(member: PoolMember, tracker: Tracker, reason: string | undefined): void {
    if (!member.hold(tracker, reason, this.options.clock.now())) return
    if (member.status === 'up') this.announceUp(member)
    else this.emit('member-down', { server: { ...member.server }, reason: reason!, failures: member.consecutiveFailures })
  }

  private applyInitialState(member: PoolMember, tracker: Tracker): void {
    if (tracker.source.state(tracker.target(member.snapshot())) === 'down') this.setHold(member, tracker, 'health: down')
  }

  private announceUp(member: PoolMember): void {
    this.emit('member-up', { server: { ...member.server }, downForMs: this.options.clock.now() - member.downSince })
  }

  private async probe(member: PoolMember): Promise<number> {
    const result = await this.options.exchange(member.server, this.probeMessage, { timeoutMs: this.timeoutMs, retries: 0, randomizeCase: this.randomizeCase, signal: undefined })
    try {
      this.inspect(result.raw)
    } catch (error) {
      member.counters.garbage++
      throw error
    }
    return result.rttMs
  }
}

/** The default `inspect`: a header with QR set; its rcode. */
function readRcode(raw: Uint8Array): { rcode: number } {
  if (raw.length < 12) throw new DnsHaError('ERR_PACKET_MALFORMED', 'answer shorter than a header')
  const flags = (raw[2]! << 8) | raw[3]!
  if ((flags & FLAG.QR) === 0) throw new DnsHaError('ERR_PACKET_MALFORMED', 'answer without the QR bit')
  return { rcode: flags & 0xf }
}

function checkWeight(weight: number): number {
  if (!Number.isFinite(weight) || weight < 0) throw new DnsHaError('ERR_CONFIG', `weight must be a finite number >= 0, got ${weight}`)
  return weight
}
