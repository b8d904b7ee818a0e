/**
 * {@link DnsServer}: serves a {@link Handler} over UDP and TCP on one port.
 *
 * Each message goes through the same pipeline whatever its transport: header checks (short
 * messages dropped, responses ignored, unknown opcodes NOTIMP), a wire read of the question and
 * EDNS (unreadable → FORMERR, two OPTs → FORMERR, version > 0 → BADVERS), the handler (throws →
 * SERVFAIL), then encoding and, for UDP, truncation to the client's payload size. Nothing a
 * client sends can throw out of a socket callback.
 *
 * With a `tsig` keyring, a signed message is verified before anything else looks at it: failures
 * are answered NOTAUTH with the TSIG error (RFC 8945 §5.2) and never reach the handler, and the
 * answer to a verified one is signed as the last step, after the id patch and truncation.
 */
import type { Packet } from 'dns-packet'
import { CLASSIC_UDP_PAYLOAD, COPY_FLAGS_MASK, DEFAULT_UDP_PAYLOAD, FLAG, OPCODE, RCODE } from '../packet/constants.js'
import { opcodeOf, readFlags, writeId } from '../packet/wire.js'
import type { Clock } from '../util/clock.js'
import { realClock } from '../util/clock.js'
import { DnsHaError, isDnsHaError } from '../util/errors.js'
import type { ComponentLogger, Logger } from '../util/logger.js'
import { errorMessage, toLogger } from '../util/logger.js'
import type { QueryLogSink } from './query-log.js'
import { QueryLog } from './query-log.js'
import type { BoundAddress, DatagramSocket, Network, RemoteInfo, StreamServer, StreamSocket } from '../util/network.js'
import { addressFamily, nodeNetwork } from '../util/network.js'
import { batchedEngineUnavailable, batchedNetwork } from '../util/batched-network.js'
import type { EdnsPolicy } from './encode-response.js'
import { encodeResponse, headerOnlyResponse, truncateResponse } from './encode-response.js'
import type { Handler, HandlerLike, HandlerResult, MaybePromise } from './handler.js'
import type { StreamResponse } from './stream-response.js'
import { isStreamResponse } from './stream-response.js'
import type { StreamWrite } from './tcp-connection.js'
import { TsigStreamSigner } from '../tsig/stream-sign.js'
import { DROP, endOfChain, isPromiseLike, toHandler } from './handler.js'
import type { PlainQuery } from './plain-query.js'
import { readPlainQuery } from './plain-query.js'
import type { ClientInfo, Transport } from './query.js'
import { DnsQuery } from './query.js'
import { ObservedEmitter } from './observed-emitter.js'
import type { TcpLimits } from './tcp-connection.js'
import { TcpConnection } from './tcp-connection.js'
import type { TsigFailure } from '../tsig/error-answer.js'
import { tsigErrorAnswer } from '../tsig/error-answer.js'
import type { Keyring } from '../tsig/keyring.js'
import { signResponse, tsigSpace } from '../tsig/sign.js'
import { verifyRequest } from '../tsig/verify-request.js'

