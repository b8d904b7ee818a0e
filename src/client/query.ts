/**
 * {@link query}: a stub resolver's one exchange with one server, as dig does it. UDP first, with a
 * per-attempt timeout and re-sends (each from a fresh socket on a random source port, with a fresh
 * random id), answers accepted only from the queried address and port with our id and question;
 * TC=1 moves the same question to TCP (RFC 7766 framing). Every failure is a `DnsHaError`; every
 * socket and timer is released however the query ends.
 */
import dnsPacket from 'dns-packet'
import type { DnsPacket } from '../packet/dns-packet.js'
import type { Clock, TimerHandle } from '../util/clock.js'
import { realClock } from '../util/clock.js'
import { addressBytes } from '../util/cidr.js'
import { DnsHaError } from '../util/errors.js'
import type { DatagramSocket, Network, RemoteInfo, StreamSocket } from '../util/network.js'
import { addressFamily, nodeNetwork } from '../util/network.js'
import type { Random } from '../util/random.js'
import { defaultRandom } from '../util/random.js'
import type { ResolvedTsigKey, TsigKey } from '../tsig/key.js'
import { resolveTsigKey } from '../tsig/keyring.js'
import { signRequest } from '../tsig/sign.js'
import type { TsigRequestContext } from '../tsig/verify-request.js'
import { verifyResponse } from '../tsig/verify-response.js'
import { TSIG_ERROR } from '../tsig/record.js'
import type { QueryEdns, QueryTemplate } from './build-query.js'
import { buildQuery, prepareAttempt, templateFromMessage } from './build-query.js'
import type { ExpectedAnswer, ResponseVerdict } from './match-response.js'
import { isTruncated, matchResponse } from './match-response.js'

/** The server to ask. */
export interface QueryServer {
  /** An IPv4 or IPv6 literal. */
  address: string
  /** Default 53. */
  port?: number
}

/** The question to ask. */
export interface QueryQuestion {
  /** The name, absolute (a trailing dot is optional). */
  name: string
  /** Type name (default `'A'`; `'TYPE65280'` style works too). */
  type?: string
  /** Class name (default `'IN'`). */
  class?: string
}

/** How to ask. */
export interface QueryOptions {
  /** Per attempt, in ms (default 2000). A TCP attempt spends it on connect and exchange together. */
  timeoutMs?: number
  /** UDP re-sends after the first attempt (default 2), each with a fresh id and source port. */
  retries?: number
  /** TCP only. */
  tcp?: boolean
  /** EDNS (default on, payload 1232). Ignored when the question is a complete message. */
  edns?: QueryEdns
  /** RD flag (default true). Ignored when the question is a complete message. */
  recursionDesired?: boolean
  /** DNS 0x20: randomise the qname's case per attempt and require the answer to echo it exactly. */
  randomizeCase?: boolean
  /** Aborting rejects with `ERR_QUERY_ABORTED` and releases everything at once. */
  signal?: AbortSignal
  /**
   * Sign the query with this TSIG key (RFC 8945) and accept only an answer signed with it: an
   * unsigned or badly signed answer, or one reporting BADKEY/BADSIG/BADTIME, rejects with
   * `ERR_QUERY_TSIG` (its `details.tsig` says which). `fudge` defaults to 300 s.
   */
  tsig?: QueryTsigOptions
  /**
   * The source address to ask from, as `dig -b`: UDP sockets bind to it and TCP connects from it
   * (default: the wildcard, the route picks). Servers whose views match on the client's address
   * see this one; on Linux loopback any 127.0.0.0/8 address can be used without configuring it.
   */
  localAddress?: string
  network?: Network
  clock?: Clock
  random?: Random
}

/** The TSIG option of {@link query}. */
export interface QueryTsigOptions {
  /** A key as configured, or one already resolved by a keyring. */
  key: TsigKey | ResolvedTsigKey
  /** Allowed clock skew in seconds (default 300). */
  fudge?: number
}

