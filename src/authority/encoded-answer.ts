/**
 * {@link EncodedAnswer}: what the Authority keeps in its wire answer cache for one question —
 * the encoded bytes, and what a hit needs to serve and count them without the zone.
 */
import { labelBytes, splitLabels } from '../packet/names.js'

/** An encoded answer, and what the full path needs to serve it from the cache. */
export interface EncodedAnswer {
  bytes: Buffer
  /** Offset just past the question in `bytes` (checked against the query's before caching). */
  questionEnd: number
  /** Offset of the OPT RDLENGTH (`-1` without OPT), so per-query options (ECS) can be appended. */
  optRdlengthOffset: number
  /** The zone origin that answered. */
  zone: string
  rcodeName: string
  /** The counters (in the authority's counter table) each query this answers adds to. */
  tallies: [queries: number, qtype: number, rcode: number]
}

/** Where the question of a message asking `name` ends: header, uncompressed name, type and class. */
export function questionEndFor(name: string): number {
  let n = 1
  for (const label of splitLabels(name)) n += 1 + labelBytes(label).length
  return 12 + n + 4
}

/** Appends one EDNS option to the OPT record, which the encoder always writes last. */
export function appendOption(bytes: Uint8Array, optRdlengthOffset: number, option: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(bytes.length + option.length)
  out.set(bytes, 0)
  out.set(option, bytes.length)
  out.writeUInt16BE(out.readUInt16BE(optRdlengthOffset) + option.length, optRdlengthOffset)
  return out
}
