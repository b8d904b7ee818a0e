/**
 * One DNS-over-TCP connection (RFC 7766): 2-byte length framing, several queries per connection
 * answered as they complete (possibly out of order), a cap on queries in progress (reading pauses
 * at the cap), slow-reader protection (a client that does not read its answers is cut off once
 * too much is queued for it), and three clocks:
 *
 * - idle: no message in progress and nothing arriving for `idleTimeoutMs` → closed (RFC 7766 §6.2.3);
 * - message: a message must arrive whole within `messageTimeoutMs` of its first byte (the first
 *   one within that time of the connection opening), so a client dripping one byte every few
 *   seconds cannot hold a connection (BIND `tcp-initial-timeout`, Knot `tcp-io-timeout`);
 * - lifetime: after `maxLifetimeMs` the connection stops reading, finishes the answers in
 *   progress and closes, however busy it is, so no client holds a connection for ever.
 */
import type { Clock, TimerHandle } from '../util/clock.js'
import type { StreamSocket } from '../util/network.js'
import type { ClientInfo } from './query.js'

/** What a connection needs of its server (the DnsServer; declared here so the two files do not import each other). @internal */
export interface TcpHost {
  readonly clock: Clock
  readonly tcpLimits: TcpLimits
  reportError(error: unknown, phase: 'socket', client?: ClientInfo): void
}

/** The TCP limits, resolved from DnsServer's options. @internal */
export interface TcpLimits {
  idleTimeoutMs: number
  messageTimeoutMs: number
  maxLifetimeMs: number
  maxQueries: number
  maxWriteBuffer: number
}

/**
 * Writes one message of a multi-message answer; resolves `true` once there is room for the next,
 * `false` when the connection is gone (stop producing). `undefined` aborts: the connection is
 * closed at once (a stream that failed half way must not look complete). @internal
 */
export type StreamWrite = (bytes: Uint8Array | undefined) => Promise<boolean>

/** @internal */
export class TcpConnection {
  /** Streams waiting for the socket to drain (AXFR answers larger than the socket buffer). */
  private drainWaiters: (() => void)[] = []
  private drainTimer: TimerHandle | undefined
  private pending: Buffer = Buffer.alloc(0)
  private active = 0
  private idleTimer: TimerHandle | undefined
  /** Running while a message is incomplete (and from the start until the first one is whole). */
  private messageTimer: TimerHandle | undefined
  private lifeTimer: TimerHandle | undefined
  private closed = false
  private paused = false
  /** Past its lifetime: no more reading, closing once the answers in progress are sent. */
  private retiring = false

  constructor(
    private readonly socket: StreamSocket,
    private readonly server: TcpHost,
    private readonly processMessage: (raw: Buffer, send: (bytes: Uint8Array) => void, done: () => void, stream: StreamWrite) => void,
  ) {
    socket.onData((chunk) => this.onData(chunk))
    socket.onError(() => this.close())
    socket.onDrain(() => this.onDrain())
    socket.onClose(() => {
      this.closed = true
      this.clearTimers()
      this.onDrain()
    })
    const limits = server.tcpLimits
    this.armIdle()
    this.messageTimer = server.clock.setTimeout(() => this.onMessageTimeout(), limits.messageTimeoutMs)
    if (limits.maxLifetimeMs > 0) this.lifeTimer = server.clock.setTimeout(() => this.retire(), limits.maxLifetimeMs)
  }

