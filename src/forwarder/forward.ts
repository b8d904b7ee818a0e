/**
 * {@link Forwarding}: questions no local table answers. A cache hit is a byte copy with the TTLs
 * counted down; a miss goes to the route's upstreams by strategy, with in-flight deduplication
 * (one upstream exchange per question however many clients ask), a cap on concurrent forwards,
 * and serve-stale (RFC 8767) when every upstream fails.
 */
import { FLAG, RCODE } from '../packet/constants.js'
import type { UpstreamPool, UpstreamReply, UpstreamStrategy } from '../pool/index.js'
import type { HandlerResult } from '../server/handler.js'
import type { DnsQuery } from '../server/query.js'
import type { Clock } from '../util/clock.js'
import type { ComponentLogger } from '../util/logger.js'
import type { ReportAnswer } from './answer-source.js'
import type { CacheEntry, ResponseCache } from '../pool/response-cache.js'
import type { Route } from './route.js'
import type { ResponseInfo } from '../packet/response-info.js'
import { inspectResponse, stripOpt } from '../packet/response-info.js'
import { localResponse, responseForClient, upstreamQuery } from './wire-response.js'
import { bailiwickCopy } from './bailiwick.js'
import type { RebindGuard } from './rebind.js'
import { emptiedResponse } from './rebind.js'

/** What {@link Forwarding} works with. */
export interface ForwardingOptions {
  pool: UpstreamPool<ResponseInfo>
  strategy: UpstreamStrategy
  cache: ResponseCache
  clock: Clock
  /** The UDP payload size advertised to clients and upstreams. */
  maxUdpSize: number
  /** TTL written into stale answers. */
  staleTtl: number
  /** Concurrent upstream forwards at most; beyond it, stale or SERVFAIL. */
  maxForwards: number
  logger: ComponentLogger
  report: ReportAnswer
  /**
   * Whether a canonical name exists here (hosts names, the names above them, `address=`
   * domains): an upstream NXDOMAIN for it becomes NODATA.
   */
  existsLocally(name: string): boolean
  /** DNS-rebind protection (dnsmasq `stop-dns-rebind`). */
  rebind: RebindGuard
}

/** RFC 8914 info code 15, Blocked: what dnsmasq 2.90 attaches to an answer it dropped as a rebind. */
const EDE_BLOCKED = 15

/** A cached answer ready for the client, and how long those exact bytes stay right. */
export interface CachedAnswer {
  bytes: Uint8Array
  rcode: number
  validUntil: number
  /** The cache entry it was built from (the answer is stale once the cache drops it). */
  entry: CacheEntry
}

/** What a forward produced, shared by every query waiting on it. */
type Outcome =
  | { kind: 'answer'; bytes: Uint8Array; ttlOffsets: number[]; storedAt: number; rcode: number; passThrough: boolean; fallback: boolean; blocked?: boolean }
  | { kind: 'failed'; reason: string }

/** The cache and the upstream side of the forwarder. */
export class Forwarding {
  readonly counters = { forwarded: 0, deduplicated: 0, overflows: 0, rebindBlocked: 0 }
  private readonly inflight = new Map<string, Promise<Outcome>>()

  constructor(private readonly options: ForwardingOptions) {}

  /** Forwards in flight (deduplicated questions count once). */
  get inFlight(): number {
    return this.inflight.size
  }

  /** The cached answer for `key`, as the client should get it now. */
  fromCache(query: DnsQuery, key: string, now: number): CachedAnswer | undefined {
    const entry = this.options.cache.get(key, now)
    if (!entry) return undefined
    const elapsedS = Math.floor((now - entry.storedAt) / 1000)
    const bytes = responseForClient(entry.bytes, entry.ttlOffsets, query, elapsedS, undefined, this.options.maxUdpSize)
    // Reusable while the TTLs it carries are still exact (and so the entry is still fresh).
    return { bytes, rcode: this.noDataIfLocal(query, bytes, false), validUntil: Math.min(entry.storedAt + (elapsedS + 1) * 1000, entry.expiresAt), entry }
  }

  /** Asks the route's upstreams (or joins the forward already asking them) and answers `query`. */
  forward(query: DnsQuery, key: string, route: Route): HandlerResult | Promise<HandlerResult> {
    let pending = this.inflight.get(key)
    if (pending) {
      this.counters.deduplicated++
    } else {
      if (this.inflight.size >= this.options.maxForwards) {
        this.counters.overflows++
        return this.failure(query, key, 'too many concurrent forwards')
      }
      this.counters.forwarded++
      pending = this.ask(route, upstreamQuery(query, this.options.maxUdpSize), key, query.wireQuestion!.name.toLowerCase())
      this.inflight.set(key, pending)
      const done = (): void => void this.inflight.delete(key)
      pending.then(done, done)
    }
    return pending.then((outcome) => this.deliver(query, key, outcome))
  }

