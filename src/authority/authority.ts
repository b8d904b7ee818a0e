/**
 * {@link Authority}: the authoritative responder, a {@link Handler}. It picks the view
 * ({@link ViewMatcher}: source address, verified TSIG key, EDNS Client Subnet), the zone (longest
 * match in its {@link ZoneSet}), looks the question up ({@link lookup}), builds the sections
 * ({@link buildAnswer}), fits them to the client ({@link fitAnswer}) and encodes them once into
 * the wire-format answer cache; later identical questions are served by copying those bytes.
 *
 * Zones are swapped whole by the ZoneSet (`replaceZone`, `reloadZone`): a query sees either the
 * old zone or the new one, never a mix, and every swap clears the answer cache.
 */
import type { Packet } from 'dns-packet'
import { CLASS, CLASSIC_UDP_PAYLOAD, DEFAULT_UDP_PAYLOAD, EDNS_DO, FLAG, OPCODE, RCODE, TYPE, rcodeName, typeName } from '../packet/constants.js'
import { packetTypeName } from '../packet/types.js'
import type { Handler, HandlerResult, MaybePromise, Next } from '../server/handler.js'
import { isPromiseLike } from '../server/handler.js'
import { ObservedEmitter } from '../server/observed-emitter.js'
import type { PlainQuery } from '../server/plain-query.js'
import type { ClientInfo, DnsQuery, Transport } from '../server/query.js'
import { respond } from '../server/respond.js'
import { DnsHaError } from '../util/errors.js'
import type { ComponentLogger, Logger } from '../util/logger.js'
import { errorMessage, toLogger } from '../util/logger.js'
import type { Zone } from '../zone/zone.js'
import type { SecondaryZone } from '../transfer/secondary-zone.js'
import type { ZoneLimits } from '../zone/limits.js'
import type { AnswerCacheOptions, AnswerCacheSnapshot } from './answer-cache.js'
import { AnswerCache } from './answer-cache.js'
import type { AnswerPolicy } from './build-answer.js'
import { buildAnswer } from './build-answer.js'
import type { ChaosOptions } from './chaos.js'
import { chaosAnswer } from './chaos.js'
import type { ViewMatchSpec } from './client-match.js'
import { encodeClientSubnet } from './client-match.js'
import type { EncodedAnswer } from './encoded-answer.js'
import { appendOption, questionEndFor } from './encoded-answer.js'
import { fitAnswer } from './fit-answer.js'
import { lookup } from './lookup.js'
import { ViewMatcher } from './view-matcher.js'
import type { AuthorityZoneSource, ReloadResult, ZoneErrorEvent, ZoneLoadedEvent, ZoneSetEntry } from './zone-set.js'
import { serialOf, ZoneSet } from './zone-set.js'
import type { ZoneStats } from './zone-stats.js'
import { ZoneCounters } from './zone-stats.js'
import type { PrimaryTransferOptions } from '../transfer/transfer-primary.js'
import { TransferPrimary } from '../transfer/transfer-primary.js'

export type { AuthorityZoneFile, AuthorityZoneSource, ReloadResult } from './zone-set.js'

/** One view: who it is for, and its own zones (BIND `view`). */
export interface AuthorityViewOptions {
  name: string
  /** Any listed criterion matching selects the view; absent or empty: every client. */
  match?: ViewMatchSpec
  zones: AuthorityZoneSource[]
}

/**
 * A store of zones edited in place (the records module's `ZoneStore` is one): the Authority
 * serves each of its zones and swaps in the new zone on every `updated` event.
 */
export interface AuthorityZoneStore {
  origins(): string[]
  zone(origin: string): Zone
  on(event: 'updated', listener: (event: { origin: string }) => void): unknown
}

/** Answers UPDATE messages (RFC 2136, opcode 5); the records module's `UpdateResponder` is one. */
export interface AuthorityUpdateHandler {
  answerUpdate(query: DnsQuery): MaybePromise<HandlerResult>
}

