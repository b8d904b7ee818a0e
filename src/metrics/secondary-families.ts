/**
 * The {@link SecondaryZone}'s families (labels `secondary`, `zone`): the serial served, the
 * primary's serial seen, how long since the copy was last confirmed current, transfers and
 * failures, and the state. The lag needs "now", so the kind is built on the metrics' clock.
 */
import { SecondaryZone } from '../transfer/secondary-zone.js'
import type { SecondaryState, SecondaryZoneSnapshot } from '../transfer/secondary-zone.js'
import type { Clock } from '../util/clock.js'
import type { ComponentKind, Sample } from './family.js'
import { counter, gauge, seconds } from './family.js'

interface SecondaryReading {
  snapshot: SecondaryZoneSnapshot
  now: number
}

const STATES: readonly SecondaryState[] = ['loading', 'serving', 'expired', 'stopped']
const labels = ['secondary', 'zone']
const one = (pick: (r: SecondaryReading) => number | undefined) => (r: SecondaryReading, secondary: string): Sample[] => {
  const value = pick(r)
  return value === undefined ? [] : [[{ secondary, zone: r.snapshot.origin }, value]]
}

/** `SecondaryZone` as a watched kind, reading time from `clock`. */
export function secondaryKind(clock: Clock): ComponentKind<SecondaryZone, SecondaryReading> {
  return {
    kind: 'secondary',
    matches: (c): c is SecondaryZone => c instanceof SecondaryZone,
    snapshot: (c) => ({ snapshot: c.snapshot(), now: clock.now() }),
    families: [
      gauge('dnsha_secondary_serial', 'The serial of the copy the secondary serves.', labels, one((r) => r.snapshot.serial)),
      gauge('dnsha_secondary_primary_serial', 'The serial the primary\'s SOA showed at the last check that reached it.', labels, one((r) => r.snapshot.primarySerial)),
      gauge('dnsha_secondary_lag_seconds', 'Seconds since the copy was last confirmed current (the last successful check or transfer); grows while checks fail.', labels, one((r) => (r.snapshot.lastSuccess === undefined ? undefined : seconds(r.now - r.snapshot.lastSuccess)))),
      gauge('dnsha_secondary_last_success_timestamp_seconds', 'When the last check or transfer succeeded (Unix time).', labels, one((r) => (r.snapshot.lastSuccess === undefined ? undefined : seconds(r.snapshot.lastSuccess)))),
      gauge('dnsha_secondary_expiry_timestamp_seconds', 'When the copy expires (SOA expire after the last success) unless a check succeeds first (Unix time).', labels, one((r) => (r.snapshot.expiresAt === undefined ? undefined : seconds(r.snapshot.expiresAt)))),
      counter('dnsha_secondary_transfers_total', 'Transfers (AXFR or IXFR) that brought a new copy.', labels, one((r) => r.snapshot.transfers)),
      counter('dnsha_secondary_failures_total', 'Checks that failed on every primary.', labels, one((r) => r.snapshot.failures)),
      gauge('dnsha_secondary_state', '1 for the state the secondary is in (loading, serving, expired, stopped), 0 for the others.', [...labels, 'state'], (r, secondary) =>
        STATES.map((state) => [{ secondary, zone: r.snapshot.origin, state }, r.snapshot.state === state ? 1 : 0] as const)),
    ],
  }
}
