/**
 * The secondary's state file: the last complete copy of a zone as master-file text (the zone
 * module's `formatZone`, absolute names), between a header that names the origin, the serial
 * and when it was transferred, and an end line. A file without its end line, with another
 * origin, or whose SOA serial is not the header's is not a complete copy and is not loaded.
 */
import { canonicalName } from '../packet/names.js'
import { DnsHaError } from '../util/errors.js'
import { formatZoneChunks } from '../zone/format.js'
import { parseZone } from '../zone/parse.js'
import type { ZoneLimits } from '../zone/limits.js'
import type { Zone } from '../zone/zone.js'
import { serialOf } from './incoming-sequence.js'

/** A copy read back from a state file. */
export interface ZoneState {
  zone: Zone
  serial: number
  /** When the copy was transferred (ms since the epoch). */
  savedAt: number
}

const MAGIC = '; dns-ha secondary zone state, version 1'
const END = '; end of zone state'

/** The state file's name for `origin` in the state directory: the origin without its final dot (`root` for the root), `.zone`. */
export function stateFileName(origin: string): string {
  const name = canonicalName(origin)
  const base = name === '.' ? 'root' : name.slice(0, -1)
  return `${base.replace(/[^a-z0-9._-]/g, '_')}.zone`
}

/** The file's text for `zone`, transferred at `savedAt`. */
export function formatZoneState(zone: Zone, savedAt: number): string {
  return [...zoneStateChunks(zone, savedAt)].join('')
}

/** {@link formatZoneState}'s text in pieces, for writing a large zone without building its whole text. */
export function* zoneStateChunks(zone: Zone, savedAt: number): Generator<string, void, undefined> {
  const serial = serialOf(zone.soa)
  yield `${MAGIC}\n; origin ${canonicalName(zone.origin)}\n; serial ${serial}\n; saved ${savedAt} ${new Date(savedAt).toISOString()}\n`
  yield* formatZoneChunks(zone, { relative: false })
  yield `\n${END}\n`
}

/** Reads a state file's text back; throws `ERR_TRANSFER_STATE` when it is not a complete copy of `origin`. */
export function parseZoneState(text: string, origin: string, file: string, limits?: ZoneLimits): ZoneState {
  const bad = (why: string): DnsHaError => new DnsHaError('ERR_TRANSFER_STATE', `${file}: ${why}`, { details: { file } })
  const lines = text.split('\n', 5)
  if (lines[0] !== MAGIC) throw bad('not a dns-ha zone state file')
  if (!text.endsWith(`${END}\n`)) throw bad('incomplete (no end line)')
  const want = canonicalName(origin)
  const seenOrigin = /^; origin (\S+)$/.exec(lines[1] ?? '')?.[1]
  if (seenOrigin !== want) throw bad(`holds zone ${seenOrigin}, not ${want}`)
  const serial = Number(/^; serial (\d+)$/.exec(lines[2] ?? '')?.[1])
  const savedAt = Number(/^; saved (\d+) /.exec(lines[3] ?? '')?.[1])
  if (!Number.isInteger(serial) || !Number.isFinite(savedAt)) throw bad('header unreadable')
  const zone = parseZone(text, { origin: want, fileName: file, ...(limits ?? {}) })
  if (serialOf(zone.soa) !== serial) throw bad(`SOA serial ${serialOf(zone.soa)} is not the header's ${serial}`)
  return { zone, serial, savedAt }
}
