/**
 * {@link IxfrJournal}: the differences between successive versions of each zone, kept so an
 * IXFR (RFC 1995) can send a secondary only what changed since its serial. Bounded per zone by a
 * number of entries and by an estimate of their bytes (BIND `max-journal-size`); the oldest
 * entries go first. A zone changed without a journal entry (its serial not raised) loses its
 * journal: an IXFR from before that change would be wrong, so those clients get an AXFR.
 */
import { DnsHaError } from '../util/errors.js'
import type { ZoneRecord } from '../zone/zone.js'

/** One change of one zone: its SOA before and after, and the records deleted and added. */
export interface IxfrJournalEntry {
  fromSerial: number
  toSerial: number
  /** The SOA record of the version changed from, and of the version changed to. */
  fromSoa: ZoneRecord
  toSoa: ZoneRecord
  deleted: readonly ZoneRecord[]
  added: readonly ZoneRecord[]
}

/** Bounds of an {@link IxfrJournal}, per zone. */
export interface IxfrJournalOptions {
  /** Most changes kept per zone (default 100). */
  maxEntries?: number
  /** Most bytes (an estimate of the records' wire size) kept per zone (default 16 MiB). */
  maxBytes?: number
}

/** A plain-data view of a journal. */
export interface IxfrJournalSnapshot {
  zones: { zone: string; entries: number; bytes: number; oldestSerial: number | undefined; newestSerial: number | undefined }[]
}

interface ZoneJournal {
  entries: (IxfrJournalEntry & { bytes: number })[]
  bytes: number
}

/** Per-zone journals of differences, keyed by a string the owner chooses (view and origin). */
export class IxfrJournal {
  private readonly maxEntries: number
  private readonly maxBytes: number
  private readonly zones = new Map<string, ZoneJournal>()

  /** Throws `ERR_CONFIG` for a bound that is not a non-negative integer. */
  constructor(options: IxfrJournalOptions = {}) {
    this.maxEntries = options.maxEntries ?? 100
    this.maxBytes = options.maxBytes ?? 16 * 1024 * 1024
    for (const [name, value] of [['maxEntries', this.maxEntries], ['maxBytes', this.maxBytes]] as const) {
      if (!Number.isInteger(value) || value < 0) throw new DnsHaError('ERR_CONFIG', `journal ${name} must be a non-negative integer, got ${value}`)
    }
  }

  /**
   * Appends a change of `zone`. A change that does not follow on from the last one kept (its
   * `fromSerial` is not the last `toSerial`) starts the journal afresh. Entries beyond the bounds
   * are dropped, oldest first; an entry larger than `maxBytes` alone is not kept at all.
   */
  add(zone: string, entry: IxfrJournalEntry): void {
    const bytes = entryBytes(entry)
    let journal = this.zones.get(zone)
    if (journal === undefined) this.zones.set(zone, (journal = { entries: [], bytes: 0 }))
    const last = journal.entries[journal.entries.length - 1]
    if (last !== undefined && last.toSerial !== entry.fromSerial) {
      journal.entries = []
      journal.bytes = 0
    }
    journal.entries.push({ ...entry, bytes })
    journal.bytes += bytes
    while (journal.entries.length > 0 && (journal.entries.length > this.maxEntries || journal.bytes > this.maxBytes)) {
      journal.bytes -= journal.entries.shift()!.bytes
    }
  }

  /**
   * The changes from `serial` to the newest version, oldest first; `[]` when `serial` is the
   * newest; `undefined` when the journal does not reach back to `serial` (answer with an AXFR).
   */
  since(zone: string, serial: number): readonly IxfrJournalEntry[] | undefined {
    const entries = this.zones.get(zone)?.entries
    if (entries === undefined || entries.length === 0) return undefined
    if (entries[entries.length - 1]!.toSerial === serial >>> 0) return []
    const start = entries.findIndex((e) => e.fromSerial === serial >>> 0)
    return start < 0 ? undefined : entries.slice(start)
  }

  /** Forgets every change of `zone` (it changed in a way the journal cannot describe). */
  clear(zone: string): void {
    this.zones.delete(zone)
  }

  /** Entries and bytes per zone. */
  snapshot(): IxfrJournalSnapshot {
    return {
      zones: [...this.zones].map(([zone, j]) => ({
        zone,
        entries: j.entries.length,
        bytes: j.bytes,
        oldestSerial: j.entries[0]?.fromSerial,
        newestSerial: j.entries[j.entries.length - 1]?.toSerial,
      })),
    }
  }
}

/** A cheap estimate of an entry's wire size: owner, fixed fields and the RDATA's text size. */
function entryBytes(entry: IxfrJournalEntry): number {
  let total = 0
  for (const list of [entry.deleted, entry.added]) {
    for (const r of list) total += r.name.length + 12 + dataSize(r.data)
  }
  return total
}

function dataSize(data: unknown): number {
  if (typeof data === 'string') return data.length
  if (data instanceof Uint8Array) return data.length
  if (Array.isArray(data)) return data.reduce<number>((n, d) => n + dataSize(d), 0)
  if (typeof data === 'object' && data !== null) return Object.values(data).reduce<number>((n, d) => n + dataSize(d), 0)
  return 4
}
