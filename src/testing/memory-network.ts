/**
 * An in-memory {@link Network}: datagram and stream sockets that live in one process, with
 * latency, jitter, loss, duplication and partitions, timed by an injected {@link Clock}. A whole
 * topology (servers, pool, prober, VRRP routers) runs on it with a `FakeClock` and no sockets.
 *
 * Addresses are plain strings; any address may be bound, and `0.0.0.0` / `::` bind every address
 * of their family. Zero-latency deliveries happen on the next microtask, so simple tests need not
 * move the clock at all.
 */
import type { Clock } from '../util/clock.js'
import { realClock } from '../util/clock.js'
import type { BoundAddress, DatagramSocket, Network, RemoteInfo, StreamConnectOptions, StreamServer, StreamSocket } from '../util/network.js'
import { addressFamily, UnreachableError } from '../util/network.js'
import type { Random } from '../util/random.js'
import { seededRandom } from '../util/random.js'

/** How a link treats what crosses it. */
export interface LinkConditions {
  /** One-way delay in milliseconds (default 0). */
  latencyMs?: number
  /** Extra random delay, uniform in `[0, jitterMs]` (default 0). */
  jitterMs?: number
  /** Probability that a datagram is lost (default 0). */
  loss?: number
  /** Probability that a datagram is delivered twice (default 0). */
  duplicate?: number
}

/** Options for {@link MemoryNetwork}. */
export interface MemoryNetworkOptions extends LinkConditions {
  /** Times deliveries with latency (default: the real clock; pass a `FakeClock` in tests). */
  clock?: Clock
  /** Draws loss, duplication and jitter (default: seeded, so runs repeat). */
  random?: Random
}

/** One datagram seen by the network, for {@link MemoryNetwork.onDatagram} taps. */
export interface DatagramRecord {
  from: RemoteInfo
  to: RemoteInfo
  data: Buffer
  /** What happened to it. */
  fate: 'delivered' | 'lost' | 'partitioned' | 'unreachable'
}

/** Counters of {@link MemoryNetwork}. */
export interface MemoryNetworkSnapshot {
  sent: number
  delivered: number
  lost: number
  partitioned: number
  unreachable: number
  duplicated: number
}

/** An in-process network for tests and simulations. */
export class MemoryNetwork implements Network {
  readonly clock: Clock
  private readonly random: Random
  private readonly defaults: Required<LinkConditions>
  private readonly links = new Map<string, LinkConditions>()
  private readonly cuts = new Set<string>()
  private readonly datagramSockets = new Map<string, MemoryDatagramSocket>()
  private readonly streamServers = new Map<string, MemoryStreamServer>()
  private readonly taps = new Set<(record: DatagramRecord) => void>()
  private nextPort = 49152
  private readonly counters: MemoryNetworkSnapshot = { sent: 0, delivered: 0, lost: 0, partitioned: 0, unreachable: 0, duplicated: 0 }

  constructor(options: MemoryNetworkOptions = {}) {
    this.clock = options.clock ?? realClock
    this.random = options.random ?? seededRandom(1)
    this.defaults = {
      latencyMs: options.latencyMs ?? 0,
      jitterMs: options.jitterMs ?? 0,
      loss: options.loss ?? 0,
      duplicate: options.duplicate ?? 0,
    }
  }

  createDatagramSocket(family: 4 | 6): DatagramSocket {
    return new MemoryDatagramSocket(this, family)
  }

  createStreamServer(onConnection: (socket: StreamSocket) => void): StreamServer {
    return new MemoryStreamServer(this, onConnection)
  }

  async connectStream(address: string, port: number, options: StreamConnectOptions = {}): Promise<StreamSocket> {
    const local = options.localAddress ?? (addressFamily(address) === 6 ? '::1' : '127.0.0.1')
    const server = this.lookup(this.streamServers, address, port)
    if (!server || this.isCut(local, address)) {
      if (server && options.timeoutMs !== undefined) {
        // A partition swallows the SYN: the caller sees its own timeout, as on a real network.
        await new Promise<void>((resolve) => this.clock.setTimeout(resolve, options.timeoutMs!))
        throw new Error(`connect to ${address}:${port} timed out`)
      }
      throw Object.assign(new Error(`connect ECONNREFUSED ${address}:${port}`), { code: 'ECONNREFUSED' })
    }
    const clientInfo: RemoteInfo = { address: local, port: this.allocatePort(), family: familyName(address) }
    const serverInfo: RemoteInfo = { address, port, family: familyName(address) }
    const client = new MemoryStreamSocket(this, serverInfo)
    const peer = new MemoryStreamSocket(this, clientInfo)
    client.peer = peer
    peer.peer = client
    await this.after(this.conditions(local, address), () => server.accept(peer))
    return client
  }