/**
 * Why a signed query's answer was refused (`details.tsig` of `ERR_QUERY_TSIG`): the answer is
 * `unsigned`, signed with another key (`badkey`), its MAC is wrong (`badsig`), its time is out
 * of the window (`badtime`), it is malformed (`formerr`), or the server reported that it could
 * not verify us (`server-badkey`, `server-badsig`, `server-badtime`, `server-error`).
 */
export type QueryTsigFailure = 'unsigned' | 'badkey' | 'badsig' | 'badtime' | 'formerr' | 'server-badkey' | 'server-badsig' | 'server-badtime' | 'server-error'

/** A matched answer. */
export interface QueryResult {
  /** The decoded answer. */
  packet: DnsPacket
  /** The bytes exactly as received (for a relayed message, with the id we sent upstream). */
  raw: Buffer
  /** The transport the answer came over. */
  transport: 'udp' | 'tcp'
  server: { address: string; port: number }
  /** From sending the accepted attempt (or opening its TCP connection) to its answer. */
  rttMs: number
  /** Messages received and not accepted (wrong source, id or question, undecodable) on the way. */
  ignored: number
}

/** Default per-attempt timeout. */
export const DEFAULT_QUERY_TIMEOUT_MS = 2000
/** Default UDP re-sends. */
export const DEFAULT_QUERY_RETRIES = 2

// Source ports are drawn from the IANA dynamic range (RFC 6335); a taken one is redrawn.
const PORT_MIN = 49152
const PORT_SPAN = 65536 - PORT_MIN
const PORT_DRAWS = 8

/**
 * Asks `server` one question and resolves with the first acceptable answer.
 *
 * `question` may be a complete query message (bytes): it is sent as is except for a fresh id per
 * attempt, and the answer is matched against the question read from it.
 *
 * Rejects with `DnsHaError`: `ERR_CONFIG` (bad server, question or option), `ERR_PACKET_MALFORMED`
 * (a given message without a readable question), `ERR_QUERY_TIMEOUT`, `ERR_QUERY_NETWORK`,
 * `ERR_QUERY_MISMATCH` (a TCP answer that is not ours), `ERR_QUERY_TSIG` (with `tsig`: an answer
 * that is not correctly signed, or the server's TSIG error) or `ERR_QUERY_ABORTED`.
 */
export async function query(server: QueryServer, question: QueryQuestion | Uint8Array, options: QueryOptions = {}): Promise<QueryResult> {
  const ctx = resolveContext(server, question, options)
  if (ctx.signal?.aborted) throw abortedError(ctx)
  if (!options.tcp) {
    const outcome = await exchangeUdp(ctx)
    if (outcome.kind === 'answer') return outcome.result
    // A truncated answer: ask again over TCP, where nothing is cut (RFC 7766 §5).
    ctx.ignored = outcome.ignored
  }
  return exchangeTcp(ctx)
}

// ---- internals ----

interface Context {
  address: string
  port: number
  family: 4 | 6
  template: QueryTemplate
  timeoutMs: number
  attempts: number
  randomizeCase: boolean
  signal: AbortSignal | undefined
  network: Network
  clock: Clock
  random: Random
  ignored: number
  tsig: { key: ResolvedTsigKey; fudge: number } | undefined
  localAddress: string | undefined
}

type UdpOutcome = { kind: 'answer'; result: QueryResult } | { kind: 'truncated'; ignored: number }

