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
import { checkZoneLimits } from '../zone/limits.js'
import { parseZone, readZoneFile } from '../zone/parse.js'
import { serialIncreased } from '../zone/serial.js'
import type { ZoneRecord } from '../zone/zone.js'
import { Zone } from '../zone/zone.js'
import type { JournalChange, JournalEntry } from './journal.js'
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

interface ZoneState {
  origin: string
  zone: Zone
  /** Error findings of the served zone (code and name): an update is refused only for new ones. */
  baseline: Set<string> | undefined
  seq: number
  journalEntries: number
  journalLength: number
  journal: AppendFile
  snapshotPath: string
  journalPath: string
  queue: Promise<unknown>
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

  /** The zone as served now: treat it as read-only; every update makes a new object. */
  zone(origin: string): Zone {
    return this.#state(origin).zone
  }

  /** The zone's SOA serial. */
  serial(origin: string): number {
    return serialOfZone(this.#state(origin).zone)
  }

  /**
   * Applies `changes` to the zone `origin`, all or nothing, and resolves once the change is in
   * the journal on disk (fsync) and served. Updates to one zone run one at a time in call order.
   * Rejects with a {@link ZoneStoreError} (nothing changed) or, when the disk fails, the I/O error
   * (nothing changed either).
   */
  update(origin: string, changes: RecordChange[], options: UpdateOptions = {}): Promise<UpdateResult> {
    return this.#enqueue(origin, options.source, (state) => {
      this.#checkSerial(state, options.ifSerial)
      if (!Array.isArray(changes)) throw new ZoneStoreError('ERR_RECORDS_INVALID', 'changes must be an array')
      checkPrerequisites(state.zone, options.prerequisites ?? [])
      const { zone, applied } = applyChanges(state.zone, changes, options.mode ?? 'strict')
      return { zone, applied, imported: false }
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
      return { zone: copyZone(zone), applied: [], imported: true }
    })
  }

  /** Counters and per-zone state as plain data. */
  snapshot(): ZoneStoreSnapshot {
    return {
      zones: [...this.#zones.values()].map((s) => ({ origin: s.origin, serial: serialOfZone(s.zone), records: s.zone.size, journalEntries: s.journalEntries })),
      updates: this.#updates,
      rejected: this.#rejected,
      recovered: [...this.#recovered],
    }
  }

  /** Waits for updates under way, then closes the journals; later updates are refused. */
  async close(): Promise<void> {
    this.#closed = true
    for (const s of this.#zones.values()) {
      await s.queue.catch(() => {})
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
    this.#log.info(`${origin} opened, serial ${serialOfZone(zone)}`, { origin, serial: serialOfZone(zone), journalEntries: entries })
    this.#zones.set(key, {
      origin, zone, baseline: undefined, seq, journalEntries: entries, journalLength: decoded.validLength, journal,
      snapshotPath, journalPath, queue: Promise.resolve(), broken: undefined,
    })
  }

  // ---- updating ----

  #state(origin: string): ZoneState {
    const state = typeof origin === 'string' ? this.#zones.get(canonicalName(origin.endsWith('.') ? origin : `${origin}.`)) : undefined
    if (state === undefined) throw new ZoneStoreError('ERR_RECORDS_UNKNOWN_ZONE', `no zone ${String(origin)} in the store`, { origin })
    return state
  }

  #checkSerial(state: ZoneState, ifSerial: number | undefined): void {
    const serial = serialOfZone(state.zone)
    if (ifSerial !== undefined && ifSerial !== serial) {
      throw new ZoneStoreError('ERR_RECORDS_CONFLICT', `zone ${state.origin} is at serial ${serial}, not ${ifSerial}`, { serial })
    }
  }

  /** Runs one update in the zone's queue: build the new zone, validate, journal, swap. */
  #enqueue(origin: string, source: string | undefined, build: (state: ZoneState) => { zone: Zone; applied: RecordChange[]; imported: boolean }): Promise<UpdateResult> {
    let state: ZoneState
    try {
      if (this.#closed) throw new DnsHaError('ERR_RECORDS_CLOSED', 'the zone store is closed')
      state = this.#state(origin)
    } catch (error) {
      return Promise.reject(this.#reject(String(origin), source, error))
    }
    const run = async (): Promise<UpdateResult> => {
      try {
        if (state.broken) throw new DnsHaError('ERR_RECORDS_JOURNAL', `zone ${state.origin}: the journal could not be restored after a failed write: ${state.broken.message}`)
        return await this.#commit(state, source, build(state))
      } catch (error) {
        throw this.#reject(state.origin, source, error)
      }
    }
    const result = state.queue.then(run, run)
    state.queue = result.catch(() => {})
    return result
  }

  async #commit(state: ZoneState, source: string | undefined, built: { zone: Zone; applied: RecordChange[]; imported: boolean }): Promise<UpdateResult> {
    const previousSerial = serialOfZone(state.zone)
    if (!built.imported && built.applied.length === 0) return { origin: state.origin, previousSerial, serial: previousSerial, changes: [] }
    const next = built.zone
    // The serial by policy; an SOA given (by an update or the import) with a serial further ahead wins.
    let serial = nextSerial(previousSerial, this.#policy, this.#clock.now())
    const given = next.soa === undefined ? undefined : Number(next.soa.data?.serial)
    if (given !== undefined && given !== previousSerial && serialIncreased(serial, given)) serial = given >>> 0
    setSerial(next, serial)
    const findings = this.#validate(state, next, built.imported)
    const entry: JournalEntry = {
      seq: state.seq + 1,
      previousSerial,
      serial,
      time: this.#clock.now(),
      ...(source !== undefined ? { source } : {}),
      ...(built.imported ? { zone: formatZone(next) } : { changes: built.applied.map(journalChange) }),
    }
    const bytes = encodeEntry(entry)
    try {
      await state.journal.append(bytes, this.#fsync)
    } catch (error) {
      // Nothing acknowledged: cut the partial entry off so later entries do not follow garbage.
      await state.journal.truncate(state.journalLength, this.#fsync).catch((e: Error) => {
        state.broken = e
      })
      throw error
    }
    state.journalLength += bytes.length
    state.seq = entry.seq
    state.journalEntries++
    state.zone = next
    state.baseline = findings
    this.#updates++
    const result: UpdateResult = { origin: state.origin, previousSerial, serial, changes: built.applied }
    this.emit('updated', { ...result, source })
    if (state.journalEntries >= this.#compactAfter) await this.#compact(state)
    return result
  }

  /** Refuses a zone that checkZone or the limits would refuse; returns its error findings. */
  #validate(state: ZoneState, next: Zone, imported: boolean): Set<string> {
    if (next.soa === undefined) throw new ZoneStoreError('ERR_RECORDS_INVALID', `zone ${state.origin} would have no SOA record`)
    state.baseline ??= errorKeys(checkZone(state.zone).findings)
    const findings = checkZone(next).findings.filter((f) => f.severity === 'error')
    // An update is refused for what it breaks, not for what was already there (an import is checked whole).
    const fresh = imported ? findings : findings.filter((f) => !state.baseline!.has(findingKey(f)))
    if (fresh.length > 0) {
      throw new ZoneStoreError('ERR_RECORDS_INVALID', `zone ${state.origin}: ${fresh.map((f) => f.message).join('; ')}`, {
        findings: fresh.map((f) => ({ code: f.code, name: f.name, message: f.message })),
      })
    }
    try {
      checkZoneLimits(next, this.#limits)
    } catch (error) {
      throw new ZoneStoreError('ERR_RECORDS_INVALID', `zone ${state.origin}: ${(error as Error).message}`, { limit: (error as DnsHaError).details?.limit })
    }
    return errorKeys(findings)
  }

  /** A new snapshot (temp, fsync, rename, directory fsync), then the journal emptied. */
  async #compact(state: ZoneState): Promise<void> {
    try {
      await this.#files.writeAtomic(state.snapshotPath, formatSnapshot(state.zone, state.seq), this.#fsync)
      // A crash here leaves entries the snapshot already has: replay skips them by sequence number.
      await state.journal.truncate(0, this.#fsync)
      const entries = state.journalEntries
      state.journalLength = 0
      state.journalEntries = 0
      this.#log.info(`${state.origin} compacted`, { origin: state.origin, journalEntries: entries, serial: serialOfZone(state.zone) })
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

function findingKey(f: ZoneFinding): string {
  return `${f.code} ${canonicalName(f.name)}`
}

function errorKeys(findings: ZoneFinding[]): Set<string> {
  return new Set(findings.filter((f) => f.severity === 'error').map(findingKey))
}
