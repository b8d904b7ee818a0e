/**
 * An in-memory stand-in for ZoneStore with the same public shape (records-common contract):
 * updates serialised, all or nothing, checked with checkZone, serial incremented, `updated` and
 * `rejected` events. Used by the admin API tests where the journal is beside the point.
 */
import { EventEmitter } from 'eventemitter3'
import { DnsHaError } from '../../src/util/errors.js'
import { checkZone, isSubdomain, Zone } from '../../src/zone/index.js'
import type { AdminRecordChange, AdminStore, AdminUpdateResult } from '../../src/records/index.js'

export interface FakeStoreEvents {
  updated: (e: AdminUpdateResult & { source: string | undefined }) => void
  rejected: (e: { origin: string; reason: string; code: string; source: string | undefined }) => void
}

export class FakeStore extends EventEmitter<FakeStoreEvents> implements AdminStore {
  private readonly zones = new Map<string, Zone>()
  private chain: Promise<unknown> = Promise.resolve()
  private updates = 0
  private rejectedCount = 0

  constructor(zones: Zone[]) {
    super()
    for (const z of zones) this.zones.set(z.origin, z)
  }

  origins(): string[] {
    return [...this.zones.keys()]
  }

  zone(origin: string): Zone {
    const z = this.zones.get(origin)
    if (z === undefined) throw new DnsHaError('ERR_RECORDS_UNKNOWN_ZONE', `unknown zone ${origin}`)
    return z
  }

  serial(origin: string): number {
    return (this.zone(origin).soa!.data as { serial: number }).serial
  }

  update(origin: string, changes: AdminRecordChange[], options: { ifSerial?: number; source?: string } = {}): Promise<AdminUpdateResult> {
    return this.serialise(origin, options, () => {
      const next = copy(this.zone(origin))
      for (const ch of changes) {
        const name = ch.op === 'add' || ch.op === 'delete' ? ch.record.name : ch.name
        if (!isSubdomain(name, origin)) throw new DnsHaError('ERR_RECORDS_NOTZONE', `${name} is not in ${origin}`)
        if (ch.op === 'add') next.add(ch.record)
        else if (ch.op === 'delete') next.remove(ch.record)
        else if (ch.op === 'delete-rrset') for (const r of [...(next.rrset(ch.name, ch.type)?.records ?? [])]) next.remove(r)
        else for (const set of [...(next.get(ch.name)?.rrsets.values() ?? [])]) for (const r of [...set.records]) next.remove(r)
      }
      return { zone: next, changes }
    })
  }

  replaceZone(origin: string, zone: Zone, options: { ifSerial?: number; source?: string } = {}): Promise<AdminUpdateResult> {
    return this.serialise(origin, options, () => ({ zone: copy(zone), changes: [] }))
  }

  snapshot(): { zones: { origin: string; serial: number; records: number; journalEntries: number }[]; updates: number; rejected: number } {
    return {
      zones: this.origins().map((o) => ({ origin: o, serial: this.serial(o), records: this.zone(o).size, journalEntries: 0 })),
      updates: this.updates,
      rejected: this.rejectedCount,
    }
  }

  private serialise(origin: string, options: { ifSerial?: number; source?: string }, build: () => { zone: Zone; changes: AdminRecordChange[] }): Promise<AdminUpdateResult> {
    const run = async (): Promise<AdminUpdateResult> => {
      await new Promise((resolve) => setImmediate(resolve)) // the store's fsync
      try {
        const previousSerial = this.serial(origin)
        if (options.ifSerial !== undefined && options.ifSerial !== previousSerial) {
          throw new DnsHaError('ERR_RECORDS_CONFLICT', `serial is ${previousSerial}, not ${options.ifSerial}`, { details: { serial: previousSerial } })
        }
        const { zone, changes } = build()
        const soa = zone.soa
        if (soa === undefined) throw new DnsHaError('ERR_RECORDS_INVALID', 'the zone would have no SOA')
        const serial = (previousSerial + 1) >>> 0
        zone.remove(soa)
        zone.add({ ...soa, data: { ...soa.data, serial } })
        const check = checkZone(zone)
        if (!check.ok) throw new DnsHaError('ERR_RECORDS_INVALID', check.findings.find((f) => f.severity === 'error')!.message)
        this.zones.set(origin, zone)
        this.updates++
        const result = { origin, previousSerial, serial, changes }
        this.emit('updated', { ...result, source: options.source })
        return result
      } catch (e) {
        this.rejectedCount++
        this.emit('rejected', { origin, reason: (e as Error).message, code: (e as DnsHaError).code, source: options.source })
        throw e
      }
    }
    const p = this.chain.then(run, run)
    this.chain = p.catch(() => undefined)
    return p
  }
}

function copy(zone: Zone): Zone {
  const next = new Zone(zone.origin, { class: zone.class })
  for (const r of zone.eachRecord()) next.add({ ...r })
  return next
}