/** Options for {@link DnsServer}. */
export interface DnsServerOptions {
  /** The DNS logic: a handler object or a plain function. */
  handler: HandlerLike
  /** Sockets come from here (default: Node's dgram and net). */
  network?: Network
  /** Timers (TCP idle, close deadline) run on this clock. */
  clock?: Clock
  /** The largest UDP answer we send, whatever the client's EDNS size (default 1232, the DNS Flag Day 2020 value). */
  maxUdpSize?: number
  /** TCP connections idle this long are closed (default 10,000 ms; RFC 7766 §6.2.3). */
  tcpIdleTimeoutMs?: number
  /**
   * A TCP message must arrive whole within this long of its first byte, and the first message
   * within this long of the connection opening; else the connection is closed (default 5,000 ms).
   * Stops a client that drips a byte every few seconds from holding a connection, which the idle
   * timer alone allows. BIND: `tcp-initial-timeout` (first message); Knot: `tcp-io-timeout`.
   */
  tcpMessageTimeoutMs?: number
  /**
   * A TCP connection stops reading after this long, however busy, sends the answers in progress
   * and closes (default 120,000 ms, NSD's `tcp-timeout` value; 0 for no limit).
   */
  tcpMaxLifetimeMs?: number
  /** Connections beyond this many are refused at once (default 1,000). */
  maxTcpConnections?: number
  /** Queries one TCP connection may have in progress before the server stops reading from it (default 32). */
  maxTcpQueriesPerConnection?: number
  /** A TCP client that lets this many response bytes pile up unread is disconnected (default 1 MiB). */
  maxTcpWriteBufferBytes?: number
  /** `close()` waits at most this long for in-flight answers (default 2,000 ms). */
  closeTimeoutMs?: number
  /**
   * Where the server reports what an operator needs (listening, closing, handler and socket
   * errors), with `component: 'server'` on every line: console-shaped or pino-shaped (see
   * `toLogger` in `dns-ha/util`). Never per query, except the query log (`queryLog: true`).
   */
  logger?: Logger
  /**
   * The query log, off by default (BIND `querylog`, dnsmasq `log-queries`): one entry per
   * answered query with client, transport, question, RD/DO/CD, rcode, answer count, size and
   * time in µs. `true` writes it to `logger` at info level (message `query`, `component:
   * 'query'`); a function receives each {@link QueryLogEntry}; a logger receives
   * `info('query', entry)`. Off, it costs one check per message. Dropped messages are not logged.
   */
  queryLog?: boolean | QueryLogSink
  /**
   * TSIG keys (RFC 8945, from `createKeyring`). When set, signed queries are verified before the
   * handler (failures answered NOTAUTH with BADKEY/BADSIG/BADTIME, never reaching it), verified
   * ones carry `query.tsig`, and their answers are signed. Without it a TSIG record is not
   * looked at: the query reaches the handler with `query.tsig` undefined.
   */
  tsig?: Keyring
  /**
   * How UDP is read and written (default `'dgram'`):
   * - `'dgram'`: the `network` option's datagram sockets (Node's `dgram` by default), one system
   *   call and one callback per datagram;
   * - `'batched'`: up to 64 datagrams per `recvmmsg` and one `sendmmsg` per batch, through the
   *   optional dependency koffi (Linux, 64-bit); throws a `DnsHaError` (`ERR_CONFIG`) saying why
   *   when it cannot run here. TCP still comes from `network`;
   * - `'auto'`: `'batched'` where it can run and no `network` was given, else `'dgram'`.
   *
   * The snapshot's `engine` says which one serves.
   */
  engine?: DnsServerEngine | 'auto'
  /**
   * `SO_REUSEPORT` on the UDP sockets: several servers (one per worker process, as
   * `serveCluster({ reusePort: true })` starts them, or several in one process) bind the same
   * address and port, each with its own socket, and the kernel spreads datagrams among them by a
   * hash of the client's address and port. Needs the batched engine (Node 20's `dgram` cannot
   * set it): with `engine` unset or `'auto'` it selects it, and it throws a `DnsHaError`
   * (`ERR_CONFIG`) with `engine: 'dgram'` or where the batched engine cannot run. TCP is not
   * affected (see {@link ListenOptions.tcp}).
   */
  reusePort?: boolean
  /**
   * SO_RCVBUF asked for on each UDP socket (default 0: the system's, about 208 KiB, some 200 small
   * datagrams; the kernel caps a request at `net.core.rmem_max`). A trade-off, so it is yours:
   * a larger buffer (e.g. `4 << 20`) rides out a garbage collection or a slow handler at tens of
   * thousands of queries a second without the kernel dropping queries, but under a flood beyond
   * what the server can answer it holds a longer backlog, so answers after the flood come later
   * (the system default drops the excess and answers the next queries at once).
   */
  receiveBufferBytes?: number
}

/** The datagram engine a {@link DnsServer} runs (see {@link DnsServerOptions.engine}). */
export type DnsServerEngine = 'batched' | 'dgram'

/** Where `listen()` binds. */
export interface ListenOptions {
  port: number
  /** An IPv4 or IPv6 literal (default `127.0.0.1`). */
  address?: string
  /**
   * Listen on TCP too (default true). `false` serves UDP only: a second `reusePort` server on the
   * same port in one process needs it, since Node 20's TCP listen cannot share a port outside
   * `node:cluster` (whose workers share the primary's TCP handle).
   */
  tcp?: boolean
}

