/**
 * Checking an update by what it touched. `checkZone` walks the whole zone; after an update only
 * some of its findings can change, so the store checks a small zone holding just those:
 *
 * - every error `checkZone` reports is named by a node and depends only on that node's records
 *   (SOA not at the apex, CNAME beside other data, several CNAMEs, class), except the apex's
 *   (SOA and NS present, and each apex NS target: not a CNAME, has an address unless below a
 *   delegation), which depend on the apex node, the target nodes and the highest delegation
 *   above each target;
 * - so the errors of the touched nodes, the apex, the apex NS targets and those delegations,
 *   checked in a zone holding only those nodes (each whole), are exactly the whole zone's errors
 *   for those names, and the errors of every other name are the ones it had before.
 *
 * Warnings are not the store's concern (an update is refused only for new errors).
 */
import { canonicalName } from '../packet/names.js'
import type { ZoneDifference } from '../transfer/zone-diff.js'
import { checkZone } from '../zone/check.js'
import type { ZoneFinding } from '../zone/check.js'
import { Zone } from '../zone/zone.js'

/** The errors of the names an update touched, and those names (canonical). */
export interface RegionCheck {
  /** Error findings of the checked names, as `checkZone` of the whole zone reports them. */
  errors: ZoneFinding[]
  /** The canonical names whose errors `errors` gives in full. */
  names: Set<string>
  /** A zone of just those names' nodes, whole (for per-name checks such as the zone limits). */
  region: Zone
}

/** Checks the part of `zone` an update with `difference` could have changed (see the module comment). */
export function checkTouched(zone: Zone, difference: ZoneDifference): RegionCheck {
  const apex = canonicalName(zone.origin)
  const names = new Set<string>([apex])
  for (const r of difference.deleted) names.add(canonicalName(r.name))
  for (const r of difference.added) names.add(canonicalName(r.name))
  for (const ns of zone.rrset(zone.origin, 'NS')?.records ?? []) {
    if (typeof ns.data !== 'string' || !zone.contains(ns.data)) continue
    names.add(canonicalName(ns.data))
    const cut = zone.delegationAbove(ns.data)
    if (cut !== undefined) names.add(canonicalName(cut.name))
  }
  const region = new Zone(zone.origin, { class: zone.class })
  for (const name of names) {
    for (const set of zone.get(name)?.rrsets.values() ?? []) for (const r of set.records) region.add(r)
  }
  return { errors: checkZone(region).findings.filter((f) => f.severity === 'error'), names, region }
}

/** The identity of a finding across checks: its code and the name it is about. */
export function findingKey(f: ZoneFinding): string {
  return `${f.code} ${canonicalName(f.name)}`
}

/** The name part of a {@link findingKey}. */
export function findingName(key: string): string {
  return key.slice(key.indexOf(' ') + 1)
}