/** Options of {@link Authority} (the zone transfer ones, `allowTransfer`, `notify`, ..., are {@link PrimaryTransferOptions}). */
export interface AuthorityOptions extends ChaosOptions, PrimaryTransferOptions {
  /** Zones for every client (with `views`: a last view named `default` that takes everyone). */
  zones?: AuthorityZoneSource[]
  /** Views, first match wins. */
  views?: AuthorityViewOptions[]
  /** Names in no zone: REFUSED (default `true`), or `false` to pass them to `next`. */
  refuseOutOfZone?: boolean
  /** Leave the apex NS RRset out of positive answers, like Knot (default `false`, like NSD). */
  minimalResponses?: boolean
  /** ANY per RFC 8482, one RRset (`'minimal'`, default), or every RRset (`'full'`). */
  any?: 'minimal' | 'full'
  /** The wire answer cache limits, or `false` to encode every answer afresh. */
  cache?: AnswerCacheOptions | false
  /** The UDP payload size our OPT record advertises (default 1232; keep it equal to DnsServer's `maxUdpSize`). */
  maxUdpSize?: number
  /** @deprecated The old name of {@link AuthorityOptions.maxUdpSize}; used when that is not set. */
  ednsUdpSize?: number
  /**
   * A UDP referral whose in-domain glue does not all fit: `'tc'` (default) keeps what fits and
   * sets TC=1, as RFC 9471 requires (Knot 3.2 does); `'silent'` keeps what fits without TC, as
   * NSD 4.6 and BIND 9.18 do.
   */
  glueTruncation?: 'tc' | 'silent'
  /** The most CNAMEs followed in one answer (default 16). */
  maxChain?: number
  /** Reads zone files (default: node:fs with the zone module's reader, `$INCLUDE` relative to the file). Bytes are taken as they are; a string is read as UTF-8, as `parseZone` reads it. */
  readFile?: (path: string) => Promise<string | Uint8Array>
  /**
   * Bounds on every zone served, however it arrives (file, `replaceZone`, transfer, update): a
   * zone over one is refused (`ERR_ZONE_LIMIT`, the limit named) and the zone served before is
   * kept. Unset fields take the zone-file defaults: `maxRecordsPerType` 100 and `maxTypesPerName`
   * 100 (BIND 9.18), `maxRecords` unbounded (BIND `max-records` 0) — set it for zones from others.
   */
  zoneLimits?: ZoneLimits
  /**
   * Zones copied from primaries ({@link SecondaryZone}): each served through the zone set (atomic
   * swaps, `zoneLimits` applied), SERVFAIL while not loaded or expired, NOTIFY for its origin
   * handed to it. `start()` starts them and `close()` stops them.
   */
  secondaries?: SecondaryZone[]
  /** Zones edited through a store: served (in the default view, or the views serving their origin), swapped on every update. */
  store?: AuthorityZoneStore
  /** Who answers UPDATE messages; without it they go to the next handler (the server answers NOTIMP). */
  update?: AuthorityUpdateHandler
  /**
   * Where zone loads and reloads (`info`, with serials), zone load failures (`error`, with the
   * file's `line` and `column` for a syntax error) and reload warnings (`warn`) are reported,
   * with `component: 'authority'`; console- or pino-shaped. Without a logger and without a
   * listener for the event, failures and warnings surface as `process.emitWarning`.
   */
  logger?: Logger
}

/** A query log entry. */
export interface AuthorityQueryEvent {
  view: string
  /** The zone that answered (its origin), `undefined` when refused or passed on. */
  zone: string | undefined
  qname: string
  qtype: string
  qclass: string
  rcode: string
  client: ClientInfo
  transport: Transport
  /** Served from the wire answer cache. */
  cached: boolean
}

