/**
 * {@link Authority}: the authoritative responder, a {@link Handler}. It picks the view (source
 * address, verified TSIG key, EDNS Client Subnet), the zone (longest match), looks the question up
 * ({@link lookup}), builds the sections ({@link buildAnswer}) and encodes them once into the
 * wire-format answer cache; later identical questions are served by copying those bytes.
 *
 * Zones are swapped whole (`replaceZone`, `reloadZone`): a reload parses the file completely
 * before the swap, so a query sees either the old zone or the new one, never a mix.
 */
import { EventEmitter } from 'eventemitter3'
import type { Answer, Packet } from 'dns-packet'
import { EDNS_DO, FLAG, OPCODE, RCODE, rcodeName, typeName } from '../packet/constants.js'
import type { Handler, HandlerResult, MaybePromise, Next } from '../server/handler.js'
import type { PlainQuery } from '../server/plain-query.js'
import { isPromiseLike } from '../server/handler.js'
import type { ClientInfo, DnsQuery, Transport } from '../server/query.js'
import { respond } from '../server/respond.js'
import { DnsHaError } from '../util/errors.js'
import { packetTypeName } from '../packet/types.js'
import type { Zone } from '../zone/zone.js'
import { parseZone, readZoneFile } from '../zone/index.js'
import type { AnswerCacheOptions, AnswerCacheSnapshot } from './answer-cache.js'
import { AnswerCache } from './answer-cache.js'
import { CounterTable } from './counter-table.js'
import type { AnswerPolicy } from './build-answer.js'
import { buildAnswer } from './build-answer.js'
import type { ChaosOptions } from './chaos.js'
import { chaosAnswer } from './chaos.js'
import type { ClientSubnet, CompiledViewMatch, ViewMatchSpec } from './client-match.js'
import { compileViewMatch, encodeClientSubnet, readClientSubnet } from './client-match.js'
import type { EncodedMessage, MessageInit } from '../packet/encode-message.js'
import { encodeMessage } from '../packet/encode-message.js'
import { lookup } from './lookup.js'
import { labelBytes, splitLabels } from '../packet/names.js'
import { canonicalName } from '../packet/names.js'
import { serialIncreased } from './serial.js'

/** A zone to serve: a parsed {@link Zone}, or a master file to load (and reload). */
export type AuthorityZoneSource = Zone | AuthorityZoneFile

/** A zone loaded from a master file. */
export interface AuthorityZoneFile {
  file: string
  origin: string
  /** TTL for records without one and no `$TTL` (passed to the parser). */
  defaultTtl?: number
}

/** One view: who it is for, and its own zones (BIND `view`). */
export interface AuthorityViewOptions {
  name: string
  /** Any listed criterion matching selects the view; absent or empty: every client. */
  match?: ViewMatchSpec
  zones: AuthorityZoneSource[]
}

/** Options of {@link Authority}. */
export interface AuthorityOptions extends ChaosOptions {
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
  /** The UDP payload size our OPT record advertises (default 1232, as DnsServer's default `maxUdpSize`). */
  ednsUdpSize?: number
  /**
   * A UDP referral whose in-domain glue does not all fit: `'tc'` (default) keeps what fits and
   * sets TC=1, as RFC 9471 requires (Knot 3.2 does); `'silent'` keeps what fits without TC, as
   * NSD 4.6 and BIND 9.18 do.
   */
  glueTruncation?: 'tc' | 'silent'
  /** The most CNAMEs followed in one answer (default 16). */
  maxChain?: number
  /** Reads zone files (default: node:fs with the zone module's reader, `$INCLUDE` relative to the file). */
  readFile?: (path: string) => Promise<string>
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
  'zone-loaded': (event: { view: string; origin: string; serial: number | undefined; previousSerial: number | undefined; file: string | undefined }) => void
  'zone-error': (event: { view: string; origin: string; file: string | undefined; error: unknown }) => void
}

