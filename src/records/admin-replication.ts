/**
 * The replication state the admin API shows: what each secondary was last told (NOTIFY) and
 * answered, and what it last transferred, gathered from the events of an Authority's
 * transfer side (its snapshot holds only totals).
 */
import type { TransferPrimary } from '../transfer/transfer-primary.js'
import type { Clock } from '../util/clock.js'

/** One secondary of one zone, as last seen. Times are the clock's milliseconds. */
export interface ReplicaState {
  address: string
  port: number
  /** The serial of the last NOTIFY sent to it, and when. */
  notifiedSerial?: number
  notifiedAt?: number
  /** The serial of the last NOTIFY it acknowledged, when, and how long it took. */
  ackedSerial?: number
  ackedAt?: number
  ackMs?: number
  /** Why the last NOTIFY failed (no answer after every retry, or refused), if it did. */
  lastFailure?: string
  /** The last transfer it made: serial sent, IXFR/AXFR/SOA, when. */
  transferredSerial?: number
  transferKind?: 'axfr' | 'ixfr' | 'soa'
  transferredAt?: number
}

/** The secondaries of one zone. */
export interface ZoneReplication {
  origin: string
  secondaries: ReplicaState[]
}

/** Keeps {@link ReplicaState} per zone and secondary from a {@link TransferPrimary}'s events. */
export class ReplicationTracker {
  private readonly zones = new Map<string, Map<string, ReplicaState>>()
  private readonly detach: () => void

  constructor(transfer: Pick<TransferPrimary, 'on' | 'off'>, private readonly clock: Clock) {
    const sent = (e: { zone: string; serial: number; target: { address: string; port: number } }): void => {
      const s = this.state(e.zone, e.target.address, e.target.port)
      s.notifiedSerial = e.serial
      s.notifiedAt = this.clock.now()
    }
    const acked = (e: { zone: string; serial: number; target: { address: string; port: number }; ms: number }): void => {
      const s = this.state(e.zone, e.target.address, e.target.port)
      s.ackedSerial = e.serial
      s.ackedAt = this.clock.now()
      s.ackMs = e.ms
      delete s.lastFailure
    }
    const failed = (e: { zone: string; target: { address: string; port: number }; reason: string }): void => {
      this.state(e.zone, e.target.address, e.target.port).lastFailure = e.reason
    }
    const out = (e: { zone: string; serial: number; kind: 'axfr' | 'ixfr' | 'soa'; client: { address: string; port: number } }): void => {
      // A transfer comes from an ephemeral port: a secondary is known by its address, and the
      // transfer is put on the NOTIFY target with that address when there is one.
      const zone = this.zoneMap(e.zone)
      let s = [...zone.values()].find((x) => x.address === e.client.address)
      if (s === undefined) s = this.state(e.zone, e.client.address, 0)
      s.transferredSerial = e.serial
      s.transferKind = e.kind
      s.transferredAt = this.clock.now()
    }
    transfer.on('notify-sent', sent)
    transfer.on('notify-acked', acked)
    transfer.on('notify-failed', failed)
    transfer.on('transfer-out', out)
    this.detach = () => {
      transfer.off('notify-sent', sent)
      transfer.off('notify-acked', acked)
      transfer.off('notify-failed', failed)
      transfer.off('transfer-out', out)
    }
  }

  /** The secondaries of `origin` (case-insensitive), in the order first seen. */
  zone(origin: string): ZoneReplication {
    const zone = this.zones.get(origin.toLowerCase())
    return { origin, secondaries: zone === undefined ? [] : [...zone.values()].map((s) => ({ ...s })) }
  }

  /** Stops listening. */
  close(): void {
    this.detach()
  }

  private zoneMap(origin: string): Map<string, ReplicaState> {
    const key = origin.toLowerCase()
    let zone = this.zones.get(key)
    if (zone === undefined) this.zones.set(key, (zone = new Map()))
    return zone
  }

  private state(origin: string, address: string, port: number): ReplicaState {
    const zone = this.zoneMap(origin)
    const key = `${address}#${port}`
    let s = zone.get(key)
    if (s === undefined) zone.set(key, (s = { address, port }))
    return s
  }
}
