/**
 * The network seam. Everything in dns-ha that sends or receives takes an optional `network`
 * ({@link Network}); the default, {@link nodeNetwork}, is a thin wrapper over `node:dgram` and
 * `node:net`, and `MemoryNetwork` (from `dns-ha/testing`) runs whole topologies in one process
 * with no sockets. The interfaces are the few calls the library really makes, with one handler
 * per event, so a wrapper adds a single function call on the hot path.
 */
import dgram from 'node:dgram'
import { lookup } from 'node:dns'
import net from 'node:net'

/** The sender of a datagram, or the peer of a stream. */
export interface RemoteInfo {
  address: string
  port: number
  family: 'IPv4' | 'IPv6'
}

/** A bound local address. */
export interface BoundAddress {
  address: string
  port: number
  family: 'IPv4' | 'IPv6'
}

/** A UDP socket. */
export interface DatagramSocket {
  /** Binds and resolves with the bound address (port 0 picks a free port). */
  bind(port: number, address: string): Promise<BoundAddress>
  /**
   * When true, the Buffer given to the message handler is a view into a receive buffer that is
   * reused once the handler returns (the batched engine): copy what you keep beyond the call.
   */
  readonly borrowsMessages?: boolean
  /** Sets the one message handler. */
  onMessage(handler: (msg: Buffer, rinfo: RemoteInfo) => void): void
  /**
   * Asks for a receive buffer of `bytes` on a bound socket (SO_RCVBUF; the kernel caps it at
   * its maximum, `net.core.rmem_max` on Linux), so a burst that arrives while the event loop is
   * busy waits in the kernel instead of being dropped. Best effort: never throws.
   */
  setReceiveBufferSize(bytes: number): void
  /** Sets the one error handler (asynchronous socket errors). */
  onError(handler: (err: Error) => void): void
  /**
   * Fixes the peer (a connected UDP socket): datagrams from anyone else are no longer delivered,
   * and when the peer's port is closed the kernel's ICMP port unreachable comes back as an
   * `ECONNREFUSED` error through the error handler. Binds an ephemeral port first if unbound.
   */
  connect(port: number, address: string): Promise<void>
  /**
   * Sends a datagram; send errors go to `callback` when given, else to the error handler. On a
   * connected socket `port` and `address` are ignored: it sends to its peer.
   */
  send(msg: Uint8Array, port: number, address: string, callback?: (err: Error | null) => void): void
  /**
   * Asks an unconnected socket to report the ICMP errors its datagrams bring back (port
   * unreachable and the like) as an {@link UnreachableError} naming the destination, through the
   * error handler; returns true when it will. A connected socket reports its peer's anyway; an
   * unconnected `dgram` socket cannot (Node sets no `IP_RECVERR`), so the method is absent there.
   * Linux's `IP_RECVERR` / `IPV6_RECVERR` on the batched engine; `MemoryNetwork` reports a send
   * to a port nobody is bound on.
   */
  reportUnreachable?(): boolean
  address(): BoundAddress
  close(): Promise<void>
}

/** The destination of a datagram an ICMP error came back for. */
export interface UnreachableDestination {
  address: string
  port: number
}

/**
 * An ICMP error for a datagram sent from an unconnected socket that asked for them
 * ({@link DatagramSocket.reportUnreachable}): `code` is the errno name the kernel gives it
 * (`ECONNREFUSED` for port unreachable, `EHOSTUNREACH`, `ENETUNREACH`...), `destination` where the
 * datagram was going, `offender` the address that sent the ICMP error, when known.
 */
export class UnreachableError extends Error {
  readonly code: string
  readonly destination: UnreachableDestination
  readonly offender: string | undefined
  /** A brand, so {@link isUnreachableError} knows one from another copy of the library (ESM and CJS). */
  readonly unreachable = true

  constructor(code: string, destination: UnreachableDestination, offender?: string) {
    super(`${code}: ${destination.address}:${destination.port} unreachable${offender !== undefined && offender !== destination.address ? ` (reported by ${offender})` : ''}`)
    this.name = 'UnreachableError'
    this.code = code
    this.destination = destination
    this.offender = offender
  }
}

