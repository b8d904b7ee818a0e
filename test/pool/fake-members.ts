// Members for balancer tests: plain objects whose `up` flag is what `available()` reports.
import type { BalancedMember, BalancePolicy } from '../../src/pool/balancers.js'
import { createBalancer } from '../../src/pool/balancers.js'
import { seededRandom } from '../../src/util/random.js'

/** A balanced member a test can flip up and down and load with queries in flight. */
export interface FakeMember extends BalancedMember {
  key: string
  weight: number
  backup: boolean
  outstanding: number
  up: boolean
}

/** A member called `key`, up, primary, idle, with `weight` (default 1). */
export const member = (key: string, weight = 1, extra: Partial<FakeMember> = {}): FakeMember => ({
  key,
  weight,
  backup: false,
  outstanding: 0,
  up: true,
  available() {
    return this.up
  },
  ...extra,
})

/** A balancer over fake members, its random draws seeded so runs repeat. */
export const balancer = (policy: BalancePolicy) => createBalancer<FakeMember>(policy, { random: seededRandom(7) })
