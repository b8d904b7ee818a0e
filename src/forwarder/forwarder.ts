/**
 * {@link Forwarder}: dnsmasq as a {@link Handler}. Local names from hosts files first (with PTR
 * answers for their addresses), then dnsmasq's per-domain rules, then a wire-format cache, then
 * the upstreams by strategy, with failover that never waits on a known-dead server, serve-stale,
 * in-flight deduplication and a cap on concurrent forwards.
 *
 * This class wires the parts: {@link Router} decides (route.ts), {@link Forwarding} asks the
 * upstreams (forward.ts), {@link ForwarderFiles} reads and watches the files (watch-files.ts),
 * and {@link AnswerMemo} keeps built answers (answer-memo.ts).
 *
 * The hot paths (a hosts answer, a cache hit) read the question off the wire and answer with
 * bytes: the query's header and question plus pre-encoded records, or a cached response copied
 * with its TTLs counted down. Neither decodes the query. Once built, such an answer is kept in the
 * memo, and a repeated question is answered from it with no {@link DnsQuery} at all, on the
 * server's UDP fast path ({@link Forwarder.answerPlain}).
 */
import { EventEmitter } from 'eventemitter3'
import type { RcodeName } from '../packet/constants.js'
import { DEFAULT_UDP_PAYLOAD, typeName } from '../packet/constants.js'
import type { Exchange, HealthSource, PoolTrackOptions, StrategyName, UpstreamSnapshot } from '../pool/index.js'
import { clientExchange, createStrategy, probeQuery, toUpstreamSnapshot, UpstreamPool } from '../pool/index.js'
import type { Handler, HandlerResult, Next } from '../server/handler.js'
import type { PlainQuery } from '../server/plain-query.js'
import type { ClientInfo, DnsQuery } from '../server/query.js'
import type { Clock } from '../util/clock.js'
import { realClock } from '../util/clock.js'
import { DnsHaError } from '../util/errors.js'
import type { ComponentLogger, Logger } from '../util/logger.js'
import { toLogger } from '../util/logger.js'
import type { Network } from '../util/network.js'
import type { Random } from '../util/random.js'
import { AnswerMemo, answerVariant, memoAnswer, plainVariant } from './answer-memo.js'
import type { AnswerSource } from './answer-source.js'
import type { CacheEntry, CacheSnapshot } from '../pool/response-cache.js'
import { ResponseCache } from '../pool/response-cache.js'
import type { AddressRule, DomainServers } from './domain-rules.js'
import { DomainRules } from './domain-rules.js'
import type { FileSource } from './file-source.js'
import { nodeFileSource } from './file-source.js'
import { cacheKey, Forwarding } from './forward.js'
import type { CnameRecord, HostRecord, PtrRecord, SrvRecord, TxtRecord } from './local-table.js'
import { LocalTable } from './local-table.js'
import { intOption, rcodeNumber } from './option-checks.js'
import type { HostsEntry } from './parse-hosts.js'
import { parseHosts } from './parse-hosts.js'
import type { UpstreamServer } from './parse-resolv-conf.js'
import { Router } from './route.js'
import type { FileError } from './watch-files.js'
import { ForwarderFiles } from './watch-files.js'
import type { RebindOptions } from './rebind.js'
import { RebindGuard } from './rebind.js'
import type { ResponseInfo } from '../packet/response-info.js'
import { inspectResponse } from '../packet/response-info.js'
import { localResponse } from './wire-response.js'

/**
 * Everything a {@link Forwarder} can be told. Every field is optional. The rebind options
 * (`stopDnsRebind`, `rebindLocalhostOk`, `rebindDomainOk`) are dnsmasq's; see {@link RebindOptions}.
 */
