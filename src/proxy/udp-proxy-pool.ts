/**
 * {@link UdpProxyPool}: one UDP address in front of several DNS servers, as nginx `stream`, LVS
 * or dnsdist are, in DNS mode: each client query is checked (one readable question), given to a
 * member by the balancer, and sent over one of that member's few long-lived connected sockets
 * with an id of the proxy's choosing; the answer is accepted only on that socket, with that id
 * and the question asked (RFC 5452), and goes back to the client with its own id.
 *
 * Failure handling is where it differs from its peers. A connected socket hears the ICMP port
 * unreachable of a dead member (ECONNREFUSED): the member is down at once and its queries are
 * re-sent elsewhere. A query unanswered past a short hedge deadline is sent to another member as
 * well (the first answer wins), and a run of such misses marks a frozen member down. With no
 * member to ask the pool answers SERVFAIL itself. Down members are probed every
 * `probeIntervalMs` and come back on the first good answer.
 */
import { EventEmitter } from 'eventemitter3'
import type { ClientSubnetChange, ClientSubnetOptions } from '../packet/client-subnet.js'
import { addClientSubnet, removeAddedClientSubnet } from '../packet/client-subnet.js'
import { RCODE } from '../packet/constants.js'
import { readId, writeId } from '../packet/wire.js'
import type { Balancer } from '../pool/balancers.js'
import { createBalancer } from '../pool/balancers.js'
import { probeQuery } from '../pool/probe-loop.js'
import type { HealthSource } from '../pool/tracking.js'
import type { Clock, TimerHandle } from '../util/clock.js'
import { realClock } from '../util/clock.js'
import { DnsHaError } from '../util/errors.js'
import type { BoundAddress, DatagramSocket, Network, RemoteInfo } from '../util/network.js'
import { addressFamily, nodeNetwork } from '../util/network.js'
import { batchedEngineUnavailable, batchedNetwork } from '../util/batched-network.js'
import type { Random } from '../util/random.js'
import { defaultRandom } from '../util/random.js'
import { checkClientSubnetOptions } from './client-subnet-options.js'
import { DeadlineQueue } from './deadline-queue.js'
import type { ProxyEngine, ProxyMemberOptions, ProxyMemberSockets, UdpProxyPoolOptions } from './options.js'
import { SharedMemberSockets } from './shared-member-sockets.js'
import type { ProxyCacheSnapshot } from './packet-cache.js'
import { ProxyPacketCache } from './packet-cache.js'
import type { ProxyMemberSnapshot, Upstream } from './proxy-member.js'
import { ProxyMember } from './proxy-member.js'
import { answersQuestion, clientQuestionEnd, headerAnswer, QUERY_DROP, QUERY_FORMERR, servfail } from './query-wire.js'
import type { DatagramSessionsSnapshot } from './datagram-sessions.js'
import { DatagramSessions } from './datagram-sessions.js'
import type { Endpoint } from './listeners.js'
import { bindPair, sumDatagram, sumTcp } from './listeners.js'
import type { MemberPicker, PickedMember } from './member-picker.js'
import { MemberSetPicker } from './member-set-picker.js'
import type { ComponentLogger } from '../util/logger.js'
import { errorMessage, toLogger } from '../util/logger.js'
import type { TcpProxySnapshot } from './tcp-proxy.js'
import { TcpProxy } from './tcp-proxy.js'

/** Where {@link UdpProxyPool.listen} binds. */
export interface ProxyListenOptions {
  port: number
  /** An IPv4 or IPv6 literal (default `127.0.0.1`). */
  address?: string
  /** Serve UDP on it (default true). */
  udp?: boolean
  /**
   * Serve TCP on the same address and port, relayed connection by connection (DNS over TCP, zone
   * transfers). Default: true in DNS mode, as `DnsServer` listens on both; false in datagram mode,
   * whose traffic is not DNS (nginx's `listen PORT udp`).
   */
  tcp?: boolean
}

/** Options for {@link UdpProxyPool.track}. */
export interface ProxyTrackOptions {
  /** The health source's target name for a member (default its key, `address#port`). */
  target?: (member: ProxyMemberSnapshot) => string
}

/** Events of {@link UdpProxyPool}. */
export interface UdpProxyPoolEvents {
  listening: (event: { address: BoundAddress }) => void
  /** A member stopped being asked: port unreachable, frozen, `maxFails` timeouts, or a tracked health source. */
  'member-down': (event: { member: ProxyMemberSnapshot; reason: string }) => void
  /** A member is asked again (a probe or a late answer came, or a tracked source says up). */
  'member-up': (event: { member: ProxyMemberSnapshot }) => void
  /** No member (primary or backup) can be asked: queries are answered SERVFAIL by the pool. */
  'all-down': (event: { members: ProxyMemberSnapshot[] }) => void
  /** Something failed inside a socket callback or timer; the pool goes on. */
  error: (event: { error: unknown; phase: 'client' | 'upstream' | 'timer' | 'connect' }) => void
  close: (event: Record<string, never>) => void
}

/** The pool's own counters. */
export interface UdpProxyPoolCounters {
  /** Client queries accepted for relaying. */
  queries: number
  /** Answers relayed to clients. */
  answers: number
  /** SERVFAILs the pool answered itself (no member, or the budget ran out). */
  servfail: number
  /** Client queries answered FORMERR. */
  formerr: number
  /** Client datagrams dropped (shorter than a header, or responses). */
  dropped: number
  /** Queries sent again to another member after a hedge deadline. */
  hedges: number
  /** Queries sent again because their member failed (port unreachable, marked down). */
  retries: number
  /** Client queries whose `timeoutMs` ran out unanswered. */
  timeouts: number
  /** Member answers dropped because the client already had one (a hedge's loser, a duplicate). */
  duplicates: number
  /** Member datagrams with no query in flight under their id (late or spoofed), dropped. */
  unmatched: number
  /** `memberSockets: 'shared'`: datagrams on the shared member socket from an address and port that is no member's, dropped. */
  strangers: number
}

