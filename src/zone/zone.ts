/**
 * The zone model: a name table of nodes holding RRsets, with the lookups an authoritative
 * server needs (exact node, closest encloser, zone cut, wildcard) and canonical iteration.
 */
import { DnsHaError } from '../util/errors.js'
import type { ZoneDiagnostic, ZoneSyntaxError } from './errors.js'
import { canonicalName, canonicalSortKey, isAbsolute, isSubdomain, parentName } from './names.js'
import { packetClassName, classNumber, typeKey, typeNumber } from './types.js'

/**
 * One resource record in dns-packet's answer shape, so it encodes with `dnsPacket.encode`.
 * `name` is absolute with a trailing dot and keeps its original case. `type` is dns-packet's
 * string for the type (`'A'`, or `'UNKNOWN_64'` for SVCB); `data` is dns-packet's rdata shape,
 * or a Buffer of wire rdata for types dns-packet has no codec for (RFC 3597).
 */
export interface ZoneRecord {
  name: string
  type: string
  class: string
  ttl: number
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any
}

/** The records of one owner and type. `ttl` is the TTL of the first record added. */
export interface RRset {
  name: string
  type: string
  ttl: number
  records: ZoneRecord[]
}

/** A name in the zone; an empty non-terminal has no RRsets. Keys are type keys (`'A'`). */
export interface ZoneNode {
  name: string
  rrsets: ReadonlyMap<string, RRset>
}

/** Where a record came from in a master file (1-based line and column). */
export interface SourcePosition {
  file: string
  line: number
  column: number
}

/** Options for {@link Zone}. */
export interface ZoneOptions {
  /** The zone's class (default `'IN'`). */
  class?: string
}

/**
 * A zone: records indexed by owner name (case-insensitive) and type.
 *
 * @example
 * const zone = new Zone('example.com.')
 * zone.add({ name: 'www.example.com.', type: 'A', class: 'IN', ttl: 300, data: '192.0.2.1' })
 * zone.rrset('WWW.example.com.', 'A')?.records.length // 1
 */
export class Zone {
  /** The apex name, absolute, as given. */
  readonly origin: string
  /** The zone's class in dns-packet spelling (`'IN'`). */
  readonly class: string
  readonly #nodes = new Map<string, NodeImpl>()
  readonly #apexKey: string
  #size = 0
  /** Warnings the parser gave while reading this zone (e.g. TTLs taken from the SOA). */
  readonly warnings: ZoneDiagnostic[] = []
  /** Syntax errors collected when parsed with `collectErrors: true` (otherwise the first throws). */
  readonly errors: ZoneSyntaxError[] = []
  #sorted: NodeImpl[] | undefined
  #files: string[] = []
  #positionIndex = new Map<ZoneRecord, number>()
  #positions = new Uint32Array(0)

  constructor(origin: string, options: ZoneOptions = {}) {
    if (!isAbsolute(origin)) throw new DnsHaError('ERR_CONFIG', `zone origin must be absolute: ${origin}`)
    const klass = classNumber(options.class ?? 'IN')
    if (klass === undefined) throw new DnsHaError('ERR_CONFIG', `unknown class: ${options.class}`)
    this.origin = origin
    this.class = packetClassName(klass)
    this.#apexKey = canonicalName(origin)
    this.#nodes.set(this.#apexKey, new NodeImpl(origin))
  }

  /**
   * Adds a record. An exact duplicate (same owner, type and rdata) is merged, as BIND does.
   * Creates the empty non-terminals between the owner and the apex.
   */
  add(record: ZoneRecord): void {
    const key = typeKey(record.type)
    if (key === undefined) throw new DnsHaError('ERR_CONFIG', `unknown type: ${record.type}`)
    if (!isAbsolute(record.name)) throw new DnsHaError('ERR_CONFIG', `record name must be absolute: ${record.name}`)
    const canonical = canonicalName(record.name)
    let node = this.#nodes.get(canonical)
    if (node === undefined) {
      node = new NodeImpl(record.name)
      this.#nodes.set(canonical, node)
      this.#sorted = undefined
      this.#addAncestors(record.name, canonical)
    }
    const rrsets = node.rrsets
    const existing = rrsets.get(key)
    if (existing === undefined) {
      rrsets.put(key, { name: node.name, type: key, ttl: record.ttl, records: [record] })
    } else {
      for (const r of existing.records) if (sameData(r.data, record.data)) return
      existing.records.push(record)
    }
    this.#size++
  }

