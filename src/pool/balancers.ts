/**
 * Balancers: which member takes one query, for pools that spread load rather than ask in order
 * (the UDP proxy pool; the forwarder's strategies live in strategies.ts). Each policy is the one
 * its peers use: nginx's smooth weighted round robin, least outstanding (nginx `least_conn`,
 * LVS `lc`), a consistent hash of the client address (nginx `hash ... consistent`, LVS `sh`),
 * random with two choices (dnsdist's and Envoy's P2C), and first available in order (LVS
 * active/standby). Backups are asked only when no primary member is available.
 */
import { DnsHaError } from '../util/errors.js'
import type { Random } from '../util/random.js'

/** The policy names. */
export type BalancePolicy = 'round-robin' | 'least-outstanding' | 'hash' | 'random-two' | 'first'

/** What a balancer reads of a member. */
export interface BalancedMember {
  /** Stable identity (`address#port`); the hash ring and round-robin state are keyed on it. */
  readonly key: string
  /** Relative share; 0 drains the member (asked only when nothing with weight is available). */
  readonly weight: number
  /** Asked only when no primary member is available. */
  readonly backup: boolean
  /** Queries sent to it and not yet answered or given up. */
  readonly outstanding: number
  /** Whether it may be asked now (not down, not administratively down, not resting after failures). */
  available(now: number): boolean
}

/** Picks a member per query. */
export interface Balancer<M extends BalancedMember = BalancedMember> {
  readonly policy: BalancePolicy
  /**
   * The member for one query from `client` (an address; the hash policy keys on it), skipping
   * those in `exclude` (already tried for this query); `undefined` when none is available.
   */
  pick(members: readonly M[], client: string, now: number, exclude?: ReadonlySet<M>): M | undefined
}

/** Options for {@link createBalancer}. */
export interface BalancerOptions {
  /** Draws for `random-two` (and nothing else). */
  random: Random
}

/** The balancer for `policy`. */
export function createBalancer<M extends BalancedMember>(policy: BalancePolicy, options: BalancerOptions): Balancer<M> {
  switch (policy) {
    case 'round-robin':
      return new SmoothRoundRobin<M>()
    case 'least-outstanding':
      return new LeastOutstanding<M>()
    case 'hash':
      return new ConsistentHash<M>()
    case 'random-two':
      return new RandomTwo<M>(options.random)
    case 'first':
      return { policy: 'first', pick: (members, _client, now, exclude) => eligible(members, now, exclude)[0] }
    default:
      throw new DnsHaError('ERR_CONFIG', `unknown balancing policy ${JSON.stringify(policy)}`)
  }
}

/**
 * nginx's smooth weighted round robin: each pick adds every candidate's weight to its running
 * score and takes the highest, which then gives back the total. Weights 5:1:1 come out as
 * a a b a c a a, never five a's in a row.
 */
class SmoothRoundRobin<M extends BalancedMember> implements Balancer<M> {
  readonly policy = 'round-robin'
  private readonly current = new Map<string, number>()

  pick(members: readonly M[], _client: string, now: number, exclude?: ReadonlySet<M>): M | undefined {
    const candidates = eligible(members, now, exclude)
    let best: M | undefined
    let bestScore = -Infinity
    let total = 0
    for (const m of candidates) {
      // Drained members (weight 0) are only ever alone here; give them a share of 1 so they rotate.
      const weight = m.weight > 0 ? m.weight : 1
      const score = (this.current.get(m.key) ?? 0) + weight
      this.current.set(m.key, score)
      total += weight
      if (score > bestScore) {
        best = m
        bestScore = score
      }
    }
    if (best) this.current.set(best.key, bestScore - total)
    if (this.current.size > members.length * 2) this.forgetRemoved(members)
    return best
  }

  /** Scores of members no longer in the pool would otherwise pile up as members come and go. */
  private forgetRemoved(members: readonly M[]): void {
    const keys = new Set(members.map((m) => m.key))
    for (const key of this.current.keys()) if (!keys.has(key)) this.current.delete(key)
  }
}

/**
 * Fewest queries in flight relative to weight (nginx `least_conn`, LVS `wlc`); ties rotate, so
 * an idle pool still spreads its load.
 */
class LeastOutstanding<M extends BalancedMember> implements Balancer<M> {
  readonly policy = 'least-outstanding'
  private turn = 0

  pick(members: readonly M[], _client: string, now: number, exclude?: ReadonlySet<M>): M | undefined {
    const candidates = eligible(members, now, exclude)
    const n = candidates.length
    if (n === 0) return undefined
    const start = this.turn++ % n
    let best = candidates[start]!
    for (let i = 1; i < n; i++) {
      const m = candidates[(start + i) % n]!
      // a/wa < b/wb without division: a*wb < b*wa.
      if (m.outstanding * share(best) < best.outstanding * share(m)) best = m
    }
    return best
  }
}

