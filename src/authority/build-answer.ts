/**
 * Turning a {@link Verdict} into message sections: rcode, AA, answer, authority and additional,
 * as NSD does by default (RFC 1034 §4.3.2 step 6 additional processing, RFC 2308 negative
 * answers, RFC 8482 for ANY). No encoding here: the caller encodes and caches.
 */
import type { Answer } from 'dns-packet'
import { RCODE } from '../packet/constants.js'
import type { RRset, Zone, ZoneRecord } from '../zone/zone.js'
import { isSubdomain, lowerName } from './names.js'
import type { Verdict } from './verdict.js'

/** How answers are shaped. */
export interface AnswerPolicy {
  /**
   * Leave the apex NS RRset (and its addresses) out of the authority section of positive
   * answers, as Knot and BIND's `minimal-responses yes` do. Default `false`: like NSD and BIND's
   * default, which add it.
   */
  minimalResponses: boolean
  /** ANY: `'minimal'` answers one RRset (RFC 8482 §4.2); `'full'` answers every RRset at the name. */
  any: 'minimal' | 'full'
  /** The served zone holding a name (longest match), for addresses of NS/MX/SRV targets in other zones. */
  findZone: (name: string) => Zone | undefined
}

/** The sections of an answer. */
export interface AnswerSections {
  rcode: number
  aa: boolean
  answers: Answer[]
  authorities: Answer[]
  additionals: Answer[]
  /** How many leading additionals are in-domain glue of a referral (RFC 9471: leaving any out means TC=1). */
  glue: number
}

/** Builds the sections for `verdict`. */
export function buildAnswer(verdict: Verdict, policy: AnswerPolicy): AnswerSections {
  const answers: Answer[] = []
  for (const set of verdict.chain) pushSet(answers, set)
  const out: AnswerSections = { rcode: RCODE.NOERROR, aa: true, answers, authorities: [], additionals: [], glue: 0 }
  const extra = new Additionals(policy, verdict.finalZone)

  switch (verdict.kind) {
    case 'success': {
      // RFC 8482 ANY: one RRset and nothing else, as NSD answers it.
      if (verdict.qtype === 'ANY' && policy.any === 'minimal') {
        const one = pickOne(verdict.answer)
        pushSet(answers, one)
        extra.answered(one)
        extra.forRRset(one)
        break
      }
      const sets = verdict.answer
      for (const set of sets) pushSet(answers, set)
      for (const set of sets) extra.answered(set)
      for (const set of sets) extra.forRRset(set)
      // DS at a zone cut is the parent's data about the child: NSD adds no apex NS to it.
      if (!policy.minimalResponses && !isDsAtCut(verdict)) addApexNs(out, verdict.finalZone, sets, extra)
      break
    }
    case 'chain-exit':
    case 'chain-loop':
      // The chain alone (NSD adds no authority data when the chain leaves or loops).
      break
    case 'no-data':
    case 'name-error': {
      if (verdict.kind === 'name-error') out.rcode = RCODE.NXDOMAIN
      const soa = negativeSoa(verdict.finalZone)
      if (soa) out.authorities.push(soa)
      break
    }
    case 'delegation': {
      const cut = verdict.delegation!
      // A referral is not authoritative, unless a CNAME of ours led to it (RFC 1034 §4.3.2 step 3b/c).
      out.aa = verdict.chain.length > 0
      pushSet(out.authorities, cut.ns)
      const cutName = lowerName(cut.name)
      for (const rr of cut.ns.records) {
        const target = String(rr.data)
        if (isSubdomain(lowerName(target), cutName)) extra.addresses(target, verdict.finalZone)
      }
      // In-bailiwick glue first, so it is the last to go when the answer must shrink.
      out.glue = extra.freeze()
      for (const rr of cut.ns.records) extra.addresses(String(rr.data))
      break
    }
  }
  out.additionals = extra.list
  return out
}

