/**
 * Datagram mode: nginx `stream` UDP sessions for traffic that is not DNS (so cannot be
 * multiplexed by id). Each client (address and port) gets its own upstream socket, connected to
 * the member picked for it; the member's replies go back to that client. A session ends after
 * `responses` replies per client datagram (nginx `proxy_responses`), or after `timeoutMs` of
 * silence (nginx `proxy_timeout`), and its socket closes. Sessions are bounded: beyond
 * `maxSessions`, new clients are dropped and counted, so a flood of sources cannot exhaust
 * sockets. The upstream socket is connected, so a closed member port comes back at once as
 * ECONNREFUSED (ICMP port unreachable): the member is reported failed and the datagram retried
 * once on another member.
 */
import { EventEmitter } from 'eventemitter3'
import type { Clock, TimerHandle } from '../util/clock.js'
import { realClock } from '../util/clock.js'
import type { BoundAddress, DatagramSocket, Network, RemoteInfo } from '../util/network.js'
import { addressFamily, nodeNetwork } from '../util/network.js'
import type { MemberPicker, PickedMember } from './member-picker.js'

/** Options for {@link DatagramSessions}. */
export interface DatagramSessionsOptions {
  /** Chooses the member for each new client and hears how it did. */
  picker: MemberPicker
  /** Replies relayed per client datagram before the session ends (nginx `proxy_responses`, default 1); 0 ends it once sent. */
  responses?: number
  /** Silence (no datagram either way) after which a session ends (nginx `proxy_timeout`, default 2000 ms). */
  timeoutMs?: number
  /** Most sessions at once (default 10 000); new clients beyond it are dropped and counted. */
  maxSessions?: number
  /** Whether a datagram refused by its member (ICMP port unreachable) is sent once more to another member (nginx `proxy_next_upstream`, default true). */
  nextUpstream?: boolean
  network?: Network
  clock?: Clock
}

/** Why a session ended. */
export type SessionEndReason = 'responses' | 'timeout' | 'failed' | 'closed'

/** Events of {@link DatagramSessions}. */
export interface DatagramSessionsEvents {
  'session-open': (event: { client: RemoteInfo; member: string }) => void
  'session-close': (event: { client: RemoteInfo; member: string; reason: SessionEndReason }) => void
  /** A client datagram no session took: the session limit was reached, or no member was available. */
  dropped: (event: { client: RemoteInfo; reason: 'session-limit' | 'no-member' }) => void
  /** The listening socket failed; without a listener this surfaces as `process.emitWarning`. */
  error: (event: { error: Error }) => void
}

/** Counters of {@link DatagramSessions}, as plain data. */
export interface DatagramSessionsSnapshot {
  /** Sessions open now. */
  sessions: number
  opened: number
  closed: number
  /** Client datagrams received. */
  received: number
  /** Replies relayed back to clients. */
  relayed: number
  /** Datagrams re-sent to another member after ECONNREFUSED. */
  retried: number
  dropped: { sessionLimit: number; noMember: number }
}

/** Listen address for {@link DatagramSessions.listen}. */
export interface DatagramListenOptions {
  port: number
  /** An IPv4 or IPv6 literal (default `127.0.0.1`). */
  address?: string
}

interface Session {
  readonly client: RemoteInfo
  readonly id: string
  member: PickedMember
  socket: DatagramSocket
  /** Connected and ready to send; datagrams wait in `queue` until then. */
  ready: boolean
  queue: Buffer[]
  /** Replies still expected. */
  pending: number
  /** The last client datagram, kept for a retry on another member. */
  last: Buffer | undefined
  /** Members tried for the last datagram. */
  tried: Set<string>
  sentAt: number
  /** Whether a reply since the last send has been reported to the picker. */
  timed: boolean
  timer: TimerHandle | undefined
  ended: boolean
}

/** nginx-style per-client UDP sessions in front of a set of members. */
export class DatagramSessions extends EventEmitter<DatagramSessionsEvents> {
  private readonly picker: MemberPicker
  private readonly responses: number
  private readonly timeoutMs: number
  private readonly maxSessions: number
  private readonly nextUpstream: boolean
  private readonly network: Network
  private readonly clock: Clock
  private readonly sessions = new Map<string, Session>()
  private listener: DatagramSocket | undefined
  private closing = false
  private readonly counters = { opened: 0, closed: 0, received: 0, relayed: 0, retried: 0, sessionLimit: 0, noMember: 0 }

  constructor(options: DatagramSessionsOptions) {
    super()
    this.picker = options.picker
    this.responses = options.responses ?? 1
    this.timeoutMs = options.timeoutMs ?? 2000
    this.maxSessions = options.maxSessions ?? 10_000
    this.nextUpstream = options.nextUpstream ?? true
    this.network = options.network ?? nodeNetwork
    this.clock = options.clock ?? realClock
  }

  /** Binds the client-facing socket and starts relaying. */
  async listen(options: DatagramListenOptions): Promise<BoundAddress> {
    const address = options.address ?? '127.0.0.1'
    const socket = this.network.createDatagramSocket(addressFamily(address))
    socket.onMessage((msg, rinfo) => this.fromClient(msg, rinfo))
    socket.onError((error) => this.report(error))
    let bound: BoundAddress
    try {
      bound = await socket.bind(options.port, address)
    } catch (error) {
      await socket.close()
      throw error
    }
    this.listener = socket
    return bound
  }