/** Events of {@link Authority}. */
export interface AuthorityEvents {
  query: (event: AuthorityQueryEvent) => void
  'zone-loaded': (event: ZoneLoadedEvent) => void
  'zone-error': (event: ZoneErrorEvent) => void
}

/** Per-zone counters (BIND zone-statistics). */
export interface ZoneStatsSnapshot {
  origin: string
  serial: number | undefined
  loaded: boolean
  file: string | undefined
  /** The last load error's message, while the zone is not loaded or after a failed reload. */
  error: string | undefined
  queries: number
  qtypes: Record<string, number>
  rcodes: Record<string, number>
}

/** A plain-data view of the authority. */
export interface AuthoritySnapshot {
  views: { name: string; zones: ZoneStatsSnapshot[] }[]
  cache: AnswerCacheSnapshot | undefined
  /** Queries for names in no zone (refused or passed on). */
  outOfZone: number
  /** CHAOS identity queries. */
  chaos: number
}

type ZoneEntry = ZoneSetEntry<ZoneStats>

/** The authoritative responder. */
export class Authority extends ObservedEmitter<AuthorityEvents> implements Handler {
  private readonly zones: ZoneSet<ZoneStats>
  private readonly matcher: ViewMatcher
  private readonly cache: AnswerCache<EncodedAnswer> | undefined
  private readonly counters = new ZoneCounters()
  private readonly refuseOutOfZone: boolean
  private readonly chaos: ChaosOptions
  private readonly maxUdpSize: number
  private readonly maxChain: number
  private readonly glueTc: boolean
  private readonly policy: AnswerPolicy
  private readonly logger: ComponentLogger
  private readonly loading: Promise<void>
  private readonly secondaries = new Map<string, SecondaryZone>()
  private readonly update: AuthorityUpdateHandler | undefined
  private outOfZone = 0
  private chaosCount = 0
  /** The primary side of zone transfer: AXFR/IXFR out, the IXFR journal, NOTIFY out, and their events. */
  readonly transfer: TransferPrimary

  constructor(options: AuthorityOptions = {}) {
    super(['query'])
    this.refuseOutOfZone = options.refuseOutOfZone ?? true
    this.chaos = { ...(options.version !== undefined ? { version: options.version } : {}), ...(options.hostname !== undefined ? { hostname: options.hostname } : {}) }
    const sizeOption = options.maxUdpSize !== undefined ? 'maxUdpSize' : 'ednsUdpSize'
    this.maxUdpSize = options.maxUdpSize ?? options.ednsUdpSize ?? DEFAULT_UDP_PAYLOAD
    if (!Number.isInteger(this.maxUdpSize) || this.maxUdpSize < CLASSIC_UDP_PAYLOAD || this.maxUdpSize > 65535) {
      throw new DnsHaError('ERR_CONFIG', `${sizeOption} must be an integer from ${CLASSIC_UDP_PAYLOAD} to 65535, got ${this.maxUdpSize}`)
    }
    this.maxChain = options.maxChain ?? 16
    const glue = options.glueTruncation ?? 'tc'
    if (glue !== 'tc' && glue !== 'silent') throw new DnsHaError('ERR_CONFIG', `glueTruncation must be 'tc' or 'silent'`)
    this.glueTc = glue === 'tc'
    this.policy = { minimalResponses: options.minimalResponses ?? false, any: options.any ?? 'minimal' }
    if (this.policy.any !== 'minimal' && this.policy.any !== 'full') throw new DnsHaError('ERR_CONFIG', `any must be 'minimal' or 'full'`)
    this.logger = toLogger(options.logger, { component: 'authority' })
    const cache = options.cache === false ? undefined : new AnswerCache<EncodedAnswer>(options.cache ?? {})
    this.cache = cache

    const specs: AuthorityViewOptions[] = [...(options.views ?? [])]
    if (options.zones || specs.length === 0) specs.push({ name: 'default', zones: options.zones ?? [] })
    this.zones = new ZoneSet<ZoneStats>({
      views: specs,
      ...(options.readFile !== undefined ? { readFile: options.readFile } : {}),
      ...(options.zoneLimits !== undefined ? { limits: options.zoneLimits } : {}),
      entryData: () => this.counters.newStats(),
      onChange: () => cache?.clear(),
    })
    this.matcher = new ViewMatcher(specs.map((s) => s?.match))
    this.zones.on('zone-loaded', (event) => this.onZoneLoaded(event))
    this.zones.on('zone-error', (event) => this.onZoneError(event))
    this.transfer = new TransferPrimary(options)
    for (const v of this.zones.views) for (const e of v.zones.values()) this.transfer.zoneChanged(v.name, e.zone)
    for (const secondary of options.secondaries ?? []) {
      if (this.secondaries.has(secondary.origin)) throw new DnsHaError('ERR_CONFIG', `secondary ${secondary.origin} listed twice`)
      this.secondaries.set(secondary.origin, secondary)
      secondary.attach({ swap: (zone) => this.zones.replace(zone), unload: () => this.zones.unload(secondary.origin) })
    }
    const store = options.store
    if (store !== undefined) {
      for (const origin of store.origins()) this.zones.replace(store.zone(origin))
      // A group of updates made durable together is served as one zone, announced once per update: swap it in once.
      const swapped = new Map<string, unknown>()
      store.on('updated', ({ origin }) => {
        const zone = store.zone(origin)
        if (swapped.get(origin) === zone) return
        swapped.set(origin, zone)
        try {
          this.zones.replace(zone)
        } catch (error) {
          // Over this Authority's zoneLimits: the zone served before stays.
          this.onZoneError({ view: '*', origin, file: undefined, error })
        }
      })
    }
    this.update = options.update
    this.loading = this.zones.load()
    // Failures are reported as they happen (event, logger or warning); the promise is for ready().
    this.loading.catch(() => {})
  }