/** The SOA for a negative answer: TTL = min(SOA TTL, SOA MINIMUM) (RFC 2308 §3). */
export function negativeSoa(zone: Zone): Answer | undefined {
  const soa = zone.soa
  if (!soa) return undefined
  const minimum = Number((soa.data as { minimum?: number }).minimum ?? soa.ttl)
  return { ...(soa as unknown as Answer), ttl: Math.min(soa.ttl, minimum) } as Answer
}

function isDsAtCut(verdict: Verdict): boolean {
  if (verdict.qtype !== 'DS' || verdict.chain.length > 0) return false
  const name = verdict.proof.name
  const zone = verdict.finalZone
  return lowerName(name) !== lowerName(zone.origin) && zone.rrset(name, 'NS') !== undefined
}

/** The apex NS RRset in the authority section, unless the answer already is that RRset. */
function addApexNs(out: AnswerSections, zone: Zone, answered: readonly RRset[], extra: Additionals): void {
  const ns = zone.rrset(zone.origin, 'NS')
  if (!ns) return
  const origin = lowerName(zone.origin)
  if (answered.some((s) => s.type === 'NS' && lowerName(s.name) === origin)) return
  pushSet(out.authorities, ns)
  extra.forRRset(ns)
}

/** RFC 8482 §4.2: one RRset of those at the name; the first in the zone's order (NSD: file order). */
function pickOne(sets: readonly RRset[]): RRset {
  return sets.find((s) => s.type !== 'RRSIG') ?? sets[0]!
}

function pushSet(section: Answer[], set: RRset): void {
  for (const r of set.records) section.push(r as unknown as Answer)
}

/** Additional-section records: every A, then every AAAA (NSD's order), each name once. */
class Additionals {
  private readonly frozen: Answer[] = []
  private a: Answer[] = []
  private aaaa: Answer[] = []
  private readonly seen = new Set<string>()
  private readonly inAnswer = new Set<string>()

  /** The records in order. */
  get list(): Answer[] {
    return [...this.frozen, ...this.a, ...this.aaaa]
  }

  /** Marks an RRset as present in the answer section: its records are not repeated here (as NSD does). */
  answered(set: RRset): void {
    if (set.type === 'A' || set.type === 'AAAA') this.inAnswer.add(`${lowerName(set.name)}|${set.type}`)
  }

  /** Fixes what was added so far as a prefix (referral glue); returns its length. */
  freeze(): number {
    this.frozen.push(...this.a, ...this.aaaa)
    this.a = []
    this.aaaa = []
    return this.frozen.length
  }

  constructor(
    private readonly policy: AnswerPolicy,
    private readonly zone: Zone,
  ) {}

  /** Addresses of the names an RRset points at (NS, MX, SRV), RFC 1034 §3.6.2 / RFC 2782. */
  forRRset(set: RRset): void {
    for (const r of set.records) {
      const target = targetOf(r)
      if (target !== undefined) this.addresses(target)
    }
  }

  /** A and AAAA of `name` from `zone` (glue, occluded data included) or the served zone holding it. */
  addresses(name: string, zone?: Zone): void {
    const key = lowerName(name)
    if (this.seen.has(key)) return
    const holder = zone ?? (this.zone.contains(name) && this.policy.findZone(name) === this.zone ? this.zone : this.policy.findZone(name))
    if (!holder) return
    const node = holder.get(name)
    if (!node) return
    this.seen.add(key)
    const a = node.rrsets.get('A')
    if (a && !this.inAnswer.has(`${key}|A`)) pushSet(this.a, a)
    const aaaa = node.rrsets.get('AAAA')
    if (aaaa && !this.inAnswer.has(`${key}|AAAA`)) pushSet(this.aaaa, aaaa)
  }
}

function targetOf(r: ZoneRecord): string | undefined {
  switch (r.type) {
    case 'NS':
      return typeof r.data === 'string' ? r.data : undefined
    case 'MX':
      return (r.data as { exchange?: string }).exchange
    case 'SRV':
      return (r.data as { target?: string }).target
    default:
      return undefined
  }
}