/** Events of {@link DnsServer}. */
export interface DnsServerEvents {
  listening: (event: { address: BoundAddress }) => void
  query: (event: { query: DnsQuery }) => void
  response: (event: { query: DnsQuery; transport: Transport; rcode: number; size: number; truncated: boolean }) => void
  error: (event: { error: unknown; phase: 'handler' | 'encode' | 'socket'; client?: ClientInfo }) => void
  close: (event: Record<string, never>) => void
}

/** Counters of one transport. */
export interface TransportCounters {
  queries: number
  responses: number
  /** Responses by rcode name. */
  rcodes: Record<string, number>
  truncated: number
  /** Messages dropped unanswered (too short, QR set, handler said DROP, server closing). */
  dropped: number
}

/** TSIG verification outcomes (both transports); all zero without a keyring. */
export interface TsigCounters {
  verified: number
  badKey: number
  badSig: number
  badTime: number
  /** TSIG records that were not last, not class ANY/TTL 0, or had an impossible MAC size (answered FORMERR). */
  malformed: number
}

/** A plain-data view of the server. */
export interface DnsServerSnapshot {
  listening: BoundAddress[]
  udp: TransportCounters
  tcp: TransportCounters & { connections: number; refusedConnections: number }
  tsig: TsigCounters
  inFlight: number
  closing: boolean
  /** The datagram engine serving UDP. */
  engine: DnsServerEngine
}

interface Listener {
  udp: DatagramSocket
  /** Absent when listening with `tcp: false`. */
  tcp: StreamServer | undefined
  bound: BoundAddress
}

/** The UDP receive buffer asked for by default (see {@link DnsServerOptions.receiveBufferBytes}). */
const DEFAULT_RECEIVE_BUFFER_BYTES = 0

const RCODE_NAMES = Object.fromEntries(Object.entries(RCODE).map(([k, v]) => [v, k])) as Record<number, string>

/** A DNS server: one handler behind UDP and TCP listeners. */
export class DnsServer extends ObservedEmitter<DnsServerEvents> {
  private readonly handler: Handler
  /** The handler, when it has an `answerPlain` fast path. */
  private readonly plainHandler: Handler | undefined
  /** Reused for every datagram offered to the fast path (it is synchronous). */
  private readonly plainQuery: PlainQuery = { raw: Buffer.alloc(0), questionEnd: 0, ednsVariant: 0, maxUdpSize: 512, client: { address: '', port: 0, family: 'IPv4' } }
  private readonly network: Network
  private readonly engine: DnsServerEngine
  private readonly receiveBufferBytes: number
  /** @internal */
  readonly clock: Clock
  private readonly maxUdpSize: number
  /** @internal */
  readonly tcpLimits: TcpLimits
  private readonly maxTcpConnections: number
  private readonly closeTimeoutMs: number
  private readonly logger: ComponentLogger
  /** `undefined` when the query log is off: the hot path checks only this. */
  private readonly queryLog: QueryLog | undefined
  private readonly keyring: Keyring | undefined
  private readonly tsigCounters: TsigCounters = { verified: 0, badKey: 0, badSig: 0, badTime: 0, malformed: 0 }
  private readonly edns: EdnsPolicy
  private readonly bindings: Listener[] = []
  private readonly connections = new Set<TcpConnection>()
  private inFlight = 0
  private closing = false
  private idleWaiters: (() => void)[] = []
  private readonly counters = { udp: newCounters(), tcp: newCounters() }
  private refusedConnections = 0
  /** The handler's `start()`, once per server (see {@link DnsServer.listen}). */
  private starting: Promise<void> | undefined

