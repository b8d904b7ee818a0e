/**
 * {@link ViewMatcher}: which of the Authority's views a query belongs to (BIND `match-clients`,
 * `match-keys`, and EDNS Client Subnet), the first view that matches winning.
 */
import type { PlainQuery } from '../server/plain-query.js'
import type { DnsQuery } from '../server/query.js'
import type { ClientSubnet, CompiledViewMatch, ViewMatchSpec } from './client-match.js'
import { compileViewMatch, readClientSubnet } from './client-match.js'

/** The view list's matching part. */
export class ViewMatcher {
  /** One view that takes everyone: no per-query matching at all. */
  readonly singleOpen: boolean
  /** The ECS option of the last {@link select}ed query (only read when some view matches on ECS). */
  ecs: ClientSubnet | undefined
  /** Whether the ECS option took part in the last {@link select} (the answer's scope says so). */
  ecsUsed = false
  private readonly tests: CompiledViewMatch[]
  private readonly needEcs: boolean

  /** `specs[i]` is view number `i`'s criteria (absent: every client). */
  constructor(specs: readonly (ViewMatchSpec | undefined)[]) {
    this.tests = specs.map((m, i) => compileViewMatch(m, `views[${i}].match`))
    this.needEcs = specs.some((m) => m?.ecs !== undefined)
    const m = specs[0]
    this.singleOpen = specs.length === 1 && !m?.clients && !m?.keys && !m?.ecs
  }

  /** The number of the first view matching `query` (source address, verified TSIG key, ECS), or -1. */
  select(query: DnsQuery): number {
    this.ecsUsed = false
    this.ecs = undefined
    if (this.singleOpen) return 0
    const ecs = this.needEcs ? readClientSubnet(query) : undefined
    this.ecs = ecs
    // Only a key the server verified counts (`query.tsig`); a key name alone selects nothing.
    const key = query.tsig?.keyName
    const tests = this.tests
    for (let i = 0; i < tests.length; i++) {
      const r = tests[i]!(query, ecs, key)
      if (r.usedEcs) this.ecsUsed = true
      if (r.matched) return i
    }
    return -1
  }

  /**
   * The view of a plain query, or -1. A plain query has no TSIG and no ECS option, so the client's
   * address alone picks the view, as it would on the full path.
   */
  selectPlain(query: PlainQuery): number {
    if (this.singleOpen) return 0
    const tests = this.tests
    for (let i = 0; i < tests.length; i++) if (tests[i]!(query, undefined, undefined).matched) return i
    return -1
  }
}