/** What {@link Authority.reloadZone} did. */
export interface ReloadResult {
  origin: string
  /** True when the new zone replaced the old one in at least one view. */
  loaded: boolean
  serial: number | undefined
  previousSerial: number | undefined
  /** The views whose zone was replaced. */
  views: string[]
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

/** A zone's counters, as indices into the authority's {@link CounterTable}. */
interface ZoneStats {
  queries: number
  qtypes: Map<string, number>
  rcodes: Map<string, number>
}

interface ZoneEntry {
  origin: string
  zone: Zone | undefined
  file: string | undefined
  defaultTtl: number | undefined
  error: unknown
  stats: ZoneStats
}

interface ViewState {
  name: string
  index: number
  test: CompiledViewMatch
  zones: Map<string, ZoneEntry>
}

/** An encoded answer, and what the full path needs to serve it from the cache. */
interface EncodedAnswer {
  bytes: Buffer
  /** Offset just past the question in `bytes` (checked against the query's before caching). */
  questionEnd: number
  /** Offset of the OPT RDLENGTH (`-1` without OPT), so per-query options (ECS) can be appended. */
  optRdlengthOffset: number
  /** The zone origin that answered. */
  zone: string
  rcodeName: string
  /** The counters (in the authority's {@link CounterTable}) each query this answers adds to. */
  tallies: [queries: number, qtype: number, rcode: number]
}

const CLASS_IN = 1
const CLASS_CH = 3
const QTYPE_AXFR = 252
const QTYPE_IXFR = 251

/** The authoritative responder. */
export class Authority extends EventEmitter<AuthorityEvents> implements Handler {
  private readonly views: ViewState[]
  private readonly cache: AnswerCache<EncodedAnswer> | undefined
  private readonly counters = new CounterTable()
  private readonly refuseOutOfZone: boolean
  private readonly chaos: ChaosOptions
  private readonly ednsUdpSize: number
  private readonly maxChain: number
  private readonly glueTc: boolean
  private readonly readFile: ((path: string) => Promise<string>) | undefined
  private readonly policy: AnswerPolicy
  private readonly needEcs: boolean
  /** One view that takes everyone: no per-query view matching at all. */
  private readonly singleOpenView: boolean
  private readonly loading: Promise<void>
  private outOfZone = 0
  private chaosCount = 0

  constructor(options: AuthorityOptions = {}) {
    super()
    this.refuseOutOfZone = options.refuseOutOfZone ?? true
    this.chaos = { ...(options.version !== undefined ? { version: options.version } : {}), ...(options.hostname !== undefined ? { hostname: options.hostname } : {}) }
    this.ednsUdpSize = options.ednsUdpSize ?? 1232
    if (!Number.isInteger(this.ednsUdpSize) || this.ednsUdpSize < 512 || this.ednsUdpSize > 65535) {
      throw new DnsHaError('ERR_CONFIG', `ednsUdpSize must be an integer from 512 to 65535, got ${options.ednsUdpSize}`)
    }
    this.maxChain = options.maxChain ?? 16
    const glue = options.glueTruncation ?? 'tc'
    if (glue !== 'tc' && glue !== 'silent') throw new DnsHaError('ERR_CONFIG', `glueTruncation must be 'tc' or 'silent'`)
    this.glueTc = glue === 'tc'
    this.readFile = options.readFile
    this.policy = { minimalResponses: options.minimalResponses ?? false, any: options.any ?? 'minimal' }
    if (this.policy.any !== 'minimal' && this.policy.any !== 'full') throw new DnsHaError('ERR_CONFIG', `any must be 'minimal' or 'full'`)
    this.cache = options.cache === false ? undefined : new AnswerCache<EncodedAnswer>(options.cache ?? {})

    const specs: AuthorityViewOptions[] = [...(options.views ?? [])]
    if (options.zones || specs.length === 0) specs.push({ name: 'default', zones: options.zones ?? [] })
    const names = new Set<string>()
    this.views = specs.map((spec, index) => {
      if (!spec || typeof spec.name !== 'string' || spec.name === '') throw new DnsHaError('ERR_CONFIG', `views[${index}] needs a name`)
      if (names.has(spec.name)) throw new DnsHaError('ERR_CONFIG', `duplicate view name ${JSON.stringify(spec.name)}`)
      names.add(spec.name)
      const view: ViewState = { name: spec.name, index, test: compileViewMatch(spec.match, `views[${index}].match`), zones: new Map() }
      for (const source of spec.zones ?? []) this.addSource(view, source)
      return view
    })
    this.needEcs = specs.some((s) => s.match?.ecs !== undefined)
    const m = specs[0]?.match
    this.singleOpenView = specs.length === 1 && !m?.clients && !m?.keys && !m?.ecs
    this.loading = this.loadPending()
  }

