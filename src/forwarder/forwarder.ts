/**
 * {@link Forwarder}: dnsmasq as a {@link Handler}. Local names from hosts files first (with PTR
 * answers for their addresses), then dnsmasq's per-domain rules, then a wire-format cache, then
 * the upstreams by strategy, with failover that never waits on a known-dead server, serve-stale,
 * in-flight deduplication and a cap on concurrent forwards.
 *
 * The hot paths (a hosts answer, a cache hit) read the question off the wire and answer with
 * bytes: the query's header and question plus pre-encoded records, or a cached response copied
 * with its TTLs counted down. Neither decodes the query.
 */
import { EventEmitter } from 'eventemitter3'
import { query as clientQuery } from '../client/query.js'
import type { RcodeName } from '../packet/constants.js'
import { FLAG, RCODE, typeName } from '../packet/constants.js'
import type { Handler, HandlerResult, Next } from '../server/handler.js'
import type { ClientInfo, DnsQuery } from '../server/query.js'
import type { Clock, TimerHandle } from '../util/clock.js'
import { realClock } from '../util/clock.js'
import { DnsHaError } from '../util/errors.js'
import type { Logger } from '../util/logger.js'
import type { Network } from '../util/network.js'
import type { Random } from '../util/random.js'
import type { CacheSnapshot } from './cache.js'
import { ResponseCache } from './cache.js'
import type { AddressRule, DomainServers } from './domain-rules.js'
import { DomainRules } from './domain-rules.js'
import type { FileSource } from './file-source.js'
import { nodeFileSource } from './file-source.js'
import { LocalTable } from './local-table.js'
import { isBareName, isPrivateReverse } from './names.js'
import type { HostsEntry } from './parse-hosts.js'
import { parseHosts } from './parse-hosts.js'
import type { UpstreamServer } from './parse-resolv-conf.js'
import { parseResolvConf } from './parse-resolv-conf.js'
import type { StrategyName, UpstreamStrategy } from './strategies.js'
import { createStrategy } from './strategies.js'
import type { Exchange, UpstreamReply, UpstreamSnapshot, UpstreamState } from './upstream-pool.js'
import { UpstreamPool } from './upstream-pool.js'
import { encodeName, localResponse, responseForClient, stripOpt, upstreamQuery } from './wire-response.js'

