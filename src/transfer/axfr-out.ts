/**
 * The record sequences of outgoing transfers, and their messages: an AXFR is the SOA, every
 * other record, and the SOA again (RFC 5936 §2.2); an IXFR is the new SOA, then per change the
 * old SOA, the deletions, the new SOA and the additions, then the new SOA again (RFC 1995 §4).
 * Records are read from the zone version captured when the transfer began, so a zone swapped
 * while a transfer runs does not mix versions.
 */
import type { Answer } from 'dns-packet'
import { encodeRecordStream } from '../packet/encode-message.js'
import { canonicalName } from '../packet/names.js'
import type { Zone, ZoneRecord } from '../zone/zone.js'
import type { IxfrJournalEntry } from './ixfr-journal.js'
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
 * The messages of a transfer: `records` packed by {@link encodeRecordStream}, `reserve` bytes
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
  const counted = countRecords(records, tally)
  for (const message of encodeRecordStream(head, counted as Iterable<Answer>, maxMessageSize, reserve)) {
    tally.messages++
    tally.bytes += message.length
    yield message
  }
  onDone()
}

function* countRecords(records: Iterable<ZoneRecord>, tally: TransferTally): Generator<ZoneRecord, void, undefined> {
  for (const r of records) {
    tally.records++
    yield r
  }
}