  /**
   * Resolves once every zone given as a file has been loaded; rejects with the first load error
   * (the other zones still serve; a zone that failed answers SERVFAIL, as BIND does).
   */
  ready(): Promise<void> {
    return this.loading
  }

  /** Answers a query for the zones of the matching view (a {@link Handler}). */
  handle(query: DnsQuery, next: Next): MaybePromise<HandlerResult> {
    const q = query.wireQuestion
    if (!q) return next()
    if (query.opcode !== OPCODE.QUERY) return query.opcode === OPCODE.NOTIFY ? this.answerNotify(query, next) : next()
    if (q.type === QTYPE_AXFR || q.type === QTYPE_IXFR) return next()
    if (q.class === CLASS_CH) return this.answerChaos(query)
    if (q.class !== CLASS_IN) return this.outside(query, next, this.views[0]!)

    // View: the first whose match accepts the client.
    let view: ViewState | undefined = this.views[0]!
    let ecs: ClientSubnet | undefined
    let ecsUsed = false
    if (!this.singleOpenView) {
      view = undefined
      ecs = this.needEcs ? readClientSubnet(query) : undefined
      // Only a key the server verified counts (`query.tsig`); a key name alone selects nothing.
      const key = query.tsig?.keyName
      for (const v of this.views) {
        const r = v.test(query, ecs, key)
        if (r.usedEcs) ecsUsed = true
        if (r.matched) {
          view = v
          break
        }
      }
      if (!view) return next()
    }

    // The cache is consulted before the zone: a hit needs neither (any zone change clears it).
    const edns = query.edns
    const variant = edns === undefined ? 0 : (edns.flags & EDNS_DO) !== 0 ? 2 : 1
    const sizeClass = query.transport === 'tcp' ? 0 : query.maxUdpSize
    const cache = this.cache
    const found = cache === undefined ? -1 : cache.find(query.raw, q.end, view.index, variant, sizeClass)
    let answer: EncodedAnswer
    let bytes: Uint8Array
    if (found >= 0) {
      cache!.noteHit()
      answer = cache!.meta(found)
      bytes = cache!.copyAnswer(found, query.raw, q.end)
    } else {
      cache?.noteMiss()
      const qname = q.name.toLowerCase()
      const entry = this.findEntry(view, qname, q.type)
      if (!entry) return this.outside(query, next, view)
      if (!entry.zone) return this.finishFixed(query, view, entry, RCODE.SERVFAIL)
      answer = this.build(query, view, entry)
      // Stored only when the encoded question is as long as the query's, so hits can patch its case in.
      if (answer.questionEnd === q.end) cache?.store(query.raw, q.end, view.index, variant, sizeClass, answer.bytes, answer, answer.tallies)
      bytes = answer.bytes
    }
    const counts = this.counters.values
    for (const t of answer.tallies) counts[t]!++
    if (this.logged()) this.logQuery(query, view, answer.zone, answer.rcodeName, found >= 0)
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
    if (cache === undefined || this.logged()) return undefined
    let view = 0
    if (!this.singleOpenView) {
      // A plain query has no TSIG and no ECS option: the client's address alone picks the view,
      // as it would on the full path. No view for it: the full path passes it on.
      const views = this.views
      view = 0
      while (view < views.length && !views[view]!.test(query, undefined, undefined).matched) view++
      if (view === views.length) return undefined
    }
    const raw = query.raw
    const found = cache.find(raw, query.questionEnd, view, query.ednsVariant, query.maxUdpSize)
    // Too large for this client: the full path truncates it.
    if (found < 0 || cache.answerLength(found) > query.maxUdpSize) return undefined
    cache.noteHit()
    cache.tally(found, this.counters.values)
    return cache.copyAnswer(found, raw, query.questionEnd)
  }

  /**
   * Whether the query log has listeners, read from eventemitter3's table directly (see
   * DnsServer: `listenerCount()` goes megamorphic on a per-query path).
   */
  private logged(): boolean {
    const events = (this as unknown as { _events?: { query?: unknown } })._events
    return events === undefined || events.query !== undefined
  }

