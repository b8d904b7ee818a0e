/**
 * {@link IncomingSequence}: the records of a zone transfer answer, in order, turned into a zone.
 * An AXFR (and an AXFR-style answer to an IXFR) is SOA, the zone, SOA; an IXFR (RFC 1995 §4) is
 * SOA(new), then for each step SOA(old), deletions, SOA(new'), additions, then SOA(new) again,
 * applied to a copy of the current zone; an IXFR answered with the SOA alone means up to date.
 * Anything else throws an `ERR_TRANSFER_IN` error naming what was wrong; the current zone is
 * never touched.
 */
import dnsPacket from 'dns-packet'
import { canonicalName, isSubdomain } from '../packet/names.js'
import { typeMnemonic } from '../packet/types.js'
import { markParsedWithin } from '../zone/limits.js'
import type { ResolvedZoneLimits } from '../zone/limits.js'
import { RR } from '../zone/rr-types.js'
import type { ZoneRecord } from '../zone/zone.js'
import { Zone, addParsedRecord, compactRecord } from '../zone/zone.js'
import { compareSerial } from '../zone/serial.js'
import { transferFailure } from './transfer-failure.js'

/** What a complete sequence amounts to. */
export interface SequenceResult {
  /** `'axfr'` (a full zone), `'ixfr'` (differences applied) or `'up-to-date'` (no zone). */
  kind: 'axfr' | 'ixfr' | 'up-to-date'
  zone: Zone | undefined
  serial: number
  /** Records in the answer, both SOAs included. */
  records: number
}

type State = 'start' | 'second' | 'axfr' | 'deleting' | 'adding' | 'done'

const UNBOUNDED: Pick<ResolvedZoneLimits, 'maxRecords' | 'maxRecordsPerType' | 'maxTypesPerName'> = { maxRecords: Infinity, maxRecordsPerType: Infinity, maxTypesPerName: Infinity }

/**
 * Consumes an answer's records one by one, each as read off the wire: owner, type number, TTL
 * and rdata in the zone's compact form (`readWireRdata`). A full zone is built straight from
 * them (no record objects); IXFR steps, which are small, go through record objects.
 */
export class IncomingSequence {
  private state: State = 'start'
  private readonly origin: string
  private final: ZoneRecord | undefined
  private zone: Zone | undefined
  private kind: SequenceResult['kind'] = 'axfr'
  private stepSerial = 0
  private count = 0
  // The last owner seen and its canonical form: consecutive records mostly share the owner.
  private lastName = ''
  private lastCanonical = ''
  private lastInside = false

  /**
   * `current` is the copy an IXFR applies to (absent: only an AXFR-style answer can complete).
   * A full zone is held to `limits` as it is built (the first record over one fails the
   * transfer, `zone-invalid`) and marked as checked against them.
   */
  constructor(
    origin: string,
    private readonly current: Zone | undefined,
    private readonly limits: Pick<ResolvedZoneLimits, 'maxRecords' | 'maxRecordsPerType' | 'maxTypesPerName'> = UNBOUNDED,
  ) {
    this.origin = canonicalName(origin)
  }

  /** True once the closing SOA has been read. */
  get done(): boolean {
    return this.state === 'done'
  }

  /** Takes the next record of the answer (class IN; `data` in the zone's compact form). */
  push(name: string, type: number, ttl: number, data: unknown): void {
    this.count++
    if (name !== this.lastName) {
      this.lastName = name
      this.lastCanonical = canonicalName(name)
      this.lastInside = isSubdomain(this.lastCanonical, this.origin)
    }
    if (this.state === 'done') throw transferFailure('trailing-records', `record ${name} ${typeMnemonic(type)} after the closing SOA`)
    if (!this.lastInside) throw transferFailure('outside-zone', `record ${name} ${typeMnemonic(type)} is outside the zone ${this.origin}`)
    const soa = type === RR.SOA && this.lastCanonical === this.origin ? (data as { serial: number }).serial : undefined
    if (this.state === 'axfr') {
      if (soa === undefined) return this.add(name, type, ttl, data)
      if (soa !== this.finalSerial) throw transferFailure('malformed', `closing SOA has serial ${soa}, the opening one ${this.finalSerial}`)
      this.state = 'done'
      return
    }
    const record = compactRecord(name, type, 'IN', ttl, data)
    switch (this.state) {
      case 'start':
        return this.first(record, soa)
      case 'second':
        return this.second(record, name, type, ttl, data, soa)
      case 'deleting':
        if (soa !== undefined) {
          this.zone!.add(record)
          this.stepSerial = soa
          this.state = 'adding'
          return
        }
        if (!removeRecord(this.zone!, record)) throw transferFailure('ixfr-mismatch', `IXFR deletes ${record.name} ${record.type}, which our copy does not have`)
        return
      case 'adding':
        if (soa === undefined) return this.zone!.add(record)
        if (soa === this.finalSerial && this.stepSerial === this.finalSerial) {
          this.state = 'done'
          return
        }
        return this.startStep(record, soa)
    }
  }

  /** Called after each message: true when the answer is complete (a lone SOA to an IXFR included). */
  endOfMessage(ixfr: boolean): boolean {
    if (this.state === 'second' && ixfr && this.count === 1) {
      const ours = serialOf(this.current?.soa)
      if (ours !== undefined && ours === this.finalSerial) {
        this.kind = 'up-to-date'
        this.state = 'done'
      } else {
        throw transferFailure('ixfr-soa-only', `IXFR answered with the SOA alone, serial ${this.finalSerial}, and ours is ${ours ?? 'none'}`)
      }
    }
    return this.state === 'done'
  }