/** Everything a {@link Forwarder} can be told. Every field is optional. */
export interface ForwarderOptions {
  /** Inline hosts: entries, or text in /etc/hosts format. Served before the files' entries. */
  hosts?: HostsEntry[] | string
  /** Hosts files (/etc/hosts format), read by {@link Forwarder.start} and {@link Forwarder.reload}. */
  hostsFiles?: string[]
  /** dnsmasq's `expand-hosts`: bare hosts names also answer as `name.<domain>`. */
  expandHosts?: boolean
  /** dnsmasq's `domain`: the suffix for `expandHosts`. */
  domain?: string
  /**
   * dnsmasq's `domain=name,range`: the `expandHosts` suffix for hosts addresses in a CIDR range
   * (first match wins; `domain` covers the rest).
   */
  domainRanges?: { domain: string; range: string }[]
  /** TTL of hosts and `address=` answers in seconds (dnsmasq's `local-ttl`, default 0). */
  localTtl?: number
  /** `address=/domain/addr` rules. */
  addresses?: AddressRule[]
  /** `local=/domain/` domains: answered from hosts only, NXDOMAIN otherwise. */
  local?: string[]
  /** `server=/domain/addr#port` routes. */
  domainServers?: DomainServers[]
  /** Default upstreams, asked for everything no rule routes elsewhere. */
  servers?: UpstreamServer[]
  /** A resolv.conf-format file whose `nameserver` lines are further default upstreams (after `servers`). */
  resolvFile?: string
  /** `'strict'` (dnsmasq `strict-order`), `'all'` (`all-servers`) or `'fastest'` (dnsmasq's default, the default). */
  strategy?: StrategyName
  /** dnsmasq's `domain-needed`: names without a dot are never forwarded (NXDOMAIN unless local). */
  domainNeeded?: boolean
  /** dnsmasq's `bogus-priv`: reverse lookups of private ranges are never forwarded (NXDOMAIN unless local). */
  bogusPriv?: boolean
  /** Upstream rcodes that mean "ask the next upstream" (default SERVFAIL and REFUSED); routes may set their own. */
  fallbackRcodes?: (RcodeName | number)[]
  /** Per-attempt upstream timeout (default 1500 ms). */
  timeoutMs?: number
  /** Re-sends to the same upstream before moving on (default 0: the next upstream is the retry). */
  retries?: number
  /** Failed exchanges in a row before an upstream is marked down (default 1). */
  failuresToDown?: number
  /** How often a down upstream is probed (default 1000 ms). */
  probeIntervalMs?: number
  /** The probe question's name (default `.`, type NS: any answer, even REFUSED, proves it alive). */
  probeName?: string
  /** `fastest`: re-measure all upstreams after this many queries (default 50). */
  remeasureEvery?: number
  /** `fastest`: and at least this often (default 20000 ms, as dnsmasq). */
  remeasureIntervalMs?: number
  /** DNS 0x20: randomise the case of upstream questions and require answers to echo it. */
  randomizeCase?: boolean
  /** Cached responses (dnsmasq's `cache-size`, default 150; 0 disables the cache). */
  cacheSize?: number
  /** Cache negative answers (default true; dnsmasq's `no-negcache` sets false). */
  negativeCache?: boolean
  /** TTL for negative answers without an SOA (dnsmasq's `neg-ttl`); without it those are not cached. */
  negTtl?: number
  /** Lowest cached TTL, seconds (default 0). */
  minTtl?: number
  /** Highest cached TTL, seconds (default 86400). */
  maxTtl?: number
  /** Serve-stale (RFC 8767): how long past expiry an answer may be served when every upstream fails (default 0, off). */
  maxStaleMs?: number
  /** TTL written into stale answers (default 30 s, RFC 8767 §4). */
  staleTtl?: number
  /** Concurrent upstream forwards at most (dnsmasq's `dns-forward-max`, default 150); beyond it, stale or SERVFAIL. */
  maxForwards?: number
  /** The UDP payload size advertised to clients and upstreams (default 1232). */
  udpPayloadSize?: number
  /** Watch hosts and resolv files after {@link Forwarder.start} and reload on change (default true). */
  watch?: boolean
  /** How long to wait after a change for more before reloading (default 100 ms). */
  watchDebounceMs?: number
  files?: FileSource
  network?: Network
  clock?: Clock
  random?: Random
  /** The upstream exchange (default: the client's `query()` over `network`). */
  exchange?: Exchange
  logger?: Logger
}

/** Where an answer came from. */
export type AnswerSource = 'hosts' | 'rule' | 'local' | 'cache' | 'upstream' | 'stale' | 'failure'

/** The forwarder's events. */
export interface ForwarderEvents {
  /** One per answered query (only built when someone listens). */
  query: (event: { client: ClientInfo; name: string; type: string; source: AnswerSource; rcode: number }) => void
  'upstream-down': (event: { server: { address: string; port: number }; reason: string }) => void
  'upstream-up': (event: { server: { address: string; port: number }; downForMs: number }) => void
  /** After every reload; `errors` lists the files that kept their old data. */
  reload: (event: ForwarderReloadResult) => void
}

/** What a reload did. */
export interface ForwarderReloadResult {
  ok: boolean
  errors: { file: string; message: string }[]
  hostsEntries: number
  defaultServers: number
}

/** Counters and state as plain data. */
export interface ForwarderSnapshot {
  queries: number
  answers: Record<AnswerSource, number>
  forwarded: number
  deduplicated: number
  overflows: number
  inFlight: number
  reloads: number
  reloadErrors: number
  /** Upstream answers dropped as not matching the query (RFC 5452), summed over upstreams. */
  mismatches: number
  cache: CacheSnapshot
  upstreams: UpstreamSnapshot[]
  hostsEntries: number
  defaultServers: { address: string; port: number }[]
}

/** A response built for one exact question spelling and header variant, reusable until `validUntil`. */
interface Memo {
  qtype: number
  qclass: number
  variant: number
  bytes: Uint8Array
  validUntil: number
  source: AnswerSource
  rcode: number
}

/** What a forward produced, shared by every query waiting on it. */
type Outcome =
  | { kind: 'answer'; bytes: Uint8Array; ttlOffsets: number[]; storedAt: number; rcode: number; passThrough: boolean; fallback: boolean }
  | { kind: 'failed'; reason: string }

