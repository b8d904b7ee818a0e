/**
 * Balancers: which member takes one query, for pools that spread load rather than ask in order
 * (the UDP proxy pool; the forwarder's strategies live in strategies.ts). Each policy is the one
 * its peers use: nginx's smooth weighted round robin, least outstanding (nginx `least_conn`,
 * LVS `lc`), a consistent hash of the client address (nginx `hash ... consistent`, LVS `sh`),
 * random with two choices (dnsdist's and Envoy's P2C), and first available in order (LVS
 * active/standby). Backups are asked only when no primary member is available.
 */
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