/** A plain-data view of the pool. */
export interface UdpProxyPoolSnapshot {
  listening: BoundAddress[]
  policy: string
  /** The datagram engine of the client-facing sockets (see {@link UdpProxyPoolOptions.engine}). */
  engine: ProxyEngine
  /** How the members are talked to (see {@link UdpProxyPoolOptions.memberSockets}). */
  memberSockets: ProxyMemberSockets
  /** Client queries waiting for an answer. */
  inFlight: number
  counters: UdpProxyPoolCounters
  /** The packet cache's size and hits/misses; absent when the cache is off. */
  cache?: ProxyCacheSnapshot
  members: ProxyMemberSnapshot[]
  /** The TCP relays' counters, summed over every `listen()` (zeros without TCP). */
  tcp: TcpProxySnapshot
  /** Datagram mode: the session relays' counters, summed over every `listen()` (zeros in DNS mode). */
  datagram: DatagramSessionsSnapshot
}

/**
 * One client query in the pool. The objects are slots, reused query after query (a free list),
 * so relaying allocates no per-query bookkeeping; `gen` tells one use from the next, and a
 * deadline filed for an earlier use is ignored.
 */
class ClientQuery {
  gen = 0
  /** What goes to the members (the client's datagram, with ECS when the pool adds it); its id bytes are overwritten with each send's id. */
  msg: Uint8Array = EMPTY
  /** What the pool added to the query (ECS), to take back out of the answer. */
  ecs: ClientSubnetChange = 'none'
  /** The packet cache's key, when the answer may be cached. */
  cacheKey: string | undefined = undefined
  clientId = 0
  questionEnd = 0
  listener: DatagramSocket | undefined = undefined
  client: RemoteInfo | undefined = undefined
  deadline = 0
  /** The member of the first send; the set of members tried is made only for a second send (rare). */
  first: ProxyMember | undefined = undefined
  tried: Set<ProxyMember> | undefined = undefined
  attempts = 0
  /** The newest send: only its hedge deadline may hedge. */
  current: Attempt | undefined = undefined
  /** The first send and its generation: it expires with the query, on one deadline. */
  firstAttempt: Attempt | undefined = undefined
  firstAttemptGen = 0
  /** Sends still waiting for an answer. */
  live = 0
  done = false
}

/** One send to a member, a client query's or a probe's: a slot too, its `handle` filed in the member socket's id table. */
class Attempt {
  gen = 0
  query: ClientQuery | undefined = undefined
  /** The probe's own bytes (probes only). */
  probe: Uint8Array | undefined = undefined
  member: ProxyMember | undefined = undefined
  upstream: Upstream | undefined = undefined
  id = 0
  sentAt = 0
  live = false
  /** Send order: a failed member's queries move on in the order they were sent. */
  order = 0

  constructor(readonly handle: number) {}
}

/** What a deadline does (the low two bits of its tag; the rest is the slot's generation). */
const HEDGE = 0
const EXPIRE = 1
const QUERY_EXPIRE = 2
const PROBE_EXPIRE = 3
const EMPTY = new Uint8Array(0)

function tag(gen: number, kind: number): number {
  return gen * 4 + kind
}

/** A health source being tracked. */
interface Tracker {
  readonly source: HealthSource
  readonly target: (member: ProxyMemberSnapshot) => string
}

const PROBE = probeQuery('.')
const PROBE_QUESTION_END = PROBE.length

/**
 * A UDP DNS load balancer over a set of members, with TCP relayed on the same port, or (mode
 * `'datagram'`) an nginx-style relay of opaque datagrams. It is also the {@link MemberPicker} of
 * its relays: `pick`, `failed` and `answered` work on its own members.
 */
export class UdpProxyPool extends EventEmitter<UdpProxyPoolEvents> implements MemberPicker {
  private readonly clock: Clock
  private readonly network: Network
  private readonly random: Random
  private readonly balancer: Balancer<ProxyMember>
  private readonly timeoutMs: number
  private readonly hedgeMs: number
  private readonly maxAttempts: number
  private readonly unansweredToDown: number
  private readonly probeIntervalMs: number
  private readonly socketsPerMember: number
  private readonly servfailOnTimeout: boolean
  private readonly receiveBufferBytes: number
  private readonly cache: ProxyPacketCache | undefined
  private readonly clientSubnet: ClientSubnetOptions | undefined
  private readonly deadlines: DeadlineQueue<Attempt | ClientQuery>
  private readonly engine: ProxyEngine
  /** Where the client-facing sockets come from: `network`, or the batched engine over it. */
  private readonly clientNetwork: Network
  private readonly memberSockets: ProxyMemberSockets
  /** The one member socket per family with `memberSockets: 'shared'`. */
  private readonly shared: SharedMemberSockets | undefined
  /** Every send slot ever made, by handle; the free ones' handles on `freeAttempts`. */
  private readonly attemptSlots: Attempt[] = []
  private readonly freeAttempts: number[] = []
  private readonly freeQueries: ClientQuery[] = []
  private sendOrder = 0
  private readonly mode: 'dns' | 'datagram'
  private readonly relayOptions: Readonly<UdpProxyPoolOptions>
  private readonly relayPicker: MemberSetPicker
  private readonly tcpRelays: TcpProxy[] = []
  private readonly datagramRelays: DatagramSessions[] = []
  /** One address per `listen()` call, whatever it serves there. */
  private readonly listened: BoundAddress[] = []
  private readonly members: ProxyMember[] = []
  /** Removed members whose queries are still in flight (their sockets close when those settle). */
  private readonly retiring = new Set<ProxyMember>()
  private readonly bindings: { socket: DatagramSocket; bound: BoundAddress }[] = []
  private readonly trackers = new Set<Tracker>()
  private readonly stopTracking = new Set<() => void>()
  private readonly counters: UdpProxyPoolCounters = { queries: 0, answers: 0, servfail: 0, formerr: 0, dropped: 0, hedges: 0, retries: 0, timeouts: 0, duplicates: 0, unmatched: 0, strangers: 0 }
  private inFlight = 0
  private started = false
  private closed = false
  private allDown = false
  private probeTimer: TimerHandle | undefined

