/**
 * {@link ZoneSet}: the zones served, per view — the registry (origin → zone, longest-match
 * lookup), where each came from (a parsed zone or a master file), its SOA serial, and the swaps:
 * `replace` (a zone handed in), `reload` (a file read again) and the initial `load`.
 *
 * Every swap is atomic: files are parsed completely before anything changes, and the change itself
 * is synchronous, so a query sees the old zones or the new ones, never a mix. The Authority
 * answers from a ZoneSet; zone transfer and record updates will swap zones through the same one.
 *
 * A ZoneSet only emits (`zone-loaded`, `zone-error`); reporting what nobody listens to (a logger,
 * `process.emitWarning`) is its owner's business.
 */
import { EventEmitter } from 'eventemitter3'
import { TYPE } from '../packet/constants.js'
import { canonicalName, parentName } from '../packet/names.js'
import { DnsHaError } from '../util/errors.js'
import { ZONE_FILE_LIMITS, checkZoneLimits, formatZone, parseZone, readZoneFile } from '../zone/index.js'
import type { ZoneLimits } from '../zone/index.js'
import { Zone } from '../zone/zone.js'
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

/** One view's zones, as a {@link ZoneSet} is built from them. */
export interface ZoneSetViewSpec {
  name: string
  zones?: readonly AuthorityZoneSource[]
}

/** Options of {@link ZoneSet}. */
export interface ZoneSetOptions<T> {
  /** The views, in order (names unique and non-empty). */
  views: readonly ZoneSetViewSpec[]
  /** Reads zone files (default: the zone module's reader, `$INCLUDE` relative to the file). Bytes are taken as they are; a string is read as UTF-8. */
  readFile?: (path: string) => Promise<string | Uint8Array>
  /** What the owner keeps beside each zone (the Authority: its counters); made once per view and origin. */
  entryData?: (view: string, origin: string) => T
  /** Called once after every swap, synchronously, before any query can see it (the Authority clears its answer cache). */
  onChange?: () => void
  /**
   * Bounds every zone this set takes, however it arrives (file, `replace`, transfer, update):
   * a zone over one is refused (`ERR_ZONE_LIMIT`) and the zone served before is kept. Fields not
   * given take the zone-file defaults (`ZONE_FILE_LIMITS`: 100 records per RRset, 100 types per
   * name, no bound on records).
   */
  limits?: ZoneLimits
}

/** One zone of one view. */
export interface ZoneSetEntry<T> {
  /** Canonical (lower-case, absolute). */
  readonly origin: string
  /** `undefined` until loaded, or when the first load failed (a query for it gets SERVFAIL). */
  zone: Zone | undefined
  /** The master file, when there is one (only those can be reloaded). */
  file: string | undefined
  defaultTtl: number | undefined
  /** The last load error, until a load succeeds. */
  error: unknown
  readonly data: T
}

/** One view of a {@link ZoneSet}. */
export interface ZoneSetView<T> {
  readonly name: string
  /** Its position in the view list. */
  readonly index: number
  /** By canonical origin. */
  readonly zones: ReadonlyMap<string, ZoneSetEntry<T>>
}

/** A zone was swapped in (first load, replace or reload). */
export interface ZoneLoadedEvent {
  view: string
  origin: string
  serial: number | undefined
  previousSerial: number | undefined
  file: string | undefined
  /**
   * Set when a reload changed the zone without raising its SOA serial (unchanged or gone
   * backwards): it is served, as named does, but secondaries will not transfer the change.
   */
  warning?: string
}

/** A zone file failed to load (the view keeps what it had). */
export interface ZoneErrorEvent {
  view: string
  origin: string
  file: string | undefined
  error: unknown
}

/** Events of {@link ZoneSet}. */
export interface ZoneSetEvents {
  'zone-loaded': (event: ZoneLoadedEvent) => void
  'zone-error': (event: ZoneErrorEvent) => void
}

/** What a reload did ({@link ZoneSet.reload}, `Authority.reloadZone`). */
export interface ReloadResult {
  origin: string
  /** True when the new zone replaced the old one in at least one view. */
  loaded: boolean
  serial: number | undefined
  previousSerial: number | undefined
  /** The views whose zone was replaced. */
  views: string[]
  /** Set when the zone changed but its serial was not raised (see {@link ZoneLoadedEvent.warning}). */
  warning?: string
}

