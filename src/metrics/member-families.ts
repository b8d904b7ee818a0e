/**
 * Member families shared by the forwarder's upstreams and the proxy pool's members: one sample per
 * member, labelled `pool` (the name the forwarder or pool was watched under) and `member`
 * (`address#port`).
 */
import type { MemberCounters } from '../pool/member.js'
import type { FamilySpec, Sample } from './family.js'
import { counter, gauge, seconds } from './family.js'

/**
 * One member as the families read it; fields a kind does not keep are left out. The counters
 * are the pool's {@link MemberCounters} (the forwarder keeps no probe count).
 */
export interface MemberView extends Omit<MemberCounters, 'probes'>, Partial<Pick<MemberCounters, 'probes'>> {
  member: string
  up: boolean
  /** Smoothed round-trip time (EWMA), ms; `undefined` until measured. */
  latencyMs: number | undefined
  failures: number
  weight?: number
  outstanding?: number
  backup?: boolean
}

/** The member families for a kind, given how to list its members. */
export function memberFamilies<S>(members: (snapshot: S) => readonly MemberView[]): FamilySpec<S>[] {
  const each = (pick: (m: MemberView) => number | undefined) => (s: S, pool: string): Sample[] => {
    const out: Sample[] = []
    for (const m of members(s)) {
      const value = pick(m)
      if (value !== undefined) out.push([{ pool, member: m.member }, value])
    }
    return out
  }
  const labels = ['pool', 'member']
  return [
    gauge('dnsha_member_up', '1 while the member is asked (up), 0 while it is down.', labels, each((m) => (m.up ? 1 : 0))),
    gauge('dnsha_member_latency_ewma_seconds', 'Smoothed round-trip time of the member\'s answers (EWMA).', labels, each((m) => (m.latencyMs === undefined ? undefined : seconds(m.latencyMs)))),
    gauge('dnsha_member_consecutive_failures', 'Failed exchanges in a row.', labels, each((m) => m.failures)),
    gauge('dnsha_member_weight', 'Relative share of the traffic (0: drained).', labels, each((m) => m.weight)),
    gauge('dnsha_member_backup', '1 for a backup member (asked only when no primary member is up).', labels, each((m) => (m.backup === undefined ? undefined : m.backup ? 1 : 0))),
    gauge('dnsha_member_outstanding_queries', 'Queries sent to the member and not yet answered or expired.', labels, each((m) => m.outstanding)),
    counter('dnsha_member_queries_total', 'Queries sent to the member (probes not included).', labels, each((m) => m.queries)),
    counter('dnsha_member_answers_total', 'Usable answers from the member (any rcode).', labels, each((m) => m.answers)),
    counter('dnsha_member_timeouts_total', 'Queries the member did not answer in time.', labels, each((m) => m.timeouts)),
    counter('dnsha_member_mismatches_total', 'Answers dropped as not matching the query (RFC 5452).', labels, each((m) => m.mismatches)),
    counter('dnsha_member_garbage_total', 'Answers dropped as unparseable.', labels, each((m) => m.garbage)),
    counter('dnsha_member_errors_total', 'Other failed exchanges (network errors, port unreachable).', labels, each((m) => m.errors)),
    counter('dnsha_member_probes_total', 'Probes sent while the member was down.', labels, each((m) => m.probes)),
  ]
}
