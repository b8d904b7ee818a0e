/**
 * One DNS-over-TCP connection (RFC 7766): 2-byte length framing, several queries per connection
 * answered as they complete (possibly out of order), an idle timeout, a cap on queries in
 * progress (reading pauses at the cap), and slow-reader protection (a client that does not read
 * its answers is cut off once too much is queued for it).
 */
import type { TimerHandle } from '../util/clock.js'
import type { StreamSocket } from '../util/network.js'
import type { DnsServer } from './dns-server.js'


/** @internal */
export class TcpConnection {
  private pending: Buffer = Buffer.alloc(0)
  private active = 0
  private idleTimer: TimerHandle | undefined
  private closed = false
  private paused = false

  constructor(
    private readonly socket: StreamSocket,
    private readonly server: Pick<DnsServer, 'clock' | 'tcpLimits' | 'reportError'>,
    private readonly processMessage: (raw: Buffer, send: (bytes: Uint8Array) => void, done?: () => void) => void,
  ) {
    socket.onData((chunk) => this.onData(chunk))
    socket.onError(() => this.close())
    socket.onClose(() => {
      this.closed = true
      this.server.clock.clearTimeout(this.idleTimer)
    })
    this.armIdle()
  }

  /** Closes now, discarding anything queued. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.server.clock.clearTimeout(this.idleTimer)
    this.socket.destroy()
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return
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
      this.processMessage(message, (bytes) => this.write(bytes), () => this.onAnswered())
    }
  }

  private onAnswered(): void {
    this.active--
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

  private armIdle(): void {
    if (this.closed) return
    this.server.clock.clearTimeout(this.idleTimer)
    this.idleTimer = this.server.clock.setTimeout(() => {
      // Only idle when nothing is in progress: a slow handler is not the client's fault.
      if (this.active === 0) {
        this.closed = true
        this.socket.end()
      } else this.armIdle()
    }, this.server.tcpLimits.idleTimeoutMs)
  }
}