/** Where a question goes: upstreams in order and the rcodes that mean "next one". */
interface Route {
  upstreams: UpstreamState[]
  fallback: ReadonlySet<number>
}

const DEFAULT_FALLBACK: RcodeName[] = ['SERVFAIL', 'REFUSED']
const TYPE_A = 1
const TYPE_AAAA = 28
const TYPE_ANY = 255

/** dnsmasq as a handler. */
export class Forwarder extends EventEmitter<ForwarderEvents> implements Handler {
  private readonly clock: Clock
  private readonly files: FileSource
  private readonly pool: UpstreamPool
  private readonly strategy: UpstreamStrategy
  private readonly cache: ResponseCache
  private readonly rules: DomainRules
  private readonly fallback: ReadonlySet<number>
  private readonly inline: HostsEntry[]
  private readonly fileEntries = new Map<string, HostsEntry[]>()
  private resolvServers: UpstreamServer[] = []
  private local: LocalTable
  private defaultRoute: Route = { upstreams: [], fallback: new Set() }
  private readonly routes = new Map<string, Route>()
  private readonly inflight = new Map<string, Promise<Outcome>>()
  /**
   * Responses already built, keyed by the question exactly as spelled plus the header bits that
   * shape the answer: a repeated question is one map read, no lower-casing, no building. Hosts
   * and rule answers stay valid until the next reload; cache answers until their TTLs would
   * tick down by another second.
   */
  private memo = new Map<string, Memo[]>()
  private memoSize = 0
  private readonly memoLimit: number
  private readonly udpPayloadSize: number
  private readonly staleTtl: number
  private readonly maxForwards: number
  private readonly unwatchers: (() => void)[] = []
  private watchTimer: TimerHandle | undefined
  private reloading: Promise<ForwarderReloadResult> = Promise.resolve({ ok: true, errors: [], hostsEntries: 0, defaultServers: 0 })
  private started = false
  private closed = false
  private readonly counters = {
    queries: 0,
    answers: { hosts: 0, rule: 0, local: 0, cache: 0, upstream: 0, stale: 0, failure: 0 } as Record<AnswerSource, number>,
    forwarded: 0,
    deduplicated: 0,
    overflows: 0,
    reloads: 0,
    reloadErrors: 0,
  }

  constructor(private readonly options: ForwarderOptions = {}) {
    super()
    this.clock = options.clock ?? realClock
    this.files = options.files ?? nodeFileSource
    this.udpPayloadSize = intOption(options.udpPayloadSize, 1232, 512, 65535, 'udpPayloadSize')
    this.staleTtl = intOption(options.staleTtl, 30, 0, 0x7fffffff, 'staleTtl')
    this.maxForwards = intOption(options.maxForwards, 150, 1, 1_000_000, 'maxForwards')
    this.memoLimit = Math.max(1024, 2 * (options.cacheSize ?? 150))
    const localTtl = intOption(options.localTtl, 0, 0, 0x7fffffff, 'localTtl')
    this.inline = typeof options.hosts === 'string' ? parseHosts(options.hosts, { fileName: '<inline hosts>' }) : [...(options.hosts ?? [])]
    this.local = this.buildLocal()
    this.rules = new DomainRules(options.addresses ?? [], options.domainServers ?? [], options.local ?? [], localTtl)
    this.fallback = new Set((options.fallbackRcodes ?? DEFAULT_FALLBACK).map((r) => rcodeNumber(r)))
    this.cache = new ResponseCache({
      size: intOption(options.cacheSize, 150, 0, 100_000_000, 'cacheSize'),
      negative: options.negativeCache ?? true,
      negTtl: options.negTtl === undefined ? undefined : intOption(options.negTtl, 0, 0, 0x7fffffff, 'negTtl'),
      minTtl: intOption(options.minTtl, 0, 0, 0x7fffffff, 'minTtl'),
      maxTtl: intOption(options.maxTtl, 86400, 0, 0x7fffffff, 'maxTtl'),
      maxStaleMs: intOption(options.maxStaleMs, 0, 0, Number.MAX_SAFE_INTEGER, 'maxStaleMs'),
    })
    const network = options.network
    const random = options.random
    const clock = this.clock
    const exchange: Exchange =
      options.exchange ??
      ((server, message, o) =>
        clientQuery(server, message, {
          timeoutMs: o.timeoutMs,
          retries: o.retries,
          randomizeCase: o.randomizeCase,
          clock,
          ...(o.signal ? { signal: o.signal } : {}),
          ...(network ? { network } : {}),
          ...(random ? { random } : {}),
        }).then((r) => ({ raw: r.raw, rttMs: r.rttMs, transport: r.transport, ignored: r.ignored })))
    this.pool = new UpstreamPool({
      exchange,
      clock,
      timeoutMs: intOption(options.timeoutMs, 1500, 1, 600_000, 'timeoutMs'),
      retries: intOption(options.retries, 0, 0, 10, 'retries'),
      randomizeCase: options.randomizeCase ?? false,
      failuresToDown: intOption(options.failuresToDown, 1, 1, 1000, 'failuresToDown'),
      probeIntervalMs: intOption(options.probeIntervalMs, 1000, 1, 3_600_000, 'probeIntervalMs'),
      probeMessage: probeMessage(options.probeName ?? '.'),
      onDown: (u, reason) => this.emit('upstream-down', { server: { ...u.server }, reason }),
      onUp: (u, downForMs) => this.emit('upstream-up', { server: { ...u.server }, downForMs }),
    })
    this.strategy = createStrategy(options.strategy ?? 'fastest', {
      clock,
      ...(options.remeasureEvery === undefined ? {} : { remeasureEvery: options.remeasureEvery }),
      ...(options.remeasureIntervalMs === undefined ? {} : { remeasureIntervalMs: options.remeasureIntervalMs }),
    })
    this.defaultRoute = { upstreams: (options.servers ?? []).map((s) => this.pool.get(s)), fallback: this.fallback }
    for (const rule of options.domainServers ?? []) {
      for (const r of rule.fallbackRcodes ?? []) rcodeNumber(r) // config mistakes throw now, not at the first query
    }
  }

