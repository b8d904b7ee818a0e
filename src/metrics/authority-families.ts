/**
 * The {@link Authority}'s families (zones, their serials and queries by rcode and type, the answer
 * cache) and its primary side of zone transfer ({@link TransferPrimary}: transfers out, refusals,
 * NOTIFYs in flight, the IXFR journal). Watching an Authority watches its `transfer` too.
 */
import { Authority } from '../authority/authority.js'
import type { AuthoritySnapshot } from '../authority/authority.js'
import { TransferPrimary } from '../transfer/transfer-primary.js'
import type { TransferPrimarySnapshot } from '../transfer/transfer-primary.js'
import { cacheFamilies } from './cache-families.js'
import type { ComponentKind, FamilySpec, Sample } from './family.js'
import { byKey, counter, gauge } from './family.js'

interface AuthorityReading {
  authority: AuthoritySnapshot
  transfer: TransferPrimarySnapshot
}

function perZone(s: AuthoritySnapshot, authority: string, pick: (z: AuthoritySnapshot['views'][number]['zones'][number], base: Record<string, string>) => Sample[]): Sample[] {
  return s.views.flatMap((v) => v.zones.flatMap((z) => pick(z, { authority, view: v.name, zone: z.origin })))
}

/** The transfer-primary families, for a kind whose snapshot holds one (label `authority`). */
function transferFamilies<S>(of: (s: S) => TransferPrimarySnapshot): FamilySpec<S>[] {
  const journal = (pick: (z: TransferPrimarySnapshot['journal']['zones'][number]) => number | undefined) => (s: S, authority: string): Sample[] =>
    of(s).journal.zones.flatMap((z) => {
      const value = pick(z)
      // The journal's key is the view and the origin, NUL-separated.
      const [view = '', zone = ''] = z.zone.split('\0')
      return value === undefined ? [] : [[{ authority, view, zone }, value] as const]
    })
  return [
    counter('dnsha_transfer_out_total', 'Zone transfers (AXFR and IXFR) served to secondaries.', ['authority'], (s, authority) => [[{ authority }, of(s).transfersOut]]),
    counter('dnsha_transfer_refused_total', 'Zone transfer requests refused (ACL, TSIG).', ['authority'], (s, authority) => [[{ authority }, of(s).refused]]),
    gauge('dnsha_notify_in_flight', 'NOTIFY messages sent and not yet acknowledged.', ['authority'], (s, authority) => [[{ authority }, of(s).notifiesInFlight]]),
    gauge('dnsha_ixfr_journal_entries', 'Differences kept in the IXFR journal.', ['authority', 'view', 'zone'], journal((z) => z.entries)),
    gauge('dnsha_ixfr_journal_bytes', 'Bytes of differences kept in the IXFR journal.', ['authority', 'view', 'zone'], journal((z) => z.bytes)),
    gauge('dnsha_ixfr_journal_newest_serial', 'The newest serial the IXFR journal can serve differences up to.', ['authority', 'view', 'zone'], journal((z) => z.newestSerial)),
  ]
}

/** `Authority` as a watched kind (labels `authority`, `view`, `zone`). */
export const authorityKind: ComponentKind<Authority, AuthorityReading> = {
  kind: 'authority',
  matches: (c): c is Authority => c instanceof Authority,
  snapshot: (c) => ({ authority: c.snapshot(), transfer: c.transfer.snapshot() }),
  families: [
    gauge('dnsha_zone_serial', 'The SOA serial of the zone being served.', ['authority', 'view', 'zone'], (s, authority) =>
      perZone(s.authority, authority, (z, base) => (z.serial === undefined ? [] : [[base, z.serial]]))),
    gauge('dnsha_zone_loaded', '1 while the zone is loaded and answered, 0 while it is not (failed load, secondary without a copy).', ['authority', 'view', 'zone'], (s, authority) =>
      perZone(s.authority, authority, (z, base) => [[base, z.loaded ? 1 : 0]])),
    counter('dnsha_zone_queries_total', 'Queries answered from the zone.', ['authority', 'view', 'zone'], (s, authority) => perZone(s.authority, authority, (z, base) => [[base, z.queries]])),
    counter('dnsha_zone_responses_total', 'Answers from the zone by rcode.', ['authority', 'view', 'zone', 'rcode'], (s, authority) => perZone(s.authority, authority, (z, base) => byKey(base, 'rcode', z.rcodes))),
    counter('dnsha_zone_qtype_queries_total', 'Queries to the zone by question type.', ['authority', 'view', 'zone', 'qtype'], (s, authority) => perZone(s.authority, authority, (z, base) => byKey(base, 'qtype', z.qtypes))),
    counter('dnsha_authority_out_of_zone_queries_total', 'Queries for names in no zone (refused or passed on).', ['authority'], (s, authority) => [[{ authority }, s.authority.outOfZone]]),
    counter('dnsha_authority_chaos_queries_total', 'CHAOS-class identity queries (version.bind, hostname.bind, id.server).', ['authority'], (s, authority) => [[{ authority }, s.authority.chaos]]),
    ...cacheFamilies<AuthorityReading>('authority', (s) => (s.authority.cache === undefined ? undefined : { entries: s.authority.cache.entries, hits: s.authority.cache.hits, misses: s.authority.cache.misses, evictions: s.authority.cache.evictions, bytes: s.authority.cache.bytes })),
    ...transferFamilies<AuthorityReading>((s) => s.transfer),
  ],
}

/** A `TransferPrimary` watched on its own (label `authority`: the name it was watched under). */
export const transferPrimaryKind: ComponentKind<TransferPrimary, TransferPrimarySnapshot> = {
  kind: 'transfer-primary',
  matches: (c): c is TransferPrimary => c instanceof TransferPrimary,
  snapshot: (c) => c.snapshot(),
  families: transferFamilies<TransferPrimarySnapshot>((s) => s),
}