  constructor(options: DnsServerOptions) {
    super(['query', 'response'])
    if (!options || !options.handler) throw new DnsHaError('ERR_CONFIG', 'DnsServer needs a handler')
    this.handler = toHandler(options.handler)
    this.plainHandler = typeof this.handler.answerPlain === 'function' ? this.handler : undefined
    const reusePort = options.reusePort === true
    this.receiveBufferBytes = options.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER_BYTES
    if (!Number.isInteger(this.receiveBufferBytes) || this.receiveBufferBytes < 0) {
      throw new DnsHaError('ERR_CONFIG', `receiveBufferBytes must be a whole number of bytes, 0 or more (got ${String(options.receiveBufferBytes)})`)
    }
    this.engine = chooseEngine(options.engine ?? (reusePort ? 'batched' : 'dgram'), options.network !== undefined, reusePort)
    this.network = this.engine === 'batched' ? batchedNetwork(options.network, { reusePort }) : (options.network ?? nodeNetwork)
    this.clock = options.clock ?? realClock
    this.maxUdpSize = clampInt(options.maxUdpSize ?? DEFAULT_UDP_PAYLOAD, CLASSIC_UDP_PAYLOAD, 65535, 'maxUdpSize')
    this.edns = { maxUdpSize: this.maxUdpSize }
    this.tcpLimits = {
      idleTimeoutMs: clampInt(options.tcpIdleTimeoutMs ?? 10_000, 1, 2 ** 31 - 1, 'tcpIdleTimeoutMs'),
      messageTimeoutMs: clampInt(options.tcpMessageTimeoutMs ?? 5_000, 1, 2 ** 31 - 1, 'tcpMessageTimeoutMs'),
      maxLifetimeMs: clampInt(options.tcpMaxLifetimeMs ?? 120_000, 0, 2 ** 31 - 1, 'tcpMaxLifetimeMs'),
      maxQueries: clampInt(options.maxTcpQueriesPerConnection ?? 32, 1, 65535, 'maxTcpQueriesPerConnection'),
      maxWriteBuffer: options.maxTcpWriteBufferBytes ?? 1 << 20,
    }
    this.maxTcpConnections = options.maxTcpConnections ?? 1000
    this.closeTimeoutMs = options.closeTimeoutMs ?? 2000
    this.logger = toLogger(options.logger, { component: 'server' })
    const queryLog = options.queryLog
    if (queryLog === true) {
      this.queryLog = options.logger === undefined ? undefined : new QueryLog(toLogger(options.logger, { component: 'query' }), this.clock)
    } else if (queryLog !== undefined && queryLog !== false && queryLog !== null) {
      this.queryLog = new QueryLog(queryLog, this.clock)
    }
    if (options.tsig !== undefined && typeof options.tsig?.get !== 'function') {
      throw new DnsHaError('ERR_CONFIG', 'tsig must be a keyring from createKeyring()')
    }
    this.keyring = options.tsig
  }

  /**
   * Binds UDP and TCP on the same address and port (port 0 picks a free one for both) and
   * resolves with what was bound. May be called again to serve on more addresses.
   */
  async listen(options: ListenOptions): Promise<BoundAddress> {
    if (this.closing) throw new DnsHaError('ERR_SERVER_CLOSED', 'server is closed')
    await this.startHandler()
    if (this.closing) throw new DnsHaError('ERR_SERVER_CLOSED', 'server is closed')
    const address = options.address ?? '127.0.0.1'
    const family = addressFamily(address)
    // With port 0 the UDP port is chosen first; TCP may find it taken, so try a few times.
    for (let attempt = 0; ; attempt++) {
      const udp = this.network.createDatagramSocket(family)
      let bound: BoundAddress
      try {
        bound = await udp.bind(options.port, address)
      } catch (cause) {
        await udp.close()
        throw new DnsHaError('ERR_SERVER_LISTEN', `cannot bind UDP ${address}:${options.port}: ${(cause as Error).message}`, { cause })
      }
      const tcp = options.tcp === false ? undefined : this.network.createStreamServer((socket) => this.acceptTcp(socket))
      try {
        await tcp?.listen(bound.port, address)
      } catch (cause) {
        await udp.close()
        if (options.port === 0 && attempt < 8) continue
        throw new DnsHaError('ERR_SERVER_LISTEN', `cannot listen TCP ${address}:${bound.port}: ${(cause as Error).message}`, { cause })
      }
      if (this.receiveBufferBytes > 0) udp.setReceiveBufferSize(this.receiveBufferBytes)
      udp.onMessage((msg, rinfo) => this.onDatagram(udp, msg, rinfo))
      udp.onError((error) => this.reportError(error, 'socket'))
      this.bindings.push({ udp, tcp, bound })
      this.logger.info('listening', { address: bound.address, port: bound.port, tcp: tcp !== undefined, engine: this.engine })
      this.emit('listening', { address: bound })
      return bound
    }
  }