export interface ForwarderOptions extends RebindOptions {
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
  /**
   * dnsmasq's `servers-file`: `server=` and `rev-server=` lines read at start and on every
   * reload (dnsmasq re-reads it on SIGHUP). Its default upstreams follow `servers` and the resolv
   * file's; its domain routes are added to `domainServers`.
   */
  serversFile?: string
  /** dnsmasq's `cname=`: local aliases (the target's local records follow the CNAME). */
  cnames?: CnameRecord[]
  /** dnsmasq's `txt-record=`. */
  txtRecords?: TxtRecord[]
  /** dnsmasq's `srv-host=`. */
  srvRecords?: SrvRecord[]
  /** dnsmasq's `ptr-record=`. */
  ptrRecords?: PtrRecord[]
  /** dnsmasq's `host-record=`: A/AAAA for the names and PTR for the addresses. */
  hostRecords?: HostRecord[]
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
  /** The UDP payload size advertised to clients and upstreams (default 1232), as the server's `maxUdpSize`. */
  maxUdpSize?: number
  /**
   * The old name of `maxUdpSize`; `maxUdpSize` wins when both are given.
   * @deprecated Use `maxUdpSize`.
   */
  udpPayloadSize?: number
  /** Watch hosts, resolv and servers files after {@link Forwarder.start} and reload on change (default true). */
  watch?: boolean
  /** How long to wait after a change for more before reloading (default 100 ms). */
  watchDebounceMs?: number
  files?: FileSource
  network?: Network
  clock?: Clock
  random?: Random
  /** The upstream exchange (default: the client's `query()` over `network`). */
  exchange?: Exchange
  /**
   * Where the forwarder reports upstreams going down (`warn`, with the reason) and up (`info`),
   * reloads (`info`; `warn` when files kept their old data) and blocked rebind answers (`warn`),
   * with `component: 'forwarder'`; console- or pino-shaped. Never per query (SERVFAILs at `debug`).
   */
  logger?: Logger
}

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
  /** Upstream answers dropped by DNS-rebind protection (`stopDnsRebind`), each answered NOERROR with no records. */
  rebindBlocked: number
  cache: CacheSnapshot
  upstreams: UpstreamSnapshot[]
  hostsEntries: number
  defaultServers: { address: string; port: number }[]
}

const DEFAULT_FALLBACK: RcodeName[] = ['SERVFAIL', 'REFUSED']

/** dnsmasq as a handler. */
export class Forwarder extends EventEmitter<ForwarderEvents> implements Handler {
  private readonly clock: Clock
  private readonly pool: UpstreamPool<ResponseInfo>
  private readonly router: Router
  private readonly forwarding: Forwarding
  private readonly files: ForwarderFiles
  private readonly cache: ResponseCache
  private readonly inline: HostsEntry[]
  private readonly memo: AnswerMemo
  private readonly maxUdpSize: number
  private readonly logger: ComponentLogger
  private reloading: Promise<ForwarderReloadResult> = Promise.resolve({ ok: true, errors: [], hostsEntries: 0, defaultServers: 0 })
  private starting: Promise<void> | undefined
  private readonly counters = {
    queries: 0,
    answers: { hosts: 0, rule: 0, local: 0, cache: 0, upstream: 0, stale: 0, failure: 0 } as Record<AnswerSource, number>,
    reloads: 0,
    reloadErrors: 0,
  }

