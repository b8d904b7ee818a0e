/**
 * The batched datagram engine: a {@link DatagramSocket} that reads up to 64 datagrams per
 * `recvmmsg(2)` and writes its answers with one `sendmmsg(2)`, called through koffi (an optional
 * dependency, loaded here and nowhere else, on first use). Node's `dgram` pays one system call
 * and one trip through libuv into JavaScript per datagram; this pays them per batch, which on a
 * loaded server doubles what one process answers.
 *
 * How it runs:
 * - the receive is a koffi asynchronous call, so it blocks a koffi worker thread, never the event
 *   loop; its callback hands each datagram of the batch to `onMessage`, then flushes the answers;
 * - two preallocated receive regions alternate: while one batch is handed out, the next receive
 *   fills the other. `onMessage` gets a Buffer view into the region, valid only during the call
 *   ({@link DatagramSocket.borrowsMessages}): the owner copies what it keeps;
 * - `send()` copies the datagram into a preallocated send ring (so the caller may reuse its
 *   bytes at once) and the ring is flushed with `sendmmsg` at the end of the batch or on the next
 *   microtask; a full kernel buffer (EAGAIN, or a partial write) leaves the rest queued and
 *   retried on a 1 ms timer, never blocking the loop. The ring is bounded: beyond it a send fails
 *   like any socket error;
 * - `close()` wakes a blocked receive with `shutdown(SHUT_RD)`, hands out what that receive had
 *   read, flushes the answers, and only then closes the descriptor.
 *
 * Memory layout of one receive region (one Buffer that never moves, offsets from its start):
 * `[64 x struct mmsghdr (64 bytes)] [64 x sockaddr (32)] [64 x struct iovec (16)] [64 x 4096-byte slots]`.
 * The send ring has the same shape with 256 entries. Structures are those of 64-bit Linux (x64,
 * arm64, glibc): msghdr is 56 bytes, mmsghdr adds msg_len at 56.
 */
import { createRequire } from 'node:module'
import { addressBytes, addressText } from './cidr.js'
import type { Clock, TimerHandle } from './clock.js'
import { realClock } from './clock.js'
import type { BoundAddress, DatagramSocket, Network, RemoteInfo } from './network.js'
import { nodeNetwork, UnreachableError } from './network.js'
import { readErrorQueueEntry, ERRQUEUE_BYTES, IP_RECVERR, IPV6_RECVERR, prepareErrorQueueMsg, SOL_IP } from './error-queue.js'

/** Datagrams one receive reads at most. */
const BATCH = 64
/** Bytes of one receive or send slot: a larger query is dropped (MSG_TRUNC), a larger answer is sent on its own. */
const SLOT = 4096
/** Answers queued for `sendmmsg` at most (the send ring). */
const SEND_RING = 256
const MMSGHDR = 64
const NAME = 32
const IOVEC = 16

const AF_INET = 2
const AF_INET6 = 10
const SOCK_DGRAM = 2
const SOCK_CLOEXEC = 0x80000
const IPPROTO_IPV6 = 41
const IPV6_V6ONLY = 26
const MSG_TRUNC = 0x20
const MSG_DONTWAIT = 0x40
const MSG_WAITFORONE = 0x10000
const SHUT_RD = 0
const SOL_SOCKET = 1
const SO_RCVBUF = 8
const SO_REUSEPORT = 15
const EINTR = 4
const EAGAIN = 11
const MSG_ERRQUEUE = 0x2000
/** Error-queue entries read at most per drain (each is one ICMP error). */
const ERRQUEUE_DRAIN = 64

/**
 * The system calls the batched engine makes, as a seam: the real ones go through koffi to libc
 * ({@link BatchedNetworkOptions.syscalls} defaults to them); a test passes a fake that returns
 * EAGAIN, partial counts or errors, which loopback never does. Calls return what libc returns
 * (-1 on failure, the reason then in {@link BatchedSyscalls.errno}). `recvmmsg` and `sendmmsg`
 * take the address of a vector of `struct mmsghdr` inside a Buffer given to
 * {@link BatchedSyscalls.address} (the engine's own preallocated regions).
 */