  /**
   * Runs the handler's `start()` (files read, probes started) before any socket answers; once per
   * server, however many `listen()` calls. A failed start is forgotten, so a later `listen()` retries.
   */
  private startHandler(): Promise<void> {
    const handler = this.handler
    if (typeof handler.start !== 'function') return Promise.resolve()
    this.starting ??= Promise.resolve()
      .then(() => handler.start!())
      .catch((error: unknown) => {
        this.starting = undefined
        throw error
      })
    return this.starting
  }

  /** The addresses the server listens on. */
  addresses(): BoundAddress[] {
    return this.bindings.map((l) => l.bound)
  }

  /**
   * Stops accepting, lets in-flight answers finish (at most `closeTimeoutMs`), then closes every
   * socket and connection, and last the handler (its `close()`, when the server started it).
   */
  async close(): Promise<void> {
    if (this.closing) return
    this.closing = true
    await Promise.all(this.bindings.map((l) => l.tcp?.close()))
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = this.clock.setTimeout(resolve, this.closeTimeoutMs)
        this.idleWaiters.push(() => {
          this.clock.clearTimeout(timer)
          resolve()
        })
      })
    }
    for (const c of this.connections) c.close()
    await Promise.all(this.bindings.map((l) => l.udp.close()))
    this.bindings.length = 0
    const started = this.starting
    if (started !== undefined && typeof this.handler.close === 'function') {
      // Only a handler this server started is closed (one that failed to start has nothing to release).
      const ok = await started.then(() => true, () => false)
      if (ok) await this.handler.close()
    }
    this.logger.info('closed', {})
    this.emit('close', {})
  }

  /** Counters and state as plain data. */
  snapshot(): DnsServerSnapshot {
    const copy = (c: Counters): TransportCounters => {
      const rcodes: Record<string, number> = {}
      c.byRcode.forEach((n, code) => {
        if (n > 0) rcodes[RCODE_NAMES[code] ?? `RCODE${code}`] = n
      })
      return { queries: c.queries, responses: c.responses, rcodes, truncated: c.truncated, dropped: c.dropped }
    }
    return {
      listening: this.addresses(),
      udp: copy(this.counters.udp),
      tcp: { ...copy(this.counters.tcp), connections: this.connections.size, refusedConnections: this.refusedConnections },
      tsig: { ...this.tsigCounters },
      inFlight: this.inFlight,
      closing: this.closing,
      engine: this.engine,
    }
  }

  // ---- transports ----

  private onDatagram(socket: DatagramSocket, msg: Buffer, rinfo: RemoteInfo): void {
    const counters = this.counters.udp
    if (this.closing) {
      counters.dropped++
      return
    }
    // The fast path: a plain query the handler answers from its cache, no DnsQuery built. The
    // events carry a DnsQuery, so with listeners every query takes the full path.
    const plain = this.plainQuery
    if (this.plainHandler !== undefined && !this.observed && readPlainQuery(msg, this.maxUdpSize, rinfo, plain)) {
      const start = this.queryLog === undefined ? 0 : this.queryLog.now()
      const bytes = this.answerPlain(this.plainHandler, plain)
      if (bytes !== undefined) {
        counters.queries++
        counters.responses++
        counters.byRcode[bytes[3]! & 0xf]!++
        socket.send(bytes, rinfo.port, rinfo.address)
        if (this.queryLog !== undefined) this.queryLog.record(msg, rinfo, 'udp', bytes, start)
        return
      }
    }
    // The full path may keep the bytes (DnsQuery.raw, async handlers, listeners): a borrowed
    // receive buffer is reused after this call, so it is copied here, and only here.
    const raw = socket.borrowsMessages === true ? Buffer.from(msg) : msg
    this.process(raw, rinfo, 'udp', (bytes) => socket.send(bytes, rinfo.port, rinfo.address))
  }

  /** The handler's fast-path answer; `undefined` when it declines, answers too large, or throws (the full path then decides). */
  private answerPlain(handler: Handler, query: PlainQuery): Uint8Array | undefined {
    try {
      const bytes = handler.answerPlain!(query)
      return bytes !== undefined && bytes.length >= 12 && bytes.length <= query.maxUdpSize ? bytes : undefined
    } catch (error) {
      this.reportError(error, 'handler', query.client)
      return undefined
    }
  }

  private acceptTcp(socket: StreamSocket): void {
    if (this.closing || this.connections.size >= this.maxTcpConnections) {
      this.refusedConnections++
      socket.destroy()
      return
    }
    const connection = new TcpConnection(socket, this, (raw, send, done, stream) => this.process(raw, socket.remote, 'tcp', send, done, stream))
    this.connections.add(connection)
    socket.onClose(() => this.connections.delete(connection))
  }

  // ---- the pipeline ----

  /**
   * Answers one message. `send` is called at most once, possibly later (async handlers);
   * `done` is called once the message is finished with, answered or not (TCP paces reading by it).
   * `stream` writes the messages of a {@link StreamResponse} (TCP only).
   * @internal
   */
  process(raw: Buffer, client: ClientInfo, transport: Transport, send: (bytes: Uint8Array) => void, done?: () => void, stream?: StreamWrite): void {
    const counters = this.countersOf(transport)
    counters.queries++
    if (this.queryLog !== undefined) {
      // Wrapped here, once, so every way out below (FORMERR, NOTIMP, handler, stream) is logged alike.
      const start = this.queryLog.now()
      send = this.queryLog.wrapSend(raw, client, transport, start, send)
      if (stream !== undefined) stream = this.queryLog.wrapStream(raw, client, transport, start, stream)
    }
    // Too short for a header, or a response (QR=1): never answered (RFC 1035; avoids loops).
    if (raw.length < 12 || (readFlags(raw) & FLAG.QR) !== 0) {
      counters.dropped++
      done?.()
      return
    }
    let query: DnsQuery
    try {
      query = new DnsQuery(raw, client, transport, this.maxUdpSize)
    } catch {
      this.sendMinimal(raw, transport, RCODE.FORMERR, send)
      done?.()
      return
    }
    // Only additional records other than OPT can be a TSIG: plain and EDNS queries skip this.
    if (this.keyring !== undefined && query.header.arcount > (query.edns?.count ?? 0)) {
      const verdict = verifyRequest(raw, this.keyring, this.nowSeconds())
      if (verdict.status === 'ok') {
        this.tsigCounters.verified++
        query.setVerifiedTsig(verdict.context)
      } else if (verdict.status === 'formerr') {
        this.tsigCounters.malformed++
        return this.finishFixed(query, RCODE.FORMERR, send, done)
      } else if (verdict.status !== 'none') {
        return this.finishTsigFailure(query, verdict, send, done)
      }
    }
    const opcode = opcodeOf(query.header.flags)
    if (opcode !== OPCODE.QUERY && opcode !== OPCODE.NOTIFY && opcode !== OPCODE.UPDATE) {
      return this.finishFixed(query, RCODE.NOTIMP, send, done)
    }
    if (query.edns && query.edns.count > 1) return this.finishFixed(query, RCODE.FORMERR, send, done)
    if (query.edns && query.edns.version > 0) return this.finishFixed(query, RCODE.BADVERS, send, done)
    if (opcode === OPCODE.QUERY && query.header.qdcount !== 1) return this.finishFixed(query, RCODE.FORMERR, send, done)

    if (this.observed) this.emit('query', { query })
    let result: MaybePromise<HandlerResult>
    try {
      result = this.handler.handle(query, endOfChain)
    } catch (error) {
      this.finishError(query, error, send)
      done?.()
      return
    }
    if (!isPromiseLike(result) && !isStreamResponse(result)) {
      this.finish(query, result, send)
      done?.()
      return
    }
    this.inFlight++
    Promise.resolve(result)
      .then(
        (r) => (isStreamResponse(r) ? this.finishStream(query, r, send, stream) : this.finish(query, r, send)),
        (error: unknown) => this.finishError(query, error, send),
      )
      .finally(() => {
        this.inFlight--
        done?.()
        if (this.inFlight === 0 && this.idleWaiters.length > 0) {
          for (const w of this.idleWaiters.splice(0)) w()
        }
      })
  }

  private finish(query: DnsQuery, result: HandlerResult, send: (bytes: Uint8Array) => void): void {
    if (result === DROP) {
      this.countersOf(query.transport).dropped++
      return
    }
    if (result === undefined) {
      // Nobody answered: a QUERY is refused, any other opcode gets NOTIMP.
      return this.finishFixed(query, query.opcode === OPCODE.QUERY ? RCODE.REFUSED : RCODE.NOTIMP, send)
    }
    let bytes: Buffer
    if (result instanceof Uint8Array) {
      // Pre-encoded answers may be shared (caches): copy before patching the id.
      bytes = Buffer.allocUnsafe(result.length)
      bytes.set(result)
      writeId(bytes, query.id)
    } else {
      try {
        bytes = encodeResponse(query, result as Packet & { rcode?: number }, this.edns)
      } catch (error) {
        this.reportError(error, 'encode', query.client)
        return this.finishFixed(query, RCODE.SERVFAIL, send)
      }
    }
    this.deliver(query, bytes, send)
  }

  /**
   * Writes the messages of a stream answer in order, each with the query's id and, when the query
   * was signed, its TSIG (RFC 8945 §5.3.1); waits for the connection to drain between messages.
   * Over UDP (or with no stream writer) only the first message is sent.
   */
  private async finishStream(query: DnsQuery, response: StreamResponse, send: (bytes: Uint8Array) => void, stream: StreamWrite | undefined): Promise<void> {
    const signer = query.tsigContext === undefined ? undefined : new TsigStreamSigner(query.tsigContext)
    const counters = this.countersOf(query.transport)
    let sent = 0
    try {
      for await (const message of response.messages) {
        if (stream === undefined || query.transport !== 'tcp') {
          this.finish(query, message, send)
          return
        }
        let bytes: Buffer = Buffer.allocUnsafe(message.length)
        bytes.set(message)
        writeId(bytes, query.id)
        if (signer !== undefined) bytes = signer.sign(bytes, this.nowSeconds())
        counters.responses++
        counters.byRcode[bytes[3]! & 0xf]!++
        sent++
        if (this.observed) this.emit('response', { query, transport: query.transport, rcode: bytes[3]! & 0xf, size: bytes.length, truncated: false })
        if (!(await stream(bytes))) return
      }
    } catch (error) {
      if (sent === 0) return this.finishError(query, error, send)
      // Mid-stream: the client must not take what it has for a whole zone; the last SOA never comes.
      this.reportError(error, 'handler', query.client)
      await stream?.(undefined)
      return
    }
    if (sent === 0) this.finishFixed(query, RCODE.SERVFAIL, send)
  }

  private finishError(query: DnsQuery, error: unknown, send: (bytes: Uint8Array) => void): void {
    // A handler that needed the full decode of an undecodable query has found a FORMERR.
    if (isDnsHaError(error, 'ERR_PACKET_MALFORMED')) return this.finishFixed(query, RCODE.FORMERR, send)
    this.reportError(error, 'handler', query.client)
    this.finishFixed(query, RCODE.SERVFAIL, send)
  }

  private finishFixed(query: DnsQuery, rcode: number, send: (bytes: Uint8Array) => void, done?: () => void): void {
    const flags = query.header.flags & COPY_FLAGS_MASK
    this.deliver(query, headerOnlyResponse(query, flags, rcode, this.edns), send, rcode)
    done?.()
  }

  /** NOTAUTH with the TSIG error (RFC 8945 §5.2): BADKEY/BADSIG unsigned, BADTIME signed. */
  private finishTsigFailure(query: DnsQuery, failure: TsigFailure, send: (bytes: Uint8Array) => void, done?: () => void): void {
    if (failure.status === 'badkey') this.tsigCounters.badKey++
    else if (failure.status === 'badsig') this.tsigCounters.badSig++
    else this.tsigCounters.badTime++
    const flags = query.header.flags & COPY_FLAGS_MASK
    const notauth = headerOnlyResponse(query, flags, RCODE.NOTAUTH, this.edns)
    this.deliver(query, tsigErrorAnswer(notauth, failure, this.nowSeconds()), send, RCODE.NOTAUTH)
    done?.()
  }

  private deliver(query: DnsQuery, bytes: Buffer, send: (bytes: Uint8Array) => void, knownRcode?: number): void {
    const transport = query.transport
    const limit = transport === 'udp' ? query.maxUdpSize : 65535
    let truncated = false
    const tsig = query.tsigContext
    if (tsig === undefined) {
      if (bytes.length > limit) {
        bytes = truncateResponse(query, bytes, this.edns)
        truncated = true
      }
    } else {
      // The TSIG must survive truncation: truncate leaving room for it, then sign what is sent.
      if (bytes.length + tsigSpace(tsig.key) > limit) {
        bytes = truncateResponse(query, bytes, this.edns)
        truncated = true
      }
      bytes = signResponse(bytes, tsig, this.nowSeconds())
    }
    const counters = this.countersOf(transport)
    counters.responses++
    if (truncated) counters.truncated++
    // The header holds only 4 rcode bits; extended ones (BADVERS) are known by the caller.
    const rcode = knownRcode ?? bytes[3]! & 0xf
    counters.byRcode[rcode & 0xff]!++
    if (this.observed) this.emit('response', { query, transport, rcode, size: bytes.length, truncated })
    send(bytes)
  }

  /** A response for a message whose question could not be read: header only, FORMERR. */
  private sendMinimal(raw: Buffer, transport: Transport, rcode: number, send: (bytes: Uint8Array) => void): void {
    const out = Buffer.alloc(12)
    raw.copy(out, 0, 0, 4)
    const flags = (readFlags(raw) & COPY_FLAGS_MASK) | FLAG.QR | rcode
    out.writeUInt16BE(flags, 2)
    const counters = this.countersOf(transport)
    counters.responses++
    counters.byRcode[rcode]!++
    send(out)
  }

  /** A named load per branch: `counters[transport]` is a keyed lookup on every message. */
  private countersOf(transport: Transport): Counters {
    return transport === 'udp' ? this.counters.udp : this.counters.tcp
  }

  /** Unix time in whole seconds on the injected clock (TSIG's Time Signed). */
  private nowSeconds(): number {
    return Math.floor(this.clock.now() / 1000)
  }

  /** @internal */
  reportError(error: unknown, phase: 'handler' | 'encode' | 'socket', client?: ClientInfo): void {
    this.logger.error(`dns server ${phase} error: ${errorMessage(error)}`, client ? { phase, client: `${client.address}:${client.port}`, err: error } : { phase, err: error })
    if (this.listenerCount('error') > 0) this.emit('error', client ? { error, phase, client } : { error, phase })
  }
}