  constructor(options: UdpProxyPoolOptions) {
    super()
    if (!options || !Array.isArray(options.members)) throw new DnsHaError('ERR_CONFIG', 'UdpProxyPool needs members')
    if (options.mode !== undefined && options.mode !== 'dns' && options.mode !== 'datagram') {
      throw new DnsHaError('ERR_CONFIG', `mode must be 'dns' or 'datagram', got ${JSON.stringify(options.mode)}`)
    }
    this.mode = options.mode ?? 'dns'
    checkRelayOptions(options)
    this.relayOptions = { ...options }
    this.clock = options.clock ?? realClock
    this.network = options.network ?? nodeNetwork
    this.random = options.random ?? defaultRandom()
    this.balancer = createBalancer<ProxyMember>(options.policy ?? 'round-robin', { random: this.random })
    this.timeoutMs = positive(options.timeoutMs ?? 2000, 'timeoutMs')
    this.hedgeMs = positive(options.hedgeMs ?? 50, 'hedgeMs')
    this.maxAttempts = positive(options.maxAttempts ?? 3, 'maxAttempts')
    this.unansweredToDown = positive(options.unansweredToDown ?? 5, 'unansweredToDown')
    this.probeIntervalMs = positive(options.probeIntervalMs ?? 1000, 'probeIntervalMs')
    this.socketsPerMember = positive(options.socketsPerMember ?? 4, 'socketsPerMember')
    this.servfailOnTimeout = options.servfailOnTimeout ?? true
    this.receiveBufferBytes = positive(options.receiveBufferBytes ?? 4 << 20, 'receiveBufferBytes')
    this.clientSubnet = options.clientSubnet ? checkClientSubnetOptions(options.clientSubnet) : undefined
    this.cache = options.cache ? new ProxyPacketCache(options.cache === true ? {} : options.cache, this.clientSubnet) : undefined
    this.deadlines = new DeadlineQueue<Attempt | ClientQuery>(
      this.clock,
      (error) => this.report(error, 'timer'),
      (item, t) => this.onDeadline(item, t),
    )
    this.engine = chooseEngine(options.engine ?? 'dgram', options.network !== undefined, this.mode)
    // Answers come from the member sockets one callback each: flushed once per loop turn, they
    // leave in one sendmmsg rather than one each.
    this.clientNetwork = this.engine === 'batched' ? batchedNetwork(this.network, { sendFlush: 'immediate' }) : this.network
    this.memberSockets = chooseMemberSockets(options.memberSockets, this.engine, options.network !== undefined, this.mode)
    // The shared socket's queries are flushed at the end of the callback that sent them: a whole
    // client batch (read in one callback) leaves in one sendmmsg.
    this.shared =
      this.memberSockets === 'shared'
        ? new SharedMemberSockets(this.engine === 'batched' ? batchedNetwork(this.network) : this.network, this.receiveBufferBytes, {
            answer: (member, msg) => {
              const upstream = member.upstreams[0]
              if (upstream === undefined) this.counters.strangers++
              else this.onUpstreamDatagram(member, upstream, msg)
            },
            stranger: () => this.counters.strangers++,
            unreachable: (member, error) => this.onUpstreamError(member, error),
            error: (error) => this.report(error, 'upstream'),
          })
        : undefined
    this.relayPicker = new MemberSetPicker(
      { members: () => this.members, markDown: (m, reason) => this.markDown(m, reason, false), reportUp: (m) => this.reportUp(m) },
      { policy: options.policy ?? 'round-robin', random: this.random, clock: this.clock, passive: this.mode === 'datagram' },
    )
    for (const m of options.members) this.addMember(m)
    if (options.logger !== undefined) this.logTo(toLogger(options.logger, { component: 'proxy' }))
  }

  /** The log lines, from the pool's own events (so they say what listeners are told). */
  private logTo(logger: ComponentLogger): void {
    this.on('listening', ({ address }) => logger.info('listening', { address: address.address, port: address.port }))
    this.on('member-down', ({ member, reason }) => logger.warn(`member ${member.key} down: ${reason}`, { member: member.key, backup: member.backup, reason }))
    this.on('member-up', ({ member }) => logger.info(`member ${member.key} up`, { member: member.key, backup: member.backup }))
    this.on('all-down', ({ members }) => logger.error('all members down: answering SERVFAIL', { members: members.map((m) => m.key) }))
    this.on('error', ({ error, phase }) => logger.error(`${phase} error: ${errorMessage(error)}`, { phase, err: error }))
    this.on('close', () => logger.info('closed', {}))
  }

  /**
   * Listens on one address (port 0 picks a free one): UDP, and TCP on the same port unless
   * `tcp: false` (see {@link ProxyListenOptions}), and resolves with what was bound. The first
   * call also connects the members' upstream sockets and starts the probes (DNS mode). May be
   * called again to serve on more addresses.
   */
  async listen(options: ProxyListenOptions): Promise<BoundAddress> {
    if (this.closed) throw new DnsHaError('ERR_SERVER_CLOSED', 'proxy pool is closed')
    if (!this.started) {
      this.started = true
      if (this.mode === 'dns') {
        await Promise.all(this.members.map((m) => this.open(m)))
        this.probeTimer = this.clock.setInterval(() => this.probeDownMembers(), this.probeIntervalMs)
      } else for (const m of this.members) m.ready = true
    }
    const address = options.address ?? '127.0.0.1'
    const udp = options.udp ?? true
    const tcp = options.tcp ?? this.mode === 'dns'
    if (!udp && !tcp) throw new DnsHaError('ERR_CONFIG', 'listen: udp and tcp are both off')
    const udpBinder = !udp ? undefined : this.mode === 'dns' ? (port: number) => this.bindDns(port, address) : (port: number) => this.bindDatagram(port, address)
    const endpoints = await bindPair(options.port, udpBinder, tcp ? (port) => this.bindTcp(port, address) : undefined)
    if (this.closed) {
      await Promise.all(endpoints.map((e) => e.close()))
      throw new DnsHaError('ERR_SERVER_CLOSED', 'proxy pool is closed')
    }
    const bound = endpoints[0]!.bound
    this.listened.push(bound)
    this.emit('listening', { address: bound })
    return bound
  }