  /** Removes a record equal to `record` (owner, type and rdata); returns whether one was removed. */
  remove(record: ZoneRecord): boolean {
    const key = typeKey(record.type)
    const node = this.#nodes.get(canonicalName(record.name))
    if (key === undefined || node === undefined) return false
    const set = node.rrsets.get(key)
    if (set === undefined) return false
    const i = set.records.findIndex((r) => sameData(r.data, record.data))
    if (i < 0) return false
    set.records.splice(i, 1)
    if (set.records.length === 0) node.rrsets.drop(key)
    this.#size--
    return true
  }

  /** The SOA record at the apex, if any. */
  get soa(): ZoneRecord | undefined {
    return this.#nodes.get(this.#apexKey)?.rrsets.get('SOA')?.records[0]
  }

  /** The node with this name (any case), empty non-terminals included. */
  get(name: string): ZoneNode | undefined {
    return this.#nodes.get(canonicalName(name))
  }

  /** The RRset of `name` and `type` (any spelling of the type: `'HTTPS'`, `'TYPE65'`). */
  rrset(name: string, type: string): RRset | undefined {
    const key = typeKey(type)
    return key === undefined ? undefined : this.#nodes.get(canonicalName(name))?.rrsets.get(key)
  }

  /** True when a node (possibly an empty non-terminal) exists at `name`. */
  has(name: string): boolean {
    return this.#nodes.has(canonicalName(name))
  }