  /**
   * Swaps in `zone` (replacing the zone with the same origin, or adding it) in one view, or in
   * every view that serves that origin (the default view when none does). Atomic: the next query
   * sees the new zone; the answer cache is cleared.
   */
  replaceZone(zone: Zone, options: { view?: string; file?: string } = {}): void {
    checkZone(zone)
    const origin = canonicalName(zone.origin)
    let targets: ViewState[]
    if (options.view !== undefined) {
      const v = this.views.find((x) => x.name === options.view)
      if (!v) throw new DnsHaError('ERR_CONFIG', `no view named ${JSON.stringify(options.view)}`)
      targets = [v]
    } else {
      targets = this.views.filter((v) => v.zones.has(origin))
      if (targets.length === 0) targets = [this.views[this.views.length - 1]!]
    }
    for (const view of targets) {
      const old = view.zones.get(origin)
      const entry: ZoneEntry = old ?? { origin, zone: undefined, file: undefined, defaultTtl: undefined, error: undefined, stats: this.newStats() }
      const previousSerial = serialOf(entry.zone)
      entry.zone = zone
      entry.error = undefined
      if (options.file !== undefined) entry.file = options.file
      view.zones.set(origin, entry)
      this.emit('zone-loaded', { view: view.name, origin, serial: serialOf(zone), previousSerial, file: entry.file })
    }
    this.cache?.clear()
  }

  /**
   * Re-reads the file of the zone `origin` (in `view`, or in every view serving it) and swaps it in
   * when its SOA serial increased (RFC 1982), or always with `force`, like `rndc reload`. Every
   * file is parsed before any view changes: a file that does not parse leaves the old zone serving
   * in every view; the promise rejects with the parser's error and a `zone-error` event is emitted.
   */
  async reloadZone(origin: string, options: { view?: string; force?: boolean } = {}): Promise<ReloadResult> {
    const key = canonicalName(origin)
    const targets = this.views.filter((v) => (options.view === undefined || v.name === options.view) && v.zones.has(key))
    if (targets.length === 0) throw new DnsHaError('ERR_AUTHORITY_UNKNOWN_ZONE', `no zone ${origin}${options.view !== undefined ? ` in view ${options.view}` : ''}`)
    const result: ReloadResult = { origin: key, loaded: false, serial: undefined, previousSerial: undefined, views: [] }
    // Parse every file first: one that fails leaves every view as it was (a reload is all or nothing).
    const parsed = new Map<string, Zone>()
    for (const view of targets) {
      const entry = view.zones.get(key)!
      if (entry.file === undefined) throw new DnsHaError('ERR_AUTHORITY_NO_FILE', `zone ${origin} in view ${view.name} was not loaded from a file`)
    }
    for (const view of targets) {
      const entry = view.zones.get(key)!
      if (parsed.has(entry.file!)) continue
      try {
        parsed.set(entry.file!, await this.loadFile(entry))
      } catch (error) {
        for (const v of targets) {
          const e = v.zones.get(key)!
          if (e.file !== entry.file) continue
          e.error = error
          this.emit('zone-error', { view: v.name, origin: key, file: e.file, error })
        }
        throw error
      }
    }
    // Then swap, synchronously: no query sees some views reloaded and others not.
    for (const view of targets) {
      const entry = view.zones.get(key)!
      const zone = parsed.get(entry.file!)!
      const previousSerial = serialOf(entry.zone)
      const serial = serialOf(zone)
      result.previousSerial ??= previousSerial
      result.serial = serial
      const newer = entry.zone === undefined || (serial !== undefined && previousSerial !== undefined && serialIncreased(previousSerial, serial))
      if (!newer && !options.force) continue
      entry.zone = zone
      entry.error = undefined
      result.loaded = true
      result.views.push(view.name)
      this.emit('zone-loaded', { view: view.name, origin: key, serial, previousSerial, file: entry.file })
    }
    if (result.loaded) this.cache?.clear()
    return result
  }

  /** The zone serving `origin` in `view` (default: the first view that has it). */
  getZone(origin: string, view?: string): Zone | undefined {
    const key = canonicalName(origin)
    for (const v of this.views) if ((view === undefined || v.name === view) && v.zones.get(key)?.zone) return v.zones.get(key)!.zone
    return undefined
  }