  /** Binds a DNS-mode client socket (kept once bound; `close()` of the endpoint lets it go again). */
  private async bindDns(port: number, address: string): Promise<Endpoint> {
    const socket = this.clientNetwork.createDatagramSocket(addressFamily(address))
    let bound: BoundAddress
    try {
      bound = await socket.bind(port, address)
    } catch (cause) {
      await socket.close()
      throw listenError('UDP', address, port, cause)
    }
    socket.setReceiveBufferSize(this.receiveBufferBytes)
    socket.onMessage((msg, rinfo) => this.onClientDatagram(socket, msg, rinfo))
    socket.onError((error) => this.report(error, 'client'))
    const binding = { socket, bound }
    this.bindings.push(binding)
    return {
      bound,
      close: async () => {
        this.bindings.splice(this.bindings.indexOf(binding), 1)
        await socket.close()
      },
    }
  }

  /** Binds a datagram-mode relay (nginx sessions) with the pool as its picker. */
  private async bindDatagram(port: number, address: string): Promise<Endpoint> {
    const o = this.relayOptions
    const relay = new DatagramSessions({
      picker: this.relayPicker,
      responses: o.responses,
      timeoutMs: o.timeoutMs,
      nextUpstream: o.nextUpstream,
      network: this.network,
      clock: this.clock,
    })
    relay.on('error', ({ error }) => this.report(error, 'client'))
    let bound: BoundAddress
    try {
      bound = await relay.listen({ port, address })
    } catch (cause) {
      throw listenError('UDP', address, port, cause)
    }
    this.datagramRelays.push(relay)
    return { bound, close: () => this.dropRelay(this.datagramRelays, relay) }
  }

  /** Binds a TCP relay with the pool as its picker. */
  private async bindTcp(port: number, address: string): Promise<Endpoint> {
    const o = this.relayOptions
    const tries = o.nextUpstream === false ? 1 : o.nextUpstreamTries === 0 ? Infinity : o.nextUpstreamTries
    const relay = new TcpProxy({
      picker: this.relayPicker,
      connectTimeoutMs: o.connectTimeoutMs,
      tries,
      nextUpstreamTimeoutMs: o.nextUpstreamTimeoutMs,
      // nginx's proxy_timeout is the idle time of a TCP session too; TcpProxy's own default otherwise.
      idleTimeoutMs: o.timeoutMs,
      proxyProtocol: o.proxyProtocol,
      network: this.network,
      clock: this.clock,
    })
    let bound: BoundAddress
    try {
      bound = await relay.listen({ port, address })
    } catch (cause) {
      await relay.close()
      throw listenError('TCP', address, port, cause)
    }
    this.tcpRelays.push(relay)
    return { bound, close: () => this.dropRelay(this.tcpRelays, relay) }
  }

  private async dropRelay<R extends { close(): Promise<void> }>(list: R[], relay: R): Promise<void> {
    const i = list.indexOf(relay)
    if (i >= 0) list.splice(i, 1)
    await relay.close()
  }

  /** Picks a member for traffic from `client` ({@link MemberPicker}), skipping the keys in `exclude`: the pool's own relays use it, and so may a relay of yours. */
  pick(client: string, exclude: ReadonlySet<string>): PickedMember | undefined {
    return this.relayPicker.pick(client, exclude)
  }

  /** A relay's report that a member failed: counts toward `maxFails` (a refusal takes it down at once), with the pool's events. */
  failed(key: string, reason: string): void {
    this.relayPicker.failed(key, reason)
  }

  /** A relay's report that a member answered `rttMs` after it was asked (in datagram mode this brings a down member back). */
  answered(key: string, rttMs: number): void {
    this.relayPicker.answered(key, rttMs)
  }

  /** Stops listening, drops the queries in flight, closes every upstream socket and stops tracking. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.clock.clearInterval(this.probeTimer)
    this.deadlines.stop()
    for (const stop of this.stopTracking) stop()
    this.stopTracking.clear()
    this.trackers.clear()
    const sockets = new Set([...this.bindings.map((l) => l.socket), ...[...this.members, ...this.retiring].flatMap((m) => m.upstreams.splice(0).map((u) => u.socket))])
    const relays = [...this.tcpRelays.splice(0), ...this.datagramRelays.splice(0)]
    this.retiring.clear()
    this.bindings.length = 0
    this.listened.length = 0
    await Promise.all([...[...sockets].map((s) => s.close()), ...relays.map((r) => r.close()), this.shared?.close()])
    this.emit('close', {})
  }

  /** The addresses the pool listens on, one per `listen()`. */
  addresses(): BoundAddress[] {
    return [...this.listened]
  }

  /** Adds a member at run time (asked once its sockets are connected); throws `ERR_CONFIG` for a duplicate or a bad option. */
  addMember(options: ProxyMemberOptions): void {
    if (typeof options?.address !== 'string' || options.address === '') throw new DnsHaError('ERR_CONFIG', 'a proxy member needs an address')
    const member = new ProxyMember(options)
    if (!Number.isInteger(member.port) || member.port < 1 || member.port > 65535) throw new DnsHaError('ERR_CONFIG', `member ${member.key}: bad port`)
    checkWeight(member.weight, member.key)
    if (this.members.some((m) => m.key === member.key)) throw new DnsHaError('ERR_CONFIG', `member ${member.key} is already in the pool`)
    this.members.push(member)
    for (const t of this.trackers) this.applyInitialState(member, t)
    if (!this.started || this.closed) return
    // Datagram mode has no upstream sockets of its own: each session connects its own.
    if (this.mode === 'dns') void this.open(member)
    else member.ready = true
  }