/**
 * A consistent hash of the client address over a ring of points (160 per unit of weight, as
 * nginx's `hash ... consistent` and ketama). The ring holds every member of the tier, available
 * or not, and a lookup walks on past unavailable ones: a member going down moves only its own
 * clients, and they come back to it when it returns.
 */
class ConsistentHash<M extends BalancedMember> implements Balancer<M> {
  readonly policy = 'hash'
  private rings = new Map<string, Ring<M>>()

  pick(members: readonly M[], client: string, now: number, exclude?: ReadonlySet<M>): M | undefined {
    const point = hash32(client)
    for (const tier of tiers(members)) {
      const found = this.ring(tier).walk(point, (m) => m.available(now) && !exclude?.has(m))
      if (found) return found
    }
    return undefined
  }

  private ring(tier: readonly M[]): Ring<M> {
    const signature = tier.map((m) => `${m.key}*${m.weight}`).join(' ')
    let ring = this.rings.get(signature)
    if (!ring) {
      // Tiers change rarely (membership, weights); keep the two or three recent ones.
      if (this.rings.size >= 8) this.rings = new Map()
      ring = new Ring(tier)
      this.rings.set(signature, ring)
    }
    return ring
  }
}

/** Points on a 32-bit circle, each owned by a member, sorted for binary search. */
class Ring<M extends BalancedMember> {
  private readonly points: Uint32Array
  private readonly owners: M[]

  constructor(tier: readonly M[]) {
    const entries: { point: number; member: M }[] = []
    for (const m of tier) {
      const count = POINTS_PER_WEIGHT * Math.max(1, m.weight)
      for (let i = 0; i < count; i++) entries.push({ point: hash32(`${m.key}-${i}`), member: m })
    }
    entries.sort((a, b) => a.point - b.point)
    this.points = Uint32Array.from(entries, (e) => e.point)
    this.owners = entries.map((e) => e.member)
  }

  /** The first owner clockwise from `point` that `accept`s. */
  walk(point: number, accept: (m: M) => boolean): M | undefined {
    const n = this.points.length
    let lo = 0
    let hi = n
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.points[mid]! < point) lo = mid + 1
      else hi = mid
    }
    const seen = new Set<M>()
    for (let i = 0; i < n; i++) {
      const m = this.owners[(lo + i) % n]!
      if (seen.has(m)) continue
      if (accept(m)) return m
      seen.add(m)
    }
    return undefined
  }
}

/** Two candidates drawn by weight; the one with fewer queries in flight (per weight) wins. */
class RandomTwo<M extends BalancedMember> implements Balancer<M> {
  readonly policy = 'random-two'

  constructor(private readonly random: Random) {}

  pick(members: readonly M[], _client: string, now: number, exclude?: ReadonlySet<M>): M | undefined {
    const candidates = eligible(members, now, exclude)
    if (candidates.length <= 1) return candidates[0]
    const a = this.draw(candidates, undefined)
    const b = this.draw(candidates, a)
    return b.outstanding * share(a) < a.outstanding * share(b) ? b : a
  }

  /** One candidate with probability proportional to its weight, `not` left out. */
  private draw(candidates: readonly M[], not: M | undefined): M {
    let total = 0
    for (const m of candidates) if (m !== not) total += share(m)
    let r = this.random.int(total)
    for (const m of candidates) {
      if (m === not) continue
      r -= share(m)
      if (r < 0) return m
    }
    return candidates.find((m) => m !== not)!
  }
}

const POINTS_PER_WEIGHT = 160

/**
 * The members a query may go to, best tier first: primaries with weight; else backups with
 * weight; else anything available (drained members are a last resort, not a hole).
 */
function eligible<M extends BalancedMember>(members: readonly M[], now: number, exclude: ReadonlySet<M> | undefined): M[] {
  // Made only when a member lands in them: a proxy picks once per query, and most pools have no
  // backups or drained members.
  let primaries: M[] | undefined
  let backups: M[] | undefined
  let drained: M[] | undefined
  for (const m of members) {
    if (exclude?.has(m) || !m.available(now)) continue
    if (m.weight <= 0) (drained ??= []).push(m)
    else if (m.backup) (backups ??= []).push(m)
    else (primaries ??= []).push(m)
  }
  return primaries ?? backups ?? drained ?? []
}

/** The hash tiers in the order they are tried: primaries, backups, drained. */
function tiers<M extends BalancedMember>(members: readonly M[]): M[][] {
  const primaries = members.filter((m) => m.weight > 0 && !m.backup)
  const backups = members.filter((m) => m.weight > 0 && m.backup)
  const drained = members.filter((m) => m.weight <= 0)
  return [primaries, backups, drained].filter((t) => t.length > 0)
}

/** A member's weight as a share (drained members count as 1 among themselves). */
function share(m: BalancedMember): number {
  return m.weight > 0 ? m.weight : 1
}

/** FNV-1a over the UTF-16 code units, then a murmur3 finalizer to spread nearby inputs. */
function hash32(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}