function resolveContext(server: QueryServer, question: QueryQuestion | Uint8Array, options: QueryOptions): Context {
  if (!server || typeof server.address !== 'string' || addressBytes(server.address) === undefined) {
    throw new DnsHaError('ERR_CONFIG', `server address must be an IP literal, got ${JSON.stringify(server?.address)}`)
  }
  const port = server.port ?? 53
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new DnsHaError('ERR_CONFIG', `server port must be 1-65535, got ${port}`)
  const timeoutMs = options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new DnsHaError('ERR_CONFIG', `timeoutMs must be a positive number, got ${timeoutMs}`)
  const retries = options.retries ?? DEFAULT_QUERY_RETRIES
  if (!Number.isInteger(retries) || retries < 0) throw new DnsHaError('ERR_CONFIG', `retries must be a non-negative integer, got ${retries}`)
  const template =
    question instanceof Uint8Array
      ? templateFromMessage(question)
      : buildQuery(question.name, question.type ?? 'A', question.class ?? 'IN', {
          // Stryker disable next-line ConditionalExpression: buildQuery reads `{ edns: undefined }` as no option (`?? true`)
          ...(options.edns === undefined ? {} : { edns: options.edns }),
          // Stryker disable next-line ConditionalExpression: buildQuery reads `{ recursionDesired: undefined }` as no option (only `false` clears RD)
          ...(options.recursionDesired === undefined ? {} : { recursionDesired: options.recursionDesired }),
        })
  return {
    address: server.address,
    port,
    family: addressFamily(server.address),
    template,
    timeoutMs,
    attempts: 1 + retries,
    randomizeCase: options.randomizeCase === true,
    signal: options.signal,
    network: options.network ?? nodeNetwork,
    clock: options.clock ?? realClock,
    random: options.random ?? defaultRandom(),
    ignored: 0,
    tsig: resolveTsigOption(options.tsig),
    localAddress: resolveLocalAddress(options.localAddress, server.address),
  }
}

function resolveLocalAddress(local: string | undefined, server: string): string | undefined {
  if (local === undefined) return undefined
  if (addressBytes(local) === undefined || addressFamily(local) !== addressFamily(server)) {
    throw new DnsHaError('ERR_CONFIG', `localAddress must be an IP literal of the server's family, got ${JSON.stringify(local)}`)
  }
  return local
}

function resolveTsigOption(option: QueryTsigOptions | undefined): Context['tsig'] {
  if (option === undefined) return undefined
  const given = option?.key as Partial<ResolvedTsigKey> | undefined
  const key = given !== undefined && Buffer.isBuffer(given.nameWire) ? (given as ResolvedTsigKey) : resolveTsigKey(option.key as TsigKey, 'tsig.key')
  const fudge = option.fudge ?? 300
  if (!Number.isInteger(fudge) || fudge < 0 || fudge > 65535) throw new DnsHaError('ERR_CONFIG', `tsig.fudge must be 0-65535, got ${fudge}`)
  return { key, fudge }
}

/** The attempt's bytes, signed when the query is (each attempt has its own id, so its own MAC). */
function signAttempt(ctx: Context, bytes: Buffer): { bytes: Buffer; tsig: TsigRequestContext | undefined } {
  if (!ctx.tsig) return { bytes, tsig: undefined }
  const signed = signRequest(bytes, ctx.tsig.key, Math.floor(ctx.clock.now() / 1000), { fudge: ctx.tsig.fudge })
  return { bytes: signed.bytes, tsig: signed.context }
}

/** `undefined` when the answer's TSIG is acceptable (or the query was not signed), else the error to reject with. */
function checkAnswerTsig(ctx: Context, raw: Buffer, tsig: TsigRequestContext | undefined): DnsHaError | undefined {
  if (!tsig) return undefined
  const verdict = verifyResponse(raw, tsig, Math.floor(ctx.clock.now() / 1000))
  if (verdict.status === 'ok') return undefined
  let failure: QueryTsigFailure
  if (verdict.status === 'none') failure = 'unsigned'
  else if (verdict.status === 'rejected') {
    failure = verdict.error === TSIG_ERROR.BADKEY ? 'server-badkey' : verdict.error === TSIG_ERROR.BADSIG ? 'server-badsig' : verdict.error === TSIG_ERROR.BADTIME ? 'server-badtime' : 'server-error'
  } else failure = verdict.status
  const why = verdict.status === 'formerr' ? `: ${verdict.reason}` : verdict.status === 'rejected' ? ` (TSIG error ${verdict.error})` : ''
  return new DnsHaError('ERR_QUERY_TSIG', `answer from ${endpoint(ctx)} failed TSIG: ${failure}${why}`, { details: { tsig: failure, key: tsig.key.name } })
}