  /**
   * Takes a member out: it is asked no more at once, its queries in flight still get their
   * answers (or expire), then its sockets close. False when there is no such member.
   */
  removeMember(key: string): boolean {
    const index = this.members.findIndex((m) => m.key === key)
    if (index < 0) return false
    const member = this.members[index]!
    this.members.splice(index, 1)
    member.removed = true
    if (member.outstanding === 0) this.closeMember(member)
    else this.retiring.add(member)
    return true
  }

  /** Drains a member (weight 0: asked only when nothing with weight is available); queries in flight finish. */
  drain(key: string): boolean {
    return this.setWeight(key, 0)
  }

  /** Changes a member's weight at run time; false when there is no such member. */
  setWeight(key: string, weight: number): boolean {
    const member = this.members.find((m) => m.key === key)
    if (!member) return false
    checkWeight(weight, key)
    member.weight = weight
    member.core.weight = weight
    return true
  }

  /**
   * Makes the members follow a health source: a target it calls down is not asked (and not
   * probed: the source decides when it is back), up lets the pool's own health decide again, and
   * a weight in a change becomes the member's weight. Returns a function that stops tracking.
   */
  track(source: HealthSource, options: ProxyTrackOptions = {}): () => void {
    const target = options.target ?? ((m: ProxyMemberSnapshot) => m.key)
    const tracker = { source, target }
    this.trackers.add(tracker)
    for (const m of this.members) this.applyInitialState(m, tracker)
    const unwatch = source.watch((change) => {
      for (const m of [...this.members]) {
        if (target(m.snapshot()) !== change.target) continue
        if (change.weight !== undefined && Number.isFinite(change.weight) && change.weight >= 0) this.setWeight(m.key, change.weight)
        this.setHealth(m, tracker, change.state === 'down' ? `health: ${change.reason}` : undefined)
      }
    })
    const stop = (): void => {
      unwatch()
      this.trackers.delete(tracker)
      this.stopTracking.delete(stop)
      // What this source held down is the pool's own health's to judge again.
      if (!this.closed) for (const m of this.members) this.setHealth(m, tracker, undefined)
    }
    this.stopTracking.add(stop)
    return stop
  }

  /** The pool as plain data. */
  snapshot(): UdpProxyPoolSnapshot {
    return {
      listening: this.addresses(),
      policy: this.balancer.policy,
      engine: this.engine,
      memberSockets: this.memberSockets,
      inFlight: this.inFlight,
      counters: { ...this.counters },
      ...(this.cache ? { cache: this.cache.snapshot() } : {}),
      members: this.members.map((m) => m.snapshot()),
      tcp: sumTcp(this.tcpRelays.map((r) => r.snapshot())),
      datagram: sumDatagram(this.datagramRelays.map((r) => r.snapshot())),
    }
  }

  // ---- client side ----

  private onClientDatagram(listener: DatagramSocket, msg: Buffer, client: RemoteInfo): void {
    try {
      const questionEnd = clientQuestionEnd(msg)
      if (questionEnd === QUERY_DROP || this.closed) {
        this.counters.dropped++
        return
      }
      if (questionEnd === QUERY_FORMERR) {
        this.counters.formerr++
        listener.send(headerAnswer(msg, RCODE.FORMERR), client.port, client.address)
        return
      }
      const now = this.clock.now()
      const cacheKey = this.cache?.key(msg, questionEnd, client.address)
      if (cacheKey !== undefined) {
        const hit = this.cache!.lookup(cacheKey, msg, questionEnd, now)
        if (hit) return listener.send(hit, client.port, client.address)
      }
      let upstream: Uint8Array = msg
      let ecs: ClientSubnetChange = 'none'
      if (this.clientSubnet) {
        try {
          ;({ message: upstream, change: ecs } = addClientSubnet(msg, client.address, this.clientSubnet))
        } catch {
          this.counters.formerr++
          return listener.send(headerAnswer(msg, RCODE.FORMERR), client.port, client.address)
        }
      }
      // The batched engine lends its receive buffer for the call only: keep a copy.
      if (upstream === msg && listener.borrowsMessages === true) upstream = Buffer.from(msg)
      const query = this.freeQueries.pop() ?? new ClientQuery()
      query.msg = upstream
      query.ecs = ecs
      query.cacheKey = cacheKey
      query.clientId = readId(msg)
      query.questionEnd = questionEnd
      query.listener = listener
      query.client = client
      query.deadline = now + this.timeoutMs
      query.done = false
      this.counters.queries++
      this.inFlight++
      // The query's own deadline is filed with its first send's expiry (see dispatch).
      if (!this.dispatch(query, now)) return this.fail(query)
    } catch (error) {
      this.report(error, 'client')
    }
  }

  /** Sends `query` to the next member the balancer picks; false when there is none (or no id free anywhere). */
  private dispatch(query: ClientQuery, now: number): boolean {
    for (;;) {
      // Nothing to exclude on a query's first pick, the common case: the set is made for a second.
      if (query.first !== undefined && query.tried === undefined) query.tried = new Set([query.first])
      const member = this.balancer.pick(this.members, query.client!.address, now, query.tried)
      if (!member) return false
      if (query.first === undefined) query.first = member
      else query.tried!.add(member)
      const attempt = this.takeAttempt()
      attempt.query = query
      attempt.member = member
      attempt.sentAt = now
      if (!this.send(attempt, query.msg)) {
        this.releaseAttempt(attempt)
        continue
      }
      query.attempts++
      query.current = attempt
      member.core.counters.queries++
      this.deadlines.add(now + this.hedgeDelay(member), attempt, tag(attempt.gen, HEDGE))
      if (query.attempts === 1) {
        // The first send (made when the query came in) expires with the query: one heap entry for both.
        query.firstAttempt = attempt
        query.firstAttemptGen = attempt.gen
        this.deadlines.add(query.deadline, query, tag(query.gen, QUERY_EXPIRE))
      } else {
        this.deadlines.add(now + this.timeoutMs, attempt, tag(attempt.gen, EXPIRE))
      }
      return true
    }
  }

