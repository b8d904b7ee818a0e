/**
 * The snapshot of one zone: a master file (what `formatZone` writes, readable by BIND's
 * named-checkzone) after one header comment naming the origin and the last journal sequence
 * number it includes, so a replay after it knows which journal entries are already in.
 */
import { DnsHaError } from '../util/errors.js'
import { formatZone } from '../zone/format.js'
import { parseZone } from '../zone/parse.js'
import type { Zone } from '../zone/zone.js'

const HEADER = /^; dns-ha zone snapshot origin=(\S+) seq=(\d+)\n/

/** The snapshot text of `zone` including journal entries up to `seq`. */
export function formatSnapshot(zone: Zone, seq: number): string {
  return `; dns-ha zone snapshot origin=${zone.origin} seq=${seq}\n${formatZone(zone)}`
}

/** Reads a snapshot back: the zone and its sequence number. Throws `ERR_RECORDS_SNAPSHOT` (details.file) when it is not one. */
export function parseSnapshot(text: string, origin: string, file: string): { zone: Zone; seq: number } {
  const m = HEADER.exec(text)
  if (m === null) throw new DnsHaError('ERR_RECORDS_SNAPSHOT', `${file}: not a dns-ha zone snapshot (no header line)`, { details: { file } })
  if (m[1]!.toLowerCase() !== origin.toLowerCase()) {
    throw new DnsHaError('ERR_RECORDS_SNAPSHOT', `${file}: snapshot of ${m[1]}, expected ${origin}`, { details: { file } })
  }
  const zone = parseZone(text, { origin, fileName: file })
  return { zone, seq: Number(m[2]) }
}

/** A file name for the zone's files: the origin, lower case, without its final dot, unsafe characters hex-escaped. */
export function zoneFileStem(origin: string): string {
  const name = origin.toLowerCase().replace(/\.$/, '')
  if (name === '') return '_root'
  return name.replace(/[^a-z0-9.-]/g, (c) => `_${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}