interface ViewState<T> extends ZoneSetView<T> {
  readonly zones: Map<string, ZoneSetEntry<T>>
}

/** The zones of every view, with atomic swaps. */
export class ZoneSet<T = undefined> extends EventEmitter<ZoneSetEvents> {
  /** The views, in order. */
  readonly views: readonly ZoneSetView<T>[]
  private readonly state: ViewState<T>[]
  private readonly readFile: ((path: string) => Promise<string | Uint8Array>) | undefined
  private readonly entryData: (view: string, origin: string) => T
  private readonly onChange: () => void
  private readonly limits: ZoneLimits

  /** Builds the registry; throws a `DnsHaError` (ERR_CONFIG) for a bad view list or zone. Files are read by {@link ZoneSet.load}. */
  constructor(options: ZoneSetOptions<T>) {
    super()
    this.readFile = options.readFile
    this.entryData = options.entryData ?? ((() => undefined) as unknown as (view: string, origin: string) => T)
    this.onChange = options.onChange ?? (() => {})
    this.limits = { ...ZONE_FILE_LIMITS, ...options.limits }
    checkZoneLimits(new Zone('.'), this.limits) // a bad limit value is a config error now, not at the first load
    const names = new Set<string>()
    this.state = options.views.map((spec, index) => {
      if (!spec || typeof spec.name !== 'string' || spec.name === '') throw new DnsHaError('ERR_CONFIG', `views[${index}] needs a name`)
      if (names.has(spec.name)) throw new DnsHaError('ERR_CONFIG', `duplicate view name ${JSON.stringify(spec.name)}`)
      names.add(spec.name)
      const view: ViewState<T> = { name: spec.name, index, zones: new Map() }
      for (const source of spec.zones ?? []) this.addSource(view, source)
      return view
    })
    this.views = this.state
  }