  /** Files `attempt` under a free id of one of its member's sockets and sends `bytes` with that id. */
  private send(attempt: Attempt, bytes: Uint8Array): boolean {
    const member = attempt.member!
    const id = member.file(attempt.handle)
    if (id < 0) return false
    const upstream = member.filed!
    attempt.upstream = upstream
    attempt.id = id
    attempt.live = true
    attempt.order = this.sendOrder++
    if (attempt.query) attempt.query.live++
    writeId(bytes, id)
    upstream.socket.send(bytes, member.port, member.address)
    return true
  }

  /** A free send slot (or a new one). */
  private takeAttempt(): Attempt {
    const handle = this.freeAttempts.pop()
    if (handle !== undefined) return this.attemptSlots[handle]!
    const attempt = new Attempt(this.attemptSlots.length)
    this.attemptSlots.push(attempt)
    return attempt
  }

  /** Back to the free list; deadlines filed for this use now see another generation. */
  private releaseAttempt(attempt: Attempt): void {
    attempt.gen++
    attempt.query = undefined
    attempt.probe = undefined
    attempt.member = undefined
    attempt.upstream = undefined
    attempt.live = false
    this.freeAttempts.push(attempt.handle)
  }

  /** A query answered (or given up) with no send left in flight: its slot is free. */
  private releaseQuery(query: ClientQuery): void {
    query.gen++
    query.msg = EMPTY
    query.cacheKey = undefined
    query.listener = undefined
    query.client = undefined
    query.first = undefined
    query.tried = undefined
    query.current = undefined
    query.firstAttempt = undefined
    query.attempts = 0
    this.freeQueries.push(query)
  }

  /** Releases `query` when it is settled: done, nothing in flight for it. */
  private releaseIfSettled(query: ClientQuery): void {
    if (query.done && query.live === 0) this.releaseQuery(query)
  }

  private onDeadline(item: Attempt | ClientQuery, t: number): void {
    const kind = t % 4
    const gen = (t - kind) / 4
    if (item.gen !== gen) return
    if (kind === QUERY_EXPIRE) {
      const query = item as ClientQuery
      const first = query.firstAttempt
      if (first !== undefined && first.gen === query.firstAttemptGen) this.onAttemptExpired(first)
      // The attempt's expiry may have settled the query (a resend failed and answered SERVFAIL).
      if (query.gen === gen) this.expireQuery(query)
      return
    }
    const attempt = item as Attempt
    if (kind === HEDGE) this.onHedgeDeadline(attempt)
    else if (kind === EXPIRE) this.onAttemptExpired(attempt)
    else if (kind === PROBE_EXPIRE) this.settle(attempt)
  }

  /** The hedge deadline of a send to `member`: 4 × its latency, at least `hedgeMs`, at most a quarter of the budget. */
  private hedgeDelay(member: ProxyMember): number {
    const srtt = member.core.srttMs ?? 0
    return Math.min(Math.max(this.hedgeMs, 4 * srtt), Math.max(this.hedgeMs, this.timeoutMs / 4))
  }

  private answerClient(query: ClientQuery, msg: Uint8Array): void {
    query.done = true
    this.inFlight--
    writeId(msg, query.clientId)
    query.listener!.send(msg, query.client!.port, query.client!.address)
    this.releaseIfSettled(query)
  }

  /** The pool answers SERVFAIL itself (no member to ask, or the budget ran out). */
  private fail(query: ClientQuery): void {
    query.done = true
    this.inFlight--
    this.counters.servfail++
    writeId(query.msg, query.clientId)
    query.listener!.send(servfail(query.msg, query.questionEnd), query.client!.port, query.client!.address)
    this.releaseIfSettled(query)
  }

  private expireQuery(query: ClientQuery): void {
    if (query.done) return
    this.counters.timeouts++
    if (this.servfailOnTimeout) return this.fail(query)
    query.done = true
    this.inFlight--
    this.releaseIfSettled(query)
  }

  /**
   * Sends `query` on after its member failed, within its budget and attempts; with nowhere
   * left to send it and nothing else in flight for it, SERVFAIL at once.
   */
  private resend(query: ClientQuery, counter: 'hedges' | 'retries'): void {
    const now = this.clock.now()
    if (query.done) return
    if (now < query.deadline && query.attempts < this.maxAttempts && this.dispatch(query, now)) {
      this.counters[counter]++
      return
    }
    if (query.live === 0) this.fail(query)
  }

  // ---- member side ----

  private async open(member: ProxyMember): Promise<void> {
    try {
      if (this.shared !== undefined) {
        member.addUpstream(await this.shared.attach(member, addressFamily(member.address)), this.random)
        if (this.closed || member.removed) return this.closeMember(member)
        member.ready = true
        return
      }
      for (let i = 0; i < this.socketsPerMember; i++) {
        const socket = this.network.createDatagramSocket(addressFamily(member.address))
        const upstream = member.addUpstream(socket, this.random)
        socket.onMessage((msg) => this.onUpstreamDatagram(member, upstream, msg))
        socket.onError((error) => this.onUpstreamError(member, error))
        await socket.connect(member.port, member.address)
        socket.setReceiveBufferSize(this.receiveBufferBytes)
      }
      if (this.closed || member.removed) return this.closeMember(member)
      member.ready = true
    } catch (error) {
      this.report(error, 'connect')
      this.markDown(member, `cannot connect: ${(error as Error).message}`, false)
      this.closeMember(member)
    }
  }

