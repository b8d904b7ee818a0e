/**
 * {@link ZoneStore}: the zones a primary edits, kept durable. Every update is all or nothing:
 * prerequisites checked against the zone as served, the changes applied to a copy, the copy
 * validated as `checkZone` and the zone limits would, the serial advanced by the policy, one
 * journal entry appended and fsync'd, and only then the copy swapped in and the caller answered.
 * On open, each zone's last snapshot is read and its journal replayed over it.
 *
 * Files in `dir`, per zone (the origin as the stem, e.g. `example.com`): `example.com.zone`
 * (the snapshot, a master file with a header comment) and `example.com.journal` (see
 * journal.ts for the entry format).
 */
import { EventEmitter } from 'eventemitter3'
import type { Clock } from '../util/clock.js'
import { realClock } from '../util/clock.js'
import { DnsHaError, isDnsHaError } from '../util/errors.js'
import type { ComponentLogger, Logger } from '../util/logger.js'
import { errorMessage, toLogger } from '../util/logger.js'
import { canonicalName } from '../packet/names.js'
import { checkZone } from '../zone/check.js'
import type { ZoneFinding } from '../zone/check.js'
import { formatRecord, formatZone } from '../zone/format.js'
import type { ZoneLimits } from '../zone/limits.js'
import type { ResolvedZoneLimits } from '../zone/limits.js'
import { checkZoneLimits, markParsedWithin, resolveZoneLimits, ZONE_FILE_LIMITS } from '../zone/limits.js'
import { parseZone, readZoneFile } from '../zone/parse.js'
import { serialIncreased } from '../zone/serial.js'
import type { ZoneRecord } from '../zone/zone.js'
import { Zone } from '../zone/zone.js'
import type { ZoneDifference } from '../transfer/zone-diff.js'
import { recordKey, rememberDifference } from '../transfer/zone-diff.js'
import type { JournalChange, JournalEntry } from './journal.js'
import { checkTouched, findingKey, findingName } from './update-check.js'
import { decodeJournal, encodeEntry } from './journal.js'
import type { AppendFile, StoreFiles } from './node-files.js'
import { nodeStoreFiles } from './node-files.js'
import { formatSnapshot, parseSnapshot, zoneFileStem } from './snapshot-file.js'
import type { ApplyMode } from './update-apply.js'
import { applyChanges, checkPrerequisites, copyZone, parseRecordLine } from './update-apply.js'
import type { SerialPolicy } from './update-serial.js'
import { isSerialPolicy, nextSerial } from './update-serial.js'
import type { Prerequisite, RecordChange } from './update-types.js'
import { ZoneStoreError } from './update-types.js'

export type { RecordChange, Prerequisite, ZoneStoreErrorCode } from './update-types.js'
export { ZoneStoreError } from './update-types.js'
export type { SerialPolicy } from './update-serial.js'

/** Options of {@link ZoneStore.open}. */
export interface ZoneStoreOptions {
  /** The directory holding the snapshots and journals (created when missing). */
  dir: string
  /**
   * The zones, used only the first time (when `dir` has no snapshot of the origin yet); after
   * that the snapshot and journal in `dir` are the zone.
   */
  zones: (Zone | { file: string; origin: string })[]
  /** Wall time for the `unixtime` and `date` policies and journal timestamps (default: the real clock). */
  clock?: Clock
  /** fsync every journal append and snapshot (default `true`; turn off only in tests and benches). */
  fsync?: boolean
  /** How the SOA serial advances on each update (default `'increment'`). */
  serialPolicy?: SerialPolicy
  /** Write a new snapshot and empty the journal after this many entries (default 1000). */
  compactAfter?: number
  /** Bounds every updated zone must stay within (the zone-file defaults when unset: 100 records per RRset, 100 types per name). */
  limits?: ZoneLimits
  /** The file system (default node:fs); tests may pass another. */
  files?: StoreFiles
  /**
   * Where the store reports zones opened (`info`, with serial and journal entries replayed), a
   * torn journal tail dropped (`warn`), compactions (`info`) and their failures (`warn`; then no
   * `process.emitWarning`), updates (`info`, serials) and refused updates (`warn`), with
   * `component: 'records'`; console- or pino-shaped.
   */
  logger?: Logger
}

