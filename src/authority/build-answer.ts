/**
 * Turning a {@link Verdict} into message sections: rcode, AA, answer, authority and additional,
 * as NSD does by default (RFC 1034 §4.3.2 step 6 additional processing, RFC 2308 negative
 * answers, RFC 8482 for ANY). No encoding here: the caller encodes and caches.
 */
import type { Answer } from 'dns-packet'
import { RCODE } from '../packet/constants.js'
import type { RRset, Zone, ZoneRecord } from '../zone/zone.js'
import { addressNode, withOwner } from './lookup.js'
import { canonicalName, isCanonicalSubdomain } from '../packet/names.js'
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
  const extra = new Additionals(verdict.finalZone)

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
      const cutName = canonicalName(cut.name)
      for (const rr of cut.ns.records) {
        const target = String(rr.data)
        if (isCanonicalSubdomain(canonicalName(target), cutName)) extra.addresses(target, true)
      }
      // In-bailiwick glue first, so it is the last to go when the answer must shrink. Then the
      // other NS targets the zone has addresses for (sibling glue included, as NSD and BIND add it).
      out.glue = extra.freeze()
      extra.forRRset(cut.ns)
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
  return canonicalName(name) !== canonicalName(zone.origin) && zone.rrset(name, 'NS') !== undefined
}

/** The apex NS RRset in the authority section, unless the answer already is that RRset. */
function addApexNs(out: AnswerSections, zone: Zone, answered: readonly RRset[], extra: Additionals): void {
  const ns = zone.rrset(zone.origin, 'NS')
  if (!ns) return
  const origin = canonicalName(zone.origin)
  if (answered.some((s) => s.type === 'NS' && canonicalName(s.name) === origin)) return
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

/**
 * Additional-section records: every A, then every AAAA (NSD's order), each name once. Addresses
 * come from the answering zone only, as NSD and BIND take them (see {@link addressNode}).
 */
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
    if (set.type === 'A' || set.type === 'AAAA') this.inAnswer.add(`${canonicalName(set.name)}|${set.type}`)
  }

  /** Fixes what was added so far as a prefix (referral glue); returns its length. */
  freeze(): number {
    this.frozen.push(...this.a, ...this.aaaa)
    this.a = []
    this.aaaa = []
    return this.frozen.length
  }

  constructor(private readonly zone: Zone) {}

  /** Addresses of the names an RRset points at (NS, MX, SRV), RFC 1034 §3.6.2 / RFC 2782; only NS targets may use glue. */
  forRRset(set: RRset): void {
    for (const r of set.records) {
      const target = targetOf(r)
      if (target !== undefined) this.addresses(target, r.type === 'NS')
    }
  }

  /** A and AAAA of `name` from the answering zone: its node (glue too with `allowGlue`) or the wildcard covering it. */
  addresses(name: string, allowGlue: boolean): void {
    const key = canonicalName(name)
    if (this.seen.has(key)) return
    const node = addressNode(this.zone, name, allowGlue)
    if (!node) return
    this.seen.add(key)
    const a = node.rrsets.get('A')
    if (a && !this.inAnswer.has(`${key}|A`)) pushSet(this.a, ownedBy(a, name, key))
    const aaaa = node.rrsets.get('AAAA')
    if (aaaa && !this.inAnswer.has(`${key}|AAAA`)) pushSet(this.aaaa, ownedBy(aaaa, name, key))
  }
}

/** The RRset as data for `name`: a wildcard's records get `name` as owner (RFC 4592 §2.1.2). */
function ownedBy(set: RRset, name: string, key: string): RRset {
  return canonicalName(set.name) === key ? set : withOwner(set, name.endsWith('.') ? name : name + '.')
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