  private closeMember(member: ProxyMember): void {
    member.ready = false
    this.retiring.delete(member)
    const upstreams = member.upstreams.splice(0)
    // The shared socket is every member's: only the member's place on it goes.
    if (this.shared !== undefined) return this.shared.detach(member)
    for (const u of upstreams) void u.socket.close()
  }

  private onUpstreamDatagram(member: ProxyMember, upstream: Upstream, msg: Buffer): void {
    try {
      if (msg.length < 12) {
        member.core.counters.garbage++
        return
      }
      const handle = upstream.table.get(readId(msg))
      if (handle < 0) {
        this.counters.unmatched++
        return
      }
      const attempt = this.attemptSlots[handle]!
      const query = attempt.query
      const asked = query ? query.msg : attempt.probe!
      if (!answersQuestion(msg, asked, query ? query.questionEnd : PROBE_QUESTION_END)) {
        // A spoof (or a confused member) must not settle the query: the real answer may follow.
        member.core.counters.mismatches++
        return
      }
      const now = this.clock.now()
      const rtt = now - attempt.sentAt
      // The slot goes back to the free list here: only the locals are read from now on.
      this.settle(attempt)
      const cameBack = query ? member.recordAnswer(rtt, now) : member.recordProbeAnswer(rtt, now)
      if (cameBack && member.up) this.reportUp(member)
      if (!query) return
      if (query.done) {
        this.counters.duplicates++
        return
      }
      this.counters.answers++
      const forClient = query.ecs === 'none' ? msg : removeAddedClientSubnet(msg, query.ecs)
      if (query.cacheKey !== undefined) this.cache!.store(query.cacheKey, forClient, now, this.clientSubnet ? msg : undefined)
      this.answerClient(query, forClient)
    } catch (error) {
      this.report(error, 'upstream')
    }
  }