  /**
   * Reads the hosts and resolv files and starts watching them. Rejects with `ERR_CONFIG` when a
   * file cannot be read or parsed at start (later reloads keep the old data instead).
   */
  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    const result = await this.reload()
    if (!result.ok) {
      this.started = false // a later start() may try again once the files are fixed
      throw new DnsHaError('ERR_CONFIG', `forwarder files failed to load: ${result.errors.map((e) => `${e.file}: ${e.message}`).join('; ')}`, {
        details: { errors: result.errors },
      })
    }
    if (this.options.watch ?? true) {
      const debounceMs = this.options.watchDebounceMs ?? 100
      for (const file of this.watchedFiles()) {
        this.unwatchers.push(
          this.files.watch(file, () => {
            if (this.closed) return
            this.clock.clearTimeout(this.watchTimer)
            this.watchTimer = this.clock.setTimeout(() => void this.reload(), debounceMs)
          }),
        )
      }
    }
  }

  /** Stops watchers and probes. In-flight forwards finish. */
  async close(): Promise<void> {
    this.closed = true
    this.clock.clearTimeout(this.watchTimer)
    for (const stop of this.unwatchers.splice(0)) stop()
    this.pool.close()
    await this.reloading.catch(() => {})
  }

  /**
   * Re-reads hosts and resolv files (dnsmasq's SIGHUP). Each file that cannot be read or parsed
   * keeps its previous contents and is reported; the new tables replace the old in one step.
   */
  reload(): Promise<ForwarderReloadResult> {
    const run = this.reloading.then(() => this.doReload())
    this.reloading = run.catch(() => ({ ok: false, errors: [], hostsEntries: 0, defaultServers: 0 }))
    return run
  }

  /** Answers from hosts, rules or cache at once; forwards otherwise. */
  handle(query: DnsQuery, next: Next): HandlerResult | Promise<HandlerResult> {
    const q = query.wireQuestion
    if (q === undefined || query.header.qdcount !== 1 || query.opcode !== 0) return next()
    this.counters.queries++
    const now = this.clock.now()
    const variant = (query.header.flags & (FLAG.RD | FLAG.CD)) | (query.edns === undefined ? 0 : query.dnssecOk ? 2 : 1)
    // Keyed by the name string the server already read: no key to build for a repeated question.
    const memos = this.memo.get(q.name)
    if (memos !== undefined) {
      for (const m of memos) {
        if (m.qtype === q.type && m.qclass === q.class && m.variant === variant && m.validUntil > now) return this.answered(query, m.source, m.rcode, m.bytes)
      }
    }
    const memoKey = q.name
    const name = q.name.toLowerCase()
    const qtype = q.type
    if (q.class === 1) {
      const records = this.local.lookup(name, qtype)
      if (records) return this.remember(memoKey, query, 'hosts', 0, localResponse(query, FLAG.AA, 0, records.bytes, records.count, this.udpPayloadSize), Infinity)
    }
    let route = this.defaultRoute
    const rule = this.rules.match(name)
    if (rule) {
      if (rule.kind === 'address') {
        const records = qtype === TYPE_A ? rule.a : qtype === TYPE_AAAA ? rule.aaaa : qtype === TYPE_ANY ? rule.any : undefined
        if (records) return this.remember(memoKey, query, 'rule', 0, localResponse(query, FLAG.AA, 0, records.bytes, records.count, this.udpPayloadSize), Infinity)
      } else if (rule.kind === 'nxdomain') {
        return this.notForwarded(memoKey, query, name)
      } else if (rule.kind === 'servers') {
        route = this.routes.get(rule.domain) ?? this.routeFor(rule.domain, rule.servers, rule.fallbackRcodes)
      }
    } else {
      if (this.options.domainNeeded && isBareName(name)) return this.notForwarded(memoKey, query, name)
      if (this.options.bogusPriv && qtype === 12 && isPrivateReverse(name)) {
        return this.remember(memoKey, query, 'local', RCODE.NXDOMAIN, localResponse(query, FLAG.AA, RCODE.NXDOMAIN, undefined, 0, this.udpPayloadSize), Infinity)
      }
    }
    const key = cacheKey(name, query)
    const entry = this.cache.get(key, now)
    if (entry) {
      const elapsedS = Math.floor((now - entry.storedAt) / 1000)
      const bytes = responseForClient(entry.bytes, entry.ttlOffsets, query, elapsedS, undefined, this.udpPayloadSize)
      // Reusable while the TTLs it carries are still exact (and so the entry is still fresh).
      return this.remember(memoKey, query, 'cache', bytes[3]! & 0xf, bytes, Math.min(entry.storedAt + (elapsedS + 1) * 1000, entry.expiresAt))
    }
    return this.forward(query, key, route)
  }

  /** Counters, cache and upstream state as plain data. */
  snapshot(): ForwarderSnapshot {
    const upstreams = this.pool.snapshot()
    return {
      queries: this.counters.queries,
      answers: { ...this.counters.answers },
      forwarded: this.counters.forwarded,
      deduplicated: this.counters.deduplicated,
      overflows: this.counters.overflows,
      inFlight: this.inflight.size,
      reloads: this.counters.reloads,
      reloadErrors: this.counters.reloadErrors,
      mismatches: upstreams.reduce((n, u) => n + u.mismatches, 0),
      cache: this.cache.snapshot(),
      upstreams,
      hostsEntries: this.local.entryCount,
      defaultServers: this.defaultRoute.upstreams.map((u) => ({ ...u.server })),
    }
  }

  // ---- forwarding ----

  private forward(query: DnsQuery, key: string, route: Route): HandlerResult | Promise<HandlerResult> {
    let pending = this.inflight.get(key)
    if (pending) {
      this.counters.deduplicated++
    } else {
      if (this.inflight.size >= this.maxForwards) {
        this.counters.overflows++
        return this.failure(query, key, 'too many concurrent forwards')
      }
      this.counters.forwarded++
      pending = this.ask(route, upstreamQuery(query, this.udpPayloadSize), key)
      this.inflight.set(key, pending)
      const done = (): void => void this.inflight.delete(key)
      pending.then(done, done)
    }
    return pending.then((outcome) => this.deliver(query, key, outcome))
  }

  private async ask(route: Route, message: Uint8Array, key: string): Promise<Outcome> {
    if (route.upstreams.length === 0) return { kind: 'failed', reason: 'no upstream servers' }
    let reply: UpstreamReply
    try {
      reply = await this.strategy.resolve({
        upstreams: route.upstreams,
        attempt: (upstream, signal) => this.pool.ask(upstream, message, signal),
        fallbackRcodes: route.fallback,
      })
    } catch (error) {
      return { kind: 'failed', reason: error instanceof Error ? error.message : String(error) }
    }
    const now = this.clock.now()
    const fallback = route.fallback.has(reply.rcode)
    const stripped = stripOpt(reply.raw, reply.info)
    if (!stripped) {
      // OPT in the middle of the additional section: relay the bytes as they are (AD cleared), uncached.
      const bytes = Uint8Array.from(reply.raw)
      bytes[3] = bytes[3]! & ~FLAG.AD
      return { kind: 'answer', bytes, ttlOffsets: [], storedAt: now, rcode: reply.rcode, passThrough: true, fallback }
    }
    if (!fallback) this.cache.store(key, stripped, reply.info, now)
    return { kind: 'answer', bytes: stripped, ttlOffsets: reply.info.ttlOffsets, storedAt: now, rcode: reply.rcode, passThrough: false, fallback }
  }

  private deliver(query: DnsQuery, key: string, outcome: Outcome): HandlerResult {
    if (outcome.kind === 'failed') return this.failure(query, key, outcome.reason)
    // Every upstream said SERVFAIL/REFUSED: a stale answer beats passing that on (RFC 8767).
    if (outcome.fallback) {
      const stale = this.staleAnswer(query, key)
      if (stale) return stale
    }
    if (outcome.passThrough) return this.answered(query, 'upstream', outcome.rcode, outcome.bytes)
    const elapsedS = Math.floor((this.clock.now() - outcome.storedAt) / 1000)
    const bytes = responseForClient(outcome.bytes, outcome.ttlOffsets, query, elapsedS, undefined, this.udpPayloadSize, true)
    return this.answered(query, 'upstream', outcome.rcode, bytes)
  }

  private failure(query: DnsQuery, key: string, reason: string): HandlerResult {
    const stale = this.staleAnswer(query, key)
    if (stale) return stale
    this.options.logger?.debug?.(`forwarder: SERVFAIL for ${query.wireQuestion?.name}: ${reason}`)
    return this.answered(query, 'failure', RCODE.SERVFAIL, localResponse(query, 0, RCODE.SERVFAIL, undefined, 0, this.udpPayloadSize))
  }

  private staleAnswer(query: DnsQuery, key: string): Uint8Array | undefined {
    const entry = this.cache.getStale(key, this.clock.now())
    if (!entry) return undefined
    const bytes = responseForClient(entry.bytes, entry.ttlOffsets, query, 0, this.staleTtl, this.udpPayloadSize)
    return this.answered(query, 'stale', bytes[3]! & 0xf, bytes)
  }

  private answered(query: DnsQuery, source: AnswerSource, rcode: number, bytes: Uint8Array): Uint8Array {
    this.counters.answers[source]++
    if (this.listenerCount('query') > 0) {
      const q = query.wireQuestion!
      this.emit('query', { client: query.client, name: q.name, type: typeName(q.type), source, rcode })
    }
    return bytes
  }

  /**
   * The answer for a name that must not leave (local domains, bare names): NODATA when hosts
   * know the name under another type or know names below it (an empty non-terminal), NXDOMAIN
   * otherwise (as dnsmasq 2.90; NXDOMAIN for a name that exists would deny its other types and
   * the names below it too, RFC 8020).
   */
  private notForwarded(memoKey: string, query: DnsQuery, name: string): Uint8Array {
    const rcode = this.local.has(name) ? RCODE.NOERROR : RCODE.NXDOMAIN
    return this.remember(memoKey, query, 'local', rcode, localResponse(query, 0, rcode, undefined, 0, this.udpPayloadSize), Infinity)
  }

  private remember(memoKey: string, query: DnsQuery, source: AnswerSource, rcode: number, bytes: Uint8Array, validUntil: number): Uint8Array {
    // Bounded the simple way: a full memo starts over (it refills from the tables at once).
    if (this.memoSize >= this.memoLimit) {
      this.memo = new Map()
      this.memoSize = 0
    }
    const q = query.wireQuestion!
    const variant = (query.header.flags & (FLAG.RD | FLAG.CD)) | (query.edns === undefined ? 0 : query.dnssecOk ? 2 : 1)
    const memo: Memo = { qtype: q.type, qclass: q.class, variant, bytes, validUntil, source, rcode }
    const list = this.memo.get(memoKey)
    if (list === undefined) this.memo.set(memoKey, [memo])
    else {
      // Replace an expired twin rather than growing the list.
      const i = list.findIndex((m) => m.qtype === memo.qtype && m.qclass === memo.qclass && m.variant === memo.variant)
      if (i >= 0) list[i] = memo
      else list.push(memo)
    }
    this.memoSize++
    return this.answered(query, source, rcode, bytes)
  }

  private routeFor(domain: string, servers: UpstreamServer[], fallbackRcodes: (RcodeName | number)[] | undefined): Route {
    const route: Route = { upstreams: servers.map((s) => this.pool.get(s)), fallback: fallbackRcodes ? new Set(fallbackRcodes.map(rcodeNumber)) : this.fallback }
    this.routes.set(domain, route)
    return route
  }

  // ---- files ----

  private watchedFiles(): string[] {
    const files = [...(this.options.hostsFiles ?? [])]
    if (this.options.resolvFile) files.push(this.options.resolvFile)
    return files
  }

  private async doReload(): Promise<ForwarderReloadResult> {
    const errors: { file: string; message: string }[] = []
    for (const file of this.options.hostsFiles ?? []) {
      try {
        const text = await this.files.readFile(file)
        this.fileEntries.set(file, parseHosts(text, { fileName: file }))
      } catch (error) {
        errors.push({ file, message: errorMessage(error) })
      }
    }
    if (this.options.resolvFile) {
      const file = this.options.resolvFile
      try {
        const servers = parseResolvConf(await this.files.readFile(file), { fileName: file })
        // As dnsmasq: a resolv file without nameservers (mid-rewrite) keeps the old list.
        if (servers.length === 0) throw new DnsHaError('ERR_CONFIG', 'no nameserver lines')
        this.resolvServers = servers
      } catch (error) {
        errors.push({ file, message: errorMessage(error) })
      }
    }
    // Swap in one step: queries see the old tables or the new ones, never a mix.
    this.local = this.buildLocal()
    this.memo = new Map()
    this.memoSize = 0
    this.defaultRoute = { upstreams: [...(this.options.servers ?? []), ...this.resolvServers].map((s) => this.pool.get(s)), fallback: this.fallback }
    const keep = new Set<string>(this.defaultRoute.upstreams.map((u) => u.key))
    for (const route of this.routes.values()) for (const u of route.upstreams) keep.add(u.key)
    this.pool.retain(keep)
    this.counters.reloads++
    if (errors.length > 0) this.counters.reloadErrors++
    const result: ForwarderReloadResult = { ok: errors.length === 0, errors, hostsEntries: this.local.entryCount, defaultServers: this.defaultRoute.upstreams.length }
    if (errors.length > 0) this.options.logger?.warn?.('forwarder: reload kept old data for some files', { errors })
    this.emit('reload', result)
    return result
  }

  private buildLocal(): LocalTable {
    const entries = [...this.inline]
    for (const file of this.options.hostsFiles ?? []) entries.push(...(this.fileEntries.get(file) ?? []))
    return new LocalTable(entries, {
      ttl: this.options.localTtl ?? 0,
      expandHosts: this.options.expandHosts ?? false,
      domain: this.options.domain,
      domainRanges: this.options.domainRanges ?? [],
    })
  }
}

/** Cache and in-flight key: the question plus the header bits that change the answer (RD, CD, DO). */
function cacheKey(name: string, query: DnsQuery): string {
  const bits = (query.header.flags & (FLAG.RD | FLAG.CD)) | (query.dnssecOk ? 1 : 0)
  return `${name}|${query.wireQuestion!.type}|${query.wireQuestion!.class}|${bits}`
}

function probeMessage(name: string): Uint8Array {
  const qname = encodeName(name)
  const out = new Uint8Array(12 + qname.length + 4)
  out[2] = FLAG.RD >> 8
  out[5] = 1
  out.set(qname, 12)
  out[12 + qname.length + 1] = 2 // NS
  out[12 + qname.length + 3] = 1 // IN
  return out
}

function rcodeNumber(r: RcodeName | number): number {
  if (typeof r === 'number') return r
  const n = RCODE[r]
  if (n === undefined) throw new DnsHaError('ERR_CONFIG', `unknown rcode "${String(r)}" in fallbackRcodes`)
  return n
}

function intOption(value: number | undefined, fallback: number, min: number, max: number, name: string): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < min || value > max) throw new DnsHaError('ERR_CONFIG', `${name} must be an integer in ${min}..${max}, got ${value}`)
  return value
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