  private async ask(route: Route, message: Uint8Array, key: string, name: string): Promise<Outcome> {
    if (route.upstreams.length === 0) return { kind: 'failed', reason: 'no upstream servers' }
    let reply: UpstreamReply<ResponseInfo>
    try {
      reply = await this.options.strategy.resolve({
        upstreams: route.upstreams,
        attempt: (upstream, signal) => this.options.pool.ask(upstream, message, signal),
        fallbackRcodes: route.fallback,
      })
    } catch (error) {
      return { kind: 'failed', reason: error instanceof Error ? error.message : String(error) }
    }
    const now = this.options.clock.now()
    let blocked: boolean
    try {
      blocked = this.options.rebind.blocks(name, reply.raw)
    } catch (error) {
      return { kind: 'failed', reason: `malformed upstream answer: ${error instanceof Error ? error.message : String(error)}` }
    }
    if (blocked) {
      // Never cached: the next client's question goes upstream again, as in dnsmasq.
      this.counters.rebindBlocked++
      this.options.logger.warn(`possible DNS-rebind attack detected: ${name}`, { name })
      return { kind: 'answer', bytes: emptiedResponse(reply.raw), ttlOffsets: [], storedAt: now, rcode: reply.rcode, passThrough: false, fallback: false, blocked: true }
    }
    const fallback = route.fallback.has(reply.rcode)
    const stripped = stripOpt(reply.raw, reply.info)
    if (!stripped) {
      // OPT in the middle of the additional section: relay the bytes as they are (AD cleared), uncached.
      const bytes = Uint8Array.from(reply.raw)
      bytes[3] = bytes[3]! & ~FLAG.AD
      return { kind: 'answer', bytes, ttlOffsets: [], storedAt: now, rcode: reply.rcode, passThrough: true, fallback }
    }
    if (!fallback) this.storeInBailiwick(key, stripped, reply.info, now)
    return { kind: 'answer', bytes: stripped, ttlOffsets: reply.info.ttlOffsets, storedAt: now, rcode: reply.rcode, passThrough: false, fallback }
  }

  /**
   * Caches only what answers the question: the records of the question name and its CNAME chain
   * (and a negative answer's SOA and denial), never records an upstream added for other names.
   */
  private storeInBailiwick(key: string, stripped: Uint8Array, info: ResponseInfo, now: number): void {
    let copy: Uint8Array | undefined
    try {
      copy = bailiwickCopy(stripped)
    } catch {
      copy = undefined
    }
    if (copy === stripped) this.options.cache.store(key, stripped, info, now)
    else if (copy !== undefined) this.options.cache.store(key, copy, inspectResponse(copy), now)
  }

  private deliver(query: DnsQuery, key: string, outcome: Outcome): HandlerResult {
    if (outcome.kind === 'failed') return this.failure(query, key, outcome.reason)
    // Every upstream said SERVFAIL/REFUSED: a stale answer beats passing that on (RFC 8767).
    if (outcome.fallback) {
      const stale = this.staleAnswer(query, key)
      if (stale) return stale
    }
    if (outcome.passThrough) {
      const bytes = Uint8Array.from(outcome.bytes)
      return this.options.report(query, 'upstream', this.noDataIfLocal(query, bytes, true), bytes)
    }
    const elapsedS = Math.floor((this.options.clock.now() - outcome.storedAt) / 1000)
    const bytes = responseForClient(outcome.bytes, outcome.ttlOffsets, query, elapsedS, undefined, this.options.maxUdpSize, true, outcome.blocked ? EDE_BLOCKED : undefined)
    return this.options.report(query, 'upstream', this.noDataIfLocal(query, bytes, true), bytes)
  }

  private failure(query: DnsQuery, key: string, reason: string): HandlerResult {
    const stale = this.staleAnswer(query, key)
    if (stale) return stale
    this.options.logger.debug(`SERVFAIL for ${query.wireQuestion?.name}: ${reason}`, { name: query.wireQuestion?.name, reason })
    return this.options.report(query, 'failure', RCODE.SERVFAIL, localResponse(query, 0, RCODE.SERVFAIL, undefined, 0, this.options.maxUdpSize))
  }

  private staleAnswer(query: DnsQuery, key: string): Uint8Array | undefined {
    const entry = this.options.cache.getStale(key, this.options.clock.now())
    if (!entry) return undefined
    const bytes = responseForClient(entry.bytes, entry.ttlOffsets, query, 0, this.options.staleTtl, this.options.maxUdpSize)
    return this.options.report(query, 'stale', this.noDataIfLocal(query, bytes, false), bytes)
  }

  /**
   * A name that exists here must never get NXDOMAIN: to an RFC 8020 resolver that would deny
   * the name, its local records and every name below it. When the upstream said NXDOMAIN for
   * such a name (asked for a type we do not hold, such as AAAA of an IPv4-only hosts name), the
   * client gets NODATA: NOERROR with the upstream's sections as they are, and AA on a fresh
   * answer, as dnsmasq 2.90 does. Patches `bytes` (a copy for this client); returns the rcode.
   */
  private noDataIfLocal(query: DnsQuery, bytes: Uint8Array, authoritative: boolean): number {
    const rcode = bytes[3]! & 0xf
    if (rcode !== RCODE.NXDOMAIN || !this.options.existsLocally(query.wireQuestion!.name.toLowerCase())) return rcode
    bytes[3] = bytes[3]! & 0xf0
    if (authoritative) bytes[2] = bytes[2]! | (FLAG.AA >> 8)
    return RCODE.NOERROR
  }
}

/** Cache and in-flight key: the question plus the header bits that change the answer (RD, CD, DO). */
export function cacheKey(name: string, query: DnsQuery): string {
  const bits = (query.header.flags & (FLAG.RD | FLAG.CD)) | (query.dnssecOk ? 1 : 0)
  return `${name}|${query.wireQuestion!.type}|${query.wireQuestion!.class}|${bits}`
}
