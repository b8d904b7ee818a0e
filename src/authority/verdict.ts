/**
 * The verdict of a lookup: what the zone data says about a question, before any message is
 * built (STYLE.md "pure core, thin shell"). It carries enough to add DNSSEC proofs later
 * (closest encloser, the wildcard used, the DS at a cut) without changing its shape.
 */
import type { RRset, Zone } from '../zone/zone.js'

/**
 * What the lookup found for the last name of the chain:
 * - `success`: RRsets of the asked type (or all of them for ANY) at the name;
 * - `no-data`: the name exists, the type does not (RFC 2308 NODATA);
 * - `name-error`: the name does not exist (NXDOMAIN);
 * - `delegation`: the name is at or below a zone cut: a referral;
 * - `chain-exit`: a CNAME led out of every zone this authority serves;
 * - `chain-loop`: a CNAME chain came back to a name already visited, or grew too long.
 */
export type VerdictKind = 'success' | 'no-data' | 'name-error' | 'delegation' | 'chain-exit' | 'chain-loop'

/** Where the last name sits in its zone, for negative and wildcard proofs (NSEC/NSEC3 later). */
export interface VerdictProof {
  /** The last name looked up (the query name, or the last CNAME target). */
  name: string
  /** The longest existing ancestor of `name` (itself when it exists). */
  closestEncloser: string
  /** The wildcard owner (`*.<closest encloser>`) an answer was synthesized from, if any. */
  wildcard?: string
}

/** A referral: the zone cut and what the parent holds there. */
export interface VerdictDelegation {
  /** The owner of the cut. */
  name: string
  ns: RRset
  /** The DS RRset at the cut, when the parent has one (signed referrals, later). */
  ds?: RRset
}

/** The outcome of {@link lookup}. */
export interface Verdict {
  kind: VerdictKind
  /** The question name as asked (case kept). */
  qname: string
  /** The question type name (`'A'`, `'ANY'`). */
  qtype: string
  /** The zone the lookup started in: it decides AA and owns the counters. */
  zone: Zone
  /** The zone of the last step: its SOA goes into negative answers. */
  finalZone: Zone
  /** CNAME RRsets followed, in order; owners are the names looked up (wildcard-synthesized ones rewritten). */
  chain: RRset[]
  /** For `success`: the RRsets at the last name, owners rewritten to the name looked up. */
  answer: RRset[]
  /** For `delegation`: the cut. */
  delegation?: VerdictDelegation
  proof: VerdictProof
}