export interface BatchedSyscalls {
  /** The address of a Buffer's first byte, as the kernel sees it; the Buffer never moves. */
  address(mem: Buffer): bigint
  /** errno of the last failed call on this thread. */
  errno(): number
  socket(domain: number, type: number, protocol: number): number
  bind(fd: number, addr: Buffer, len: number): number
  getsockname(fd: number, addr: Buffer, len: Uint32Array): number
  setsockopt(fd: number, level: number, name: number, value: Int32Array, len: number): number
  /** recvmmsg(2) off the event loop: `callback(err, count)` once datagrams (or the shutdown) arrive. */
  recvmmsgAsync(fd: number, vec: bigint, n: number, flags: number, callback: (err: unknown, n: number) => void): void
  sendmmsg(fd: number, vec: bigint, n: number, flags: number): number
  sendto(fd: number, buf: Uint8Array, len: number, flags: number, addr: Buffer, addrLen: number): number
  /** recvmsg(2) with a `struct msghdr` at `msg` (inside a Buffer given to `address`): the engine reads the error queue with it. */
  recvmsg(fd: number, msg: bigint, flags: number): number
  shutdown(fd: number, how: number): number
  close(fd: number): number
  strerror(errno: number): string
}

/** Options of {@link batchedNetwork}. */
export interface BatchedNetworkOptions {
  /**
   * Sets `SO_REUSEPORT` on every datagram socket before it binds, so several sockets (in one
   * process or in several) bind the same address and port and the kernel spreads datagrams
   * among them by a hash of the sender's address and port. Every socket on the port must set it;
   * a socket without it then gets EADDRINUSE, and so does one of another user.
   */
  reusePort?: boolean
  /** The system calls (default: libc's, through koffi). */
  syscalls?: BatchedSyscalls
  /** The send retry timer and close's wait for the kernel run on this clock (default: Node's timers). */
  clock?: Clock
  /**
   * When answers sent outside a receive batch go out (default `'microtask'`): `'microtask'`
   * writes each at the end of the callback that sent it; `'immediate'` waits for the event
   * loop's check phase (`setImmediate`), so every answer sent from the I/O callbacks of one
   * loop turn (a proxy relaying what its member sockets read, one callback per datagram) leaves
   * in one `sendmmsg`.
   */
  sendFlush?: 'microtask' | 'immediate'
}

type Libc = BatchedSyscalls

let libc: Libc | undefined
let unavailable: string | undefined
/** Descriptors of the bound batched sockets (each keeps one libuv threadpool thread waiting in recvmmsg). */
const openFds = new Set<number>()
let exitHookInstalled = false

/**
 * A receive still blocked in the kernel holds its threadpool thread, and Node's exit waits for
 * that thread: `process.exit()` would hang. On 'exit', wake every receive still pending.
 */
function wakeReceivesOnExit(c: Libc): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const fd of openFds) c.shutdown(fd, SHUT_RD)
  })
}

/**
 * How many batched sockets may be bound at once in this process: libuv's threadpool size
 * (`UV_THREADPOOL_SIZE`, default 4) less one, so file reads, `dns.lookup` and crypto keep a
 * thread. A socket beyond that would wait for a thread and never receive.
 */
export function maxBatchedSockets(): number {
  const size = Number(process.env['UV_THREADPOOL_SIZE'])
  return (Number.isInteger(size) && size > 0 ? Math.min(size, 1024) : 4) - 1
}

/**
 * Why the batched engine cannot run in this process (not Linux, not 64-bit, koffi not
 * installed, no glibc), or `undefined` when it can. Loads koffi on the first call.
 */
export function batchedEngineUnavailable(): string | undefined {
  if (libc !== undefined) return undefined
  if (unavailable !== undefined) return unavailable
  try {
    libc = loadLibc()
  } catch (error) {
    unavailable = (error as Error).message
  }
  return unavailable
}

/**
 * A {@link Network} whose datagram sockets are batched ones; streams come from `base` (default
 * Node's). Throws where the engine cannot run (see {@link batchedEngineUnavailable}) unless
 * `options.syscalls` is given.
 */
export function batchedNetwork(base: Network = nodeNetwork, options: BatchedNetworkOptions = {}): Network {
  return {
    createDatagramSocket: (family) => new BatchedDatagramSocket(family, options),
    createStreamServer: (onConnection) => base.createStreamServer(onConnection),
    connectStream: (address, port, options) => base.connectStream(address, port, options),
  }
}