  /** True when `name` is at or below the apex. */
  contains(name: string): boolean {
    return isSubdomain(name, this.#apexKey)
  }

  /** The deepest existing node that is `name` or an ancestor of it; at worst the apex. */
  closestEncloser(name: string): ZoneNode {
    let n: string | undefined = canonicalName(name)
    while (n !== undefined) {
      const node = this.#nodes.get(n)
      if (node !== undefined && isSubdomain(n, this.#apexKey)) return node
      if (n === this.#apexKey) break
      n = parentName(n)
    }
    return this.#nodes.get(this.#apexKey) as NodeImpl
  }

  /**
   * The highest node strictly below the apex that is `name` or an ancestor of it and has NS
   * records: the zone cut `name` falls under, if any.
   */
  delegationAbove(name: string): ZoneNode | undefined {
    const canonical = canonicalName(name)
    if (!isSubdomain(canonical, this.#apexKey)) return undefined
    const chain: string[] = []
    for (let n: string | undefined = canonical; n !== undefined && n !== this.#apexKey; n = parentName(n)) chain.push(n)
    for (let i = chain.length - 1; i >= 0; i--) {
      const node = this.#nodes.get(chain[i] as string)
      if (node !== undefined && node.rrsets.has('NS')) return node
    }
    return undefined
  }

  /** The `*.<encloser>` node, if present. */
  wildcard(encloser: string): ZoneNode | undefined {
    const e = canonicalName(encloser)
    return this.#nodes.get(e === '.' ? '*.' : '*.' + e)
  }

  /** All nodes in canonical order (RFC 4034 §6.1), empty non-terminals included. */
  nodes(): IterableIterator<ZoneNode> {
    return this.#sortedNodes()[Symbol.iterator]()
  }

  /** All records in canonical owner order; at each node SOA first, then by type number. */
  *records(): IterableIterator<ZoneRecord> {
    for (const node of this.#sortedNodes()) {
      if (node.rrsets.size === 0) continue
      const sets = [...node.rrsets.values()].sort(compareRRsets)
      for (const set of sets) yield* set.records
    }
  }

  /** Number of records. */
  get size(): number {
    return this.#size
  }

  /** Records where a record came from (kept in a side table, not on the record). */
  setPosition(record: ZoneRecord, file: string, line: number, column: number): void {
    let fileIndex = this.#files.lastIndexOf(file)
    if (fileIndex < 0) fileIndex = this.#files.push(file) - 1
    let slot = this.#positionIndex.get(record)
    if (slot === undefined) {
      slot = this.#positionIndex.size
      this.#positionIndex.set(record, slot)
    }
    if (slot * 3 + 3 > this.#positions.length) {
      const grown = new Uint32Array(Math.max(48, this.#positions.length * 2))
      grown.set(this.#positions)
      this.#positions = grown
    }
    this.#positions[slot * 3] = fileIndex
    this.#positions[slot * 3 + 1] = line
    this.#positions[slot * 3 + 2] = column
  }

  /** Where `record` came from, when the parser recorded it. */
  positionOf(record: ZoneRecord): SourcePosition | undefined {
    const slot = this.#positionIndex.get(record)
    if (slot === undefined) return undefined
    return {
      file: this.#files[this.#positions[slot * 3] as number] as string,
      line: this.#positions[slot * 3 + 1] as number,
      column: this.#positions[slot * 3 + 2] as number,
    }
  }

  #addAncestors(name: string, canonical: string): void {
    if (!isSubdomain(canonical, this.#apexKey)) return
    let original = parentName(name)
    let key = parentName(canonical)
    while (key !== undefined && original !== undefined && key !== this.#apexKey && !this.#nodes.has(key)) {
      this.#nodes.set(key, new NodeImpl(original))
      key = parentName(key)
      original = parentName(original)
    }
  }

  #sortedNodes(): NodeImpl[] {
    if (this.#sorted === undefined) {
      const keyed = [...this.#nodes.values()].map((node) => ({ key: canonicalSortKey(node.name), node }))
      keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      this.#sorted = keyed.map((k) => k.node)
    }
    return this.#sorted
  }
}

/**
 * Whether two rdata values are equal: strings, numbers, Buffers, arrays and plain objects
 * compared structurally; domain names in rdata compare case-sensitively (as stored).
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b)
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false
    return true
  }
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  for (const k of ka) if (!sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false
  return true
}

function compareRRsets(a: RRset, b: RRset): number {
  if (a.type === 'SOA') return -1
  if (b.type === 'SOA') return 1
  return (typeNumber(a.type) ?? 0) - (typeNumber(b.type) ?? 0)
}

class NodeImpl implements ZoneNode {
  readonly rrsets = new RRsetMap()
  constructor(readonly name: string) {}
}

/**
 * A small ReadonlyMap over a plain array: nodes hold a handful of types, and a Map per node
 * would cost several times the memory of the records of a typical node.
 */
class RRsetMap implements ReadonlyMap<string, RRset> {
  #sets: RRset[] | undefined

  get size(): number {
    return this.#sets === undefined ? 0 : this.#sets.length
  }

  get(key: string): RRset | undefined {
    const sets = this.#sets
    if (sets === undefined) return undefined
    for (let i = 0; i < sets.length; i++) if ((sets[i] as RRset).type === key) return sets[i]
    return undefined
  }

  has(key: string): boolean {
    return this.get(key) !== undefined
  }

  put(key: string, set: RRset): void {
    if (this.#sets === undefined) this.#sets = [set]
    else {
      const i = this.#sets.findIndex((s) => s.type === key)
      if (i >= 0) this.#sets[i] = set
      else this.#sets.push(set)
    }
  }

  drop(key: string): void {
    if (this.#sets === undefined) return
    this.#sets = this.#sets.filter((s) => s.type !== key)
    if (this.#sets.length === 0) this.#sets = undefined
  }

  forEach(fn: (value: RRset, key: string, map: ReadonlyMap<string, RRset>) => void, thisArg?: unknown): void {
    for (const set of this.#sets ?? []) fn.call(thisArg, set, set.type, this)
  }

  *entries(): MapIterator<[string, RRset]> {
    for (const set of this.#sets ?? []) yield [set.type, set]
  }

  *keys(): MapIterator<string> {
    for (const set of this.#sets ?? []) yield set.type
  }

  *values(): MapIterator<RRset> {
    yield* this.#sets ?? []
  }

  [Symbol.iterator](): MapIterator<[string, RRset]> {
    return this.entries()
  }
}