  /** Counters and zone state as plain data. */
  snapshot(): AuthoritySnapshot {
    return {
      views: this.views.map((v) => ({
        name: v.name,
        zones: [...v.zones.values()].map((e) => ({
          origin: e.origin,
          serial: serialOf(e.zone),
          loaded: e.zone !== undefined,
          file: e.file,
          error: e.error === undefined ? undefined : String((e.error as Error)?.message ?? e.error),
          queries: this.counters.values[e.stats.queries]!,
          qtypes: this.countsOf(e.stats.qtypes),
          rcodes: this.countsOf(e.stats.rcodes),
        })),
      })),
      cache: this.cache?.snapshot(),
      outOfZone: this.outOfZone,
      chaos: this.chaosCount,
    }
  }

  // ---- answering ----

  /** Looks up, builds and encodes the answer for a cache miss. */
  private build(query: DnsQuery, view: ViewState, entry: ZoneEntry): EncodedAnswer {
    const q = query.wireQuestion!
    const qtype = typeName(q.type)
    const findZone = (name: string): Zone | undefined => this.findEntry(view, name.toLowerCase(), 0)?.zone
    const verdict = lookup(entry.zone!, q.name, packetTypeName(q.type), { findZone, maxChain: this.maxChain })
    const sections = buildAnswer(verdict, this.policy)
    const flags = FLAG.QR | (query.header.flags & (FLAG.RD | FLAG.CD)) | (sections.aa ? FLAG.AA : 0) | (sections.rcode & 0xf)
    const init: MessageInit = {
      id: query.id,
      flags,
      question: { name: q.name, type: q.type, class: q.class },
      answers: sections.answers,
      authorities: sections.authorities,
      additionals: sections.additionals,
      ...(query.edns ? { opt: { udpPayloadSize: this.ednsUdpSize, extendedRcode: 0, flags: query.dnssecOk ? EDNS_DO : 0 } } : {}),
    }
    let encoded = encodeMessage(init)
    // Fit UDP answers as NSD does: keep the longest run of additional RRsets that fits (glue
    // first), without TC (RFC 2181 §9); then drop the apex NS of a positive answer. What still
    // does not fit, the server truncates (TC=1).
    const limit = query.transport === 'udp' ? query.maxUdpSize : 65535
    if (encoded.bytes.length > limit && sections.additionals.length > 0) {
      encoded = fitAdditionals(init, sections.additionals, limit)
      if (this.glueTc && init.additionals.length < sections.glue) {
        // RFC 9471 §3: in-domain glue left out → TC=1, with what fits kept.
        init.flags |= FLAG.TC
        encoded.bytes[2]! |= FLAG.TC >> 8
      }
    }
    if (encoded.bytes.length > limit && sections.rcode === RCODE.NOERROR && sections.answers.length > 0 && sections.aa && sections.authorities.length > 0) {
      init.authorities = []
      init.additionals = []
      encoded = encodeMessage(init)
    }
    return {
      bytes: encoded.bytes,
      questionEnd: 12 + wireNameLength(q.name) + 4,
      optRdlengthOffset: encoded.optRdlengthOffset,
      zone: entry.origin,
      rcodeName: rcodeName(sections.rcode),
      tallies: [entry.stats.queries, this.counterOf(entry.stats.qtypes, qtype), this.counterOf(entry.stats.rcodes, rcodeName(sections.rcode))],
    }
  }

  /** The zone entry for `qname` (lower-case): longest match; DS at an apex goes to the parent when we serve it. */
  private findEntry(view: ViewState, qname: string, qtype: number): ZoneEntry | undefined {
    const zones = view.zones
    if (zones.size === 0) return undefined
    let name = qname.endsWith('.') ? qname : qname + '.'
    let found: ZoneEntry | undefined
    for (;;) {
      found = zones.get(name)
      if (found || name === '.') break
      name = parentName(name)
    }
    // RFC 4035 §3.1.4.1: DS lives on the parent side of the cut.
    if (found && qtype === 43 && found.origin === qname && qname !== '.') {
      let parent = parentName(qname)
      for (;;) {
        const p = zones.get(parent)
        if (p) return p.zone ? p : found
        if (parent === '.') break
        parent = parentName(parent)
      }
    }
    return found
  }

  private outside(query: DnsQuery, next: Next, view: ViewState): MaybePromise<HandlerResult> {
    this.outOfZone++
    if (!this.refuseOutOfZone) return next()
    if (this.logged()) this.logQuery(query, view, undefined, 'REFUSED', false)
    return respond(query, { rcode: 'REFUSED' }) as Packet
  }