  /** Closes now, discarding anything queued. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.clearTimers()
    this.socket.destroy()
  }

  private onData(chunk: Buffer): void {
    if (this.closed || this.retiring) return
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    this.armIdle()
    while (this.pending.length >= 2 && !this.closed) {
      const length = this.pending.readUInt16BE(0)
      if (length === 0) {
        // A zero-length message cannot be DNS: the stream is out of step, so end it.
        this.close()
        return
      }
      if (this.pending.length < 2 + length) break
      // Copy out, so a retained query does not pin the whole read buffer.
      const message = Buffer.from(this.pending.subarray(2, 2 + length))
      this.pending = this.pending.subarray(2 + length)
      this.active++
      if (this.active >= this.server.tcpLimits.maxQueries && !this.paused) {
        this.paused = true
        this.socket.pause()
      }
      // A whole message: its clock stops (the next one's starts below, with its first byte).
      this.server.clock.clearTimeout(this.messageTimer)
      this.messageTimer = undefined
      this.processMessage(message, (bytes) => this.write(bytes), () => this.onAnswered(), this.streamWrite)
    }
    if (this.closed) return
    if (this.pending.length > 0 && this.messageTimer === undefined) {
      this.messageTimer = this.server.clock.setTimeout(() => this.onMessageTimeout(), this.server.tcpLimits.messageTimeoutMs)
    }
  }

  private onAnswered(): void {
    this.active--
    if (this.retiring) {
      if (this.active === 0) this.end()
      return
    }
    if (this.paused && this.active < this.server.tcpLimits.maxQueries && !this.closed) {
      this.paused = false
      this.socket.resume()
    }
    this.armIdle()
  }

  private write(bytes: Uint8Array): void {
    if (this.closed) return
    const framed = Buffer.allocUnsafe(bytes.length + 2)
    framed.writeUInt16BE(bytes.length, 0)
    framed.set(bytes, 2)
    this.socket.write(framed)
    if (this.socket.writableLength > this.server.tcpLimits.maxWriteBuffer) {
      this.server.reportError(new Error('TCP client is not reading its answers; disconnected'), 'socket', this.socket.remote)
      this.close()
    }
  }

  /**
   * A stream's write: framed and queued without the slow-reader cap (the stream itself waits for
   * drain instead), and a client that reads nothing for `idleTimeoutMs` while we wait is cut off.
   */
  private readonly streamWrite: StreamWrite = (bytes) => {
    if (this.closed) return Promise.resolve(false)
    if (bytes === undefined) {
      this.close()
      return Promise.resolve(false)
    }
    const framed = Buffer.allocUnsafe(bytes.length + 2)
    framed.writeUInt16BE(bytes.length, 0)
    framed.set(bytes, 2)
    if (this.socket.write(framed)) return Promise.resolve(true)
    if (this.drainTimer === undefined) {
      this.drainTimer = this.server.clock.setTimeout(() => {
        this.drainTimer = undefined
        this.server.reportError(new Error('TCP client stopped reading a transfer; disconnected'), 'socket', this.socket.remote)
        this.close()
        this.onDrain()
      }, this.server.tcpLimits.idleTimeoutMs)
    }
    return new Promise((resolve) => this.drainWaiters.push(() => resolve(!this.closed)))
  }

  private onDrain(): void {
    this.server.clock.clearTimeout(this.drainTimer)
    this.drainTimer = undefined
    if (this.drainWaiters.length === 0) return
    for (const wake of this.drainWaiters.splice(0)) wake()
  }

  private onMessageTimeout(): void {
    this.messageTimer = undefined
    if (this.closed) return
    // Reading is paused while our handler is busy: the bytes waiting are not the client's delay.
    if (this.paused) {
      this.messageTimer = this.server.clock.setTimeout(() => this.onMessageTimeout(), this.server.tcpLimits.messageTimeoutMs)
      return
    }
    this.close()
  }

  /** The connection has lived long enough: read nothing more, send what is in progress, close. */
  private retire(): void {
    this.lifeTimer = undefined
    if (this.closed) return
    this.retiring = true
    this.pending = Buffer.alloc(0)
    this.server.clock.clearTimeout(this.messageTimer)
    this.server.clock.clearTimeout(this.idleTimer)
    this.messageTimer = this.idleTimer = undefined
    if (!this.paused) this.socket.pause()
    this.paused = true
    if (this.active === 0) this.end()
    // Answers in progress get one idle period to finish; a handler that never answers does not keep the connection.
    else this.lifeTimer = this.server.clock.setTimeout(() => this.close(), this.server.tcpLimits.idleTimeoutMs)
  }

  private end(): void {
    if (this.closed) return
    this.closed = true
    this.clearTimers()
    this.socket.end()
  }

  private clearTimers(): void {
    const clock = this.server.clock
    clock.clearTimeout(this.idleTimer)
    clock.clearTimeout(this.messageTimer)
    clock.clearTimeout(this.lifeTimer)
    this.idleTimer = this.messageTimer = this.lifeTimer = undefined
  }

  private armIdle(): void {
    if (this.closed || this.retiring) return
    this.server.clock.clearTimeout(this.idleTimer)
    this.idleTimer = this.server.clock.setTimeout(() => {
      // Only idle when nothing is in progress: a slow handler is not the client's fault.
      if (this.active === 0) this.end()
      else this.armIdle()
    }, this.server.tcpLimits.idleTimeoutMs)
  }
}
