/**
 * {@link lookup}: RFC 1034 §4.3.2 over one zone (and, for CNAME chains, the other zones the
 * caller serves), returning a {@link Verdict}. Pure: no I/O, no clock, no message building.
 *
 * The walk goes down from the apex one label at a time; the first node with an NS RRset below
 * the apex is a zone cut (a referral, except for DS at the cut itself, which the parent
 * answers), and the deepest node found is the closest encloser. Empty non-terminals are nodes,
 * so they stop wildcard matching as RFC 4592 §2.2.2 requires.
 */
import { typeKey } from '../packet/types.js'
import type { RRset, Zone, ZoneNode } from '../zone/zone.js'
import { splitLabels } from '../packet/names.js'
import { canonicalName } from '../packet/names.js'
import type { Verdict, VerdictDelegation, VerdictKind, VerdictProof } from './verdict.js'

/** Options of {@link lookup}. */
export interface LookupOptions {
  /**
   * The zone (among those served) that holds a CNAME target, longest match; lets chains cross
   * into sibling zones. Without it chains stop at the zone's edge (`chain-exit`).
   */
  findZone?: (name: string) => Zone | undefined
  /** The most CNAMEs followed before the chain counts as a loop (default 16). */
  maxChain?: number
}

/** Looks `qname`/`qtype` up in `zone` (which must contain `qname`). */
export function lookup(zone: Zone, qname: string, qtype: string, options: LookupOptions = {}): Verdict {
  const maxChain = options.maxChain ?? 16
  // RRsets are keyed by dns-packet's type name ('UNKNOWN_64' for SVCB); accept any spelling.
  const type = typeKey(qtype) ?? qtype.toUpperCase()
  const chain: RRset[] = []
  const visited = new Set<string>()
  let current = zone
  let name = qname
  for (;;) {
    visited.add(canonicalName(name))
    const step = lookupStep(current, name, type)
    const done = (kind: VerdictKind, extra: Partial<Verdict> = {}): Verdict => ({
      kind,
      qname,
      qtype: type,
      zone,
      finalZone: current,
      chain,
      answer: [],
      proof: step.proof,
      ...extra,
    })
    if (step.kind !== 'cname') {
      if (step.kind === 'delegation') return done('delegation', { delegation: step.delegation })
      if (step.kind === 'success') return done('success', { answer: step.answer })
      return done(step.kind)
    }
    chain.push(step.cname)
    const target = cnameTarget(step.cname)
    if (target === undefined || visited.has(canonicalName(target)) || chain.length > maxChain) return done('chain-loop')
    const next = current.contains(target) && !deeperZone(options, current, target) ? current : options.findZone?.(target)
    if (!next) return done('chain-exit')
    current = next
    name = target
  }
}

type Step =
  | { kind: 'success'; answer: RRset[]; proof: VerdictProof }
  | { kind: 'no-data' | 'name-error'; proof: VerdictProof }
  | { kind: 'delegation'; delegation: VerdictDelegation; proof: VerdictProof }
  | { kind: 'cname'; cname: RRset; proof: VerdictProof }

/** One name in one zone: exact match, cut, wildcard, or nothing. */
function lookupStep(zone: Zone, name: string, type: string): Step {
  const labels = splitLabels(name)
  const depth = splitLabels(zone.origin).length
  let node: ZoneNode | undefined = zone.get(zone.origin)
  let encloser = zone.origin
  let matched = depth === labels.length
  for (let k = depth + 1; k <= labels.length; k++) {
    const candidate = labels.slice(labels.length - k).join('.') + '.'
    const found = zone.get(candidate)
    if (!found) break
    node = found
    encloser = candidate
    matched = k === labels.length
    const ns = found.rrsets.get('NS')
    if (ns && !(matched && type === 'DS')) {
      const ds = found.rrsets.get('DS')
      return {
        kind: 'delegation',
        delegation: ds ? { name: candidate, ns, ds } : { name: candidate, ns },
        proof: { name, closestEncloser: candidate },
      }
    }
  }
  if (matched && node) return fromNode(node, name, type, { name, closestEncloser: name })
  const wildcardName = '*.' + (encloser === '.' ? '' : encloser)
  const wildcard = zone.get(wildcardName)
  if (wildcard) return fromNode(wildcard, name, type, { name, closestEncloser: encloser, wildcard: wildcardName })
  return { kind: 'name-error', proof: { name, closestEncloser: encloser } }
}

/** The answer a node gives for `type`, with owners rewritten to `owner` (the name as looked up). */
function fromNode(node: ZoneNode, owner: string, type: string, proof: VerdictProof): Step {
  if (type === 'ANY') {
    if (node.rrsets.size === 0) return { kind: 'no-data', proof }
    return { kind: 'success', answer: [...node.rrsets.values()].map((s) => withOwner(s, owner)), proof }
  }
  const exact = node.rrsets.get(type)
  if (exact) return { kind: 'success', answer: [withOwner(exact, owner)], proof }
  const cname = node.rrsets.get('CNAME')
  if (cname) return { kind: 'cname', cname: withOwner(cname, owner), proof }
  return { kind: 'no-data', proof }
}

/**
 * The node whose A/AAAA RRsets serve as additional data for `name` (an NS, MX or SRV target), as
 * NSD and BIND choose it: from `zone` only, never from another zone; the name's own node, or the
 * wildcard that covers it (RFC 4592 synthesis, the caller rewrites the owner). At or below a zone
 * cut only with `allowGlue` (NS targets: glue, also under another cut), and then only an existing node.
 */
export function addressNode(zone: Zone, name: string, allowGlue: boolean): ZoneNode | undefined {
  if (!zone.contains(name)) return undefined
  const labels = splitLabels(name)
  const depth = splitLabels(zone.origin).length
  if (labels.length === depth) return zone.get(zone.origin)
  let encloser = zone.origin
  for (let k = depth + 1; k <= labels.length; k++) {
    const candidate = labels.slice(labels.length - k).join('.') + '.'
    const found = zone.get(candidate)
    if (!found) break
    if (found.rrsets.has('NS')) return allowGlue ? zone.get(name) : undefined
    if (k === labels.length) return found
    encloser = candidate
  }
  return zone.get('*.' + (encloser === '.' ? '' : encloser))
}

/** The RRset with its owner (and each record's) set to `owner`; the same object when nothing changes. */
export function withOwner(set: RRset, owner: string): RRset {
  if (set.name === owner) return set
  return { ...set, name: owner, records: set.records.map((r) => ({ ...r, name: owner })) }
}

function cnameTarget(set: RRset): string | undefined {
  const data = set.records[0]?.data
  if (typeof data !== 'string' || data === '') return undefined
  return data.endsWith('.') ? data : data + '.'
}

/** True when another served zone is a longer match for `name` than `zone` (a child zone we also serve). */
function deeperZone(options: LookupOptions, zone: Zone, name: string): boolean {
  const found = options.findZone?.(name)
  return found !== undefined && found !== zone
}