  /** Sets the conditions of the link from `from` to `to` (addresses; one direction). */
  setLink(from: string, to: string, conditions: LinkConditions): void {
    this.links.set(`${from}>${to}`, conditions)
  }

  /** Cuts every link between the two groups of addresses, both ways, until {@link MemoryNetwork.heal}. */
  partition(groupA: readonly string[], groupB: readonly string[]): void {
    for (const a of groupA) for (const b of groupB) {
      this.cuts.add(`${a}>${b}`)
      this.cuts.add(`${b}>${a}`)
    }
  }

  /** Removes every partition (or only those between the two groups). */
  heal(groupA?: readonly string[], groupB?: readonly string[]): void {
    if (!groupA || !groupB) return this.cuts.clear()
    for (const a of groupA) for (const b of groupB) {
      this.cuts.delete(`${a}>${b}`)
      this.cuts.delete(`${b}>${a}`)
    }
  }

  /** Calls `tap` for every datagram sent; returns a function that removes the tap. */
  onDatagram(tap: (record: DatagramRecord) => void): () => void {
    this.taps.add(tap)
    return () => this.taps.delete(tap)
  }

  /** Counters since construction. */
  snapshot(): MemoryNetworkSnapshot {
    return { ...this.counters }
  }

  // ---- used by the sockets ----

  /** @internal */
  bindDatagram(socket: MemoryDatagramSocket, port: number, address: string): BoundAddress {
    const chosen = port === 0 ? this.allocatePort((p) => taken(this.datagramSockets, address, p)) : port
    if (taken(this.datagramSockets, address, chosen)) throw Object.assign(new Error(`bind EADDRINUSE ${address}:${chosen}`), { code: 'EADDRINUSE' })
    this.datagramSockets.set(`${address}|${chosen}`, socket)
    return { address, port: chosen, family: familyName(address) }
  }

  /** @internal */
  unbindDatagram(bound: BoundAddress): void {
    this.datagramSockets.delete(`${bound.address}|${bound.port}`)
  }

  /** @internal */
  bindStream(server: MemoryStreamServer, port: number, address: string): BoundAddress {
    const chosen = port === 0 ? this.allocatePort((p) => taken(this.streamServers, address, p)) : port
    if (taken(this.streamServers, address, chosen)) throw Object.assign(new Error(`listen EADDRINUSE ${address}:${chosen}`), { code: 'EADDRINUSE' })
    this.streamServers.set(`${address}|${chosen}`, server)
    return { address, port: chosen, family: familyName(address) }
  }

  /** @internal */
  unbindStream(bound: BoundAddress): void {
    this.streamServers.delete(`${bound.address}|${bound.port}`)
  }

  /**
   * @internal `onUnreachable` is the sender's, when it is connected or asked for its errors
   * (`reportUnreachable`): nobody bound at the destination then comes back as an
   * {@link UnreachableError} (ECONNREFUSED), as Linux reports an ICMP port unreachable.
   */
  sendDatagram(from: RemoteInfo, data: Buffer, port: number, address: string, onUnreachable?: (err: Error) => void): void {
    this.counters.sent++
    const to: RemoteInfo = { address, port, family: familyName(address) }
    const record = (fate: DatagramRecord['fate']): void => {
      for (const tap of this.taps) tap({ from, to, data, fate })
    }
    if (this.isCut(from.address, address)) {
      this.counters.partitioned++
      return record('partitioned')
    }
    const cond = this.conditions(from.address, address)
    if (cond.loss > 0 && this.chance(cond.loss)) {
      this.counters.lost++
      return record('lost')
    }
    const copies = cond.duplicate > 0 && this.chance(cond.duplicate) ? 2 : 1
    if (copies === 2) this.counters.duplicated++
    const target = this.lookup(this.datagramSockets, address, port)
    if (!target) {
      this.counters.unreachable++
      if (onUnreachable) {
        const err = Object.assign(new UnreachableError('ECONNREFUSED', { address, port }, address), { syscall: 'recvmsg' })
        void this.after(this.conditions(address, from.address), () => onUnreachable(err))
      }
      return record('unreachable')
    }
    record('delivered')
    for (let i = 0; i < copies; i++) {
      void this.after(cond, () => {
        // The socket may have closed, or the partition begun, while the datagram was in flight.
        if (this.lookup(this.datagramSockets, address, port) !== target || this.isCut(from.address, address)) return
        this.counters.delivered++
        target.deliver(Buffer.from(data), from)
      })
    }
  }