  private finishFixed(query: DnsQuery, view: ViewState, entry: ZoneEntry, rcode: number): HandlerResult {
    const name = rcodeName(rcode)
    const qtype = typeName(query.qtype)
    const counts = this.counters.values
    counts[entry.stats.queries]!++
    counts[this.counterOf(entry.stats.qtypes, qtype)]!++
    counts[this.counterOf(entry.stats.rcodes, name)]!++
    if (this.logged()) this.logQuery(query, view, entry.origin, name, false)
    return respond(query, { rcode }) as Packet
  }

  /**
   * NOTIFY (RFC 1996) goes to `next` first (a transfer module there takes it). When nothing
   * answers it: REFUSED for a zone we serve, as NSD answers it for a zone it is primary for, and
   * NOTAUTH for any other name, as BIND does.
   */
  private answerNotify(query: DnsQuery, next: Next): MaybePromise<HandlerResult> {
    const qname = query.wireQuestion!.name.toLowerCase()
    const ours = this.views.some((v) => this.findEntry(v, qname, 0) !== undefined)
    const fallback = (result: HandlerResult): HandlerResult => (result !== undefined ? result : (respond(query, { rcode: ours ? 'REFUSED' : 'NOTAUTH' }) as Packet))
    const passed = next()
    return isPromiseLike(passed) ? passed.then(fallback) : fallback(passed)
  }

  private answerChaos(query: DnsQuery): HandlerResult {
    this.chaosCount++
    const q = query.question!
    const answer = chaosAnswer(q.name, q.type, this.chaos)
    if (this.logged()) this.logQuery(query, this.views[0]!, undefined, answer ? 'NOERROR' : 'REFUSED', false)
    // As NSD answers it: the TXT alone, not authoritative (we serve no CH zone).
    return (answer ? respond(query, { answers: [answer] }) : respond(query, { rcode: 'REFUSED' })) as Packet
  }

  private newStats(): ZoneStats {
    return { queries: this.counters.allocate(), qtypes: new Map(), rcodes: new Map() }
  }

  /** The counter for `key` (a qtype or rcode name) in a zone's map, made on first use. */
  private counterOf(map: Map<string, number>, key: string): number {
    let index = map.get(key)
    if (index === undefined) map.set(key, (index = this.counters.allocate()))
    return index
  }

  private countsOf(map: Map<string, number>): Record<string, number> {
    const out: Record<string, number> = {}
    for (const [k, index] of map) {
      const n = this.counters.values[index]!
      if (n > 0) out[k] = n
    }
    return out
  }