interface Counters {
  queries: number
  responses: number
  /** Indexed by rcode number (0-255): cheaper on the hot path than a keyed object. */
  byRcode: Float64Array
  truncated: number
  dropped: number
}

function newCounters(): Counters {
  return { queries: 0, responses: 0, byRcode: new Float64Array(256), truncated: 0, dropped: 0 }
}

/** The engine for an `engine` option: `auto` takes the batched one where it can run on the default network. */
function chooseEngine(engine: DnsServerEngine | 'auto', customNetwork: boolean, reusePort: boolean): DnsServerEngine {
  if (reusePort && engine === 'dgram') throw new DnsHaError('ERR_CONFIG', "reusePort needs the batched engine (Node 20's dgram cannot set SO_REUSEPORT), not engine 'dgram'")
  if (engine === 'dgram') return 'dgram'
  if (engine === 'auto' && !reusePort) return !customNetwork && batchedEngineUnavailable() === undefined ? 'batched' : 'dgram'
  if (engine !== 'batched' && engine !== 'auto') throw new DnsHaError('ERR_CONFIG', `engine must be 'batched', 'dgram' or 'auto', got ${String(engine)}`)
  const reason = batchedEngineUnavailable()
  if (reason !== undefined) throw new DnsHaError('ERR_CONFIG', `${reusePort ? 'reusePort needs the batched engine, which' : "engine 'batched'"} cannot run here: ${reason}`)
  return 'batched'
}

function clampInt(value: number, min: number, max: number, name: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new DnsHaError('ERR_CONFIG', `${name} must be an integer from ${min} to ${max}, got ${value}`)
  }
  return value
}