  /**
   * Loads every zone given as a file and not loaded yet (a file shared by views is read once).
   * Resolves when all are done; rejects with the first error, after the others have loaded (a
   * zone that failed stays unloaded and answers SERVFAIL, as in BIND).
   */
  async load(): Promise<void> {
    const parsed = new Map<string, Promise<Zone>>()
    let first: unknown
    for (const view of this.state) {
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
          entry.error = undefined
          this.emit('zone-loaded', { view: view.name, origin: entry.origin, serial: serialOf(entry.zone), previousSerial: undefined, file: entry.file })
        } catch (error) {
          entry.error = error
          first ??= error
          this.emit('zone-error', { view: view.name, origin: entry.origin, file: entry.file, error })
        }
      }
    }
    this.onChange()
    if (first !== undefined) throw first
  }

  /**
   * The entry answering `qname` (lower-case) in view number `view`: the longest matching origin;
   * a DS query at an apex goes to the parent zone when it is served (RFC 4035 §3.1.4.1).
   */
  find(view: number, qname: string, qtype: number): ZoneSetEntry<T> | undefined {
    const zones = this.state[view]!.zones
    if (zones.size === 0) return undefined
    let name: string | undefined = qname.endsWith('.') ? qname : qname + '.'
    let found: ZoneSetEntry<T> | undefined
    while (name !== undefined) {
      found = zones.get(name)
      if (found) break
      name = parentName(name)
    }
    if (found && qtype === TYPE.DS && found.origin === qname && qname !== '.') {
      for (let parent = parentName(qname); parent !== undefined; parent = parentName(parent)) {
        const p = zones.get(parent)
        if (p) return p.zone ? p : found
      }
    }
    return found
  }

  /** The zone serving `origin` in the view named `view` (default: the first view that has it loaded). */
  get(origin: string, view?: string): Zone | undefined {
    const key = canonicalName(origin)
    for (const v of this.state) {
      const zone = (view === undefined || v.name === view) && v.zones.get(key)?.zone
      if (zone) return zone
    }
    return undefined
  }

  /**
   * Swaps in `zone` (replacing the zone with the same origin, or adding it) in the view named
   * `view`, or in every view that serves that origin (the last view when none does).
   */
  replace(zone: Zone, options: { view?: string; file?: string } = {}): void {
    assertServable(zone, this.limits)
    const origin = canonicalName(zone.origin)
    let targets: ViewState<T>[]
    if (options.view !== undefined) {
      const v = this.state.find((x) => x.name === options.view)
      if (!v) throw new DnsHaError('ERR_CONFIG', `no view named ${JSON.stringify(options.view)}`)
      targets = [v]
    } else {
      targets = this.state.filter((v) => v.zones.has(origin))
      if (targets.length === 0) targets = [this.state[this.state.length - 1]!]
    }
    for (const view of targets) {
      const entry = view.zones.get(origin) ?? this.newEntry(view, origin, undefined, undefined, undefined)
      const previousSerial = serialOf(entry.zone)
      entry.zone = zone
      entry.error = undefined
      if (options.file !== undefined) entry.file = options.file
      view.zones.set(origin, entry)
      this.emit('zone-loaded', { view: view.name, origin, serial: serialOf(zone), previousSerial, file: entry.file })
    }
    this.onChange()
  }

  /**
   * Stops serving `origin` in every view that has it (registering it in the last view when none
   * does): queries for it get SERVFAIL until a zone is swapped in (a secondary not loaded yet, or
   * expired).
   */
  unload(origin: string): void {
    const key = canonicalName(origin)
    let targets = this.state.filter((v) => v.zones.has(key))
    if (targets.length === 0) targets = [this.state[this.state.length - 1]!]
    for (const view of targets) {
      const entry = view.zones.get(key) ?? this.newEntry(view, key, undefined, undefined, undefined)
      entry.zone = undefined
      view.zones.set(key, entry)
    }
    this.onChange()
  }

  /**
   * Reads the file of zone `origin` again (in the view named `view`, or in every view serving it)
   * and swaps it in, as `rndc reload` does: a raised SOA serial (RFC 1982) loads; a changed zone
   * whose serial was not raised loads too, with a `warning` (secondaries will not see it); a zone
   * whose records are all the same as what is served is skipped (`loaded: false`), unless `force`.
   * Every file is parsed before any view changes: a file that does not parse leaves every view
   * as it was, emits `zone-error` and rejects.
   */
  async reload(origin: string, options: { view?: string; force?: boolean } = {}): Promise<ReloadResult> {
    const key = canonicalName(origin)
    const targets = this.state.filter((v) => (options.view === undefined || v.name === options.view) && v.zones.has(key))
    if (targets.length === 0) throw new DnsHaError('ERR_AUTHORITY_UNKNOWN_ZONE', `no zone ${origin}${options.view !== undefined ? ` in view ${options.view}` : ''}`)
    for (const view of targets) {
      if (view.zones.get(key)!.file === undefined) throw new DnsHaError('ERR_AUTHORITY_NO_FILE', `zone ${origin} in view ${view.name} was not loaded from a file`)
    }
    const result: ReloadResult = { origin: key, loaded: false, serial: undefined, previousSerial: undefined, views: [] }
    // Parse every file first: one that fails leaves every view as it was (a reload is all or nothing).
    const parsed = new Map<string, Zone>()
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
    const texts = new Map<Zone, string>()
    const textOf = (zone: Zone): string => {
      let text = texts.get(zone)
      if (text === undefined) texts.set(zone, (text = formatZone(zone, { relative: false })))
      return text
    }
    for (const view of targets) {
      const entry = view.zones.get(key)!
      const zone = parsed.get(entry.file!)!
      const previousSerial = serialOf(entry.zone)
      const serial = serialOf(zone)
      result.previousSerial ??= previousSerial
      result.serial = serial
      let warning: string | undefined
      const raised = entry.zone === undefined || (serial !== undefined && previousSerial !== undefined && serialIncreased(previousSerial, serial))
      if (!raised) {
        // Only now is the (costly) comparison made: a reload that kept its serial is rare.
        const same = textOf(entry.zone!) === textOf(zone)
        if (same && !options.force) continue
        if (!same) warning = serialWarning(key, previousSerial, serial)
      }
      entry.zone = zone
      entry.error = undefined
      result.loaded = true
      result.views.push(view.name)
      if (warning !== undefined) result.warning ??= warning
      this.emit('zone-loaded', { view: view.name, origin: key, serial, previousSerial, file: entry.file, ...(warning !== undefined ? { warning } : {}) })
    }
    if (result.loaded) this.onChange()
    return result
  }

  // ---- helpers ----

  private addSource(view: ViewState<T>, source: AuthorityZoneSource): void {
    if (isFileSource(source)) {
      if (typeof source.file !== 'string' || typeof source.origin !== 'string') throw new DnsHaError('ERR_CONFIG', `a zone file entry needs file and origin`)
      const origin = canonicalName(source.origin)
      if (view.zones.has(origin)) throw new DnsHaError('ERR_CONFIG', `zone ${origin} listed twice in view ${view.name}`)
      view.zones.set(origin, this.newEntry(view, origin, undefined, source.file, source.defaultTtl))
      return
    }
    assertServable(source, this.limits)
    const origin = canonicalName(source.origin)
    if (view.zones.has(origin)) throw new DnsHaError('ERR_CONFIG', `zone ${origin} listed twice in view ${view.name}`)
    const file = (source as { file?: unknown }).file
    view.zones.set(origin, this.newEntry(view, origin, source, typeof file === 'string' ? file : undefined, undefined))
  }

  private newEntry(view: ViewState<T>, origin: string, zone: Zone | undefined, file: string | undefined, defaultTtl: number | undefined): ZoneSetEntry<T> {
    return { origin, zone, file, defaultTtl, error: undefined, data: this.entryData(view.name, origin) }
  }

  private async loadFile(entry: ZoneSetEntry<T>): Promise<Zone> {
    const file = entry.file!
    // The parser enforces the limits as it reads (the error at the line that crossed one), so the
    // zone need not be walked again here.
    const parseOptions = { ...this.limits, origin: entry.origin, fileName: file, ...(entry.defaultTtl !== undefined ? { defaultTtl: entry.defaultTtl } : {}) }
    const zone = this.readFile ? parseZone(await this.readFile(file), parseOptions) : await readZoneFile(file, parseOptions)
    assertServable(zone)
    if (canonicalName(zone.origin) !== entry.origin) throw new DnsHaError('ERR_CONFIG', `${file}: origin ${zone.origin} is not ${entry.origin}`)
    return zone
  }
}

