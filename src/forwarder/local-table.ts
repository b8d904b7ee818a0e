/**
 * {@link LocalTable}: the names the forwarder answers itself, as pre-encoded answer records per
 * (name, type): hosts entries (A, AAAA, and PTR for every address) and dnsmasq's local records
 * (`host-record`, `txt-record`, `srv-host`, `ptr-record`, `cname`). Built once per (re)load and
 * swapped whole, so a lookup is two map reads and no encoding.
 */
import { canonicalName, nameToWire, parentName } from '../packet/names.js'
import type { Acl } from '../util/cidr.js'
import { addressBytes, compileAcl } from '../util/cidr.js'
import { DnsHaError } from '../util/errors.js'
import { reverseName } from './names.js'
import type { HostsEntry } from './parse-hosts.js'
import { encodeOwnerRecords } from './wire-response.js'

/** Pre-encoded answer records for one name and type. */
export interface LocalRecords {
  /** Records with the owner compressed to the question (offset 12), or written out for CNAME targets. */
  bytes: Uint8Array
  count: number
}

/** dnsmasq's `cname=ALIAS[,ALIAS...],TARGET[,TTL]`: each alias is a CNAME to `target`. */
export interface CnameRecord {
  aliases: string[]
  target: string
  /** Seconds (default: the local TTL). */
  ttl?: number
}

/** dnsmasq's `txt-record=NAME[,"text"...]`: one TXT record of these strings (none: one empty string). */
export interface TxtRecord {
  name: string
  texts: string[]
}

/**
 * dnsmasq's `srv-host=_service._proto.NAME[,TARGET[,PORT[,PRIORITY[,WEIGHT]]]]`. Without a
 * target the record says "no such service here" (target `.`, as dnsmasq writes it).
 */
export interface SrvRecord {
  name: string
  target?: string
  /** Default 1 (dnsmasq's default). */
  port?: number
  /** Default 0. */
  priority?: number
  /** Default 0. */
  weight?: number
}

/** dnsmasq's `ptr-record=NAME[,TARGET]`: a PTR record (to the root `.` without a target). */
export interface PtrRecord {
  name: string
  target?: string
}

/**
 * dnsmasq's `host-record=NAME[,NAME...][,IPv4...][,IPv6...][,TTL]`: A/AAAA for every name and a
 * PTR for every address pointing back at the first name.
 */
export interface HostRecord {
  names: string[]
  addresses: string[]
  /** Seconds (default: the local TTL). */
  ttl?: number
}

/** The local records besides hosts entries. */
export interface LocalRecordSet {
  cnames?: readonly CnameRecord[]
  txtRecords?: readonly TxtRecord[]
  srvRecords?: readonly SrvRecord[]
  ptrRecords?: readonly PtrRecord[]
  hostRecords?: readonly HostRecord[]
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
  /** cname, txt-record, srv-host, ptr-record and host-record entries. */
  records?: LocalRecordSet
}

const TYPE_A = 1
const TYPE_CNAME = 5
const TYPE_PTR = 12
const TYPE_TXT = 16
const TYPE_AAAA = 28
const TYPE_SRV = 33
const TYPE_ANY = 255
/** dnsmasq follows at most this many local CNAMEs in a row (its CNAME_CHAIN is 10). */
const MAX_CHAIN = 10

/** One record before encoding. */
interface Rr {
  type: number
  ttl: number
  rdata: Uint8Array
}

/** What a name holds locally. */
interface LocalName {
  /** Records by type, owner compressed to the question. */
  types: Map<number, LocalRecords>
  /** Everything above, for ANY (dnsmasq answers ANY for a local name from its local records only). */
  any: LocalRecords | undefined
  /** The raw records, to write out under this name when it is reached through a CNAME. */
  rrs: Rr[]
}

/** Local names and their pre-encoded answers. */
export class LocalTable {
  private readonly names = new Map<string, LocalName>()
  /** Alias → its CNAME (target canonical, TTL). */
  private readonly cnames = new Map<string, { target: string; ttl: number }>()
  /** Answers through a CNAME chain, built on first use: `alias|type`. */
  private readonly chains = new Map<string, LocalRecords>()
  /**
   * Names that hold nothing themselves but have local names below them (`lan.` for `web.lan.`),
   * the root excluded. dnsmasq 2.90 answers NODATA rather than NXDOMAIN for these when it
   * keeps a name local (`local=`, `domain-needed`).
   */
  private readonly nonTerminals = new Set<string>()
  /** How many hosts entries went in. */
  readonly entryCount: number