/**
 * The UDP phase: attempt after attempt until an answer, TC, a network error, abort, or the last
 * timeout. Earlier attempts keep listening, so a late answer to any of them still counts.
 */
function exchangeUdp(ctx: Context): Promise<UdpOutcome> {
  return new Promise<UdpOutcome>((resolve, reject) => {
    const sockets: DatagramSocket[] = []
    let timer: TimerHandle | undefined
    let settled = false
    let lastIgnored: ResponseVerdict | undefined
    let started = 0

    const finish = (settle: () => void): void => {
      if (settled) return
      settled = true
      ctx.clock.clearTimeout(timer)
      ctx.signal?.removeEventListener('abort', onAbort)
      for (const s of sockets) void s.close().catch(() => {})
      settle()
    }
    const fail = (error: DnsHaError): void => finish(() => reject(error))
    const onAbort = (): void => fail(abortedError(ctx))
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: finish() removes the listener whichever way the query ends, so `once` only restates it
    ctx.signal?.addEventListener('abort', onAbort, { once: true })

    const onAnswer = (msg: Buffer, rinfo: RemoteInfo, expected: ExpectedAnswer, sentAt: number, tsig: TsigRequestContext | undefined): void => {
      if (settled) return
      const verdict = sameEndpoint(rinfo, ctx) ? matchResponse(msg, expected) : 'wrong-source'
      if (verdict !== 'ok') {
        ctx.ignored++
        lastIgnored = verdict
        return
      }
      if (isTruncated(msg)) return finish(() => resolve({ kind: 'truncated', ignored: ctx.ignored }))
      const tsigError = checkAnswerTsig(ctx, msg, tsig)
      if (tsigError) return fail(tsigError)
      const packet = decode(msg)
      if (!packet) {
        // Possibly a forgery that guessed id and port: keep waiting for the real answer.
        ctx.ignored++
        lastIgnored = 'undecodable'
        return
      }
      const result: QueryResult = {
        packet,
        raw: msg,
        transport: 'udp',
        server: { address: ctx.address, port: ctx.port },
        rttMs: ctx.clock.now() - sentAt,
        ignored: ctx.ignored,
      }
      finish(() => resolve({ kind: 'answer', result }))
    }

    const attempt = async (): Promise<void> => {
      started++
      const prepared = prepareAttempt(ctx.template, ctx.random, ctx.randomizeCase)
      const { id, question } = prepared
      const { bytes, tsig } = signAttempt(ctx, prepared.bytes)
      const expected: ExpectedAnswer = { id, question, exactCase: ctx.randomizeCase }
      let socket: DatagramSocket
      try {
        socket = await openSocket(ctx)
      } catch (cause) {
        return fail(networkError(ctx, 'cannot open a UDP socket', cause))
      }
      if (settled) {
        void socket.close().catch(() => {})
        return
      }
      sockets.push(socket)
      const sentAt = ctx.clock.now()
      socket.onError((cause) => fail(networkError(ctx, 'UDP socket error', cause)))
      socket.onMessage((msg, rinfo) => onAnswer(msg, rinfo, expected, sentAt, tsig))
      try {
        socket.send(bytes, ctx.port, ctx.address, (err) => {
          if (err) fail(networkError(ctx, 'UDP send failed', err))
        })
      } catch (cause) {
        // dgram throws synchronously for some failures (a socket closed under us).
        return fail(networkError(ctx, 'UDP send failed', cause))
      }
      timer = ctx.clock.setTimeout(() => {
        // Stryker disable next-line ConditionalExpression: finish() clears the one live timer, so this callback never runs once settled
        if (settled) return
        if (started < ctx.attempts) void attempt()
        else fail(timeoutError(ctx, 'udp', started, lastIgnored))
      }, ctx.timeoutMs)
    }
    void attempt()
  })
}

