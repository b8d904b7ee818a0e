/**
 * {@link ProxyMember}: one upstream DNS server of a {@link UdpProxyPool}, with nginx's `server`
 * parameters, its long-lived connected upstream sockets and its health. Counters, the latency
 * EWMA and the up/down state live in a {@link PoolMember} (composed, so the snapshot reads like
 * the forwarder's); on top of it come nginx's `max_fails` within `fail_timeout`, the run of
 * unanswered queries that tells a frozen member from a slow one, and the flags a pool sets at
 * run time (drained, removed, down by a tracked health source).
 */
import type { BalancedMember } from '../pool/balancers.js'
import type { MemberSnapshot } from '../pool/member.js'
import { memberKey, PoolMember } from '../pool/member.js'
import type { DatagramSocket } from '../util/network.js'
import type { ProxyMemberOptions } from './options.js'
import { IdTable } from './id-table.js'
import type { Random } from '../util/random.js'

/** A member as plain data: the pool member's snapshot plus what the proxy adds. */
export interface ProxyMemberSnapshot extends MemberSnapshot {
  /** `address#port`, the name `removeMember`, `drain` and `setWeight` take. */
  key: string
  backup: boolean
  /** Administratively down (nginx `down`): never asked. */
  disabled: boolean
  /** Queries sent to it and neither answered nor expired (probes included). */
  outstanding: number
  /** Unanswered queries in a row (past their hedge deadline with no answer). */
  unanswered: number
}

/** One connected upstream socket of a member and the queries in flight on it (by the pool's send handles). */
export interface Upstream {
  readonly socket: DatagramSocket
  readonly table: IdTable
}

/** A member of the proxy pool (internal: the pool's API takes keys and options). */
export class ProxyMember implements BalancedMember {
  readonly key: string
  readonly address: string
  readonly port: number
  readonly backup: boolean
  readonly maxFails: number
  readonly failTimeoutMs: number
  disabled: boolean
  weight: number
  readonly core: PoolMember
  readonly upstreams: Upstream[] = []
  /** Sends in flight (filed in its upstreams' id tables, where a failure finds them). */
  inFlight = 0
  /** The socket the last successful {@link ProxyMember.file} filed on. */
  filed: Upstream | undefined
  /** Sockets connected: asked only then. */
  ready = false
  removed = false
  /** The tracked health sources that hold it down, with their reasons. */
  readonly healthHolds = new Map<object, string>()
  /** Unanswered queries in a row. */
  unanswered = 0
  /** When the first query of the unanswered run was sent. */
  unansweredSince = 0
  /**
   * When the latest query it answered was sent (clock ms; -Infinity before any). Send time, not
   * arrival: an answer that comes late because the proxy's own receive path was slow (a busy
   * loop, a shared socket's batch waiting for a thread) says nothing about queries sent since.
   */
  lastAnsweredSentAt = -Infinity
  private nextUpstream = 0
  /** When recent failures happened, for nginx's max_fails within fail_timeout. */
  private failures: number[] = []

  constructor(options: ProxyMemberOptions) {
    this.address = options.address
    this.port = options.port ?? 53
    this.key = memberKey({ address: this.address, port: this.port })
    this.backup = options.backup ?? false
    this.maxFails = options.maxFails ?? 1
    this.failTimeoutMs = options.failTimeoutMs ?? 10_000
    this.disabled = options.down ?? false
    this.weight = options.weight ?? 1
    this.core = new PoolMember({ address: this.address, port: this.port }, this.weight)
  }

  /** Why a tracked health source holds it down; `undefined` when none does. */
  get healthDown(): string | undefined {
    if (this.healthHolds.size === 0) return undefined
    for (const reason of this.healthHolds.values()) return reason
    return undefined
  }

  /** Queries in flight. */
  get outstanding(): number {
    return this.inFlight
  }

  /** Up by its own health and by any tracked source's. */
  get up(): boolean {
    return this.core.status === 'up' && this.healthDown === undefined
  }