  constructor(entries: readonly HostsEntry[], options: LocalTableOptions) {
    this.entryCount = entries.length
    const records = options.records ?? {}
    const rrsets = new Map<string, Rr[]>()
    const seen = new Set<string>()
    const add = (name: string, rr: Rr): void => {
      const key = `${name}|${rr.type}|${rr.rdata.join(',')}`
      if (seen.has(key)) return
      seen.add(key)
      let list = rrsets.get(name)
      if (!list) rrsets.set(name, (list = []))
      list.push(rr)
    }
    const reverse = new Map<string, { target: string; ttl: number }>()
    const pointBack = (address: string, target: string, ttl: number): void => {
      const ptrName = reverseName(address)!
      if (!reverse.has(ptrName)) reverse.set(ptrName, { target, ttl })
    }

    // host-record first: its addresses' PTRs win over hosts files, as dnsmasq's config records do.
    for (const record of records.hostRecords ?? []) {
      const ttl = record.ttl ?? options.ttl
      const names = record.names.map(canonicalName)
      for (const address of record.addresses) {
        const bytes = addressBytes(address)
        if (!bytes) throw new DnsHaError('ERR_CONFIG', `host-record ${record.names[0]}: "${address}" is not an IP address`)
        for (const name of names) add(name, { type: bytes.length === 4 ? TYPE_A : TYPE_AAAA, ttl, rdata: bytes })
        pointBack(address, names[0]!, ttl)
      }
    }

    const defaultDomain = options.domain ? canonicalName(options.domain) : undefined
    const ranges: { domain: string; acl: Acl }[] = (options.domainRanges ?? []).map((r) => ({ domain: canonicalName(r.domain), acl: compileAcl([r.range]) }))
    for (const entry of entries) {
      const bytes = addressBytes(entry.address)
      if (!bytes) continue
      // As dnsmasq's get_domain(): the domain of the first range holding the address, else the default.
      const domain = options.expandHosts ? (ranges.find((r) => r.acl.allows(entry.address))?.domain ?? defaultDomain) : undefined
      entry.names.forEach((written, index) => {
        const names = [canonicalName(written)]
        const bare = !written.includes('.')
        if (bare && domain) names.push(canonicalName(`${written}.${domain === '.' ? '' : domain}`))
        for (const name of names) add(name, { type: bytes.length === 4 ? TYPE_A : TYPE_AAAA, ttl: options.ttl, rdata: bytes })
        // As dnsmasq: the address points back to the first name of the first line holding it
        // (expanded when it is bare and expand-hosts is on); aliases get no PTR.
        if (index === 0) pointBack(entry.address, names[names.length - 1]!, options.ttl)
      })
    }

    // An explicit ptr-record for a reverse name replaces the PTR hosts would give it.
    const explicitPtr = new Set((records.ptrRecords ?? []).map((r) => canonicalName(r.name)))
    for (const [name, { target, ttl }] of reverse) if (!explicitPtr.has(name)) add(name, { type: TYPE_PTR, ttl, rdata: wireName(target) })
    for (const r of records.ptrRecords ?? []) add(canonicalName(r.name), { type: TYPE_PTR, ttl: options.ttl, rdata: wireName(r.target ?? '.') })
    for (const r of records.txtRecords ?? []) add(canonicalName(r.name), { type: TYPE_TXT, ttl: options.ttl, rdata: txtRdata(r.texts) })
    for (const r of records.srvRecords ?? []) add(canonicalName(r.name), { type: TYPE_SRV, ttl: options.ttl, rdata: srvRdata(r) })

    for (const [name, rrs] of rrsets) {
      const types = new Map<number, LocalRecords>()
      const byType = new Map<number, Rr[]>()
      for (const rr of rrs) {
        const list = byType.get(rr.type)
        if (list) list.push(rr)
        else byType.set(rr.type, [rr])
      }
      let any: LocalRecords | undefined
      for (const [type, list] of byType) {
        const encoded = encodeRrs(list, undefined)
        types.set(type, encoded)
        any = joinRecords(any, encoded)
      }
      this.names.set(name, { types, any, rrs })
    }
    for (const c of records.cnames ?? []) {
      const target = canonicalName(c.target)
      for (const alias of c.aliases) this.cnames.set(canonicalName(alias), { target, ttl: c.ttl ?? options.ttl })
    }
    for (const name of [...this.names.keys(), ...this.cnames.keys()]) {
      for (let p = parentName(name); p !== undefined && p !== '.'; p = parentName(p)) this.nonTerminals.add(p)
    }
    for (const name of this.names.keys()) this.nonTerminals.delete(name)
    for (const name of this.cnames.keys()) this.nonTerminals.delete(name)
  }

  /** Records for a canonical name and type code, or `undefined` when the table has none. */
  lookup(name: string, qtype: number): LocalRecords | undefined {
    if (this.cnames.size > 0 && this.cnames.has(name)) return this.chain(name, qtype)
    const entry = this.names.get(name)
    if (!entry) return undefined
    return qtype === TYPE_ANY ? entry.any : entry.types.get(qtype)
  }

  /** Whether a canonical name exists locally: it holds records, is an alias, or local names lie below it. */
  has(name: string): boolean {
    return this.names.has(name) || this.cnames.has(name) || this.nonTerminals.has(name)
  }