/** The TCP phase: one connection, one length-prefixed query, one answer. */
function exchangeTcp(ctx: Context): Promise<QueryResult> {
  return new Promise<QueryResult>((resolve, reject) => {
    const prepared = prepareAttempt(ctx.template, ctx.random, ctx.randomizeCase)
    const { id, question } = prepared
    const { bytes, tsig } = signAttempt(ctx, prepared.bytes)
    const expected: ExpectedAnswer = { id, question, exactCase: ctx.randomizeCase }
    let socket: StreamSocket | undefined
    let settled = false
    const startedAt = ctx.clock.now()
    // One deadline for connect and exchange together; it only fires after `fail` exists.
    const timer = ctx.clock.setTimeout(() => fail(timeoutError(ctx, 'tcp', 1, undefined)), ctx.timeoutMs)

    const finish = (settle: () => void): void => {
      if (settled) return
      settled = true
      ctx.clock.clearTimeout(timer)
      ctx.signal?.removeEventListener('abort', onAbort)
      socket?.destroy()
      settle()
    }
    const fail = (error: DnsHaError): void => finish(() => reject(error))
    const onAbort = (): void => fail(abortedError(ctx))
    // The signal may have fired while the UDP phase was ending.
    if (ctx.signal?.aborted) return fail(abortedError(ctx))
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: finish() removes the listener whichever way the query ends, so `once` only restates it
    ctx.signal?.addEventListener('abort', onAbort, { once: true })

    const onMessage = (msg: Buffer): void => {
      const verdict = matchResponse(msg, expected)
      // On a connection of our own, anything but our answer means the server is confused: say so.
      if (verdict !== 'ok') {
        return fail(new DnsHaError('ERR_QUERY_MISMATCH', `TCP answer from ${endpoint(ctx)} does not match the query (${verdict})`, { details: { verdict } }))
      }
      const tsigError = checkAnswerTsig(ctx, msg, tsig)
      if (tsigError) return fail(tsigError)
      const packet = decode(msg)
      if (!packet) {
        return fail(new DnsHaError('ERR_QUERY_MISMATCH', `TCP answer from ${endpoint(ctx)} does not decode`, { details: { verdict: 'undecodable' } }))
      }
      const result: QueryResult = {
        packet,
        raw: msg,
        transport: 'tcp',
        server: { address: ctx.address, port: ctx.port },
        rttMs: ctx.clock.now() - startedAt,
        ignored: ctx.ignored,
      }
      finish(() => resolve(result))
    }

    ctx.network.connectStream(ctx.address, ctx.port, { timeoutMs: ctx.timeoutMs, ...(ctx.localAddress === undefined ? {} : { localAddress: ctx.localAddress }) }).then(
      (s) => {
        if (settled) return s.destroy()
        socket = s
        let pending: Buffer = Buffer.alloc(0)
        s.onData((chunk) => {
          if (settled) return
          // Stryker disable next-line ConditionalExpression: concatenating an empty buffer and `chunk` gives `chunk`'s bytes; the branch only saves a copy
          pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
          if (pending.length < 2) return
          const length = pending.readUInt16BE(0)
          if (pending.length < 2 + length) return
          onMessage(Buffer.from(pending.subarray(2, 2 + length)))
        })
        s.onError((cause) => fail(networkError(ctx, 'TCP connection error', cause)))
        s.onClose(() => fail(networkError(ctx, 'TCP connection closed before an answer', undefined)))
        const framed = Buffer.allocUnsafe(bytes.length + 2)
        framed.writeUInt16BE(bytes.length, 0)
        bytes.copy(framed, 2)
        try {
          s.write(framed)
        } catch (cause) {
          fail(networkError(ctx, 'TCP write failed', cause))
        }
      },
      (cause: unknown) => {
        const timedOut = /timed out|ETIMEDOUT/i.test(String((cause as Error)?.message ?? cause))
        fail(timedOut ? timeoutError(ctx, 'tcp', 1, undefined) : networkError(ctx, 'TCP connect failed', cause))
      },
    )
  })
}