  constructor(private readonly options: ForwarderOptions = {}) {
    super()
    this.logger = toLogger(options.logger, { component: 'forwarder' })
    this.clock = options.clock ?? realClock
    this.maxUdpSize =
      options.maxUdpSize !== undefined
        ? intOption(options.maxUdpSize, DEFAULT_UDP_PAYLOAD, 512, 65535, 'maxUdpSize')
        : intOption(options.udpPayloadSize, DEFAULT_UDP_PAYLOAD, 512, 65535, 'udpPayloadSize')
    const staleTtl = intOption(options.staleTtl, 30, 0, 0x7fffffff, 'staleTtl')
    const maxForwards = intOption(options.maxForwards, 150, 1, 1_000_000, 'maxForwards')
    this.memo = new AnswerMemo(Math.max(1024, 2 * (options.cacheSize ?? 150)), options.random)
    const localTtl = intOption(options.localTtl, 0, 0, 0x7fffffff, 'localTtl')
    this.inline = typeof options.hosts === 'string' ? parseHosts(options.hosts, { fileName: '<inline hosts>' }) : [...(options.hosts ?? [])]
    const rules = this.buildRules([], localTtl)
    const fallback = new Set((options.fallbackRcodes ?? DEFAULT_FALLBACK).map((r) => rcodeNumber(r)))
    this.cache = new ResponseCache({
      size: intOption(options.cacheSize, 150, 0, 100_000_000, 'cacheSize'),
      negative: options.negativeCache ?? true,
      negTtl: options.negTtl === undefined ? undefined : intOption(options.negTtl, 0, 0, 0x7fffffff, 'negTtl'),
      minTtl: intOption(options.minTtl, 0, 0, 0x7fffffff, 'minTtl'),
      maxTtl: intOption(options.maxTtl, 86400, 0, 0x7fffffff, 'maxTtl'),
      maxStaleMs: intOption(options.maxStaleMs, 0, 0, Number.MAX_SAFE_INTEGER, 'maxStaleMs'),
    })
    const clock = this.clock
    const exchange: Exchange = options.exchange ?? clientExchange({ clock, ...(options.network ? { network: options.network } : {}), ...(options.random ? { random: options.random } : {}) })
    this.pool = new UpstreamPool({
      exchange,
      clock,
      timeoutMs: intOption(options.timeoutMs, 1500, 1, 600_000, 'timeoutMs'),
      retries: intOption(options.retries, 0, 0, 10, 'retries'),
      randomizeCase: options.randomizeCase ?? false,
      failuresToDown: intOption(options.failuresToDown, 1, 1, 1000, 'failuresToDown'),
      probeIntervalMs: intOption(options.probeIntervalMs, 1000, 1, 3_600_000, 'probeIntervalMs'),
      probeMessage: probeQuery(options.probeName ?? '.'),
      inspect: inspectResponse,
    })
    this.pool.on('member-down', ({ server, reason }) => {
      this.logger.warn('upstream down', { server: `${server.address}:${server.port}`, reason })
      this.emit('upstream-down', { server, reason })
    })
    this.pool.on('member-up', ({ server, downForMs }) => {
      this.logger.info('upstream up', { server: `${server.address}:${server.port}`, downForMs })
      this.emit('upstream-up', { server, downForMs })
    })
    const strategy = createStrategy(options.strategy ?? 'fastest', {
      clock,
      ...(options.remeasureEvery === undefined ? {} : { remeasureEvery: options.remeasureEvery }),
      ...(options.remeasureIntervalMs === undefined ? {} : { remeasureIntervalMs: options.remeasureIntervalMs }),
    })
    const domainNeeded = options.domainNeeded ?? false
    const bogusPriv = options.bogusPriv ?? false
    this.files = new ForwarderFiles({ files: options.files ?? nodeFileSource, clock, hostsFiles: options.hostsFiles ?? [], resolvFile: options.resolvFile, serversFile: options.serversFile })
    this.router = new Router({ rules, fallback, domainNeeded, bogusPriv }, this.pool, this.buildLocal(), options.servers ?? [])
    this.forwarding = new Forwarding({
      pool: this.pool,
      strategy,
      cache: this.cache,
      clock,
      maxUdpSize: this.maxUdpSize,
      staleTtl,
      maxForwards,
      logger: this.logger,
      report: (query, source, rcode, bytes) => this.answered(query, source, rcode, bytes),
      existsLocally: (name) => this.router.existsLocally(name),
      rebind: new RebindGuard(options),
    })
    for (const rule of options.domainServers ?? []) {
      for (const r of rule.fallbackRcodes ?? []) rcodeNumber(r) // config mistakes throw now, not at the first query
    }
  }

  /**
   * Reads the hosts and resolv files and starts watching them. Rejects with `ERR_CONFIG` when a
   * file cannot be read or parsed at start (later reloads keep the old data instead).
   */
  start(): Promise<void> {
    // Overlapping calls share one start, so nobody is told "started" before the files are read.
    this.starting ??= this.firstStart().catch((e: unknown) => {
      this.starting = undefined // a later start() may try again once the files are fixed
      throw e
    })
    return this.starting
  }

