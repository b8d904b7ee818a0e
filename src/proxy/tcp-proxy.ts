/**
 * TCP proxying, for DNS over TCP and zone transfers: each client connection is relayed to one
 * member, as nginx `stream` does. The member is picked per connection; a connect that is refused
 * or takes longer than `connectTimeoutMs` reports the member failed and moves on to the next one
 * (at most `tries` members). Bytes then flow both ways with backpressure (the reading side pauses
 * while the other side's buffer is full, and resumes on drain), and when either side closes the
 * other is ended after its queued bytes, so a connection never stays half alive. An optional
 * PROXY protocol v2 header tells the member the real client address.
 */
import { EventEmitter } from 'eventemitter3'
import type { Clock, TimerHandle } from '../util/clock.js'
import { realClock } from '../util/clock.js'
import type { BoundAddress, Network, RemoteInfo, StreamServer, StreamSocket } from '../util/network.js'
import { nodeNetwork } from '../util/network.js'
import type { MemberPicker, PickedMember } from './member-picker.js'
import { encodeProxyV2Header } from './proxy-protocol.js'

/** Options for {@link TcpProxy}. */
export interface TcpProxyOptions {
  /** Chooses the member for each connection and hears how it did. */
  picker: MemberPicker
  /** How long connecting to one member may take (nginx `proxy_connect_timeout`, default 1000 ms). */
  connectTimeoutMs?: number
  /** Members tried per connection before giving up (nginx `proxy_next_upstream_tries`, default 3). */
  tries?: number
  /** Moving on to another member stops once this long has passed since the connection came (nginx `proxy_next_upstream_timeout`; default 0, no limit). */
  nextUpstreamTimeoutMs?: number
  /** A connection with no bytes either way for this long is closed (nginx `proxy_timeout`, default 10 000 ms). */
  idleTimeoutMs?: number
  /** Send a PROXY protocol v2 header to the member first (default false). */
  proxyProtocol?: boolean
  /** Most connections at once (default 1000); beyond it new connections are closed and counted. */
  maxConnections?: number
  network?: Network
  clock?: Clock
}

/** Why a proxied connection ended. */
export type TcpCloseReason = 'client-closed' | 'member-closed' | 'idle' | 'no-member' | 'closed'

/** Events of {@link TcpProxy}. */
export interface TcpProxyEvents {
  'connection-open': (event: { client: RemoteInfo; member: string }) => void
  'connection-close': (event: { client: RemoteInfo; member: string | undefined; reason: TcpCloseReason }) => void
  /** A connection refused at once because `maxConnections` were open. */
  rejected: (event: { client: RemoteInfo }) => void
}

/** Counters of {@link TcpProxy}, as plain data. */
export interface TcpProxySnapshot {
  /** Connections open now (connecting or relaying). */
  connections: number
  accepted: number
  /** Connections relayed to a member. */
  relayed: number
  /** Member connects that failed (refused or timed out). */
  connectFailures: number
  /** Connections closed because no member could be reached. */
  noMember: number
  rejected: number
  /** Bytes from clients to members, and back. */
  bytesUp: number
  bytesDown: number
}

/** Listen address for {@link TcpProxy.listen}. */
export interface TcpListenOptions {
  port: number
  /** An IPv4 or IPv6 literal (default `127.0.0.1`). */
  address?: string
}

interface Connection {
  readonly client: StreamSocket
  upstream: StreamSocket | undefined
  member: PickedMember | undefined
  /** Client bytes that arrived before the member connection was up. */
  early: Buffer[]
  lastActivity: number
  timer: TimerHandle | undefined
  ended: boolean
}

/** A TCP relay from one listening address to a set of members. */
export class TcpProxy extends EventEmitter<TcpProxyEvents> {
  private readonly picker: MemberPicker
  private readonly connectTimeoutMs: number
  private readonly tries: number
  private readonly nextUpstreamTimeoutMs: number
  private readonly idleTimeoutMs: number
  private readonly proxyProtocol: boolean
  private readonly maxConnections: number
  private readonly network: Network
  private readonly clock: Clock
  private readonly connections = new Set<Connection>()
  private server: StreamServer | undefined
  private bound: BoundAddress | undefined
  private closing = false
  private readonly counters = { accepted: 0, relayed: 0, connectFailures: 0, noMember: 0, rejected: 0, bytesUp: 0, bytesDown: 0 }

  constructor(options: TcpProxyOptions) {
    super()
    this.picker = options.picker
    this.connectTimeoutMs = options.connectTimeoutMs ?? 1000
    this.tries = Math.max(1, options.tries ?? 3)
    this.nextUpstreamTimeoutMs = options.nextUpstreamTimeoutMs ?? 0
    this.idleTimeoutMs = options.idleTimeoutMs ?? 10_000
    this.proxyProtocol = options.proxyProtocol ?? false
    this.maxConnections = options.maxConnections ?? 1000
    this.network = options.network ?? nodeNetwork
    this.clock = options.clock ?? realClock
  }

  /** Starts accepting connections. */
  async listen(options: TcpListenOptions): Promise<BoundAddress> {
    const server = this.network.createStreamServer((socket) => this.accept(socket))
    this.bound = await server.listen(options.port, options.address ?? '127.0.0.1')
    this.server = server
    return this.bound
  }