/** A UDP socket on a random source port of the dynamic range (or, if those keep being taken, the OS's pick). */
async function openSocket(ctx: Context): Promise<DatagramSocket> {
  const wildcard = ctx.localAddress ?? (ctx.family === 6 ? '::' : '0.0.0.0')
  for (let i = 0; i < PORT_DRAWS; i++) {
    const socket = ctx.network.createDatagramSocket(ctx.family)
    try {
      await socket.bind(PORT_MIN + ctx.random.int(PORT_SPAN), wildcard)
      return socket
    } catch (err) {
      await socket.close().catch(() => {})
      const code = (err as { code?: string }).code
      if (code !== 'EADDRINUSE' && code !== 'EACCES') throw err
    }
  }
  const socket = ctx.network.createDatagramSocket(ctx.family)
  try {
    await socket.bind(0, wildcard)
  } catch (err) {
    await socket.close().catch(() => {})
    throw err
  }
  return socket
}

function decode(msg: Buffer): DnsPacket | undefined {
  try {
    return dnsPacket.decode(msg) as DnsPacket
  }
  // Stryker disable next-line BlockStatement: an emptied catch falls through to the same `undefined` (here, not inside the try block, so the directive is the catch clause's leading comment)
  catch {
    return undefined
  }
}

function sameEndpoint(rinfo: RemoteInfo, ctx: Context): boolean {
  return rinfo.port === ctx.port && sameAddress(rinfo.address, ctx.address)
}

function sameAddress(a: string, b: string): boolean {
  if (a === b) return true
  // Stryker disable next-line LogicalOperator,StringLiteral: a shortcut only; canonicalIpv6 never gives an IPv4 string and an IPv6 one the same value
  if (!a.includes(':') || !b.includes(':')) return false
  // IPv6 has many spellings of one address ('::1', '0:0::1'); compare the canonical ones.
  return canonicalIpv6(a) === canonicalIpv6(b)
}

function canonicalIpv6(address: string): string {
  try {
    return new URL(`http://[${stripZone(address)}]/`).hostname
  } catch {
    // Stryker disable next-line MethodExpression: a valid address's canonical form is bracketed, so no fallback spelling (either case) can equal it; this only keeps a junk source from throwing
    return address.toLowerCase()
  }
}

function stripZone(address: string): string {
  const i = address.indexOf('%')
  return i < 0 ? address : address.slice(0, i)
}

function endpoint(ctx: Context): string {
  return ctx.family === 6 ? `[${ctx.address}]:${ctx.port}` : `${ctx.address}:${ctx.port}`
}

function timeoutError(ctx: Context, transport: 'udp' | 'tcp', attempts: number, lastIgnored: ResponseVerdict | undefined): DnsHaError {
  return new DnsHaError('ERR_QUERY_TIMEOUT', `no answer from ${endpoint(ctx)} over ${transport} after ${attempts} attempt(s) of ${ctx.timeoutMs} ms`, {
    details: { transport, attempts, timeoutMs: ctx.timeoutMs, ignored: ctx.ignored, ...(lastIgnored ? { lastIgnored } : {}) },
  })
}

function networkError(ctx: Context, what: string, cause: unknown): DnsHaError {
  const reason = cause instanceof Error ? `: ${cause.message}` : ''
  return new DnsHaError('ERR_QUERY_NETWORK', `${what} (${endpoint(ctx)})${reason}`, { cause })
}

function abortedError(ctx: Context): DnsHaError {
  return new DnsHaError('ERR_QUERY_ABORTED', `query to ${endpoint(ctx)} aborted`, { cause: ctx.signal?.reason })
}