  /**
   * Resolves once every zone given as a file has been loaded; rejects with the first load error
   * (the other zones still serve; a zone that failed answers SERVFAIL, as BIND does).
   */
  ready(): Promise<void> {
    return this.loading
  }

  /**
   * The handler lifecycle (`DnsServer.listen()` calls it): resolves once the initial zone files
   * have been read. A zone that failed does not fail the start (it answers SERVFAIL, as in BIND);
   * the failure was reported as a `zone-error` event, to the logger, or as a process warning.
   * Calling it again is harmless.
   */
  async start(): Promise<void> {
    await this.loading.catch(() => {})
    await Promise.all([...this.secondaries.values()].map((s) => s.start()))
  }

  /** Answers a query for the zones of the matching view (a {@link Handler}). */
  handle(query: DnsQuery, next: Next): MaybePromise<HandlerResult> {
    if (query.opcode === OPCODE.UPDATE) return this.update !== undefined ? this.update.answerUpdate(query) : next()
    const q = query.wireQuestion
    if (!q) return next()
    if (query.opcode !== OPCODE.QUERY) return query.opcode === OPCODE.NOTIFY ? this.answerNotify(query, next) : next()
    if (q.type === TYPE.AXFR || q.type === TYPE.IXFR) return this.answerTransfer(query, next)
    if (q.class === CLASS.CH) return this.answerChaos(query)
    if (q.class !== CLASS.IN) return this.outside(query, next, 0)

    const matcher = this.matcher
    const view = matcher.select(query)
    if (view < 0) return next()
    const ecs = matcher.ecs
    const ecsUsed = matcher.ecsUsed

    // The cache is consulted before the zone: a hit needs neither (any zone change clears it).
    const edns = query.edns
    const variant = edns === undefined ? 0 : (edns.flags & EDNS_DO) !== 0 ? 2 : 1
    const sizeClass = query.transport === 'tcp' ? 0 : query.maxUdpSize
    const cache = this.cache
    const found = cache === undefined ? -1 : cache.find(query.raw, q.end, view, variant, sizeClass)
    let answer: EncodedAnswer
    let bytes: Uint8Array
    if (found >= 0) {
      cache!.noteHit()
      answer = cache!.meta(found)
      bytes = cache!.copyAnswer(found, query.raw, q.end)
    } else {
      cache?.noteMiss()
      const entry = this.zones.find(view, q.name.toLowerCase(), q.type)
      if (!entry) return this.outside(query, next, view)
      if (!entry.zone) return this.finishFixed(query, view, entry, RCODE.SERVFAIL)
      answer = this.build(query, view, entry)
      // Stored only when the encoded question is as long as the query's, so hits can patch its case in.
      if (answer.questionEnd === q.end) cache?.store(query.raw, q.end, view, variant, sizeClass, answer.bytes, answer, answer.tallies)
      bytes = answer.bytes
    }
    const counts = this.counters.table.values
    for (const t of answer.tallies) counts[t]!++
    if (this.observed) this.logQuery(query, view, answer.zone, answer.rcodeName, found >= 0)
    if (ecs && answer.optRdlengthOffset >= 0) bytes = appendOption(bytes, answer.optRdlengthOffset, encodeClientSubnet(ecs, ecsUsed ? ecs.sourcePrefix : 0))
    return bytes
  }