function loadLibc(): Libc {
  if (process.platform !== 'linux') throw new Error(`recvmmsg/sendmmsg are Linux calls (this is ${process.platform})`)
  if (process.arch !== 'x64' && process.arch !== 'arm64') throw new Error(`the structure layouts are those of 64-bit Linux (this is ${process.arch})`)
  let koffi
  try {
    koffi = createRequire(import.meta.url)('koffi')
  } catch (cause) {
    throw new Error(`the optional dependency koffi is not installed (npm install koffi): ${(cause as Error).message.split('\n')[0]}`)
  }
  const lib = koffi.load('libc.so.6')
  // Addresses of our own preallocated regions are passed as integers: same registers as a pointer.
  const recvmmsg = lib.func('int recvmmsg(int, uint64_t, unsigned int, int, void *)')
  return {
    address: (mem) => BigInt(koffi.address(mem)),
    errno: () => koffi.errno(),
    socket: lib.func('int socket(int, int, int)'),
    bind: lib.func('int bind(int, void *, uint32_t)'),
    getsockname: lib.func('int getsockname(int, void *, _Inout_ uint32_t *)'),
    setsockopt: lib.func('int setsockopt(int, int, int, void *, uint32_t)'),
    recvmmsgAsync: (fd, vec, n, flags, callback) => recvmmsg.async(fd, vec, n, flags, null, callback),
    sendmmsg: lib.func('int sendmmsg(int, uint64_t, unsigned int, int)'),
    sendto: lib.func('intptr_t sendto(int, void *, size_t, int, void *, uint32_t)'),
    recvmsg: lib.func('intptr_t recvmsg(int, uint64_t, int)'),
    shutdown: lib.func('int shutdown(int, int)'),
    close: lib.func('int close(int)'),
    strerror: lib.func('const char *strerror(int)'),
  }
}

/** errno names of the ICMP errors the error queue gives (the rest are reported by number). */
const ERRNO_NAMES: Record<number, string> = { 101: 'ENETUNREACH', 111: 'ECONNREFUSED', 113: 'EHOSTUNREACH', 90: 'EMSGSIZE', 71: 'EPROTO', 13: 'EACCES', 92: 'ENOPROTOOPT', 112: 'EHOSTDOWN' }

function requireLibc(): Libc {
  const reason = batchedEngineUnavailable()
  if (reason !== undefined) throw new Error(`the batched datagram engine is not available: ${reason}`)
  return libc!
}

/** An error carrying the errno name, like Node's socket errors. */
function systemError(c: Libc, call: string, errno: number): Error {
  const error = new Error(`${call}: ${c.strerror(errno)}`) as Error & { errno: number; syscall: string }
  error.errno = errno
  error.syscall = call
  return error
}

/**
 * One region of `count` mmsghdr entries, each with its sockaddr and iovec, pointing at its own
 * `SLOT`-byte data slot. Built once; only lengths change afterwards.
 */
class Region {
  readonly mem: Buffer
  readonly view: DataView
  readonly base: bigint
  readonly names: number
  readonly iovs: number
  readonly data: number

  constructor(c: Libc, readonly count: number) {
    this.names = count * MMSGHDR
    this.iovs = this.names + count * NAME
    this.data = this.iovs + count * IOVEC
    this.mem = Buffer.alloc(this.data + count * SLOT)
    this.view = new DataView(this.mem.buffer, this.mem.byteOffset, this.mem.length)
    this.base = c.address(this.mem)
    for (let i = 0; i < count; i++) {
      const m = i * MMSGHDR
      this.view.setBigUint64(m, this.base + BigInt(this.names + i * NAME), true) // msg_name
      this.view.setBigUint64(m + 16, this.base + BigInt(this.iovs + i * IOVEC), true) // msg_iov
      this.view.setBigUint64(m + 24, 1n, true) // msg_iovlen
      this.view.setBigUint64(this.iovs + i * IOVEC, this.base + BigInt(this.data + i * SLOT), true) // iov_base
      this.view.setBigUint64(this.iovs + i * IOVEC + 8, BigInt(SLOT), true) // iov_len
    }
  }
}

