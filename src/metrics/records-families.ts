/** The {@link ZoneStore}'s families (labels `store`, `zone`): each zone's serial, size and journal, updates and refusals. */
import { ZoneStore } from '../records/zone-store.js'
import type { ZoneStoreSnapshot } from '../records/zone-store.js'
import type { ComponentKind, Sample } from './family.js'
import { counter, gauge } from './family.js'

const each = (pick: (z: ZoneStoreSnapshot['zones'][number]) => number) => (s: ZoneStoreSnapshot, store: string): Sample[] => s.zones.map((z) => [{ store, zone: z.origin }, pick(z)] as const)
const labels = ['store', 'zone']

/** `ZoneStore` as a watched kind. */
export const recordsKind: ComponentKind<ZoneStore, ZoneStoreSnapshot> = {
  kind: 'store',
  matches: (c): c is ZoneStore => c instanceof ZoneStore,
  snapshot: (c) => c.snapshot(),
  families: [
    gauge('dnsha_records_zone_serial', 'The serial of the zone in the store (raised by every edit).', labels, each((z) => z.serial)),
    gauge('dnsha_records_zone_records', 'Records in the zone.', labels, each((z) => z.records)),
    gauge('dnsha_records_journal_entries', 'Edits in the zone\'s journal since its last snapshot.', labels, each((z) => z.journalEntries)),
    counter('dnsha_records_updates_total', 'Edits acknowledged (API, DNS UPDATE) since the store opened.', ['store'], (s, store) => [[{ store }, s.updates]]),
    counter('dnsha_records_rejected_updates_total', 'Edits refused since the store opened.', ['store'], (s, store) => [[{ store }, s.rejected]]),
  ],
}
