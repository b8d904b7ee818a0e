/**
 * The record sequences of outgoing transfers, and their messages: an AXFR is the SOA, every
 * other record, and the SOA again (RFC 5936 §2.2); an IXFR is the new SOA, then per change the
 * old SOA, the deletions, the new SOA and the additions, then the new SOA again (RFC 1995 §4).
 * Records are read from the zone version captured when the transfer began, so a zone swapped
 * while a transfer runs does not mix versions.
 */
import { TYPE } from '../packet/constants.js'
import { canonicalName } from '../packet/names.js'
import { recordWalk } from '../zone/zone.js'
import type { RecordWalk, Zone, ZoneRecord } from '../zone/zone.js'
import type { IxfrJournalEntry } from './ixfr-journal.js'
import { RecordStreamEncoder } from './record-stream-encoder.js'
import { isApexSoa } from './zone-diff.js'

/** Message size for transfers: records are packed up to this many bytes per message (BIND and NSD use 16 KiB). */
export const DEFAULT_TRANSFER_MESSAGE_SIZE = 16384

/** The header and question of an outgoing transfer's messages. */
export interface TransferHead {
  id: number
  /** The whole flags word (QR, AA, opcode, RD copied). */
  flags: number
  question: { name: string; type: number; class: number }
}

/** The AXFR sequence of `zone`: SOA, every other record (glue and occluded data too), SOA. */
export function* axfrRecords(zone: Zone): Generator<ZoneRecord, void, undefined> {
  const soa = zone.soa!
  const apex = canonicalName(zone.origin)
  yield soa
  for (const record of zone.eachRecord()) if (!isApexSoa(record, apex)) yield record
  yield soa
}

/** The IXFR sequence for `changes` (oldest first) ending at the zone's current `soa`. */
export function* ixfrRecords(changes: readonly IxfrJournalEntry[], soa: ZoneRecord): Generator<ZoneRecord, void, undefined> {
  yield soa
  for (const change of changes) {
    yield change.fromSoa
    yield* change.deleted
    yield change.toSoa
    yield* change.added
  }
  yield soa
}

/** Counts what went through a transfer while it is being sent. */
export interface TransferTally {
  records: number
  messages: number
  bytes: number
}

/**
 * The messages of a transfer: `records` packed by a {@link RecordStreamEncoder}, `reserve` bytes
 * left free per message for a TSIG. `tally` is updated as messages are taken; `onDone` runs once
 * the last message has been taken (not when the reader stops early).
 */
export function* transferMessages(
  head: TransferHead,
  records: Iterable<ZoneRecord>,
  maxMessageSize: number,
  reserve: number,
  tally: TransferTally,
  onDone: () => void,
): Generator<Uint8Array, void, undefined> {
  const encoder = new RecordStreamEncoder(head, maxMessageSize, reserve)
  for (const record of records) {
    tally.records++
    const message = encoder.addRecord(record)
    if (message !== undefined) yield counted(message, tally)
  }
  const last = encoder.finish()
  if (last !== undefined) yield counted(last, tally)
  onDone()
}

/**
 * The messages of an AXFR of `zone` (the sequence {@link axfrRecords} gives), encoded from the
 * zone's column walk: no record object is built for a record the zone keeps in columns, which
 * is most of a zone read from a file. Otherwise as {@link transferMessages}.
 */
export function* axfrMessages(
  head: TransferHead,
  zone: Zone,
  maxMessageSize: number,
  reserve: number,
  tally: TransferTally = { records: 0, messages: 0, bytes: 0 },
  onDone: () => void = () => {},
): Generator<Uint8Array, void, undefined> {
  const soa = zone.soa!
  const apex = canonicalName(zone.origin)
  const encoder = new RecordStreamEncoder(head, maxMessageSize, reserve)
  let message = encoder.addRecord(soa)
  tally.records++
  if (message !== undefined) yield counted(message, tally)
  const walk = recordWalk(zone)
  while (walk.next()) {
    // The apex SOA goes first and last only (a node's SOA comes first in the walk; rare elsewhere).
    if (walk.type === TYPE.SOA && isWalkedSoa(walk) && canonicalName(walk.name) === apex) continue
    tally.records++
    message = encoder.add(walk)
    if (message !== undefined) yield counted(message, tally)
  }
  message = encoder.addRecord(soa)
  tally.records++
  if (message !== undefined) yield counted(message, tally)
  const last = encoder.finish()
  if (last !== undefined) yield counted(last, tally)
  onDone()
}

/** A walked SOA that {@link isApexSoa} would see as one (not wire rdata, which the zone types `UNKNOWN_6`). */
function isWalkedSoa(walk: RecordWalk): boolean {
  return walk.record === undefined ? !Buffer.isBuffer(walk.data) : walk.record.type === 'SOA'
}

function counted(message: Buffer, tally: TransferTally): Buffer {
  tally.messages++
  tally.bytes += message.length
  return message
}