  private async firstStart(): Promise<void> {
    const result = await this.queueReload(true)
    if (!result.ok) {
      throw new DnsHaError('ERR_CONFIG', `forwarder files failed to load: ${result.errors.map((e) => `${e.file}: ${e.message}`).join('; ')}`, {
        details: { errors: result.errors },
      })
    }
    if (this.options.watch ?? true) this.files.watch(this.options.watchDebounceMs ?? 100, () => void this.reload())
  }

  /**
   * Makes the upstreams follow a health source (`forwarder.track(prober)`, a `HealthProber` with
   * targets named `address#port`): an upstream it calls down is skipped by the strategy as one
   * down by its own failures is (`upstream-down` with a reason starting `health:`), up gives it
   * back to its own health, and a weight in a change becomes its weight. Returns a function that
   * stops tracking.
   */
  track(source: HealthSource, options: PoolTrackOptions = {}): () => void {
    return this.pool.track(source, options)
  }

  /** Stops watchers, probes and tracking. In-flight forwards finish. */
  async close(): Promise<void> {
    this.files.close()
    this.pool.close()
    await this.reloading.catch(() => {})
  }

  /**
   * Re-reads hosts and resolv files (dnsmasq's SIGHUP). Each file that cannot be read or parsed
   * keeps its previous contents and is reported; the new tables replace the old in one step.
   */
  reload(): Promise<ForwarderReloadResult> {
    return this.queueReload(false)
  }

  private queueReload(starting: boolean): Promise<ForwarderReloadResult> {
    const run = this.reloading.then(() => this.doReload(starting))
    this.reloading = run.catch(() => ({ ok: false, errors: [], hostsEntries: 0, defaultServers: 0 }))
    return run
  }

  /** Answers from hosts, rules or cache at once; forwards otherwise. */
  handle(query: DnsQuery, next: Next): HandlerResult | Promise<HandlerResult> {
    const q = query.wireQuestion
    if (q === undefined || query.header.qdcount !== 1 || query.opcode !== 0) return next()
    this.counters.queries++
    const now = this.clock.now()
    const memo = this.memo.get(query.raw, q.end, answerVariant(query), now)
    if (memo !== undefined) return this.answered(query, memo.source, memo.rcode, memoAnswer(memo, query.raw, q.end))
    const name = q.name.toLowerCase()
    const decision = this.router.decide(name, q.type, q.class)
    if (decision.kind === 'answer') {
      const { records } = decision
      const bytes = localResponse(query, decision.flags, decision.rcode, records?.bytes, records?.count ?? 0, this.maxUdpSize)
      return this.remember(query, decision.source, decision.rcode, bytes, Infinity)
    }
    const key = cacheKey(name, query)
    const cached = this.forwarding.fromCache(query, key, now)
    if (cached) return this.remember(query, 'cache', cached.rcode, cached.bytes, cached.validUntil, cached.entry)
    return this.forwarding.forward(query, key, decision)
  }

  /**
   * The UDP fast path ({@link Handler.answerPlain}): a hosts, rule or cache answer this forwarder
   * has built before for the same question (any case spelling) and header variant, copied from
   * the query's bytes with its id and spelling patched in, with no {@link DnsQuery} built.
   * Declines (the query takes {@link Forwarder.handle}, which builds and remembers the answer)
   * when nothing valid is remembered, the answer is larger than the client takes (the full path
   * truncates it), or someone listens to `query` events (they carry the full query). Byte for
   * byte what `handle` answers.
   */
  answerPlain(query: PlainQuery): Uint8Array | undefined {
    if (this.listenerCount('query') > 0) return undefined
    const raw = query.raw
    const memo = this.memo.get(raw, query.questionEnd, plainVariant(raw, query.ednsVariant), this.clock.now())
    if (memo === undefined || memo.bytes.length > query.maxUdpSize) return undefined
    this.counters.queries++
    this.counters.answers[memo.source]++
    return memoAnswer(memo, raw, query.questionEnd)
  }

