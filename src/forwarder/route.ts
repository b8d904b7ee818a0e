/**
 * {@link Router}: what the forwarder does with one question, decided from the local tables alone:
 * answer it here (hosts, `address=` rules, the names kept local) or forward it, and to which
 * upstreams. Hosts come first, then dnsmasq's per-domain rules, then `domainNeeded` and
 * `bogusPriv`; everything else goes to the default upstreams.
 */
import type { RcodeName } from '../packet/constants.js'
import { CLASS, FLAG, RCODE, TYPE } from '../packet/constants.js'
import type { PoolMember, UpstreamPool } from '../pool/index.js'
import type { DomainRules } from './domain-rules.js'
import type { LocalRecords, LocalTable } from './local-table.js'
import { isBareName, isPrivateReverse } from './names.js'
import { rcodeNumber } from './option-checks.js'
import type { UpstreamServer } from './parse-resolv-conf.js'
import type { ResponseInfo } from '../packet/response-info.js'

/** Where a question goes: upstreams in order and the rcodes that mean "next one". */
export interface Route {
  readonly kind: 'forward'
  upstreams: PoolMember[]
  fallback: ReadonlySet<number>
}

/** A question answered here, without asking anyone. */
export interface LocalAnswer {
  readonly kind: 'answer'
  source: 'hosts' | 'rule' | 'local'
  /** Header flags of the answer (AA for hosts and rule answers). */
  flags: number
  rcode: number
  records: LocalRecords | undefined
}

/** What to do with a question. */
export type Decision = LocalAnswer | Route

/** What the router is configured with. */
export interface RouterOptions {
  rules: DomainRules
  /** The rcodes that mean "ask the next upstream" unless a route sets its own. */
  fallback: ReadonlySet<number>
  domainNeeded: boolean
  bogusPriv: boolean
}

/** The routing tables; `replace` swaps in new hosts data and default upstreams in one step. */
export class Router {
  private defaultRoute: Route
  private readonly routes = new Map<string, Route>()
  private rules: DomainRules

  constructor(
    private readonly options: RouterOptions,
    private readonly pool: UpstreamPool<ResponseInfo>,
    private local: LocalTable,
    defaultServers: readonly UpstreamServer[],
  ) {
    this.defaultRoute = { kind: 'forward', upstreams: defaultServers.map((s) => pool.get(s)), fallback: options.fallback }
    this.rules = options.rules
  }

  /** The hosts table in use. */
  get localTable(): LocalTable {
    return this.local
  }

  /** The default upstreams in order. */
  get defaultUpstreams(): readonly PoolMember[] {
    return this.defaultRoute.upstreams
  }

  /** The decision for a canonical (lower-case, absolute) name, type and class. */
  decide(name: string, qtype: number, qclass: number): Decision {
    if (qclass === CLASS.IN) {
      const records = this.local.lookup(name, qtype)
      if (records) return { kind: 'answer', source: 'hosts', flags: FLAG.AA, rcode: RCODE.NOERROR, records }
    }
    const rule = this.rules.match(name)
    if (rule) {
      if (rule.kind === 'address') {
        const records = qtype === TYPE.A ? rule.a : qtype === TYPE.AAAA ? rule.aaaa : qtype === TYPE.ANY ? rule.any : undefined
        if (records) return { kind: 'answer', source: 'rule', flags: FLAG.AA, rcode: RCODE.NOERROR, records }
      } else if (rule.kind === 'nxdomain') {
        return this.notForwarded(name)
      } else if (rule.kind === 'servers') {
        return this.routes.get(rule.domain) ?? this.routeFor(rule.domain, rule.servers, rule.fallbackRcodes)
      }
    } else {
      if (this.options.domainNeeded && isBareName(name)) return this.notForwarded(name)
      if (this.options.bogusPriv && qtype === TYPE.PTR && isPrivateReverse(name)) {
        return { kind: 'answer', source: 'local', flags: FLAG.AA, rcode: RCODE.NXDOMAIN, records: undefined }
      }
    }
    return this.defaultRoute
  }

  /**
   * Whether a canonical name exists here: a hosts name, a name with hosts names below it, or a
   * name under an `address=` rule with addresses (dnsmasq 2.90's test before it turns an
   * upstream NXDOMAIN into NODATA). `server=` and `local=` domains do not make names exist.
   */
  existsLocally(name: string): boolean {
    return this.local.has(name) || this.rules.match(name)?.kind === 'address'
  }

  /**
   * Swaps in a new hosts table and default upstreams (and, when given, new domain rules: a
   * re-read servers-file), and lets the pool forget upstreams no route uses any more.
   */
  replace(local: LocalTable, defaultServers: readonly UpstreamServer[], rules?: DomainRules): void {
    this.local = local
    if (rules) {
      this.rules = rules
      this.routes.clear()
    }
    this.defaultRoute = { kind: 'forward', upstreams: defaultServers.map((s) => this.pool.get(s)), fallback: this.options.fallback }
    const keep = new Set<string>(this.defaultRoute.upstreams.map((u) => u.key))
    for (const route of this.routes.values()) for (const u of route.upstreams) keep.add(u.key)
    // Upstreams of the new rules keep their pool state (health, latency) across the swap.
    if (rules) for (const s of rules.upstreams()) keep.add(this.pool.get(s).key)
    this.pool.retain(keep)
  }

  /**
   * The answer for a name that must not leave (local domains, bare names): NODATA when hosts
   * know the name under another type or know names below it (an empty non-terminal), NXDOMAIN
   * otherwise (as dnsmasq 2.90; NXDOMAIN for a name that exists would deny its other types and
   * the names below it too, RFC 8020).
   */
  private notForwarded(name: string): LocalAnswer {
    const rcode = this.local.has(name) ? RCODE.NOERROR : RCODE.NXDOMAIN
    return { kind: 'answer', source: 'local', flags: 0, rcode, records: undefined }
  }

  private routeFor(domain: string, servers: UpstreamServer[], fallbackRcodes: readonly (RcodeName | number)[] | undefined): Route {
    const fallback = fallbackRcodes ? new Set(fallbackRcodes.map(rcodeNumber)) : this.options.fallback
    const route: Route = { kind: 'forward', upstreams: servers.map((s) => this.pool.get(s)), fallback }
    this.routes.set(domain, route)
    return route
  }
}