class BatchedDatagramSocket implements DatagramSocket {
  readonly borrowsMessages = true
  private readonly c: Libc
  /** On libc's calls: each bound socket holds a threadpool thread (a fake holds none). */
  private readonly real: boolean
  private readonly clock: Clock
  private readonly reusePort: boolean
  private readonly flushOnImmediate: boolean
  private readonly family: 4 | 6
  private readonly nameLength: number
  private fd = -1
  /** SO_RCVBUF asked for before bind, applied once the socket exists. */
  private receiveBufferBytes: number | undefined
  private bound: BoundAddress | undefined
  private messageHandler: (msg: Buffer, rinfo: RemoteInfo) => void = () => {}
  private errorHandler: (err: Error) => void = () => {}
  private readonly regions: [Region, Region]
  private turn = 0
  /** Resolves when the receive in progress returns; undefined when none is. */
  private receiving: Promise<void> | undefined
  private receiveDone: () => void = () => {}
  private readonly ring: Region
  private readonly callbacks: (((err: Error | null) => void) | undefined)[] = new Array(SEND_RING).fill(undefined)
  private head = 0
  private queued = 0
  private flushScheduled = false
  private retryTimer: TimerHandle | undefined
  private inBatch = false
  /** Sends are being dropped for a full ring, until it next drains. */
  private overflowing = false
  private closing = false
  private closed: Promise<void> | undefined
  /** The last destination parsed, with its bytes: answers mostly go to the address just read. */
  private lastAddress = ''
  private lastBytes: Uint8Array = new Uint8Array(0)
  private readonly sockaddr: Buffer
  /** IP_RECVERR asked for ({@link BatchedDatagramSocket.reportUnreachable}); the error queue's read buffer once it is. */
  private recvErr = false
  private errorQueue: { mem: Buffer; base: bigint } | undefined

  constructor(family: 4 | 6, options: BatchedNetworkOptions) {
    this.real = options.syscalls === undefined
    this.c = options.syscalls ?? requireLibc()
    this.clock = options.clock ?? realClock
    this.reusePort = options.reusePort === true
    this.flushOnImmediate = options.sendFlush === 'immediate'
    this.family = family
    this.nameLength = family === 4 ? 16 : 28
    this.regions = [new Region(this.c, BATCH), new Region(this.c, BATCH)]
    this.ring = new Region(this.c, SEND_RING)
    this.sockaddr = Buffer.alloc(NAME)
  }

  /**
   * Batched sockets are listeners (one receive thread each); a connected socket per peer is the
   * dgram engine's job, so this refuses rather than pretend.
   */
  async connect(port: number, address: string): Promise<void> {
    throw new Error(`batched sockets do not connect (${address}:${port}): use the dgram engine for connected sockets`)
  }

  /**
   * Sets `IP_RECVERR` (`IPV6_RECVERR`): the kernel then queues the ICMP errors this unconnected
   * socket's datagrams bring back, and a pending receive returns early with the error; the engine
   * then reads the error queue (`MSG_ERRQUEUE`) and hands each entry to the error handler as an
   * {@link UnreachableError} naming the datagram's destination. Off by default: a listener would
   * otherwise hear every departed client's port unreachable.
   */
  reportUnreachable(): boolean {
    if (!this.recvErr) {
      this.recvErr = true
      const mem = Buffer.alloc(ERRQUEUE_BYTES)
      this.errorQueue = { mem, base: this.c.address(mem) }
      if (this.fd >= 0) this.setRecvErr(this.fd)
    }
    return true
  }