  /** @internal */
  sendStream(from: MemoryStreamSocket, data: Buffer): void {
    const to = from.peer
    if (!to) return
    const fromAddr = to.remote.address
    const toAddr = from.remote.address
    if (this.isCut(fromAddr, toAddr)) {
      // A partition resets the connection rather than stalling it forever.
      from.destroy()
      return
    }
    from.inFlight++
    void this.after(this.conditions(fromAddr, toAddr), () => {
      to.deliver(data)
      from.inFlight--
      from.finishIfEnded()
    })
  }

  // ---- helpers ----

  private lookup<T>(table: Map<string, T>, address: string, port: number): T | undefined {
    return table.get(`${address}|${port}`) ?? table.get(`${addressFamily(address) === 6 ? '::' : '0.0.0.0'}|${port}`)
  }

  private conditions(from: string, to: string): Required<LinkConditions> {
    const link = this.links.get(`${from}>${to}`)
    return link ? { ...this.defaults, ...link } : this.defaults
  }

  private isCut(from: string, to: string): boolean {
    return this.cuts.size > 0 && this.cuts.has(`${from}>${to}`)
  }

  private chance(p: number): boolean {
    return this.random.int(1_000_000) < p * 1_000_000
  }

  private after(cond: Required<LinkConditions>, fn: () => void): Promise<void> {
    const delay = cond.latencyMs + (cond.jitterMs > 0 ? this.random.int(cond.jitterMs + 1) : 0)
    return new Promise((resolve) => {
      const run = (): void => {
        fn()
        resolve()
      }
      if (delay <= 0) queueMicrotask(run)
      else this.clock.setTimeout(run, delay)
    })
  }

  /** The next ephemeral port `inUse` says is free (as the kernel never hands out a bound port). */
  private allocatePort(inUse: (port: number) => boolean = () => false): number {
    for (let i = 0; i < 65536 - 49152; i++) {
      const port = this.nextPort
      this.nextPort = this.nextPort >= 65535 ? 49152 : this.nextPort + 1
      if (!inUse(port)) return port
    }
    throw Object.assign(new Error('bind EADDRINUSE: no free ephemeral port'), { code: 'EADDRINUSE' })
  }
}

class MemoryDatagramSocket implements DatagramSocket {
  private bound: BoundAddress | undefined
  /** The peer of a connected socket. */
  private peer: { address: string; port: number } | undefined
  private messageHandler: (msg: Buffer, rinfo: RemoteInfo) => void = () => {}
  private errorHandler: (err: Error) => void = () => {}
  /** Unconnected, yet reports the port unreachable of its destinations ({@link DatagramSocket.reportUnreachable}). */
  private reportsUnreachable = false

  constructor(
    private readonly network: MemoryNetwork,
    private readonly family: 4 | 6,
  ) {}

  async bind(port: number, address: string): Promise<BoundAddress> {
    this.bound = this.network.bindDatagram(this, port, address)
    return this.bound
  }

  async connect(port: number, address: string): Promise<void> {
    this.bound ??= this.network.bindDatagram(this, 0, this.family === 6 ? '::1' : '127.0.0.1')
    this.peer = { address, port }
  }

  onMessage(handler: (msg: Buffer, rinfo: RemoteInfo) => void): void {
    this.messageHandler = handler
  }

  reportUnreachable(): boolean {
    this.reportsUnreachable = true
    return true
  }

  setReceiveBufferSize(): void {
    // Memory sockets queue without limit: there is no buffer to size.
  }

  onError(handler: (err: Error) => void): void {
    this.errorHandler = handler
  }

  send(msg: Uint8Array, port: number, address: string, callback?: (err: Error | null) => void): void {
    // An unbound socket gets an ephemeral port on first send, as the kernel does.
    this.bound ??= this.network.bindDatagram(this, 0, this.family === 6 ? '::1' : '127.0.0.1')
    const peer = this.peer
    const to = peer ?? { address, port }
    const from: RemoteInfo = { address: this.localAddressFor(to.address), port: this.bound.port, family: this.bound.family }
    this.network.sendDatagram(from, Buffer.from(msg), to.port, to.address, peer || this.reportsUnreachable ? (err) => this.fail(err) : undefined)
    if (callback) queueMicrotask(() => callback(null))
  }

  address(): BoundAddress {
    if (!this.bound) throw new Error('socket is not bound')
    return this.bound
  }

  async close(): Promise<void> {
    if (this.bound) this.network.unbindDatagram(this.bound)
    this.bound = undefined
  }

