/**
 * {@link DomainRules}: dnsmasq's per-domain rules (`address=`, `local=`, `server=/domain/`),
 * compiled into one table keyed by domain. The most specific domain wins, as in dnsmasq.
 */
import type { RcodeName } from '../packet/constants.js'
import { canonicalName } from '../packet/names.js'
import { addressBytes } from '../util/cidr.js'
import { DnsHaError } from '../util/errors.js'
import type { LocalRecords } from './local-table.js'
import { joinRecords } from './local-table.js'
import { suffixes } from './names.js'
import type { UpstreamServer } from './parse-resolv-conf.js'
import { encodeOwnerRecords } from './wire-response.js'

/**
 * `address=/domain/addr`: the domain and every name below it answer A/AAAA with these addresses.
 * No addresses means NXDOMAIN for everything there; `'#'` stands for `0.0.0.0` and `::`.
 * `domain: '#'` matches every domain.
 */
export interface AddressRule {
  domain: string
  addresses: string[]
}

/**
 * `server=/domain/addr#port`: queries in the domain go to these upstreams instead of the default
 * ones. `servers: []` is `local=/domain/` (answered locally only, NXDOMAIN otherwise);
 * `servers: 'default'` is `server=/domain/#` (back to the default upstreams).
 */
export interface DomainServers {
  domain: string
  servers: UpstreamServer[] | 'default'
  /** Upstream rcodes that mean "ask the next upstream" on this route (default: the forwarder's `fallbackRcodes`). */
  fallbackRcodes?: (RcodeName | number)[]
}

/** What a domain rule decides for a name. */
export type DomainRule =
  | { kind: 'address'; domain: string; a: LocalRecords | undefined; aaaa: LocalRecords | undefined; any: LocalRecords | undefined }
  | { kind: 'nxdomain'; domain: string }
  | { kind: 'servers'; domain: string; servers: UpstreamServer[]; fallbackRcodes: (RcodeName | number)[] | undefined }
  | { kind: 'default'; domain: string }

/** The compiled rule table. */
export class DomainRules {
  private readonly rules = new Map<string, DomainRule>()

  constructor(addresses: readonly AddressRule[], servers: readonly DomainServers[], local: readonly string[], ttl: number) {
    const collected = new Map<string, { a: Uint8Array[]; aaaa: Uint8Array[]; nx: boolean }>()
    for (const rule of addresses) {
      const key = domainKey(rule.domain)
      let slot = collected.get(key)
      if (!slot) collected.set(key, (slot = { a: [], aaaa: [], nx: false }))
      if (rule.addresses.length === 0) slot.nx = true
      for (const text of rule.addresses) {
        if (text === '#') {
          slot.a.push(new Uint8Array(4))
          slot.aaaa.push(new Uint8Array(16))
          continue
        }
        const bytes = addressBytes(text)
        if (!bytes) throw new DnsHaError('ERR_CONFIG', `address rule for ${rule.domain}: "${text}" is not an IP address`)
        ;(bytes.length === 4 ? slot.a : slot.aaaa).push(bytes)
      }
    }
    // Later rules for the same domain replace earlier ones; address rules come last (dnsmasq
    // treats `address=/d/` with no address as `server=/d/`, so both land in one table).
    for (const s of servers) {
      const domain = domainKey(s.domain)
      if (s.servers === 'default') this.rules.set(domain, { kind: 'default', domain })
      else if (s.servers.length === 0) this.rules.set(domain, { kind: 'nxdomain', domain })
      else this.rules.set(domain, { kind: 'servers', domain, servers: s.servers, fallbackRcodes: s.fallbackRcodes })
    }
    for (const d of local) this.rules.set(domainKey(d), { kind: 'nxdomain', domain: domainKey(d) })
    for (const [domain, slot] of collected) {
      if (slot.nx && slot.a.length === 0 && slot.aaaa.length === 0) {
        this.rules.set(domain, { kind: 'nxdomain', domain })
        continue
      }
      const a = slot.a.length > 0 ? { bytes: encodeOwnerRecords(1, ttl, slot.a), count: slot.a.length } : undefined
      const aaaa = slot.aaaa.length > 0 ? { bytes: encodeOwnerRecords(28, ttl, slot.aaaa), count: slot.aaaa.length } : undefined
      // ANY is answered from the rule too (dnsmasq: `address=/d/#` answers ANY with 0.0.0.0 and ::).
      this.rules.set(domain, { kind: 'address', domain, a, aaaa, any: joinRecords(a, aaaa) })
    }
  }

  /** How many domains have a rule. */
  get size(): number {
    return this.rules.size
  }

  /** Every upstream some `server=/domain/` rule names. */
  upstreams(): UpstreamServer[] {
    const out: UpstreamServer[] = []
    for (const rule of this.rules.values()) if (rule.kind === 'servers') out.push(...rule.servers)
    return out
  }

  /** The rule of the most specific domain containing `name` (canonical), if any. */
  match(name: string): DomainRule | undefined {
    if (this.rules.size === 0) return undefined
    for (const suffix of suffixes(name)) {
      const rule = this.rules.get(suffix)
      if (rule) return rule
    }
    return undefined
  }
}

/** `'#'` (every domain) is the root; anything else is canonical. */
function domainKey(domain: string): string {
  return domain === '#' || domain === '' ? '.' : canonicalName(domain)
}
