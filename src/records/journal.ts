/**
 * The journal of one zone: an append-only file of entries, one per acknowledged update.
 *
 * Entry layout (all integers big-endian):
 *
 *     u32 length of the payload   u32 CRC-32 (IEEE) of the payload   payload: UTF-8 JSON
 *
 * The payload is a {@link JournalEntry}: the sequence number, the serial before and after, who
 * made it, and the changes as they took effect, records in master-file text (so every type,
 * RFC 3597 ones included, round-trips exactly). A crash while appending leaves a prefix of the
 * last entry (or, on some file systems, zeros after it): such a torn tail is recognised (it runs
 * to the end of the file, or only zeros follow) and dropped. A bad entry with valid data after
 * it is not a torn write but corruption: the journal is refused, naming the file and offset.
 */
import { DnsHaError } from '../util/errors.js'

/** One change as journaled: records as master-file lines (absolute owner, TTL, class, type, rdata). */
export type JournalChange =
  | { op: 'add' | 'delete'; rr: string }
  | { op: 'delete-rrset'; name: string; type: string }
  | { op: 'delete-name'; name: string }

/** One journal entry: an update (`changes`) or a whole-zone import (`zone`, master-file text). */
export interface JournalEntry {
  /** 1, 2, 3, ...: snapshots record the last sequence number they include. */
  seq: number
  previousSerial: number
  serial: number
  /** Milliseconds since the epoch (the store's clock) when it was written. */
  time: number
  source?: string
  changes?: JournalChange[]
  zone?: string
}

/** What {@link decodeJournal} read. */
export interface DecodedJournal {
  entries: JournalEntry[]
  /** Bytes of whole, valid entries: the file is cut back to this when a torn tail was found. */
  validLength: number
  /** The torn last entry that was dropped: where it started and how many bytes it had. */
  torn: { offset: number; bytes: number } | undefined
}

const HEADER = 8
/** An entry larger than this is not one we wrote (a whole-zone import of a very large zone aside). */
const MAX_ENTRY = 512 * 1024 * 1024

/** Encodes one entry (header and payload). */
export function encodeEntry(entry: JournalEntry): Uint8Array {
  const payload = new TextEncoder().encode(JSON.stringify(entry))
  const out = new Uint8Array(HEADER + payload.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, payload.length)
  view.setUint32(4, crc32(payload))
  out.set(payload, HEADER)
  return out
}

/**
 * Reads every entry of a journal file's bytes. A torn last entry is dropped and reported in
 * `torn`; a bad entry followed by more data throws `ERR_RECORDS_JOURNAL` with `file` and
 * `details.offset`.
 */
export function decodeJournal(bytes: Uint8Array, file: string): DecodedJournal {
  const entries: JournalEntry[] = []
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let offset = 0
  while (offset < bytes.length) {
    const bad = (reason: string): DecodedJournal => {
      if (onlyZeros(bytes, offset) || reason === 'short') return { entries, validLength: offset, torn: { offset, bytes: bytes.length - offset } }
      throw new DnsHaError('ERR_RECORDS_JOURNAL', `${file}: corrupt journal entry at offset ${offset} (${reason}) with more data after it`, {
        details: { file, offset },
      })
    }
    if (bytes.length - offset < HEADER) return bad('short')
    const length = view.getUint32(offset)
    const sum = view.getUint32(offset + 4)
    if (length === 0 || length > MAX_ENTRY) return bad('bad length')
    const end = offset + HEADER + length
    if (end > bytes.length) return bad('short')
    const payload = bytes.subarray(offset + HEADER, end)
    if (crc32(payload) !== sum) return end === bytes.length ? torn(entries, offset, bytes.length) : bad('checksum mismatch')
    let entry: JournalEntry
    try {
      entry = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as JournalEntry
    } catch {
      return bad('payload is not JSON')
    }
    if (typeof entry?.seq !== 'number' || typeof entry.serial !== 'number' || typeof entry.previousSerial !== 'number') return bad('not an entry')
    entries.push(entry)
    offset = end
  }
  return { entries, validLength: offset, torn: undefined }
}

function torn(entries: JournalEntry[], offset: number, length: number): DecodedJournal {
  return { entries, validLength: offset, torn: { offset, bytes: length - offset } }
}

function onlyZeros(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false
  return true
}

let table: Uint32Array | undefined

/** CRC-32 (IEEE 802.3, the zlib/PNG one) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  table ??= makeTable()
  let c = 0xffffffff
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function makeTable(): Uint32Array {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
}