  private onUpstreamError(member: ProxyMember, error: Error): void {
    try {
      member.core.counters.errors++
      if ((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED') return this.report(error, 'upstream')
      this.markDown(member, 'port unreachable (ECONNREFUSED)', true)
    } catch (err) {
      this.report(err, 'upstream')
    }
  }

  /** Frees an attempt's id and slot; a removed member closes once nothing is left in flight. */
  private settle(attempt: Attempt): void {
    if (!attempt.live) return
    const member = attempt.member!
    const query = attempt.query
    member.unfile(attempt.upstream!, attempt.id, attempt.handle)
    this.releaseAttempt(attempt)
    if (query) {
      query.live--
      this.releaseIfSettled(query)
    }
    if (member.removed && member.outstanding === 0) this.closeMember(member)
  }

  private onHedgeDeadline(attempt: Attempt): void {
    if (!attempt.live) return
    const member = attempt.member!
    const query = attempt.query!
    if (member.up && member.recordUnanswered(this.unansweredToDown, attempt.sentAt) && this.othersAnsweredSince(member, member.unansweredSince)) {
      this.markDown(member, `frozen: ${member.unanswered} queries in a row unanswered`, false)
    }
    if (query.current === attempt) this.resend(query, 'hedges')
  }

  /**
   * Whether another member that can be asked answered a query sent after `since`. A run of
   * misses is evidence against one member only when the others kept answering meanwhile: when
   * all of them went quiet together the cause is on the proxy's side (a busy event loop, a
   * starved machine), and taking them all down would turn slowness into SERVFAIL for everyone.
   * The others' answers count by when their queries were sent, not when the answers were read:
   * when the proxy's receive path stalls, answers to older queries still trickle in (in
   * batches, on the shared member socket) and would otherwise pass for the others answering.
   */
  private othersAnsweredSince(member: ProxyMember, since: number): boolean {
    return this.members.some((m) => m !== member && m.available() && m.lastAnsweredSentAt > since)
  }

  private onAttemptExpired(attempt: Attempt): void {
    if (!attempt.live) return
    const member = attempt.member!
    const isQuery = attempt.query !== undefined
    this.settle(attempt)
    if (!isQuery) return
    if (member.recordTimeout(this.clock.now()) && member.up) {
      this.markDown(member, `${member.maxFails} timeout(s) within ${member.failTimeoutMs} ms`, false)
    }
  }

  /**
   * Takes a member down. Its queries in flight move on to other members now rather than at
   * their own deadlines; when the socket said the port is unreachable (`refused`) they cannot be
   * answered any more and are settled.
   */
  private markDown(member: ProxyMember, reason: string, refused: boolean): void {
    const now = this.clock.now()
    const wasUp = member.up
    member.markDown(reason, now)
    this.moveInFlight(member, refused)
    if (wasUp) this.reportDown(member, reason)
  }

  /** Re-sends a member's queries in flight to other members; `settle` first when its answers can no longer come (or must not be trusted). */
  private moveInFlight(member: ProxyMember, settle: boolean): void {
    const handles: number[] = []
    member.collectInFlight(handles)
    const moved = handles.map((h) => this.attemptSlots[h]!).sort((a, b) => a.order - b.order)
    // Read before settling: a settled slot is reused by the very resends below.
    const queries = moved.map((a) => (a.query !== undefined && a.query.current === a ? a.query : undefined))
    if (settle) for (const a of moved) this.settle(a)
    for (const query of queries) if (query) this.resend(query, 'retries')
  }

  private setHealth(member: ProxyMember, tracker: object, reason: string | undefined): void {
    const wasUp = member.up
    if (reason === undefined) member.healthHolds.delete(tracker)
    else member.healthHolds.set(tracker, reason)
    if (wasUp && !member.up) {
      // A checker says its answers are wrong: what it has yet to answer goes elsewhere now, and a
      // late answer from it is no longer taken.
      this.moveInFlight(member, true)
      this.reportDown(member, reason!)
    } else if (!wasUp && member.up) this.reportUp(member)
    else if (reason === undefined && member.healthDown === undefined && !this.closed) {
      // Released, but down by the pool's own verdict: probe now rather than at the next interval.
      this.probeDownMembers()
    }
  }

  private applyInitialState(member: ProxyMember, tracker: Tracker): void {
    if (tracker.source.state(tracker.target(member.snapshot())) === 'down') this.setHealth(member, tracker, 'health: down')
  }

  private reportDown(member: ProxyMember, reason: string): void {
    this.emit('member-down', { member: member.snapshot(), reason })
    if (!this.allDown && !this.members.some((m) => !m.disabled && m.up)) {
      this.allDown = true
      this.emit('all-down', { members: this.members.map((m) => m.snapshot()) })
    }
  }

  private reportUp(member: ProxyMember): void {
    this.allDown = false
    this.emit('member-up', { member: member.snapshot() })
  }

  /** Sends a `. NS` probe to every member that is down by its own health (not disabled, not held down by a tracked source). */
  private probeDownMembers(): void {
    try {
      const now = this.clock.now()
      for (const member of this.members) {
        if (!member.ready || member.disabled || member.healthDown !== undefined || member.core.status !== 'down') continue
        const probe = Uint8Array.from(PROBE)
        const attempt = this.takeAttempt()
        attempt.probe = probe
        attempt.member = member
        attempt.sentAt = now
        if (!this.send(attempt, probe)) {
          this.releaseAttempt(attempt)
          continue
        }
        member.core.counters.probes++
        this.deadlines.add(now + Math.min(this.probeIntervalMs, this.timeoutMs), attempt, tag(attempt.gen, PROBE_EXPIRE))
      }
    } catch (error) {
      this.report(error, 'timer')
    }
  }

  private report(error: unknown, phase: 'client' | 'upstream' | 'timer' | 'connect'): void {
    if (this.listenerCount('error') > 0) this.emit('error', { error, phase })
    else process.emitWarning(`UdpProxyPool ${phase}: ${error instanceof Error ? error.message : String(error)}`, { code: 'DNS_HA_PROXY_ERROR' })
  }
}

/** The client-facing engine for an `engine` option: `auto` takes the batched one where it can run on the default network. */
function chooseEngine(engine: ProxyEngine | 'auto', customNetwork: boolean, mode: 'dns' | 'datagram'): ProxyEngine {
  if (engine !== 'batched' && engine !== 'dgram' && engine !== 'auto') throw new DnsHaError('ERR_CONFIG', `engine must be 'batched', 'dgram' or 'auto', got ${String(engine)}`)
  if (engine === 'dgram') return 'dgram'
  if (mode === 'datagram') {
    if (engine === 'batched') throw new DnsHaError('ERR_CONFIG', "engine 'batched' serves DNS mode; datagram mode relays through per-client dgram sessions")
    return 'dgram'
  }
  const reason = batchedEngineUnavailable()
  if (engine === 'auto') return !customNetwork && reason === undefined ? 'batched' : 'dgram'
  if (reason !== undefined) throw new DnsHaError('ERR_CONFIG', `engine 'batched' cannot run here: ${reason}`)
  return 'batched'
}

/** The member side for a `memberSockets` option: connected by default; shared refused where a dead member would go unheard. */
function chooseMemberSockets(option: ProxyMemberSockets | undefined, engine: ProxyEngine, customNetwork: boolean, mode: 'dns' | 'datagram'): ProxyMemberSockets {
  if (option !== undefined && option !== 'shared' && option !== 'connected') throw new DnsHaError('ERR_CONFIG', `memberSockets must be 'shared' or 'connected', got ${String(option)}`)
  if (mode === 'datagram') {
    if (option === 'shared') throw new DnsHaError('ERR_CONFIG', "memberSockets 'shared' serves DNS mode; datagram mode relays through per-client sessions")
    return 'connected'
  }
  const chosen = option ?? 'connected'
  if (chosen === 'shared' && engine === 'dgram' && !customNetwork) {
    throw new DnsHaError('ERR_CONFIG', "memberSockets 'shared' needs the batched engine: an unconnected dgram socket hears no port unreachable, so a dead member would go unnoticed")
  }
  return chosen
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new DnsHaError('ERR_CONFIG', `${name} must be a positive number, got ${value}`)
  return value
}

function checkWeight(weight: number, key: string): void {
  if (!Number.isFinite(weight) || weight < 0) throw new DnsHaError('ERR_CONFIG', `member ${key}: weight must be a number >= 0, got ${weight}`)
}

/** Checks the options the relays take (TCP, datagram sessions, nginx's next-upstream rules). */
function checkRelayOptions(options: UdpProxyPoolOptions): void {
  if (options.responses !== undefined && !(Number.isInteger(options.responses) && options.responses >= 0)) {
    throw new DnsHaError('ERR_CONFIG', `responses must be an integer >= 0, got ${options.responses}`)
  }
  if (options.connectTimeoutMs !== undefined) positive(options.connectTimeoutMs, 'connectTimeoutMs')
  if (options.nextUpstreamTries !== undefined && !(Number.isInteger(options.nextUpstreamTries) && options.nextUpstreamTries >= 0)) {
    throw new DnsHaError('ERR_CONFIG', `nextUpstreamTries must be an integer >= 0, got ${options.nextUpstreamTries}`)
  }
  if (options.nextUpstreamTimeoutMs !== undefined && !(Number.isFinite(options.nextUpstreamTimeoutMs) && options.nextUpstreamTimeoutMs >= 0)) {
    throw new DnsHaError('ERR_CONFIG', `nextUpstreamTimeoutMs must be a number >= 0, got ${options.nextUpstreamTimeoutMs}`)
  }
}

function listenError(transport: 'UDP' | 'TCP', address: string, port: number, cause: unknown): DnsHaError {
  if (cause instanceof DnsHaError) return cause
  return new DnsHaError('ERR_SERVER_LISTEN', `cannot ${transport === 'UDP' ? 'bind' : 'listen'} ${transport} ${address}:${port}: ${(cause as Error).message}`, { cause })
}