  private logQuery(query: DnsQuery, view: ViewState, zone: string | undefined, rcode: string, cached: boolean): void {
    const q = query.question
    this.emit('query', {
      view: view.name,
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

  // ---- zone sources ----

  private addSource(view: ViewState, source: AuthorityZoneSource): void {
    if (isFileSource(source)) {
      if (typeof source.file !== 'string' || typeof source.origin !== 'string') throw new DnsHaError('ERR_CONFIG', `a zone file entry needs file and origin`)
      const origin = canonicalName(source.origin)
      if (view.zones.has(origin)) throw new DnsHaError('ERR_CONFIG', `zone ${origin} listed twice in view ${view.name}`)
      view.zones.set(origin, { origin, zone: undefined, file: source.file, defaultTtl: source.defaultTtl, error: undefined, stats: this.newStats() })
      return
    }
    checkZone(source)
    const origin = canonicalName(source.origin)
    if (view.zones.has(origin)) throw new DnsHaError('ERR_CONFIG', `zone ${origin} listed twice in view ${view.name}`)
    const file = (source as { file?: unknown }).file
    view.zones.set(origin, { origin, zone: source, file: typeof file === 'string' ? file : undefined, defaultTtl: undefined, error: undefined, stats: this.newStats() })
  }

  private async loadPending(): Promise<void> {
    const parsed = new Map<string, Promise<Zone>>()
    let first: unknown
    for (const view of this.views) {
      for (const entry of view.zones.values()) {
        if (entry.zone || entry.file === undefined) continue
        const id = `${entry.file}\0${entry.origin}`
        let pending = parsed.get(id)
        if (!pending) {
          pending = this.loadFile(entry)
          parsed.set(id, pending)
        }
        try {
          entry.zone = await pending
          this.emit('zone-loaded', { view: view.name, origin: entry.origin, serial: serialOf(entry.zone), previousSerial: undefined, file: entry.file })
        } catch (error) {
          entry.error = error
          first ??= error
          this.emit('zone-error', { view: view.name, origin: entry.origin, file: entry.file, error })
        }
      }
    }
    this.cache?.clear()
    if (first !== undefined) throw first
  }

  private async loadFile(entry: ZoneEntry): Promise<Zone> {
    const file = entry.file!
    const parseOptions = { origin: entry.origin, fileName: file, ...(entry.defaultTtl !== undefined ? { defaultTtl: entry.defaultTtl } : {}) }
    const zone = this.readFile ? parseZone(await this.readFile(file), parseOptions) : await readZoneFile(file, parseOptions)
    checkZone(zone)
    if (canonicalName(zone.origin) !== entry.origin) throw new DnsHaError('ERR_CONFIG', `${file}: origin ${zone.origin} is not ${entry.origin}`)
    return zone
  }
}

function isFileSource(source: AuthorityZoneSource): source is AuthorityZoneFile {
  return typeof (source as { get?: unknown }).get !== 'function' && typeof (source as AuthorityZoneFile).file === 'string'
}

function checkZone(zone: Zone): void {
  if (!zone || typeof zone.origin !== 'string' || typeof zone.get !== 'function') throw new DnsHaError('ERR_CONFIG', 'not a Zone')
  // A zone parsed with collected errors is incomplete: never serve half a zone.
  const errors = (zone as { errors?: readonly unknown[] }).errors
  if (errors && errors.length > 0) throw errors[0]
  // BIND and NSD refuse to serve a zone without an SOA at its apex.
  if (!zone.soa) throw new DnsHaError('ERR_AUTHORITY_ZONE_INVALID', `zone ${zone.origin} has no SOA record`)
}

function serialOf(zone: Zone | undefined): number | undefined {
  const serial = (zone?.soa?.data as { serial?: number } | undefined)?.serial
  return typeof serial === 'number' ? serial : undefined
}


/** The parent of a lower-case absolute name (`a.b.` → `b.`, `b.` → `.`), escaped dots respected. */
function parentName(name: string): string {
  let i = name.indexOf('.')
  while (i > 0 && name.charCodeAt(i - 1) === 0x5c) {
    let n = 0
    for (let j = i - 1; j >= 0 && name.charCodeAt(j) === 0x5c; j--) n++
    if (n % 2 === 0) break
    i = name.indexOf('.', i + 1)
  }
  if (i < 0 || i === name.length - 1) return '.'
  return name.slice(i + 1)
}

/** The message with the longest prefix of additional RRsets that fits in `limit` bytes (binary search over RRset boundaries). */
function fitAdditionals(init: MessageInit, additionals: readonly Answer[], limit: number): EncodedMessage {
  const cuts = [0]
  for (let i = 1; i <= additionals.length; i++) {
    const prev = additionals[i - 1]!
    const next = additionals[i]
    if (!next || next.name.toLowerCase() !== prev.name.toLowerCase() || next.type !== prev.type) cuts.push(i)
  }
  let lo = 0
  let hi = cuts.length - 1
  let best = encodeMessage({ ...init, additionals: [] })
  if (best.bytes.length > limit) {
    init.additionals = []
    return best
  }
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    const attempt = encodeMessage({ ...init, additionals: additionals.slice(0, cuts[mid]) })
    if (attempt.bytes.length <= limit) {
      lo = mid
      best = attempt
    } else hi = mid - 1
  }
  init.additionals = additionals.slice(0, cuts[lo])
  return best
}

/** The uncompressed wire length of a presentation-form name. */
function wireNameLength(name: string): number {
  let n = 1
  for (const label of splitLabels(name)) n += 1 + labelBytes(label).length
  return n
}

/** Appends one EDNS option to the OPT record, which the encoder always writes last. */
function appendOption(bytes: Uint8Array, optRdlengthOffset: number, option: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(bytes.length + option.length)
  out.set(bytes, 0)
  out.set(option, bytes.length)
  out.writeUInt16BE(out.readUInt16BE(optRdlengthOffset) + option.length, optRdlengthOffset)
  return out
}