  /** @internal */
  deliver(msg: Buffer, from: RemoteInfo): void {
    // A connected socket hears only its peer (the kernel filters the rest).
    if (this.peer && (this.peer.port !== from.port || this.peer.address !== from.address)) return
    try {
      this.messageHandler(msg, from)
    } catch (err) {
      this.errorHandler(err as Error)
    }
  }

  private fail(err: Error): void {
    if (this.bound) this.errorHandler(err)
  }

  private localAddressFor(destination: string): string {
    const a = this.bound!.address
    if (a !== '0.0.0.0' && a !== '::') return a
    // A wildcard-bound socket sends from the address the destination is reached by: here, itself.
    return destination
  }
}

class MemoryStreamServer implements StreamServer {
  private bound: BoundAddress | undefined

  constructor(
    private readonly network: MemoryNetwork,
    private readonly onConnection: (socket: StreamSocket) => void,
  ) {}

  async listen(port: number, address: string): Promise<BoundAddress> {
    this.bound = this.network.bindStream(this, port, address)
    return this.bound
  }

  address(): BoundAddress {
    if (!this.bound) throw new Error('server is not listening')
    return this.bound
  }

  async close(): Promise<void> {
    if (this.bound) this.network.unbindStream(this.bound)
    this.bound = undefined
  }

  /** @internal */
  accept(socket: MemoryStreamSocket): void {
    if (this.bound) this.onConnection(socket)
    else socket.destroy()
  }
}

class MemoryStreamSocket implements StreamSocket {
  peer: MemoryStreamSocket | undefined
  /** @internal bytes written and not yet delivered */
  inFlight = 0
  private dataHandler: (chunk: Buffer) => void = () => {}
  private closeHandlers: (() => void)[] = []
  private paused = false
  private readonly inbox: Buffer[] = []
  private closed = false
  private ended = false

  constructor(
    private readonly network: MemoryNetwork,
    readonly remote: RemoteInfo,
  ) {}

  get writableLength(): number {
    return 0
  }

  write(data: Uint8Array): boolean {
    if (this.closed || this.ended) return false
    this.network.sendStream(this, Buffer.from(data))
    return true
  }

  onData(handler: (chunk: Buffer) => void): void {
    this.dataHandler = handler
  }

  onDrain(): void {
    // Memory writes never back up, so there is never a drain to wait for.
  }

  onClose(handler: () => void): void {
    // Like a real socket, a connection already gone still reports its close (later).
    if (this.closed) queueMicrotask(handler)
    else this.closeHandlers.push(handler)
  }

  onError(): void {
    // Memory streams do not fail; a partition or peer close ends them through onClose.
  }

  pause(): void {
    this.paused = true
  }

  resume(): void {
    this.paused = false
    while (!this.paused && this.inbox.length > 0) this.dataHandler(this.inbox.shift()!)
  }

  end(): void {
    if (this.ended || this.closed) return
    this.ended = true
    // What is already in flight is delivered first; then both sides close.
    this.finishIfEnded()
  }

  /** @internal */
  finishIfEnded(): void {
    if (this.ended && this.inFlight === 0) queueMicrotask(() => this.destroy())
  }

  destroy(): void {
    if (this.closed) return
    this.closed = true
    const peer = this.peer
    this.peer = undefined
    for (const h of this.closeHandlers) h()
    this.closeHandlers = []
    if (peer && !peer.closed) queueMicrotask(() => peer.destroy())
  }

  /** @internal */
  deliver(chunk: Buffer): void {
    if (this.closed) return
    if (this.paused) this.inbox.push(chunk)
    else this.dataHandler(chunk)
  }
}

/**
 * Whether binding `address`:`port` clashes with a bound endpoint, as on Linux without
 * SO_REUSEADDR: the same address and port, or a wildcard and any address of its family on the
 * same port. Letting a wildcard bind beside a specific one made a reply to the specific
 * address reach the wrong socket (a client's random source port equal to a server's port lost
 * its answer), which depended on the random draw.
 */
function taken(table: Map<string, unknown>, address: string, port: number): boolean {
  if (table.has(`${address}|${port}`)) return true
  const family = addressFamily(address)
  const wildcard = family === 6 ? '::' : '0.0.0.0'
  if (address !== wildcard) return table.has(`${wildcard}|${port}`)
  const suffix = `|${port}`
  for (const key of table.keys()) if (key.endsWith(suffix) && addressFamily(key.slice(0, -suffix.length)) === family) return true
  return false
}

function familyName(address: string): 'IPv4' | 'IPv6' {
  return addressFamily(address) === 6 ? 'IPv6' : 'IPv4'
}