  /** The outcome; throws unless {@link IncomingSequence.done}. */
  result(): SequenceResult {
    if (this.state !== 'done') throw transferFailure('truncated', 'answer ended before the closing SOA')
    const serial = this.finalSerial
    if (this.kind === 'ixfr' && serialOf(this.zone!.soa) !== serial) {
      throw transferFailure('ixfr-mismatch', `IXFR steps end at serial ${serialOf(this.zone!.soa)}, not ${serial}`)
    }
    // A full zone was held to the limits record by record: checking it again would walk it all.
    if (this.kind === 'axfr') markParsedWithin(this.zone!, { ...this.limits, maxGenerate: 0, maxIncludeDepth: 0, maxZoneBytes: 0 })
    return { kind: this.kind, zone: this.kind === 'up-to-date' ? undefined : this.zone, serial, records: this.count }
  }

  private get finalSerial(): number {
    return serialOf(this.final)!
  }

  /** A record of a full zone, straight into the zone's columns, within the limits. */
  private add(name: string, type: number, ttl: number, data: unknown): void {
    const zone = this.zone!
    const { maxRecordsPerType, maxTypesPerName, maxRecords } = this.limits
    const verdict = addParsedRecord(zone, name, type, ttl, data, undefined, 0, 0, maxRecordsPerType, maxTypesPerName)
    if (verdict === 1) throw transferFailure('zone-invalid', `the transferred zone is over a limit: too many ${typeMnemonic(type)} records at ${name} (maxRecordsPerType ${maxRecordsPerType})`)
    if (verdict === 2) throw transferFailure('zone-invalid', `the transferred zone is over a limit: too many RR types at ${name} (maxTypesPerName ${maxTypesPerName})`)
    if (zone.size > maxRecords) throw transferFailure('zone-invalid', `the transferred zone is over a limit: more than ${maxRecords} records (maxRecords ${maxRecords})`)
  }

  private first(record: ZoneRecord, soa: number | undefined): void {
    if (soa === undefined) throw transferFailure('not-soa-first', `the first record is ${record.name} ${record.type}, not the SOA of ${this.origin}`)
    const ours = serialOf(this.current?.soa)
    if (ours !== undefined && compareSerial(ours, soa) > 0) {
      throw transferFailure('serial-backwards', `the primary's serial ${soa} is older than ours (${ours})`)
    }
    this.final = record
    this.state = 'second'
  }

  private second(record: ZoneRecord, name: string, type: number, ttl: number, data: unknown, soa: number | undefined): void {
    const ours = serialOf(this.current?.soa)
    if (soa !== undefined && soa === this.finalSerial) {
      // An AXFR of a zone holding its SOA alone.
      this.zone = new Zone(this.origin)
      this.zone.add(this.final!)
      this.state = 'done'
      return
    }
    if (soa !== undefined) {
      if (ours === undefined || soa !== ours) throw transferFailure('ixfr-mismatch', `IXFR starts from serial ${soa}, ours is ${ours ?? 'none'}`)
      this.kind = 'ixfr'
      this.zone = copyZone(this.current!)
      return this.startStep(record, soa)
    }
    this.zone = new Zone(this.origin)
    this.zone.add(this.final!)
    this.state = 'axfr'
    this.add(name, type, ttl, data)
  }

  /** An IXFR step begins with the SOA it starts from: it must be the one the copy has now. */
  private startStep(record: ZoneRecord, soa: number): void {
    const at = serialOf(this.zone!.soa)
    if (soa !== at) throw transferFailure('ixfr-mismatch', `IXFR step from serial ${soa}, but the copy is at ${at}`)
    this.zone!.remove(this.zone!.soa!)
    void record
    this.state = 'deleting'
  }
}

/**
 * Removes the record of `zone` whose rdata is `record`'s on the wire (a record read from the wire
 * and the same record read from a zone file may differ in shape, e.g. CAA's `issuerCritical`,
 * but not in their wire form; names compare without case). Returns whether one was there.
 */
function removeRecord(zone: Zone, record: ZoneRecord): boolean {
  const set = zone.rrset(record.name, record.type)
  if (!set) return false
  const want = rdataWire(record)
  const found = set.records.find((r) => {
    const have = rdataWire(r)
    return have.equals(want) || (HAS_NAMES.has(record.type) && have.toString('latin1').toLowerCase() === want.toString('latin1').toLowerCase())
  })
  return found !== undefined && zone.remove(found)
}

const HAS_NAMES = new Set(['NS', 'CNAME', 'PTR', 'DNAME', 'SOA', 'MX', 'SRV', 'NAPTR', 'RP', 'RRSIG', 'NSEC'])

// dns-packet's single-record codec (its typings leave it out).
const answerCodec = (dnsPacket as unknown as { answer: { encode(answer: unknown): Buffer } }).answer

function rdataWire(record: ZoneRecord): Buffer {
  return answerCodec.encode({ name: '.', type: record.type, class: 'IN', ttl: 0, data: record.data })
}

/** A copy of `zone` (the records are shared: they are never changed in place). */
export function copyZone(zone: Zone): Zone {
  const copy = new Zone(zone.origin, { class: zone.class })
  for (const record of zone.eachRecord()) copy.add(record)
  return copy
}

/** The SOA serial of an SOA record. */
export function serialOf(record: ZoneRecord | undefined): number | undefined {
  const serial = (record?.data as { serial?: unknown } | undefined)?.serial
  return typeof serial === 'number' ? serial : undefined
}