  /**
   * An alias's answer, as dnsmasq gives it: its CNAME, then the target's (further aliases
   * followed), then the final target's local records of the type asked for, if it has any. A
   * target that is not local ends the answer at its CNAME (dnsmasq does not forward for it).
   */
  private chain(alias: string, qtype: number): LocalRecords {
    // Keyed by the types the chain can end in, so odd query types share one entry.
    const finalTarget = this.finalTarget(alias)
    const finalEntry = finalTarget === undefined ? undefined : this.names.get(finalTarget)
    const effective = qtype === TYPE_CNAME ? TYPE_CNAME : qtype === TYPE_ANY || finalEntry?.types.has(qtype) ? qtype : -1
    const key = `${alias}|${effective}`
    const cached = this.chains.get(key)
    if (cached) return cached
    const parts: LocalRecords[] = []
    let owner: string | undefined
    let current = alias
    for (let hops = 0; hops < MAX_CHAIN; hops++) {
      const c = this.cnames.get(current)
      if (!c) break
      parts.push(encodeRrs([{ type: TYPE_CNAME, ttl: c.ttl, rdata: wireName(c.target) }], owner))
      if (effective === TYPE_CNAME) break
      owner = c.target
      current = c.target
    }
    if (effective !== TYPE_CNAME && effective !== -1 && owner !== undefined && !this.cnames.has(current)) {
      const entry = this.names.get(current)
      const rrs = entry?.rrs.filter((rr) => effective === TYPE_ANY || rr.type === effective) ?? []
      if (rrs.length > 0) parts.push(encodeRrs(rrs, owner))
    }
    const answer = parts.reduce<LocalRecords | undefined>((all, p) => joinRecords(all, p), undefined)!
    this.chains.set(key, answer)
    return answer
  }

  /** Where an alias's chain ends (`undefined` on a loop or a chain longer than dnsmasq follows). */
  private finalTarget(alias: string): string | undefined {
    let current = alias
    for (let hops = 0; hops < MAX_CHAIN; hops++) {
      const c = this.cnames.get(current)
      if (!c) return current
      current = c.target
    }
    return undefined
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

/** Records of one owner: compressed to the question (`owner` undefined) or written out. */
function encodeRrs(rrs: readonly Rr[], owner: string | undefined): LocalRecords {
  if (owner === undefined && rrs.every((rr) => rr.ttl === rrs[0]!.ttl && rr.type === rrs[0]!.type)) {
    return { bytes: encodeOwnerRecords(rrs[0]!.type, rrs[0]!.ttl, rrs.map((rr) => rr.rdata)), count: rrs.length }
  }
  const ownerBytes = owner === undefined ? Uint8Array.of(0xc0, 12) : wireName(owner)
  let length = 0
  for (const rr of rrs) length += ownerBytes.length + 10 + rr.rdata.length
  const out = new Uint8Array(length)
  let pos = 0
  for (const rr of rrs) {
    out.set(ownerBytes, pos)
    pos += ownerBytes.length
    out[pos] = rr.type >> 8
    out[pos + 1] = rr.type & 0xff
    out[pos + 2] = 0
    out[pos + 3] = 1
    out[pos + 4] = (rr.ttl >>> 24) & 0xff
    out[pos + 5] = (rr.ttl >>> 16) & 0xff
    out[pos + 6] = (rr.ttl >>> 8) & 0xff
    out[pos + 7] = rr.ttl & 0xff
    out[pos + 8] = rr.rdata.length >> 8
    out[pos + 9] = rr.rdata.length & 0xff
    out.set(rr.rdata, pos + 10)
    pos += 10 + rr.rdata.length
  }
  return { bytes: out, count: rrs.length }
}

/** A configured name in lower-case wire form (dnsmasq lower-cases the names it is given). */
function wireName(name: string): Uint8Array {
  return nameToWire(canonicalName(name), { lowerCase: true })
}

/** TXT RDATA: each text as UTF-8, split into 255-byte character-strings; none gives one empty string. */
function txtRdata(texts: readonly string[]): Uint8Array {
  const chunks: Uint8Array[] = []
  for (const text of texts.length === 0 ? [''] : texts) {
    const bytes = new TextEncoder().encode(text)
    if (bytes.length === 0) chunks.push(Uint8Array.of(0))
    for (let i = 0; i < bytes.length; i += 255) {
      const part = bytes.subarray(i, i + 255)
      const chunk = new Uint8Array(part.length + 1)
      chunk[0] = part.length
      chunk.set(part, 1)
      chunks.push(chunk)
    }
  }
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let pos = 0
  for (const c of chunks) {
    out.set(c, pos)
    pos += c.length
  }
  return out
}

function srvRdata(r: SrvRecord): Uint8Array {
  const target = wireName(r.target ?? '.')
  const port = r.port ?? 1
  const out = new Uint8Array(6 + target.length)
  const priority = r.priority ?? 0
  const weight = r.weight ?? 0
  out.set([priority >> 8, priority & 0xff, weight >> 8, weight & 0xff, port >> 8, port & 0xff])
  out.set(target, 6)
  return out
}