  /** The bound client-facing address. */
  address(): BoundAddress {
    if (!this.listener) throw new Error('not listening')
    return this.listener.address()
  }

  /** Stops listening and ends every session. */
  async close(): Promise<void> {
    this.closing = true
    const ending = [...this.sessions.values()].map((s) => this.end(s, 'closed'))
    await Promise.all(ending)
    await this.listener?.close()
    this.listener = undefined
  }

  snapshot(): DatagramSessionsSnapshot {
    const c = this.counters
    return {
      sessions: this.sessions.size,
      opened: c.opened,
      closed: c.closed,
      received: c.received,
      relayed: c.relayed,
      retried: c.retried,
      dropped: { sessionLimit: c.sessionLimit, noMember: c.noMember },
    }
  }

  private fromClient(msg: Buffer, client: RemoteInfo): void {
    if (this.closing) return
    this.counters.received++
    const id = `${client.address}|${client.port}`
    let session = this.sessions.get(id)
    if (!session) {
      if (this.sessions.size >= this.maxSessions) {
        this.counters.sessionLimit++
        this.emit('dropped', { client, reason: 'session-limit' })
        return
      }
      const member = this.picker.pick(client.address, new Set())
      if (!member) {
        this.counters.noMember++
        this.emit('dropped', { client, reason: 'no-member' })
        return
      }
      session = this.open(client, id, member)
    }
    session.last = msg
    session.tried = new Set([session.member.key])
    session.pending += this.responses
    this.send(session, msg)
  }

  private open(client: RemoteInfo, id: string, member: PickedMember): Session {
    const session: Session = {
      client,
      id,
      member,
      socket: undefined as unknown as DatagramSocket,
      ready: false,
      queue: [],
      pending: 0,
      last: undefined,
      tried: new Set(),
      sentAt: 0,
      timed: true,
      timer: undefined,
      ended: false,
    }
    this.sessions.set(id, session)
    this.counters.opened++
    this.connect(session, member)
    this.touch(session)
    this.emit('session-open', { client, member: member.key })
    return session
  }

  /** Gives the session a socket connected to `member`; datagrams queue until it is ready. */
  private connect(session: Session, member: PickedMember): void {
    const socket = this.network.createDatagramSocket(addressFamily(member.address))
    session.member = member
    session.socket = socket
    session.ready = false
    socket.onMessage((msg) => {
      if (session.socket === socket) this.fromMember(session, msg)
    })
    socket.onError((error) => {
      if (session.socket === socket) this.memberError(session, error)
    })
    socket.connect(member.port, member.address).then(
      () => {
        if (session.socket !== socket || session.ended) return
        session.ready = true
        const queued = session.queue
        session.queue = []
        for (const msg of queued) this.send(session, msg)
      },
      (error: Error) => {
        if (session.socket === socket) this.memberError(session, error)
      },
    )
  }

  private send(session: Session, msg: Buffer): void {
    if (!session.ready) {
      session.queue.push(msg)
      return
    }
    session.sentAt = this.clock.now()
    session.timed = false
    this.touch(session)
    session.socket.send(msg, session.member.port, session.member.address, (error) => {
      if (error) return this.memberError(session, error)
      // proxy_responses 0: nothing comes back, so the session is done once the datagram is out.
      if (this.responses === 0 && session.pending === 0) void this.end(session, 'responses')
    })
  }

  private fromMember(session: Session, msg: Buffer): void {
    if (session.ended) return
    if (!session.timed) {
      session.timed = true
      this.picker.answered(session.member.key, this.clock.now() - session.sentAt)
    }
    this.listener?.send(msg, session.client.port, session.client.address)
    this.counters.relayed++
    if (session.pending > 0) session.pending--
    if (session.pending === 0) void this.end(session, 'responses')
    else this.touch(session)
  }

  private memberError(session: Session, error: Error): void {
    if (session.ended) return
    const code = (error as { code?: string }).code
    const refused = code === 'ECONNREFUSED'
    this.picker.failed(session.member.key, refused ? 'port unreachable' : `socket error: ${code ?? error.message}`)
    // One retry per client datagram, on a member not yet tried for it.
    if (refused && this.nextUpstream && session.last && session.tried.size === 1) {
      const next = this.picker.pick(session.client.address, session.tried)
      if (next) {
        session.tried.add(next.key)
        this.counters.retried++
        const old = session.socket
        this.connect(session, next)
        void old.close()
        this.send(session, session.last)
        return
      }
    }
    void this.end(session, 'failed')
  }

  /** (Re)arms the silence timer. */
  private touch(session: Session): void {
    this.clock.clearTimeout(session.timer)
    session.timer = this.clock.setTimeout(() => {
      // Replies still owed when the session goes silent count against the member, as in nginx.
      if (session.pending > 0) this.picker.failed(session.member.key, 'timeout')
      void this.end(session, 'timeout')
    }, this.timeoutMs)
  }

  private async end(session: Session, reason: SessionEndReason): Promise<void> {
    if (session.ended) return
    session.ended = true
    this.clock.clearTimeout(session.timer)
    this.sessions.delete(session.id)
    this.counters.closed++
    this.emit('session-close', { client: session.client, member: session.member.key, reason })
    await session.socket.close()
  }

  private report(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', { error })
    else process.emitWarning(`datagram sessions: ${error.message}`, { code: 'DNS_HA_PROXY_SOCKET' })
  }
}