/** Options of {@link ZoneStore.update}. */
export interface UpdateOptions {
  /** Refuse with `ERR_RECORDS_CONFLICT` unless the zone's serial is this one (optimistic concurrency). */
  ifSerial?: number
  /** RFC 2136 prerequisites, all checked against the zone before the update. */
  prerequisites?: Prerequisite[]
  /** Who makes the change, for events and the journal (`'api:token-name'`, `'update:key-name'`). */
  source?: string
  /**
   * `'strict'` (default): deleting the SOA or the last apex NS is `ERR_RECORDS_INVALID`.
   * `'rfc2136'`: such changes, and a CNAME added beside other data (or the reverse), are
   * skipped as RFC 2136 §3.4.2 says (what UPDATE messages use).
   */
  mode?: ApplyMode
}

/** What an update did. `changes` are those that took effect; none: the zone and serial are unchanged. */
export interface UpdateResult {
  origin: string
  previousSerial: number
  serial: number
  changes: RecordChange[]
}

/** The `updated` event: a change is durable and served. */
export interface ZoneUpdatedEvent {
  origin: string
  previousSerial: number
  serial: number
  changes: RecordChange[]
  source: string | undefined
}

/** The `rejected` event: an update refused; nothing changed. */
export interface ZoneRejectedEvent {
  origin: string
  reason: string
  code: string
  source: string | undefined
}

/** A torn journal tail dropped when the store opened (a crash while an update was being written, never acknowledged). */
export interface JournalRecovery {
  origin: string
  file: string
  offset: number
  bytes: number
}

/** Events of {@link ZoneStore}. */
export interface ZoneStoreEvents {
  updated: (event: ZoneUpdatedEvent) => void
  rejected: (event: ZoneRejectedEvent) => void
}

/** A plain-data view of the store. */
export interface ZoneStoreSnapshot {
  zones: { origin: string; serial: number; records: number; journalEntries: number }[]
  /** Updates acknowledged since open. */
  updates: number
  /** Updates refused since open. */
  rejected: number
  /** Torn journal tails dropped at open. */
  recovered: JournalRecovery[]
}

/** What an update's build step made: the new zone, the changes that took effect, and (for edits) the records it lost and gained. */
type Built = { zone: Zone; applied: RecordChange[]; imported: boolean; difference: ZoneDifference | undefined }

/** A zone as of the last durable entry (served), or as of the last entry built (working). */
interface ZoneVersion {
  zone: Zone
  /** Error findings of this version (code and name): an update is refused only for new ones. */
  baseline: Set<string> | undefined
  seq: number
  /** Known to be within the store's limits (checked whole once, then by the names each update touched). */
  withinLimits?: boolean
}

/** An update built over the working version, waiting for the fsync that covers it. */
interface PendingUpdate {
  bytes: Uint8Array
  version: ZoneVersion
  difference: ZoneDifference | undefined
  result: UpdateResult
  source: string | undefined
  resolve: (result: UpdateResult) => void
  reject: (error: unknown) => void
}

interface ZoneState {
  origin: string
  /** What readers see: only entries on disk. */
  served: ZoneVersion
  /** What the next update is built over: served plus the entries not yet on disk. */
  working: ZoneVersion
  /** Built, waiting for the next write and fsync (group commit). */
  batch: PendingUpdate[]
  /** The write-and-fsync loop, while one runs. */
  flushing: Promise<void> | undefined
  journalEntries: number
  journalLength: number
  journal: AppendFile
  snapshotPath: string
  journalPath: string
  /** Set when the journal could not be restored after a failed write: updates are refused. */
  broken: Error | undefined
}

/** The journaled store of zones a primary edits (see the module comment). */
export class ZoneStore extends EventEmitter<ZoneStoreEvents> {
  readonly #zones = new Map<string, ZoneState>()
  readonly #clock: Clock
  readonly #fsync: boolean
  readonly #policy: SerialPolicy
  readonly #compactAfter: number
  readonly #limits: ZoneLimits | undefined
  readonly #resolvedLimits: ResolvedZoneLimits
  readonly #files: StoreFiles
  readonly #recovered: JournalRecovery[] = []
  readonly #log: ComponentLogger
  #updates = 0
  #rejected = 0
  #closed = false