/** Whether `error` is an {@link UnreachableError} (by its brand, whichever copy of the library made it). */
export function isUnreachableError(error: unknown): error is UnreachableError {
  return typeof error === 'object' && error !== null && (error as { unreachable?: unknown }).unreachable === true && typeof (error as { destination?: unknown }).destination === 'object'
}

/** A stream (TCP) connection. */
export interface StreamSocket {
  readonly remote: RemoteInfo
  /** Bytes queued for writing and not yet handed to the kernel. */
  readonly writableLength: number
  /** Queues bytes; `false` means the buffer is over its high-water mark (wait for drain). */
  write(data: Uint8Array): boolean
  onData(handler: (chunk: Buffer) => void): void
  onDrain(handler: () => void): void
  /** Called once when the connection is gone, whatever the reason. */
  onClose(handler: () => void): void
  onError(handler: (err: Error) => void): void
  /** Stops delivering data until {@link StreamSocket.resume}. */
  pause(): void
  resume(): void
  /** Half-closes after queued data is written. */
  end(): void
  /** Closes at once, discarding queued data. */
  destroy(): void
}

/** A listening stream (TCP) server. */
export interface StreamServer {
  listen(port: number, address: string): Promise<BoundAddress>
  address(): BoundAddress
  /** Stops accepting; existing connections are the owner's to end. */
  close(): Promise<void>
}

/** Factory for sockets: the seam between the library and the network. */
export interface Network {
  createDatagramSocket(family: 4 | 6): DatagramSocket
  createStreamServer(onConnection: (socket: StreamSocket) => void): StreamServer
  /** Opens a stream connection; rejects on refusal or when `timeoutMs` passes first. */
  connectStream(address: string, port: number, options?: StreamConnectOptions): Promise<StreamSocket>
}

/** How {@link Network.connectStream} connects. */
export interface StreamConnectOptions {
  /** Give up connecting after this many ms. */
  timeoutMs?: number
  /** The local address to connect from (`dig -b`); default: the one the route picks. */
  localAddress?: string
}

/** 4 or 6 for an IP literal (IPv6 when it contains a colon). */
export function addressFamily(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4
}

/** The default network: Node's `dgram` and `net`. */
export const nodeNetwork: Network = {
  createDatagramSocket: (family) => new NodeDatagramSocket(family),
  createStreamServer: (onConnection) => new NodeStreamServer(onConnection),
  connectStream: (address, port, options = {}) =>
    new Promise((resolve, reject) => {
      const socket = net.connect({ host: address, port, ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }) })
      let timer: NodeJS.Timeout | undefined
      const fail = (err: Error): void => {
        if (timer) clearTimeout(timer)
        socket.destroy()
        reject(err)
      }
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => fail(new Error(`connect to ${address}:${port} timed out`)), options.timeoutMs)
      }
      socket.once('error', fail)
      socket.once('connect', () => {
        if (timer) clearTimeout(timer)
        socket.off('error', fail)
        socket.setNoDelay(true)
        resolve(new NodeStreamSocket(socket))
      })
    }),
}

/**
 * dgram resolves every destination through `dns.lookup`, which for an IP literal still costs a
 * regex and a `process.nextTick` per datagram. We send to the addresses the kernel reported, so
 * answer at once when the text can only be a literal of the socket's family (a colon for IPv6;
 * four runs of digits for IPv4, which no hostname is); anything else goes to the real lookup. A
 * malformed literal then fails in the send itself, as an error, like any bad address.
 */
const literalLookup = ((hostname: string, options: unknown, callback: (err: Error | null, address: string, family: number) => void) => {
  if (options === 6 ? hostname.includes(':') : options === 4 && isDottedDigits(hostname)) return callback(null, hostname, options as number)
  return (lookup as (h: string, o: unknown, c: typeof callback) => void)(hostname, options, callback)
}) as unknown as typeof lookup

/** Four dot-separated runs of digits (shorter forms like `10.1` are left to the real lookup, which reads them as inet_aton does). */
function isDottedDigits(text: string): boolean {
  if (text.length < 7 || text.length > 15) return false
  let dots = 0
  let digits = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x2e) {
      if (digits === 0) return false
      dots++
      digits = 0
    } else if (c >= 0x30 && c <= 0x39) digits++
    else return false
  }
  return dots === 3 && digits > 0
}

