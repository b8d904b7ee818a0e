/**
 * {@link LocalTable}: the names the forwarder answers itself, from hosts entries, as pre-encoded
 * answer records per (name, type): A and AAAA for every name, PTR for every address. Built once
 * per (re)load and swapped whole, so a lookup is two map reads and no encoding.
 */
import { addressBytes } from '../util/cidr.js'
import { canonicalName, reverseName } from './names.js'
import type { HostsEntry } from './parse-hosts.js'
import { encodeName, encodeOwnerRecords } from './wire-response.js'

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
}

/** Options for building a {@link LocalTable}. */
export interface LocalTableOptions {
  /** TTL of local answers, seconds (dnsmasq's `local-ttl`, default 0). */
  ttl: number
  /** dnsmasq's `expand-hosts`: bare names also exist as `name.<domain>`. */
  expandHosts: boolean
  /** The domain for `expandHosts` (no trailing dot needed). */
  domain: string | undefined
}

const TYPE_A = 1
const TYPE_AAAA = 28
const TYPE_PTR = 12

/** Local names and their pre-encoded answers. */
export class LocalTable {
  /** Canonical name → what it holds. */
  readonly names = new Map<string, LocalName>()
  /** How many hosts entries went in. */
  readonly entryCount: number

  constructor(entries: readonly HostsEntry[], options: LocalTableOptions) {
    this.entryCount = entries.length
    const forward = new Map<string, { a: Uint8Array[]; aaaa: Uint8Array[]; seen: Set<string> }>()
    const reverse = new Map<string, string>()
    const domain = options.domain ? canonicalName(options.domain) : undefined
    for (const entry of entries) {
      const bytes = addressBytes(entry.address)
      if (!bytes) continue
      const key = bytes.join(',')
      entry.names.forEach((written, index) => {
        const names = [canonicalName(written)]
        const bare = !written.includes('.')
        if (bare && options.expandHosts && domain) names.push(canonicalName(`${written}.${domain === '.' ? '' : domain}`))
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
      this.names.set(name, {
        a: slot.a.length > 0 ? { bytes: encodeOwnerRecords(TYPE_A, options.ttl, slot.a), count: slot.a.length } : undefined,
        aaaa: slot.aaaa.length > 0 ? { bytes: encodeOwnerRecords(TYPE_AAAA, options.ttl, slot.aaaa), count: slot.aaaa.length } : undefined,
        ptr: undefined,
      })
    }
    for (const [name, target] of reverse) {
      const existing = this.names.get(name)
      const ptr = { bytes: encodeOwnerRecords(TYPE_PTR, options.ttl, [encodeName(target)]), count: 1 }
      if (existing) existing.ptr = ptr
      else this.names.set(name, { a: undefined, aaaa: undefined, ptr })
    }
  }

  /** Records for a canonical name and type code, or `undefined` when the table has none. */
  lookup(name: string, qtype: number): LocalRecords | undefined {
    const entry = this.names.get(name)
    if (!entry) return undefined
    return qtype === TYPE_A ? entry.a : qtype === TYPE_AAAA ? entry.aaaa : qtype === TYPE_PTR ? entry.ptr : undefined
  }
}