  /** Counters, cache and upstream state as plain data. */
  snapshot(): ForwarderSnapshot {
    const upstreams = this.pool.snapshot().members.map(toUpstreamSnapshot)
    return {
      queries: this.counters.queries,
      answers: { ...this.counters.answers },
      forwarded: this.forwarding.counters.forwarded,
      deduplicated: this.forwarding.counters.deduplicated,
      overflows: this.forwarding.counters.overflows,
      inFlight: this.forwarding.inFlight,
      reloads: this.counters.reloads,
      reloadErrors: this.counters.reloadErrors,
      mismatches: upstreams.reduce((n, u) => n + u.mismatches, 0),
      rebindBlocked: this.forwarding.counters.rebindBlocked,
      cache: this.cache.snapshot(),
      upstreams,
      hostsEntries: this.router.localTable.entryCount,
      defaultServers: this.router.defaultUpstreams.map((u) => ({ ...u.server })),
    }
  }

  private answered(query: DnsQuery, source: AnswerSource, rcode: number, bytes: Uint8Array): Uint8Array {
    this.counters.answers[source]++
    if (this.listenerCount('query') > 0) {
      const q = query.wireQuestion!
      this.emit('query', { client: query.client, name: q.name, type: typeName(q.type), source, rcode })
    }
    return bytes
  }

  private remember(query: DnsQuery, source: AnswerSource, rcode: number, bytes: Uint8Array, validUntil: number, entry?: CacheEntry): Uint8Array {
    this.memo.set(query, source, rcode, bytes, validUntil, entry)
    return this.answered(query, source, rcode, bytes)
  }

  private async doReload(starting: boolean): Promise<ForwarderReloadResult> {
    const errors = await this.files.read()
    // Swap in one step: queries see the old tables or the new ones, never a mix.
    const fromServersFile = this.files.serversFileContent()
    const rules = this.options.serversFile ? this.buildRules(fromServersFile.domainServers) : undefined
    this.router.replace(this.buildLocal(), [...(this.options.servers ?? []), ...this.files.resolvServers(), ...fromServersFile.servers], rules)
    this.memo.clear()
    this.counters.reloads++
    if (errors.length > 0) this.counters.reloadErrors++
    const result: ForwarderReloadResult = {
      ok: errors.length === 0,
      errors,
      hostsEntries: this.router.localTable.entryCount,
      defaultServers: this.router.defaultUpstreams.length,
    }
    if (errors.length > 0) this.reportReloadErrors(errors, starting)
    else this.logger.info(starting ? 'files loaded' : 'reloaded', { hostsEntries: result.hostsEntries, defaultServers: result.defaultServers })
    this.emit('reload', result)
    return result
  }

  /**
   * A reload that kept old data must not go unnoticed: to the logger when there is one, else,
   * when nobody listens for `reload` either, as a Node warning (the library never writes to the
   * console itself). At start the failure is thrown to the caller, so no log line or warning then.
   */
  private reportReloadErrors(errors: readonly FileError[], starting: boolean): void {
    const message = 'reload kept old data for some files'
    if (starting) return
    if (this.logger.enabled('warn')) this.logger.warn(message, { errors })
    else if (this.listenerCount('reload') === 0) {
      process.emitWarning(`${message}: ${errors.map((e) => `${e.file}: ${e.message}`).join('; ')}`, { type: 'DnsHaWarning', code: 'DNS_HA_FORWARDER_RELOAD' })
    }
  }

  /** The domain rules: the options' and, after them, a servers-file's routes. */
  private buildRules(fileRoutes: readonly DomainServers[], localTtl = this.options.localTtl ?? 0): DomainRules {
    const o = this.options
    return new DomainRules(o.addresses ?? [], [...(o.domainServers ?? []), ...fileRoutes], o.local ?? [], localTtl)
  }

  private buildLocal(): LocalTable {
    return new LocalTable([...this.inline, ...this.files.hostsEntries()], {
      ttl: this.options.localTtl ?? 0,
      expandHosts: this.options.expandHosts ?? false,
      domain: this.options.domain,
      domainRanges: this.options.domainRanges ?? [],
      records: this.options,
    })
  }
}
