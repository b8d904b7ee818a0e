/**
 * Zone limits: how much one zone may hold and how much work its text may ask of the parser, with
 * BIND's names where BIND has the limit. The parser enforces them while it reads (the error is at
 * the line that crossed one); {@link checkZoneLimits} checks a zone already built, for zones that
 * arrive some other way (handed to an authority's zone set, by transfer or update).
 */
import { DnsHaError } from '../util/errors.js'
import { ZoneSyntaxError } from './errors.js'
import type { Zone } from './zone.js'
import { zoneEdits } from './zone.js'

/**
 * Bounds on one zone. `0` or `Infinity` means no bound (BIND's `0`). Every field is optional;
 * what is not given takes the default of the entry point ({@link ZONE_TEXT_LIMITS} for zone text
 * given as a string, {@link ZONE_FILE_LIMITS} for a zone file).
 */
export interface ZoneLimits {
  /** Records in the zone (BIND `max-records`). */
  maxRecords?: number
  /** Records in one RRset, one owner and type (BIND 9.18 `max-records-per-type`, default 100). */
  maxRecordsPerType?: number
  /** RR types at one owner name (BIND 9.18 `max-types-per-name`, default 100). */
  maxTypesPerName?: number
  /** Records one `$GENERATE` line may make (BIND has no bound; a range is checked before it runs). */
  maxGenerate?: number
  /** `$INCLUDE`s nested inside one another below the zone's own file or text. */
  maxIncludeDepth?: number
  /** Bytes of zone text read for one zone, its `$INCLUDE`d files counted in. */
  maxZoneBytes?: number
}

/**
 * Defaults for zone text given as a string or bytes (`parseZone`): text that may have come from
 * anywhere. 1,000,000 records is far above any zone held as one string in practice (about 40 MB
 * of text), 64 MiB of text likewise; a larger zone belongs in a file.
 */
export const ZONE_TEXT_LIMITS: Readonly<Required<ZoneLimits>> = Object.freeze({
  maxRecords: 1_000_000,
  maxRecordsPerType: 100,
  maxTypesPerName: 100,
  maxGenerate: 65_536,
  maxIncludeDepth: 20,
  maxZoneBytes: 64 * 1024 * 1024,
})

/**
 * Defaults for a zone file (`readZoneFile`, `zoneRecords`, an authority's zone files): the
 * operator's own file, so, as in BIND, no bound on records or bytes (TLD zones hold millions), but
 * BIND 9.18's per-name bounds and the `$GENERATE` and `$INCLUDE` bounds hold.
 */
export const ZONE_FILE_LIMITS: Readonly<Required<ZoneLimits>> = Object.freeze({
  maxRecords: 0,
  maxRecordsPerType: 100,
  maxTypesPerName: 100,
  maxGenerate: 65_536,
  maxIncludeDepth: 20,
  maxZoneBytes: 0,
})

/** The limits with defaults filled in and `0` made `Infinity`. */
export type ResolvedZoneLimits = Readonly<Required<ZoneLimits>>

const NAMES = ['maxRecords', 'maxRecordsPerType', 'maxTypesPerName', 'maxGenerate', 'maxIncludeDepth', 'maxZoneBytes'] as const

/** `given` over `defaults`, each checked (a non-negative integer or `Infinity`), `0` made `Infinity`. */
export function resolveZoneLimits(given: ZoneLimits | undefined, defaults: ResolvedZoneLimits = ZONE_TEXT_LIMITS): ResolvedZoneLimits {
  const out: Record<string, number> = {}
  for (const name of NAMES) {
    const v = given?.[name] ?? defaults[name]
    if (typeof v !== 'number' || !(v === Infinity || (Number.isInteger(v) && v >= 0))) {
      throw new DnsHaError('ERR_CONFIG', `${name} must be a non-negative integer (0: no limit), not ${String(v)}`)
    }
    out[name] = v === 0 ? Infinity : v
  }
  return out as unknown as ResolvedZoneLimits
}

/** The error for a limit crossed at a place in zone text: code `ERR_ZONE_LIMIT`, `details.limit` the limit's name. */
export function limitError(
  reason: string,
  limit: keyof ZoneLimits,
  value: number,
  position: { file: string; line: number; column: number; text: string },
): ZoneSyntaxError {
  return new ZoneSyntaxError(`${reason} (${limit} ${value})`, position, 'ERR_ZONE_LIMIT', { limit, value })
}

/** Per-name limits the parser held a zone to, and the zone's edit count then. */
const parsedWithin = new WeakMap<Zone, { perType: number; types: number; edits: number }>()

/**
 * Records that the parser held `zone` to these per-name limits: {@link checkZoneLimits} then need
 * not walk it again for limits as wide, unless `add`/`remove` changed it since.
 */
export function markParsedWithin(zone: Zone, limits: ResolvedZoneLimits): void {
  parsedWithin.set(zone, { perType: limits.maxRecordsPerType, types: limits.maxTypesPerName, edits: zoneEdits(zone) })
}

/**
 * Throws when `zone` is over `limits` (defaults: {@link ZONE_FILE_LIMITS}): a `ZoneSyntaxError`
 * (code `ERR_ZONE_LIMIT`) at the offending record's place when the parser recorded one, else a
 * `DnsHaError` with the same code; `details.limit` names the limit either way.
 */
export function checkZoneLimits(zone: Zone, limits?: ZoneLimits): void {
  const l = resolveZoneLimits(limits, ZONE_FILE_LIMITS)
  if (zone.size > l.maxRecords) fail(zone, `zone ${zone.origin} has ${zone.size} records`, 'maxRecords', l.maxRecords, undefined)
  if (l.maxRecordsPerType === Infinity && l.maxTypesPerName === Infinity) return
  const parsed = parsedWithin.get(zone)
  // Parsed under limits at least as tight and not edited since: nothing to walk (a large zone's walk costs seconds).
  if (parsed !== undefined && parsed.edits === zoneEdits(zone) && parsed.perType <= l.maxRecordsPerType && parsed.types <= l.maxTypesPerName) return
  for (const node of zone.nodes()) {
    if (node.rrsets.size > l.maxTypesPerName) {
      fail(zone, `${node.name} has ${node.rrsets.size} RR types`, 'maxTypesPerName', l.maxTypesPerName, [...node.rrsets.values()][l.maxTypesPerName]?.records[0])
    }
    for (const [type, set] of node.rrsets) {
      if (set.records.length > l.maxRecordsPerType) {
        fail(zone, `${node.name} has ${set.records.length} ${type} records`, 'maxRecordsPerType', l.maxRecordsPerType, set.records[l.maxRecordsPerType])
      }
    }
  }
}

function fail(zone: Zone, reason: string, limit: keyof ZoneLimits, value: number, record: Parameters<Zone['positionOf']>[0] | undefined): never {
  const at = record === undefined ? undefined : zone.positionOf(record)
  if (at !== undefined) throw limitError(reason, limit, value, { ...at, text: record!.name })
  throw new DnsHaError('ERR_ZONE_LIMIT', `${reason} (${limit} ${value})`, { details: { limit, value, origin: zone.origin } })
}