class NodeDatagramSocket implements DatagramSocket {
  private readonly socket: dgram.Socket
  private errorHandler: (err: Error) => void = () => {}
  private connected = false

  constructor(family: 4 | 6) {
    this.socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', ipv6Only: family === 6, lookup: literalLookup })
    this.socket.on('error', (err) => this.errorHandler(err))
  }

  bind(port: number, address: string): Promise<BoundAddress> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err)
      this.socket.once('error', onError)
      this.socket.bind(port, address, () => {
        this.socket.off('error', onError)
        resolve(this.address())
      })
    })
  }

  connect(port: number, address: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err)
      this.socket.once('error', onError)
      this.socket.connect(port, address, () => {
        this.socket.off('error', onError)
        this.connected = true
        resolve()
      })
    })
  }

  setReceiveBufferSize(bytes: number): void {
    try {
      this.socket.setRecvBufferSize(bytes)
    } catch {
      // Unbound socket or a size the kernel refuses: the default buffer stays.
    }
  }

  onMessage(handler: (msg: Buffer, rinfo: RemoteInfo) => void): void {
    this.socket.removeAllListeners('message')
    this.socket.on('message', handler as (msg: Buffer, rinfo: dgram.RemoteInfo) => void)
  }

  onError(handler: (err: Error) => void): void {
    this.errorHandler = handler
  }

  send(msg: Uint8Array, port: number, address: string, callback?: (err: Error | null) => void): void {
    // Without a callback Node tries a synchronous send first (no request object, no completion
    // callback); errors then arrive as the socket's 'error' event, which goes to errorHandler.
    // A connected socket refuses a destination (ERR_SOCKET_DGRAM_IS_CONNECTED): it has its peer.
    if (this.connected) {
      if (callback) this.socket.send(msg, callback)
      else this.socket.send(msg)
    } else if (callback) this.socket.send(msg, port, address, callback)
    else this.socket.send(msg, port, address)
  }

  address(): BoundAddress {
    return this.socket.address() as BoundAddress
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve())
      } catch {
        resolve() // already closed
      }
    })
  }
}

class NodeStreamSocket implements StreamSocket {
  readonly remote: RemoteInfo

  constructor(private readonly socket: net.Socket) {
    this.remote = {
      address: socket.remoteAddress ?? '',
      port: socket.remotePort ?? 0,
      family: socket.remoteFamily === 'IPv6' ? 'IPv6' : 'IPv4',
    }
  }

  get writableLength(): number {
    return this.socket.writableLength
  }

  write(data: Uint8Array): boolean {
    return this.socket.write(data)
  }

  onData(handler: (chunk: Buffer) => void): void {
    this.socket.on('data', handler)
  }

  onDrain(handler: () => void): void {
    this.socket.on('drain', handler)
  }

  onClose(handler: () => void): void {
    this.socket.once('close', handler)
  }

  onError(handler: (err: Error) => void): void {
    this.socket.on('error', handler)
  }

  pause(): void {
    this.socket.pause()
  }

  resume(): void {
    this.socket.resume()
  }

  end(): void {
    this.socket.end()
  }

  destroy(): void {
    this.socket.destroy()
  }
}

class NodeStreamServer implements StreamServer {
  private readonly server: net.Server

  constructor(onConnection: (socket: StreamSocket) => void) {
    this.server = net.createServer({ noDelay: true }, (socket) => {
      // A connection that errors before the owner attaches handlers must not crash the process.
      socket.on('error', () => {})
      onConnection(new NodeStreamSocket(socket))
    })
  }

  listen(port: number, address: string): Promise<BoundAddress> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err)
      this.server.once('error', onError)
      this.server.listen({ port, host: address, ipv6Only: address.includes(':') }, () => {
        this.server.off('error', onError)
        resolve(this.address())
      })
    })
  }

  address(): BoundAddress {
    return this.server.address() as BoundAddress
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}
