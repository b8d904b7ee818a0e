/**
 * {@link LocalTable}: the names the forwarder answers itself, from hosts entries, as pre-encoded
 * answer records per (name, type): A and AAAA for every name, PTR for every address. Built once
 * per (re)load and swapped whole, so a lookup is two map reads and no encoding.
 */
import { nameToWire } from '../packet/names.js'
import type { Acl } from '../util/cidr.js'
import { addressBytes, compileAcl } from '../util/cidr.js'
import { canonicalName, reverseName } from './names.js'
import type { HostsEntry } from './parse-hosts.js'
import { encodeOwnerRecords } from './wire-response.js'

/** Pre-encoded answer records for one name and type. */
export interface LocalRecords {
  /** Records with the owner compressed to the question (offset 12). */
  bytes: Uint8Array
  count: number
}

/** What a name holds locally. */
export interface LocalName {
  a: LocalRecords | undefined
  aaaa: LocalRecords | undefined
  ptr: LocalRecords | undefined
  /** Everything above, for ANY (dnsmasq answers ANY for a local name from its local records only). */
  any: LocalRecords | undefined
}

/** Options for building a {@link LocalTable}. */
export interface LocalTableOptions {
  /** TTL of local answers, seconds (dnsmasq's `local-ttl`, default 0). */
  ttl: number
  /** dnsmasq's `expand-hosts`: bare names also exist as `name.<domain>`. */
  expandHosts: boolean
  /** The domain for `expandHosts` (no trailing dot needed). */
  domain: string | undefined
  /** Domains for `expandHosts` by address range (CIDR), first match first; `domain` for the rest. */
  domainRanges?: readonly { domain: string; range: string }[]
}

const TYPE_A = 1
const TYPE_AAAA = 28
const TYPE_PTR = 12
const TYPE_ANY = 255

/** Local names and their pre-encoded answers. */
export class LocalTable {
  /** Canonical name → what it holds. */
  readonly names = new Map<string, LocalName>()
  /**
   * Names that hold nothing themselves but have hosts names below them (`lan.` for `web.lan.`),
   * the root excluded. dnsmasq 2.90 answers NODATA rather than NXDOMAIN for these when it
   * keeps a name local (`local=`, `domain-needed`).
   */
  readonly nonTerminals = new Set<string>()
  /** How many hosts entries went in. */
  readonly entryCount: number

  constructor(entries: readonly HostsEntry[], options: LocalTableOptions) {
    this.entryCount = entries.length
    const forward = new Map<string, { a: Uint8Array[]; aaaa: Uint8Array[]; seen: Set<string> }>()
    const reverse = new Map<string, string>()
    const defaultDomain = options.domain ? canonicalName(options.domain) : undefined
    const ranges: { domain: string; acl: Acl }[] = (options.domainRanges ?? []).map((r) => ({ domain: canonicalName(r.domain), acl: compileAcl([r.range]) }))
    for (const entry of entries) {
      const bytes = addressBytes(entry.address)
      if (!bytes) continue
      const key = bytes.join(',')
      // As dnsmasq's get_domain(): the domain of the first range holding the address, else the default.
      const domain = options.expandHosts ? (ranges.find((r) => r.acl.allows(entry.address))?.domain ?? defaultDomain) : undefined
      entry.names.forEach((written, index) => {
        const names = [canonicalName(written)]
        const bare = !written.includes('.')
        if (bare && domain) names.push(canonicalName(`${written}.${domain === '.' ? '' : domain}`))
        for (const name of names) {
          let slot = forward.get(name)
          if (!slot) forward.set(name, (slot = { a: [], aaaa: [], seen: new Set() }))
          if (slot.seen.has(key)) continue
          slot.seen.add(key)
          ;(bytes.length === 4 ? slot.a : slot.aaaa).push(bytes)
        }
        // As dnsmasq: the address points back to the first name of the first line holding it
        // (expanded when it is bare and expand-hosts is on); aliases get no PTR.
        if (index === 0) {
          const ptrName = reverseName(entry.address)!
          if (!reverse.has(ptrName)) reverse.set(ptrName, names[names.length - 1]!)
        }
      })
    }
    for (const [name, slot] of forward) {
      const a = slot.a.length > 0 ? { bytes: encodeOwnerRecords(TYPE_A, options.ttl, slot.a), count: slot.a.length } : undefined
      const aaaa = slot.aaaa.length > 0 ? { bytes: encodeOwnerRecords(TYPE_AAAA, options.ttl, slot.aaaa), count: slot.aaaa.length } : undefined
      this.names.set(name, { a, aaaa, ptr: undefined, any: joinRecords(a, aaaa) })
      for (let dot = name.indexOf('.'); dot >= 0 && dot < name.length - 1; dot = name.indexOf('.', dot + 1)) this.nonTerminals.add(name.slice(dot + 1))
    }
    for (const [name, target] of reverse) {
      const existing = this.names.get(name)
      const ptr = { bytes: encodeOwnerRecords(TYPE_PTR, options.ttl, [nameToWire(target)]), count: 1 }
      if (existing) {
        existing.ptr = ptr
        existing.any = joinRecords(existing.any, ptr)
      } else this.names.set(name, { a: undefined, aaaa: undefined, ptr, any: ptr })
    }
    for (const name of this.names.keys()) this.nonTerminals.delete(name)
  }

  /** Records for a canonical name and type code, or `undefined` when the table has none. */
  lookup(name: string, qtype: number): LocalRecords | undefined {
    const entry = this.names.get(name)
    if (!entry) return undefined
    return qtype === TYPE_A ? entry.a : qtype === TYPE_AAAA ? entry.aaaa : qtype === TYPE_PTR ? entry.ptr : qtype === TYPE_ANY ? entry.any : undefined
  }

  /** Whether a canonical name exists locally: it holds records, or hosts names lie below it. */
  has(name: string): boolean {
    return this.names.has(name) || this.nonTerminals.has(name)
  }
}

/** Two record runs as one (either may be missing). */
export function joinRecords(first: LocalRecords | undefined, second: LocalRecords | undefined): LocalRecords | undefined {
  if (!first) return second
  if (!second) return first
  const bytes = new Uint8Array(first.bytes.length + second.bytes.length)
  bytes.set(first.bytes)
  bytes.set(second.bytes, first.bytes.length)
  return { bytes, count: first.count + second.count }
}