/** The SOA serial of a zone, when it has one. */
export function serialOf(zone: Zone | undefined): number | undefined {
  const serial = (zone?.soa?.data as { serial?: number } | undefined)?.serial
  return typeof serial === 'number' ? serial : undefined
}

/**
 * Throws unless `zone` can be served: a Zone, parsed without collected errors (never serve half
 * a zone), with an SOA at its apex (BIND and NSD refuse a zone without one), and, when `limits`
 * are given, within them (`checkZoneLimits`: `ERR_ZONE_LIMIT` naming the limit).
 */
export function assertServable(zone: Zone, limits?: ZoneLimits): void {
  if (!zone || typeof zone.origin !== 'string' || typeof zone.get !== 'function') throw new DnsHaError('ERR_CONFIG', 'not a Zone')
  const errors = (zone as { errors?: readonly unknown[] }).errors
  if (errors && errors.length > 0) throw errors[0]
  if (!zone.soa) throw new DnsHaError('ERR_AUTHORITY_ZONE_INVALID', `zone ${zone.origin} has no SOA record`)
  if (limits !== undefined) checkZoneLimits(zone, limits)
}

function isFileSource(source: AuthorityZoneSource): source is AuthorityZoneFile {
  return typeof (source as { get?: unknown }).get !== 'function' && typeof (source as AuthorityZoneFile).file === 'string'
}

/** named's words, near enough: "zone serial (N) unchanged. zone may fail to transfer to slaves." */
function serialWarning(origin: string, previous: number | undefined, serial: number | undefined): string {
  const why = previous === undefined || serial === undefined ? 'it has no SOA serial' : previous === serial ? `its serial ${serial} is unchanged` : `its serial went backwards (${previous} -> ${serial})`
  return `zone ${origin} changed but ${why}: loaded, but secondaries will not transfer the change until the SOA serial is raised`
}