  /**
   * The UDP fast path ({@link Handler.answerPlain}): a cached answer copied straight from the
   * query's bytes, with no {@link DnsQuery}. Taken while nobody listens to the query log; a miss
   * goes to {@link Authority.handle}, which builds and caches the answer. Byte for byte what
   * `handle` answers from the cache.
   */
  answerPlain(query: PlainQuery): Uint8Array | undefined {
    const cache = this.cache
    if (cache === undefined || this.observed) return undefined
    // No view for this client: the full path passes it on.
    const view = this.matcher.selectPlain(query)
    if (view < 0) return undefined
    const raw = query.raw
    const found = cache.find(raw, query.questionEnd, view, query.ednsVariant, query.maxUdpSize)
    // Too large for this client: the full path truncates it.
    if (found < 0 || cache.answerLength(found) > query.maxUdpSize) return undefined
    cache.noteHit()
    cache.tally(found, this.counters.table.values)
    return cache.copyAnswer(found, raw, query.questionEnd)
  }

  /**
   * Swaps in `zone` (replacing the zone with the same origin, or adding it) in one view, or in
   * every view that serves that origin (the default view when none does). Atomic: the next query
   * sees the new zone; the answer cache is cleared.
   */
  replaceZone(zone: Zone, options: { view?: string; file?: string } = {}): void {
    this.zones.replace(zone, options)
  }

  /**
   * Re-reads the file of the zone `origin` (in `view`, or in every view serving it), like
   * `rndc reload`: a raised SOA serial (RFC 1982) is swapped in; a changed zone whose serial was
   * not raised is swapped in too, as named does, with a `warning` in the result and the
   * `zone-loaded` event (and to the logger, or as a process warning when nobody listens), since
   * secondaries will not see the change; a zone whose records are all the same as what is served
   * is left alone (`loaded: false`) unless `force`. Every file is parsed before any view changes:
   * a file that does not parse leaves the old zone serving in every view; the promise rejects
   * with the parser's error and a `zone-error` event is emitted.
   */
  reloadZone(origin: string, options: { view?: string; force?: boolean } = {}): Promise<ReloadResult> {
    return this.zones.reload(origin, options)
  }

  /** The zone serving `origin` in `view` (default: the first view that has it). */
  getZone(origin: string, view?: string): Zone | undefined {
    return this.zones.get(origin, view)
  }

  /**
   * Releases what the Authority holds open ({@link Handler.close}; `DnsServer.close()` calls it):
   * the secondaries' timers and transfers, NOTIFY retries and their sockets.
   */
  async close(): Promise<void> {
    for (const s of this.secondaries.values()) s.stop()
    await this.transfer.close()
  }