  private constructor(options: ZoneStoreOptions) {
    super()
    this.#clock = options.clock ?? realClock
    this.#fsync = options.fsync ?? true
    this.#policy = options.serialPolicy ?? 'increment'
    if (!isSerialPolicy(this.#policy)) throw new DnsHaError('ERR_CONFIG', `serialPolicy must be 'increment', 'unixtime' or 'date'`)
    this.#compactAfter = options.compactAfter ?? 1000
    if (!Number.isInteger(this.#compactAfter) || this.#compactAfter < 1) throw new DnsHaError('ERR_CONFIG', 'compactAfter must be a positive integer')
    this.#limits = options.limits
    this.#resolvedLimits = resolveZoneLimits(options.limits, ZONE_FILE_LIMITS)
    this.#files = options.files ?? nodeStoreFiles
    this.#log = toLogger(options.logger, { component: 'records' })
    if (options.logger !== undefined) {
      this.on('updated', (e) => this.#log.info(`${e.origin} updated: serial ${e.previousSerial} -> ${e.serial}`, { origin: e.origin, previousSerial: e.previousSerial, serial: e.serial, changes: e.changes.length, source: e.source }))
      this.on('rejected', (e) => this.#log.warn(`${e.origin} update refused: ${e.reason}`, { origin: e.origin, reason: e.reason, code: e.code, source: e.source }))
    }
  }

  /**
   * Opens the store: for each zone, its snapshot in `dir` (written from `zones` the first time)
   * with its journal replayed. A torn last journal entry is dropped (and listed in
   * `snapshot().recovered`); a corrupt entry with data after it refuses the open
   * (`ERR_RECORDS_JOURNAL`, `details.file` and `details.offset`).
   */
  static async open(options: ZoneStoreOptions): Promise<ZoneStore> {
    if (typeof options?.dir !== 'string' || options.dir === '') throw new DnsHaError('ERR_CONFIG', 'ZoneStore needs a dir')
    const store = new ZoneStore(options)
    await store.#files.mkdir(options.dir)
    try {
      for (const source of options.zones ?? []) await store.#openZone(options.dir, source)
    } catch (error) {
      await store.close()
      throw error
    }
    return store
  }

  /** The origins in the store, as given. */
  origins(): string[] {
    return [...this.#zones.values()].map((s) => s.origin)
  }

  /** The zone as served now (every acknowledged update, nothing not yet on disk): treat it as read-only; every update makes a new object. */
  zone(origin: string): Zone {
    return this.#state(origin).served.zone
  }

  /** The zone's SOA serial as served. */
  serial(origin: string): number {
    return serialOfZone(this.#state(origin).served.zone)
  }

  /**
   * Applies `changes` to the zone `origin`, all or nothing, and resolves once the change is in
   * the journal on disk (fsync) and served. Updates to one zone are applied one at a time in call
   * order, each with its own serial; those that arrive while a journal fsync is in flight are
   * written together and share the next fsync (group commit). Rejects with a
   * {@link ZoneStoreError} (nothing changed) or, when the disk fails, the I/O error (nothing
   * changed either, and every update not yet on disk is refused with it).
   */
  update(origin: string, changes: RecordChange[], options: UpdateOptions = {}): Promise<UpdateResult> {
    return this.#enqueue(origin, options.source, (state) => {
      this.#checkSerial(state, options.ifSerial)
      if (!Array.isArray(changes)) throw new ZoneStoreError('ERR_RECORDS_INVALID', 'changes must be an array')
      checkPrerequisites(state.working.zone, options.prerequisites ?? [])
      const { zone, applied, difference } = applyChanges(state.working.zone, changes, options.mode ?? 'strict')
      return { zone, applied, imported: false, difference }
    })
  }

  /**
   * Replaces the whole zone `origin` with `zone` (an import), all or nothing: it must pass
   * `checkZone` and the limits. Its serial is used when ahead of the current one, else the policy's next.
   */
  replaceZone(origin: string, zone: Zone, options: { ifSerial?: number; source?: string } = {}): Promise<UpdateResult> {
    return this.#enqueue(origin, options.source, (state) => {
      this.#checkSerial(state, options.ifSerial)
      if (!(zone instanceof Zone) || canonicalName(zone.origin) !== canonicalName(state.origin)) {
        throw new ZoneStoreError('ERR_RECORDS_INVALID', `the imported zone must have origin ${state.origin}`)
      }
      return { zone: copyZone(zone), applied: [], imported: true, difference: undefined }
    })
  }

  /** Counters and per-zone state as plain data. */
  snapshot(): ZoneStoreSnapshot {
    return {
      zones: [...this.#zones.values()].map((s) => ({ origin: s.origin, serial: serialOfZone(s.served.zone), records: s.served.zone.size, journalEntries: s.journalEntries })),
      updates: this.#updates,
      rejected: this.#rejected,
      recovered: [...this.#recovered],
    }
  }

  /** Waits for updates under way, then closes the journals; later updates are refused. */
  async close(): Promise<void> {
    this.#closed = true
    for (const s of this.#zones.values()) {
      await s.flushing
      await s.journal.close().catch(() => {})
    }
  }

  // ---- opening ----

  async #openZone(dir: string, source: Zone | { file: string; origin: string }): Promise<void> {
    const origin = source instanceof Zone ? source.origin : source.origin
    const key = canonicalName(origin)
    if (this.#zones.has(key)) throw new DnsHaError('ERR_CONFIG', `zone ${origin} listed twice`)
    const stem = zoneFileStem(origin)
    const snapshotPath = this.#files.join(dir, `${stem}.zone`)
    const journalPath = this.#files.join(dir, `${stem}.journal`)
    const existing = await this.#files.read(snapshotPath)
    let zone: Zone
    let seq: number
    if (existing !== undefined) {
      ;({ zone, seq } = parseSnapshot(new TextDecoder().decode(existing), origin, snapshotPath))
    } else {
      zone = source instanceof Zone ? copyZone(source) : await readZoneFile(source.file, { origin })
      if (zone.soa === undefined) throw new DnsHaError('ERR_RECORDS_INVALID', `zone ${origin} has no SOA record`)
      seq = 0
      // The first snapshot before any journal: a journal is only ever replayed over one.
      await this.#files.writeAtomic(snapshotPath, formatSnapshot(zone, 0), this.#fsync)
    }
    const bytes = (await this.#files.read(journalPath)) ?? new Uint8Array(0)
    const decoded = decodeJournal(bytes, journalPath)
    let entries = 0
    for (const entry of decoded.entries) {
      if (entry.seq <= seq) continue
      if (entry.seq !== seq + 1) {
        throw new DnsHaError('ERR_RECORDS_JOURNAL', `${journalPath}: entry ${entry.seq} follows ${seq}: entries missing`, { details: { file: journalPath, seq: entry.seq } })
      }
      zone = replay(zone, entry, journalPath)
      seq = entry.seq
      entries++
    }
    const journal = await this.#files.openAppend(journalPath)
    if (decoded.torn !== undefined) {
      await journal.truncate(decoded.validLength, this.#fsync)
      this.#recovered.push({ origin, file: journalPath, offset: decoded.torn.offset, bytes: decoded.torn.bytes })
      this.#log.warn(`${origin}: dropped a torn journal tail (an update never acknowledged)`, { origin, file: journalPath, offset: decoded.torn.offset, bytes: decoded.torn.bytes })
    }
    const served: ZoneVersion = { zone, baseline: undefined, seq }
    this.#log.info(`${origin} opened, serial ${serialOfZone(zone)}`, { origin, serial: serialOfZone(zone), journalEntries: entries })
    this.#zones.set(key, {
      origin, served, working: served, batch: [], flushing: undefined, journalEntries: entries, journalLength: decoded.validLength, journal,
      snapshotPath, journalPath, broken: undefined,
    })
  }

  // ---- updating ----

  #state(origin: string): ZoneState {
    const state = typeof origin === 'string' ? this.#zones.get(canonicalName(origin.endsWith('.') ? origin : `${origin}.`)) : undefined
    if (state === undefined) throw new ZoneStoreError('ERR_RECORDS_UNKNOWN_ZONE', `no zone ${String(origin)} in the store`, { origin })
    return state
  }

  #checkSerial(state: ZoneState, ifSerial: number | undefined): void {
    const serial = serialOfZone(state.working.zone)
    if (ifSerial !== undefined && ifSerial !== serial) {
      throw new ZoneStoreError('ERR_RECORDS_CONFLICT', `zone ${state.origin} is at serial ${serial}, not ${ifSerial}`, { serial })
    }
  }

  /**
   * Builds one update over the zone's working version at once (so the next one can be built while
   * an fsync is in flight), queues its journal entry for the next write, and settles when the
   * fsync covering it has (see #flush).
   */
  #enqueue(origin: string, source: string | undefined, build: (state: ZoneState) => Built): Promise<UpdateResult> {
    return new Promise<UpdateResult>((resolve, reject) => {
      let state: ZoneState | undefined
      try {
        if (this.#closed) throw new DnsHaError('ERR_RECORDS_CLOSED', 'the zone store is closed')
        state = this.#state(origin)
        if (state.broken) throw new DnsHaError('ERR_RECORDS_JOURNAL', `zone ${state.origin}: the journal could not be restored after a failed write: ${state.broken.message}`)
        state.batch.push({ ...this.#prepare(state, build(state), source), source, resolve, reject })
      } catch (error) {
        reject(this.#reject(state?.origin ?? String(origin), source, error))
        return
      }
      state.flushing ??= this.#flush(state)
    })
  }

  /** Serial, validation and journal entry of a built update; advances the working version. */
  #prepare(state: ZoneState, built: Built, source: string | undefined): Pick<PendingUpdate, 'bytes' | 'version' | 'difference' | 'result'> {
    const base = state.working
    const previousSerial = serialOfZone(base.zone)
    if (!built.imported && built.applied.length === 0) {
      // Nothing to write; settled in turn, so it never answers ahead of an earlier update.
      return { bytes: new Uint8Array(0), version: base, difference: undefined, result: { origin: state.origin, previousSerial, serial: previousSerial, changes: [] } }
    }
    const next = built.zone
    // The serial by policy; an SOA given (by an update or the import) with a serial further ahead wins.
    let serial = nextSerial(previousSerial, this.#policy, this.#clock.now())
    const given = next.soa === undefined ? undefined : Number(next.soa.data?.serial)
    if (given !== undefined && given !== previousSerial && serialIncreased(serial, given)) serial = given >>> 0
    setSerial(next, serial)
    const findings = this.#validate(state, base, next, built.imported, built.difference)
    const entry: JournalEntry = {
      seq: base.seq + 1,
      previousSerial,
      serial,
      time: this.#clock.now(),
      ...(source !== undefined ? { source } : {}),
      ...(built.imported ? { zone: formatZone(next) } : { changes: built.applied.map(journalChange) }),
    }
    const version: ZoneVersion = { zone: next, baseline: findings, seq: entry.seq, withinLimits: true }
    state.working = version
    return { bytes: encodeEntry(entry), version, difference: built.difference, result: { origin: state.origin, previousSerial, serial, changes: built.applied } }
  }

  /**
   * The zone's group commit: writes every queued entry with one append and one fsync, then serves
   * the last of them and settles each update in order; repeats while updates queued up meanwhile.
   * When the write fails, the partial bytes are cut off and every update not on disk is refused
   * (later ones were built over the lost ones), and the working version falls back to the served one.
   */
  async #flush(state: ZoneState): Promise<void> {
    // Let updates issued in the same tick join the first group.
    await Promise.resolve()
    while (state.batch.length > 0) {
      const group = state.batch
      state.batch = []
      const bytes = concat(group.map((p) => p.bytes))
      try {
        if (bytes.length > 0) await state.journal.append(bytes, this.#fsync)
      } catch (error) {
        await state.journal.truncate(state.journalLength, this.#fsync).catch((e: Error) => {
          state.broken = e
        })
        const lost = [...group, ...state.batch]
        state.batch = []
        state.working = state.served
        for (const p of lost) p.reject(this.#reject(state.origin, p.source, error))
        continue
      }
      this.#serve(state, group, bytes.length)
      if (state.journalEntries >= this.#compactAfter) await this.#compact(state)
    }
    state.flushing = undefined
  }

  /** A durable group: served, counted, announced and acknowledged, in order. */
  #serve(state: ZoneState, group: PendingUpdate[], written: number): void {
    const from = state.served.zone
    const changed = group.filter((p) => p.bytes.length > 0)
    state.journalLength += written
    state.journalEntries += changed.length
    state.served = group.at(-1)!.version
    if (changed.length > 0 && changed.every((p) => p.difference !== undefined)) {
      // The IXFR journal takes the group's difference from here instead of comparing whole zones.
      rememberDifference(from, state.served.zone, composeDifferences(changed.map((p) => p.difference!)))
    }
    this.#updates += changed.length
    for (const p of changed) this.emit('updated', { ...p.result, source: p.source })
    for (const p of group) p.resolve(p.result)
  }

  /**
   * Refuses a zone that checkZone or the limits would refuse for something the update broke;
   * returns the zone's error findings. An edit is checked by the names it touched (update-check.ts:
   * the same errors, without walking the whole zone); an import is checked whole.
   */
  #validate(state: ZoneState, base: ZoneVersion, next: Zone, imported: boolean, difference: ZoneDifference | undefined): Set<string> {
    if (next.soa === undefined) throw new ZoneStoreError('ERR_RECORDS_INVALID', `zone ${state.origin} would have no SOA record`)
    base.baseline ??= errorKeys(checkZone(base.zone).findings)
    let findings: ZoneFinding[]
    let fresh: ZoneFinding[]
    let keys: Set<string>
    // The nodes whose per-name limits could have changed (all of them for an import).
    let limited = next
    if (imported || difference === undefined) {
      findings = checkZone(next).findings.filter((f) => f.severity === 'error')
      fresh = imported ? findings : findings.filter((f) => !base.baseline!.has(findingKey(f)))
      keys = errorKeys(findings)
    } else {
      const touched = checkTouched(next, difference)
      findings = touched.errors
      // An update is refused for what it breaks, not for what was already there.
      fresh = findings.filter((f) => !base.baseline!.has(findingKey(f)))
      keys = new Set([...base.baseline].filter((k) => !touched.names.has(findingName(k))))
      for (const f of findings) keys.add(findingKey(f))
      // The record count is the whole zone's; per name and type, only the touched names changed,
      // so a zone known to be within the limits needs only those checked.
      if (this.#withinLimits(base) && next.size <= this.#resolvedLimits.maxRecords) limited = touched.region
    }
    if (fresh.length > 0) {
      throw new ZoneStoreError('ERR_RECORDS_INVALID', `zone ${state.origin}: ${fresh.map((f) => f.message).join('; ')}`, {
        findings: fresh.map((f) => ({ code: f.code, name: f.name, message: f.message })),
      })
    }
    try {
      checkZoneLimits(limited, this.#limits)
    } catch (error) {
      throw new ZoneStoreError('ERR_RECORDS_INVALID', `zone ${state.origin}: ${(error as Error).message}`, { limit: (error as DnsHaError).details?.limit })
    }
    // The Authority checks each zone it serves against its own limits: as wide as these, it need not walk this one again.
    markParsedWithin(next, this.#resolvedLimits)
    return keys
  }

  /** Whether `version`'s zone is within the store's limits (walked once per version at most). */
  #withinLimits(version: ZoneVersion): boolean {
    if (version.withinLimits === undefined) {
      try {
        checkZoneLimits(version.zone, this.#limits)
        version.withinLimits = true
      } catch {
        version.withinLimits = false
      }
    }
    return version.withinLimits
  }

  /** A new snapshot (temp, fsync, rename, directory fsync), then the journal emptied. */
  async #compact(state: ZoneState): Promise<void> {
    try {
      await this.#files.writeAtomic(state.snapshotPath, formatSnapshot(state.served.zone, state.served.seq), this.#fsync)
      // A crash here leaves entries the snapshot already has: replay skips them by sequence number.
      await state.journal.truncate(0, this.#fsync)
      const entries = state.journalEntries
      state.journalLength = 0
      state.journalEntries = 0
      this.#log.info(`${state.origin} compacted`, { origin: state.origin, journalEntries: entries, serial: serialOfZone(state.served.zone) })
    } catch (error) {
      // The update is durable in the journal already; compaction is retried after the next one.
      if (this.#log.enabled('warn')) this.#log.warn(`compaction of ${state.origin} failed: ${errorMessage(error)}`, { origin: state.origin, err: error })
      else process.emitWarning(`zone store: compaction of ${state.origin} failed: ${(error as Error).message}`, { code: 'DNS_HA_RECORDS_COMPACTION' })
    }
  }

  #reject(origin: string, source: string | undefined, error: unknown): unknown {
    this.#rejected++
    const code = isDnsHaError(error) ? error.code : 'ERR_IO'
    this.emit('rejected', { origin, reason: (error as Error)?.message ?? String(error), code, source })
    return error
  }
}

// ---- helpers ----

/** The zone's SOA serial (0 without an SOA, which the store never serves). */
function serialOfZone(zone: Zone): number {
  return Number(zone.soa?.data?.serial ?? 0) >>> 0
}

/** Replaces the SOA of `zone` (a fresh copy) with one carrying `serial`. */
function setSerial(zone: Zone, serial: number): void {
  const soa = zone.soa as ZoneRecord
  zone.remove(soa)
  zone.add({ ...soa, data: { ...soa.data, serial } })
}

function journalChange(change: RecordChange): JournalChange {
  switch (change.op) {
    case 'add':
    case 'delete':
      return { op: change.op, rr: formatRecord(change.record) }
    case 'delete-rrset':
      return { op: 'delete-rrset', name: change.name, type: change.type }
    case 'delete-name':
      return { op: 'delete-name', name: change.name }
  }
}

function recordChange(change: JournalChange): RecordChange {
  switch (change.op) {
    case 'add':
    case 'delete':
      return { op: change.op, record: parseRecordLine(change.rr) }
    case 'delete-rrset':
      return change
    case 'delete-name':
      return change
  }
}

/** One journal entry applied over `zone` (as it was written: the changes that took effect). */
function replay(zone: Zone, entry: JournalEntry, file: string): Zone {
  try {
    let next: Zone
    if (entry.zone !== undefined) next = parseZone(entry.zone, { origin: zone.origin, fileName: `${file}#${entry.seq}` })
    else next = applyChanges(zone, (entry.changes ?? []).map(recordChange), 'rfc2136').zone
    setSerial(next, entry.serial)
    return next
  } catch (error) {
    throw new DnsHaError('ERR_RECORDS_JOURNAL', `${file}: entry ${entry.seq} does not apply: ${(error as Error).message}`, { details: { file, seq: entry.seq }, cause: error })
  }
}

/** One byte array of `parts` in order. */
function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** The net difference of consecutive differences (a record added by one and deleted by a later one is none). */
function composeDifferences(steps: ZoneDifference[]): ZoneDifference {
  if (steps.length === 1) return steps[0]!
  const deleted = new Map<string, ZoneRecord>()
  const added = new Map<string, ZoneRecord>()
  for (const step of steps) {
    for (const r of step.deleted) {
      const key = recordKey(r)
      if (!added.delete(key)) deleted.set(key, r)
    }
    for (const r of step.added) {
      const key = recordKey(r)
      if (!deleted.delete(key)) added.set(key, r)
    }
  }
  return { deleted: [...deleted.values()], added: [...added.values()] }
}

function errorKeys(findings: ZoneFinding[]): Set<string> {
  return new Set(findings.filter((f) => f.severity === 'error').map(findingKey))
}