  private setRecvErr(fd: number): boolean {
    return this.family === 4 ? this.c.setsockopt(fd, SOL_IP, IP_RECVERR, Int32Array.of(1), 4) >= 0 : this.c.setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, Int32Array.of(1), 4) >= 0
  }

  /**
   * Reads the error queue dry (at most {@link ERRQUEUE_DRAIN} entries, never blocking) and
   * reports each ICMP error as an {@link UnreachableError}; returns how many it read.
   */
  private drainErrors(): number {
    const q = this.errorQueue
    if (q === undefined || this.fd < 0) return 0
    let read = 0
    for (; read < ERRQUEUE_DRAIN; read++) {
      prepareErrorQueueMsg(q.mem, q.base)
      if (this.c.recvmsg(this.fd, q.base, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) break
      const entry = readErrorQueueEntry(q.mem)
      if (entry === undefined) continue
      const code = ERRNO_NAMES[entry.errno] ?? `errno ${entry.errno}`
      this.errorHandler(new UnreachableError(code, entry.destination, entry.offender))
    }
    return read
  }

  /** SO_RCVBUF, as Node's `setRecvBufferSize` (the kernel caps it at `net.core.rmem_max`); never throws. */
  setReceiveBufferSize(bytes: number): void {
    this.receiveBufferBytes = bytes
    if (this.fd >= 0) this.c.setsockopt(this.fd, SOL_SOCKET, SO_RCVBUF, Int32Array.of(bytes), 4)
  }

  async bind(port: number, address: string): Promise<BoundAddress> {
    if (this.closing) throw new Error('socket is closed')
    if (this.fd >= 0) throw new Error('socket is already bound')
    const c = this.c
    if (!this.writeSockaddr(this.sockaddr, 0, address, port)) throw new Error(`not an IPv${this.family} address and port: ${address}:${port}`)
    const limit = maxBatchedSockets()
    if (this.real && openFds.size >= limit) {
      throw new Error(`${openFds.size} batched sockets are already bound, the most this process allows: each keeps one libuv threadpool thread waiting in recvmmsg (raise UV_THREADPOOL_SIZE before start, or use the dgram engine)`)
    }
    const fd = c.socket(this.family === 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)
    if (fd < 0) throw systemError(c, 'socket', c.errno())
    // As Node's udp6 sockets here: IPv6 only, so an IPv4 listener can bind the same port.
    if (this.family === 6 && c.setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, Int32Array.of(1), 4) < 0) {
      const errno = c.errno()
      c.close(fd)
      throw systemError(c, 'setsockopt', errno)
    }
    // Before bind, or the kernel refuses a second socket on the port (EADDRINUSE).
    if (this.reusePort && c.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, Int32Array.of(1), 4) < 0) {
      const errno = c.errno()
      c.close(fd)
      throw systemError(c, 'setsockopt(SO_REUSEPORT)', errno)
    }
    if (this.recvErr && !this.setRecvErr(fd)) {
      const errno = c.errno()
      c.close(fd)
      throw systemError(c, 'setsockopt(IP_RECVERR)', errno)
    }
    // A refused size leaves the kernel's default buffer: not worth failing the bind for.
    if (this.receiveBufferBytes !== undefined) c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, Int32Array.of(this.receiveBufferBytes), 4)
    if (c.bind(fd, this.sockaddr, this.nameLength) < 0) {
      const errno = c.errno()
      c.close(fd)
      throw systemError(c, 'bind', errno)
    }
    const name = Buffer.alloc(NAME)
    c.getsockname(fd, name, Uint32Array.of(NAME))
    this.fd = fd
    if (this.real) {
      openFds.add(fd)
      wakeReceivesOnExit(c)
    }
    this.bound = { address, port: name.readUInt16BE(2), family: this.family === 4 ? 'IPv4' : 'IPv6' }
    this.receive()
    return this.bound
  }

  onMessage(handler: (msg: Buffer, rinfo: RemoteInfo) => void): void {
    this.messageHandler = handler
  }

  onError(handler: (err: Error) => void): void {
    this.errorHandler = handler
  }

  send(msg: Uint8Array, port: number, address: string, callback?: (err: Error | null) => void): void {
    const fail = (err: Error): void => (callback ? queueMicrotask(() => callback(err)) : this.errorHandler(err))
    // Sends stay open while closing: answers to the datagrams of the last batch still go out.
    if (this.fd < 0) return fail(new Error('send on a socket that is not bound or is closed'))
    if (msg.length > SLOT) return this.sendAlone(msg, port, address, fail, callback)
    if (this.queued === SEND_RING) return this.overflow(callback)
    const slot = (this.head + this.queued) % SEND_RING
    const ring = this.ring
    if (!this.writeSockaddr(ring.mem, ring.names + slot * NAME, address, port)) return fail(new Error(`not an IPv${this.family} address and port: ${address}:${port}`))
    ring.mem.set(msg, ring.data + slot * SLOT)
    ring.view.setUint32(slot * MMSGHDR + 8, this.nameLength, true) // msg_namelen
    ring.view.setUint32(ring.iovs + slot * IOVEC + 8, msg.length, true) // iov_len (its high half stays 0: a slot is 4096 bytes)
    this.callbacks[slot] = callback
    this.queued++
    if (this.queued === SEND_RING) this.flush()
    else if (!this.inBatch && !this.flushScheduled && this.retryTimer === undefined) {
      this.flushScheduled = true
      if (this.flushOnImmediate) setImmediate(() => this.flush())
      else queueMicrotask(() => this.flush())
    }
  }

  address(): BoundAddress {
    if (this.bound === undefined) throw new Error('socket is not bound')
    return this.bound
  }

  /** Wakes the receive, hands out what it read, flushes the answers (waiting up to 100 ms for room), closes. */
  close(): Promise<void> {
    this.closed ??= this.shutdown()
    return this.closed
  }

  private async shutdown(): Promise<void> {
    this.closing = true
    if (this.fd < 0) return
    if (this.receiving !== undefined) {
      this.c.shutdown(this.fd, SHUT_RD)
      await this.receiving
    }
    for (let waited = 0; this.queued > 0 && waited < 100; waited += 5) {
      this.flush()
      if (this.queued > 0) await new Promise((r) => this.clock.setTimeout(() => r(undefined), 5))
    }
    this.clock.clearTimeout(this.retryTimer)
    this.retryTimer = undefined
    const lost = this.queued
    for (; this.queued > 0; this.queued--, this.head = (this.head + 1) % SEND_RING) this.complete(this.head, new Error('socket closed before the datagram was sent'))
    if (lost > 0) this.errorHandler(new Error(`${lost} datagrams not sent: the kernel buffer stayed full while closing`))
    if (this.real) openFds.delete(this.fd)
    this.c.close(this.fd)
    this.fd = -1
  }

  // ---- receiving ----

  /** Starts one receive into the next region; its callback hands out the batch and starts the next. */
  private receive(): void {
    const region = this.regions[this.turn]!
    this.turn ^= 1
    for (let i = 0; i < BATCH; i++) region.view.setUint32(i * MMSGHDR + 8, NAME, true) // msg_namelen, rewritten by the kernel
    this.receiving = new Promise((resolve) => (this.receiveDone = resolve))
    try {
      this.c.recvmmsgAsync(this.fd, region.base, BATCH, MSG_WAITFORONE, (err: unknown, n: number) => this.onBatch(region, err, n))
    } catch (error) {
      // koffi's queue of asynchronous calls is full: nothing is pending, try again shortly.
      this.receiving = undefined
      this.receiveDone()
      this.errorHandler(error as Error)
      if (!this.closing) this.clock.setTimeout(() => !this.closing && this.receive(), 10)
    }
  }

  private onBatch(region: Region, err: unknown, n: number): void {
    const done = this.receiveDone
    this.receiving = undefined
    // Keep one receive pending while this batch is answered (it fills the other region).
    if (!this.closing && !err && n > 0) this.receive()
    this.inBatch = true
    try {
      for (let i = 0; i < n; i++) this.deliver(region, i)
    } finally {
      this.inBatch = false
    }
    this.flush()
    if (!this.closing && (err || !(n > 0))) {
      // An error (EINTR, ENOMEM) or an empty read: report and retry soon, without spinning.
      if (err) this.errorHandler(err instanceof Error ? err : new Error(String(err)))
      // With IP_RECVERR an ICMP error ends the receive with -1: read what it queued, receive again at once.
      const drained = n < 0 && this.recvErr ? this.drainErrors() : 0
      this.clock.setTimeout(() => !this.closing && this.receive(), n === 0 || drained > 0 ? 0 : 10)
    }
    done()
  }

  private deliver(region: Region, i: number): void {
    const m = i * MMSGHDR
    if ((region.view.getInt32(m + 48, true) & MSG_TRUNC) !== 0) return // larger than a slot: not the whole query
    // A receive woken by shutdown(2) counts one "message" with no sender: not a datagram.
    if (region.view.getUint32(m + 8, true) === 0) return
    const length = region.view.getUint32(m + 56, true)
    const mem = region.mem
    const name = region.names + i * NAME
    const port = (mem[name + 2]! << 8) | mem[name + 3]!
    const rinfo: RemoteInfo =
      this.family === 4
        ? { address: `${mem[name + 4]}.${mem[name + 5]}.${mem[name + 6]}.${mem[name + 7]}`, port, family: 'IPv4' }
        : { address: addressText(mem.subarray(name + 8, name + 24)), port, family: 'IPv6' }
    const start = region.data + i * SLOT
    try {
      this.messageHandler(mem.subarray(start, start + length), rinfo)
    } catch (error) {
      // dgram would crash the process here; the next datagrams of the batch still deserve an answer.
      this.errorHandler(error as Error)
    }
  }

  // ---- sending ----

  /** Writes the queued answers with `sendmmsg`; what the kernel has no room for waits for the retry timer. */
  private flush(): void {
    this.flushScheduled = false
    const c = this.c
    let retried = false
    while (this.queued > 0 && this.fd >= 0) {
      const run = Math.min(this.queued, SEND_RING - this.head)
      const sent = c.sendmmsg(this.fd, this.ring.base + BigInt(this.head * MMSGHDR), run, MSG_DONTWAIT)
      if (sent < 0) {
        const errno = c.errno()
        if (errno === EINTR) continue
        if (errno === EAGAIN) return this.retryLater()
        // With IP_RECVERR the ICMP error of an earlier datagram, pending on the socket, fails the
        // next send before it is made (the kernel reports it there if no receive took it first):
        // read the queue, then send that datagram once more.
        if (this.recvErr && !retried && this.drainErrors() > 0) {
          retried = true
          continue
        }
        retried = false
        // The first datagram itself failed (unreachable network, bad address): it alone is lost.
        this.complete(this.head, systemError(c, 'sendmmsg', errno))
        this.advance(1)
        // IP_RECVERR queues a local error as well, and nothing wakes a receive for it: read it now.
        if (this.recvErr) this.drainErrors()
        continue
      }
      retried = false
      for (let k = 0; k < sent; k++) this.complete((this.head + k) % SEND_RING, null)
      this.advance(sent)
    }
  }

  private advance(count: number): void {
    this.head = (this.head + count) % SEND_RING
    this.queued -= count
    if (this.queued === 0) this.overflowing = false
  }

  /**
   * The ring is full (the kernel has taken nothing for a while): the datagram is dropped, as the
   * kernel drops what it has no room for. A caller's callback hears of each; the error handler
   * only of the first of an episode, so a flood does not turn into a flood of error events.
   */
  private overflow(callback?: (err: Error | null) => void): void {
    const err = new Error(`send queue full (${SEND_RING} datagrams waiting for the kernel): datagram dropped`)
    if (callback) return queueMicrotask(() => callback(err))
    // Set only once the handler is told: callers' own failures do not silence it.
    if (this.overflowing) return
    this.overflowing = true
    this.errorHandler(err)
  }

  private retryLater(): void {
    this.retryTimer ??= this.clock.setTimeout(() => {
      this.retryTimer = undefined
      this.flush()
    }, 1)
  }

  private complete(slot: number, err: Error | null): void {
    const callback = this.callbacks[slot]
    this.callbacks[slot] = undefined
    if (callback) callback(err)
    else if (err) this.errorHandler(err)
  }

  /** A datagram larger than a ring slot (maxUdpSize above 4096): sent at once, on its own. */
  private sendAlone(msg: Uint8Array, port: number, address: string, fail: (err: Error) => void, callback?: (err: Error | null) => void): void {
    const name = Buffer.alloc(NAME)
    if (!this.writeSockaddr(name, 0, address, port)) return fail(new Error(`not an IPv${this.family} address and port: ${address}:${port}`))
    this.flush()
    const c = this.c
    if (c.sendto(this.fd, msg, msg.length, MSG_DONTWAIT, name, this.nameLength) < 0) return fail(systemError(c, 'sendto', c.errno()))
    if (callback) queueMicrotask(() => callback(null))
  }

  /** sockaddr_in / sockaddr_in6 for `address`:`port` at `offset`; false when the text is not an address of our family. */
  private writeSockaddr(into: Buffer, offset: number, address: string, port: number): boolean {
    if (!Number.isInteger(port) || port < 0 || port > 65535) return false
    if (address !== this.lastAddress) {
      const bytes = addressBytes(address)
      if (bytes === undefined || bytes.length !== (this.family === 4 ? 4 : 16)) return false
      this.lastAddress = address
      this.lastBytes = bytes
    }
    into.fill(0, offset, offset + NAME)
    into.writeUInt16LE(this.family === 4 ? AF_INET : AF_INET6, offset)
    into.writeUInt16BE(port, offset + 2)
    into.set(this.lastBytes, offset + (this.family === 4 ? 4 : 8))
    return true
  }
}