  /** Counters and zone state as plain data. */
  snapshot(): AuthoritySnapshot {
    const counters = this.counters
    return {
      views: this.zones.views.map((v) => ({
        name: v.name,
        zones: [...v.zones.values()].map((e) => ({
          origin: e.origin,
          serial: serialOf(e.zone),
          loaded: e.zone !== undefined,
          file: e.file,
          error: e.error === undefined ? undefined : String((e.error as Error)?.message ?? e.error),
          queries: counters.table.values[e.data.queries]!,
          qtypes: counters.countsOf(e.data.qtypes),
          rcodes: counters.countsOf(e.data.rcodes),
        })),
      })),
      cache: this.cache?.snapshot(),
      outOfZone: this.outOfZone,
      chaos: this.chaosCount,
    }
  }

  // ---- answering ----

  /** Looks up, builds, fits and encodes the answer for a cache miss. */
  private build(query: DnsQuery, view: number, entry: ZoneEntry): EncodedAnswer {
    const q = query.wireQuestion!
    const findZone = (name: string): Zone | undefined => this.zones.find(view, name.toLowerCase(), 0)?.zone
    const verdict = lookup(entry.zone!, q.name, packetTypeName(q.type), { findZone, maxChain: this.maxChain })
    const sections = buildAnswer(verdict, this.policy)
    const flags = FLAG.QR | (query.header.flags & (FLAG.RD | FLAG.CD)) | (sections.aa ? FLAG.AA : 0) | (sections.rcode & 0xf)
    const encoded = fitAnswer(
      {
        id: query.id,
        flags,
        question: { name: q.name, type: q.type, class: q.class },
        answers: sections.answers,
        authorities: sections.authorities,
        additionals: sections.additionals,
        ...(query.edns ? { opt: { udpPayloadSize: this.maxUdpSize, extendedRcode: 0, flags: query.dnssecOk ? EDNS_DO : 0 } } : {}),
      },
      sections,
      query.transport === 'udp' ? query.maxUdpSize : 65535,
      this.glueTc,
    )
    const rcode = rcodeName(sections.rcode)
    const stats = entry.data
    return {
      bytes: encoded.bytes,
      questionEnd: questionEndFor(q.name),
      optRdlengthOffset: encoded.optRdlengthOffset,
      zone: entry.origin,
      rcodeName: rcode,
      tallies: [stats.queries, this.counters.counterOf(stats.qtypes, typeName(q.type)), this.counters.counterOf(stats.rcodes, rcode)],
    }
  }

  private outside(query: DnsQuery, next: Next, view: number): MaybePromise<HandlerResult> {
    this.outOfZone++
    if (!this.refuseOutOfZone) return next()
    if (this.observed) this.logQuery(query, view, undefined, 'REFUSED', false)
    return respond(query, { rcode: 'REFUSED' }) as Packet
  }

  private finishFixed(query: DnsQuery, view: number, entry: ZoneEntry, rcode: number): HandlerResult {
    const name = rcodeName(rcode)
    this.counters.count(entry.data, typeName(query.qtype), name)
    if (this.observed) this.logQuery(query, view, entry.origin, name, false)
    return respond(query, { rcode }) as Packet
  }

  /**
   * AXFR/IXFR for a zone apex this client's view serves goes to the primary side of transfer
   * (ACL, AXFR, IXFR); a name that is no zone apex here gets NOTAUTH, as BIND answers it.
   */
  private answerTransfer(query: DnsQuery, next: Next): MaybePromise<HandlerResult> {
    const view = this.matcher.select(query)
    if (view < 0) return next()
    const qname = query.wireQuestion!.name.toLowerCase()
    const entry = this.zones.find(view, qname, 0)
    if (entry === undefined || entry.origin !== (qname.endsWith('.') ? qname : qname + '.')) return respond(query, { rcode: 'NOTAUTH' }) as Packet
    if (!entry.zone) return respond(query, { rcode: 'SERVFAIL' }) as Packet
    return this.transfer.answer(query, this.zones.views[view]!.name, entry.zone)
  }