  /** The bound address. */
  address(): BoundAddress {
    if (!this.bound) throw new Error('not listening')
    return this.bound
  }

  /** Stops accepting and closes every connection at once. */
  async close(): Promise<void> {
    this.closing = true
    for (const conn of [...this.connections]) this.finish(conn, 'closed', true)
    await this.server?.close()
    this.server = undefined
  }

  snapshot(): TcpProxySnapshot {
    return { connections: this.connections.size, ...this.counters }
  }

  private accept(client: StreamSocket): void {
    if (this.closing || this.connections.size >= this.maxConnections) {
      this.counters.rejected++
      client.destroy()
      this.emit('rejected', { client: client.remote })
      return
    }
    this.counters.accepted++
    const conn: Connection = { client, upstream: undefined, member: undefined, early: [], lastActivity: this.clock.now(), timer: undefined, ended: false }
    this.connections.add(conn)
    // Hold the client's bytes until a member is connected.
    client.pause()
    client.onData((chunk) => this.fromClient(conn, chunk))
    client.onDrain(() => conn.upstream?.resume())
    client.onError(() => {})
    client.onClose(() => this.finish(conn, 'client-closed', false))
    this.armIdle(conn)
    void this.connectMember(conn)
  }

  private async connectMember(conn: Connection): Promise<void> {
    const tried = new Set<string>()
    const since = this.clock.now()
    for (let attempt = 0; attempt < this.tries; attempt++) {
      if (attempt > 0 && this.nextUpstreamTimeoutMs > 0 && this.clock.now() - since >= this.nextUpstreamTimeoutMs) break
      const member = this.picker.pick(conn.client.remote.address, tried)
      if (!member) break
      tried.add(member.key)
      const started = this.clock.now()
      let upstream: StreamSocket
      try {
        upstream = await this.network.connectStream(member.address, member.port, { timeoutMs: this.connectTimeoutMs })
      } catch (error) {
        this.counters.connectFailures++
        this.picker.failed(member.key, `connect: ${(error as Error).message}`)
        if (conn.ended) return
        continue
      }
      if (conn.ended) {
        upstream.destroy()
        return
      }
      // A completed handshake is one round trip to the member.
      this.picker.answered(member.key, this.clock.now() - started)
      this.relay(conn, upstream, member)
      return
    }
    this.counters.noMember++
    this.finish(conn, 'no-member', true)
  }

  private relay(conn: Connection, upstream: StreamSocket, member: PickedMember): void {
    conn.upstream = upstream
    conn.member = member
    this.counters.relayed++
    upstream.onData((chunk) => this.fromMember(conn, chunk))
    upstream.onDrain(() => conn.client.resume())
    upstream.onError(() => {})
    upstream.onClose(() => this.finish(conn, 'member-closed', false))
    if (this.proxyProtocol && this.bound) upstream.write(encodeProxyV2Header(conn.client.remote, this.bound))
    const early = conn.early
    conn.early = []
    for (const chunk of early) this.fromClient(conn, chunk)
    this.emit('connection-open', { client: conn.client.remote, member: member.key })
    conn.client.resume()
  }

  private fromClient(conn: Connection, chunk: Buffer): void {
    if (conn.ended) return
    const upstream = conn.upstream
    if (!upstream) {
      conn.early.push(chunk)
      return
    }
    conn.lastActivity = this.clock.now()
    this.counters.bytesUp += chunk.length
    if (!upstream.write(chunk)) conn.client.pause()
  }

  private fromMember(conn: Connection, chunk: Buffer): void {
    if (conn.ended) return
    conn.lastActivity = this.clock.now()
    this.counters.bytesDown += chunk.length
    if (!conn.client.write(chunk)) conn.upstream!.pause()
  }

  /** One timer per connection, re-armed for the remainder rather than reset on every chunk. */
  private armIdle(conn: Connection): void {
    const due = conn.lastActivity + this.idleTimeoutMs - this.clock.now()
    conn.timer = this.clock.setTimeout(() => {
      if (conn.ended) return
      if (this.clock.now() - conn.lastActivity >= this.idleTimeoutMs) this.finish(conn, 'idle', true)
      else this.armIdle(conn)
    }, Math.max(0, due))
  }

  /**
   * Ends both sides together. A side that closed by itself has said all it will; the other is
   * ended gracefully so what it still has queued is delivered, and destroyed one idle period
   * later if it never finishes. Idle, failure and close() destroy both at once.
   */
  private finish(conn: Connection, reason: TcpCloseReason, destroy: boolean): void {
    if (conn.ended) return
    conn.ended = true
    this.clock.clearTimeout(conn.timer)
    this.connections.delete(conn)
    const gone = reason === 'client-closed' ? conn.client : reason === 'member-closed' ? conn.upstream : undefined
    for (const socket of [conn.client, conn.upstream]) {
      if (!socket || socket === gone) continue
      if (destroy) {
        socket.destroy()
        continue
      }
      socket.end()
      const grace = this.clock.setTimeout(() => socket.destroy(), this.idleTimeoutMs)
      socket.onClose(() => this.clock.clearTimeout(grace))
    }
    this.emit('connection-close', { client: conn.client.remote, member: conn.member?.key, reason })
  }
}