  available(): boolean {
    return this.ready && !this.removed && !this.disabled && this.up
  }

  /** Adds a connected socket. */
  addUpstream(socket: DatagramSocket, random: Random): Upstream {
    const upstream = { socket, table: new IdTable(random) }
    this.upstreams.push(upstream)
    return upstream
  }

  /**
   * Files `handle` under a free id of the next socket in turn that has one and returns the id
   * (the socket is then {@link ProxyMember.filed}); -1 when every table is full.
   */
  file(handle: number): number {
    const n = this.upstreams.length
    for (let i = 0; i < n; i++) {
      const upstream = this.upstreams[this.nextUpstream]!
      this.nextUpstream = this.nextUpstream + 1 === n ? 0 : this.nextUpstream + 1
      const id = upstream.table.add(handle)
      if (id >= 0) {
        this.filed = upstream
        this.inFlight++
        return id
      }
    }
    return -1
  }

  /** Frees `id` of `upstream` when it holds `handle` (an answer came, or the send expired). */
  unfile(upstream: Upstream, id: number, handle: number): void {
    const before = upstream.table.size
    upstream.table.delete(id, handle)
    if (upstream.table.size < before) this.inFlight--
  }

  /** Appends the handles of every send in flight to `into`. */
  collectInFlight(into: number[]): void {
    for (const u of this.upstreams) u.table.collect(into)
  }

  /** An answer came at `now` to a query sent `rttMs` before: the unanswered run ends. True when this brought the member back up. */
  recordAnswer(rttMs: number, now: number): boolean {
    this.core.counters.answers++
    this.lastAnsweredSentAt = Math.max(this.lastAnsweredSentAt, now - rttMs)
    this.unanswered = 0
    if (this.failures.length > 0) this.failures = []
    return this.core.recordSuccess(rttMs)
  }

  /** A probe was answered at `now`. True when this brought the member back up. */
  recordProbeAnswer(rttMs: number, now: number): boolean {
    this.lastAnsweredSentAt = Math.max(this.lastAnsweredSentAt, now - rttMs)
    this.unanswered = 0
    this.failures = []
    return this.core.recordRecovery(rttMs)
  }

  /**
   * A query sent at `sentAt` passed its hedge deadline unanswered. True when `limit` in a row now
   * say the member may be frozen (never with `maxFails` 0); the pool still asks whether others
   * answered meanwhile.
   */
  recordUnanswered(limit: number, sentAt: number): boolean {
    if (this.unanswered === 0) this.unansweredSince = sentAt
    this.unanswered++
    return this.maxFails > 0 && this.unanswered >= limit
  }

  /** A query expired unanswered. True when `maxFails` such failures fell within `failTimeoutMs`. */
  recordTimeout(now: number): boolean {
    this.core.counters.timeouts++
    return this.recordFailure(now)
  }

  /** A failure of any kind at `now` (a relay's refused connect, a socket error). True when `maxFails` fell within `failTimeoutMs`. */
  recordFailure(now: number): boolean {
    this.failures = this.failures.filter((t) => t > now - this.failTimeoutMs)
    this.failures.push(now)
    return this.maxFails > 0 && this.failures.length >= this.maxFails
  }

  /** Marks it down; true when it was up by its own health. */
  markDown(reason: string, now: number): boolean {
    return this.core.recordFailure(reason, 1, now)
  }

  /** This member as plain data. */
  snapshot(): ProxyMemberSnapshot {
    const base = this.core.snapshot()
    const down = this.healthDown !== undefined && base.state === 'up'
    return {
      ...base,
      weight: this.weight,
      state: down ? 'down' : base.state,
      reason: base.reason ?? this.healthDown,
      key: this.key,
      backup: this.backup,
      disabled: this.disabled,
      outstanding: this.outstanding,
      unanswered: this.unanswered,
    }
  }
}