  /**
   * NOTIFY (RFC 1996) goes to `next` first (a transfer module there takes it). When nothing
   * answers it: REFUSED for a zone we serve, as NSD answers it for a zone it is primary for, and
   * NOTAUTH for any other name, as BIND does.
   */
  private answerNotify(query: DnsQuery, next: Next): MaybePromise<HandlerResult> {
    const qname = query.wireQuestion!.name.toLowerCase()
    const secondary = this.secondaries.get(qname.endsWith('.') ? qname : `${qname}.`)
    if (secondary) return secondary.answerNotify(query)
    const ours = this.zones.views.some((v) => this.zones.find(v.index, qname, 0) !== undefined)
    const fallback = (result: HandlerResult): HandlerResult => (result !== undefined ? result : (respond(query, { rcode: ours ? 'REFUSED' : 'NOTAUTH' }) as Packet))
    const passed = next()
    return isPromiseLike(passed) ? passed.then(fallback) : fallback(passed)
  }

  private answerChaos(query: DnsQuery): HandlerResult {
    this.chaosCount++
    const q = query.question!
    const answer = chaosAnswer(q.name, q.type, this.chaos)
    if (this.observed) this.logQuery(query, 0, undefined, answer ? 'NOERROR' : 'REFUSED', false)
    // As NSD answers it: the TXT alone, not authoritative (we serve no CH zone).
    return (answer ? respond(query, { answers: [answer] }) : respond(query, { rcode: 'REFUSED' })) as Packet
  }

  private logQuery(query: DnsQuery, view: number, zone: string | undefined, rcode: string, cached: boolean): void {
    const q = query.question
    this.emit('query', {
      view: this.zones.views[view]!.name,
      zone,
      qname: q?.name ?? '',
      qtype: q?.type ?? '',
      qclass: q?.class ?? '',
      rcode,
      client: query.client,
      transport: query.transport,
      cached,
    })
  }

  // ---- zone events ----

  private onZoneLoaded(event: ZoneLoadedEvent): void {
    this.transfer.zoneChanged(event.view, this.zones.get(event.origin, event.view))
    const meta = { view: event.view, origin: event.origin, serial: event.serial, previousSerial: event.previousSerial, file: event.file }
    this.logger.info(event.previousSerial === undefined ? 'zone loaded' : 'zone reloaded', meta)
    if (event.warning !== undefined) {
      if (this.logger.enabled('warn')) this.logger.warn(event.warning, meta)
      else if (this.listenerCount('zone-loaded') === 0) process.emitWarning(event.warning, { code: 'DNS_HA_ZONE_SERIAL_NOT_RAISED' })
    }
    this.emit('zone-loaded', event)
  }

  private onZoneError(event: ZoneErrorEvent): void {
    const message = `zone ${event.origin} (view ${event.view}${event.file !== undefined ? `, file ${event.file}` : ''}) failed to load: ${errorMessage(event.error)}`
    if (this.logger.enabled('error')) this.logger.error(message, { view: event.view, origin: event.origin, file: event.file, ...filePosition(event.error), err: event.error })
    else if (this.listenerCount('zone-error') === 0) process.emitWarning(message, { code: 'DNS_HA_ZONE_LOAD_FAILED' })
    this.emit('zone-error', event)
  }
}

/** The `line` and `column` of a zone file syntax error (a `ConfigSyntaxError`), for the log line. */
function filePosition(error: unknown): { line?: number; column?: number } {
  const e = error as { line?: unknown; column?: unknown } | undefined
  return typeof e?.line === 'number' && typeof e.column === 'number' ? { line: e.line, column: e.column } : {}
}
