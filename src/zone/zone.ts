/**
 * The zone model: a name table of nodes holding RRsets, with the lookups an authoritative
 * server needs (exact node, closest encloser, zone cut, wildcard) and canonical iteration.
 *
 * Memory layout: records read by the parser are kept in paged columns (RecordColumns: typed
 * arrays for type, TTL, chain link and source position; plain arrays for owner and rdata, A as a
 * number and TXT as one packed string), and a node never looked up is just a chain head number in
 * the name index (NameTable). A node becomes objects (a ZoneNode with RRsets of ZoneRecords) the
 * first time it is looked up or changed through the public API, and stays so. A large zone thus
 * costs a fraction of one object graph per record, while everything the API returns is the same
 * plain dns-packet data as before. Records added with `add()` are kept as the objects given.
 *
 * Copy on write: `clone()` shares the column pages, the name index pages and the nodes with the
 * source; each zone then copies a page, or a node (its own RRset objects, the records shared),
 * the first time it writes to it. A node is written in place only by the zone that made it (its
 * `owner` token, which `clone()` renews on both sides), so an update built on a clone of a large
 * served zone costs the pages and nodes it touches, not the zone.
 */
import { DnsHaError } from '../util/errors.js'
import type { ZoneDiagnostic, ZoneSyntaxError } from './errors.js'
import { canonicalName, canonicalSortKey, isAbsolute, isSubdomain, parentName } from '../packet/names.js'
import { ipv4Text } from './address-codecs.js'
import { NameTable } from './name-table.js'
import { NO_SLOT, RecordColumns } from './record-columns.js'
import { TYPE } from '../packet/constants.js'
import { packetClassName, packetTypeName, classNumber, hasPacketCodec, typeKey, typeNumber } from '../packet/types.js'

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
 * Adds a record the parser produced, without building a record object: `data` is the parser's
 * rdata (TXT as packed wire rdata in a latin1 string, see {@link unpackTxt}). Internal to the
 * library (the parser, and zone transfers building from wire records); set by a static block of
 * {@link Zone}.
 */
export let addParsedRecord: (
  zone: Zone, name: string, type: number, ttl: number, data: unknown,
  file: string | undefined, line: number, column: number, perType: number, types: number,
) => AddVerdict

/**
 * Walks a zone's records in {@link Zone.eachRecord}'s order without building a record object for
 * the records kept in columns: the zone transfer's encoder reads owner, type, class, TTL and
 * rdata straight from the walk. Internal to the library; set by a static block of {@link Zone}.
 */
export let recordWalk: (zone: Zone) => RecordWalk

/**
 * A cursor over a zone's records ({@link recordWalk}): each `next()` that returns true
 * overwrites the fields with the next record. A record kept as an object (its node was looked up
 * or changed through the API) comes as `record`, the other fields then copied from it; a record
 * kept in columns has `record` undefined and `data` in the parser's compact form (A as a 32-bit
 * number, TXT as its packed wire rdata in a latin1 string, wire rdata as a Buffer, everything else
 * dns-packet's shape). The walk reads each node's records when it reaches the node, so a node
 * looked up while the walk is paused (which moves its rdata out of the columns) is still read
 * whole.
 */
export interface RecordWalk {
  next(): boolean
  /** The owner as stored (original case, absolute). */
  readonly name: string
  readonly type: number
  readonly klass: number
  readonly ttl: number
  readonly data: unknown
  readonly record: ZoneRecord | undefined
}

/**
 * What {@link addParsedRecord} did: added (or merged a duplicate), or refused the record because
 * its RRset already holds `perType` records, or its name already has `types` types (0, 1, 2).
 */
export type AddVerdict = 0 | 1 | 2

/**
 * Module-internal: how many times `add` and `remove` changed the zone, so that a check made
 * when the parser built it (see limits.ts) is known to still hold.
 */
export let zoneEdits: (zone: Zone) => number
const ADDED = 0
const OVER_PER_TYPE = 1
const OVER_TYPES = 2

const A = TYPE.A
/** Set while `clone()` constructs its copy: the constructor then leaves the index to be shared. */
let cloning = false
const TXT = TYPE.TXT

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
  /** Warnings the parser gave while reading this zone (e.g. TTLs taken from the SOA). */
  readonly warnings: ZoneDiagnostic[] = []
  /** Syntax errors collected when parsed with `collectErrors: true` (otherwise the first throws). */
  readonly errors: ZoneSyntaxError[] = []

  /** Canonical name → chain head slot (a node kept in columns) or a node of objects. */
  #nodes = new NameTable<number | NodeImpl>()
  readonly #apexKey: string
  #size = 0
  #sorted: Int32Array | undefined

  /** Records kept without objects, by slot. */
  #cols = new RecordColumns()
  #files: string[] = []
  #lastFile: string | undefined
  #lastFileIndex = 0
  /**
   * Positions set with `setPosition` on records not in the zone (record → slot); positions of
   * records in the zone are kept by their node (`NodeImpl.slots`), so they travel with it.
   */
  #loose = new WeakMap<ZoneRecord, number>()
  /** Marks the nodes this zone may change in place; renewed by `clone()` (see the module comment). */
  #generation: object = {}
  // The last owner the parser added to (consecutive records usually share it).
  #lastName: string | undefined
  #lastKey = ''
  #edits = 0

  static {
    zoneEdits = (zone) => zone.#edits
    addParsedRecord = (zone, name, type, ttl, data, file, line, column, perType, types) => zone.#addParsed(name, type, ttl, data, file, line, column, perType, types)
    recordWalk = (zone) => new ZoneWalk(zone.#nodes, zone.#sortedEntries(), zone.#cols, classNumber(zone.class) ?? 1)
  }

  constructor(origin: string, options: ZoneOptions = {}) {
    if (!isAbsolute(origin)) throw new DnsHaError('ERR_CONFIG', `zone origin must be absolute: ${origin}`)
    const klass = classNumber(options.class ?? 'IN')
    if (klass === undefined) throw new DnsHaError('ERR_CONFIG', `unknown class: ${options.class}`)
    this.origin = origin
    this.class = packetClassName(klass)
    this.#apexKey = canonicalName(origin)
    if (!cloning) this.#nodes.set(this.#apexKey, new NodeImpl(origin, this.#generation))
  }

  /**
   * Adds a record. An exact duplicate (same owner, type and rdata) is merged, as BIND does.
   * Creates the empty non-terminals between the owner and the apex. The record object itself
   * is kept: `rrset(...).records` holds it.
   */
  add(record: ZoneRecord): void {
    const key = typeKey(record.type)
    if (key === undefined) throw new DnsHaError('ERR_CONFIG', `unknown type: ${record.type}`)
    if (!isAbsolute(record.name)) throw new DnsHaError('ERR_CONFIG', `record name must be absolute: ${record.name}`)
    this.#edits++
    const canonical = canonicalName(record.name)
    let node = this.#writable(canonical)
    if (node === undefined) {
      node = new NodeImpl(record.name, this.#generation)
      this.#insert(canonical, node)
    }
    if (node.rrsets.addRecord(record, key, node.name)) {
      this.#size++
      const slot = this.#loose.get(record)
      if (slot !== undefined) (node.slots ??= new Map()).set(record, slot)
    }
  }

  /** Removes a record equal to `record` (owner, type and rdata); returns whether one was removed. */
  remove(record: ZoneRecord): boolean {
    const key = typeKey(record.type)
    const canonical = canonicalName(record.name)
    if (key === undefined) return false
    const seen = this.#node(canonical)?.rrsets.get(key)
    if (seen === undefined || !seen.records.some((r) => sameData(r.data, record.data))) return false
    // Only now take the node as this zone's own (a copy when shared): a miss copies nothing.
    const node = this.#writable(canonical) as NodeImpl
    const set = node.rrsets.get(key) as RRset
    const i = set.records.findIndex((r) => sameData(r.data, record.data))
    this.#edits++
    const [gone] = set.records.splice(i, 1) as [ZoneRecord]
    const slot = node.slots?.get(gone)
    if (slot !== undefined) {
      // Its position stays readable through the record object, as for any record not in the zone.
      node.slots!.delete(gone)
      this.#loose.set(gone, slot)
    }
    if (set.records.length === 0) node.rrsets.drop(key)
    this.#size--
    if (node.rrsets.size === 0) this.#prune(canonical)
    return true
  }

  /**
   * An independent copy: the same records, canonical order, positions (`positionOf`), warnings
   * and errors, in O(pages) rather than O(records): the copy shares the zone's column pages,
   * name index pages and nodes, and each of the two copies a page or a node the first time it
   * changes it (see the module comment). Adding, removing or looking up in either zone never
   * shows in the other. Record objects are shared, as a zone never changes a record. A position
   * set with `setPosition` on a record that is not in the zone is not carried over.
   */
  clone(): Zone {
    cloning = true
    let copy: Zone
    try {
      copy = new Zone(this.origin, { class: this.class })
    } finally {
      cloning = false
    }
    copy.#nodes = this.#nodes.share()
    copy.#cols = this.#cols.share()
    // Nodes made so far belong to neither zone now: each copies one before changing it.
    this.#generation = {}
    copy.#size = this.#size
    // Never changed in place (replaced when a name is added), so it can be shared.
    copy.#sorted = this.#sorted
    copy.#files = this.#files.slice()
    copy.#lastFile = this.#lastFile
    copy.#lastFileIndex = this.#lastFileIndex
    copy.#lastName = this.#lastName
    copy.#lastKey = this.#lastKey
    copy.#edits = this.#edits
    for (const w of this.warnings) copy.warnings.push(w)
    for (const e of this.errors) copy.errors.push(e)
    return copy
  }

  /** The SOA record at the apex, if any. */
  get soa(): ZoneRecord | undefined {
    return this.#node(this.#apexKey)?.rrsets.get('SOA')?.records[0]
  }

  /** The node with this name (any case), empty non-terminals included. */
  get(name: string): ZoneNode | undefined {
    return this.#node(canonicalName(name))
  }

  /** The RRset of `name` and `type` (any spelling of the type: `'HTTPS'`, `'TYPE65'`). */
  rrset(name: string, type: string): RRset | undefined {
    const key = typeKey(type)
    return key === undefined ? undefined : this.#node(canonicalName(name))?.rrsets.get(key)
  }

  /** True when a node (possibly an empty non-terminal) exists at `name`. */
  has(name: string): boolean {
    return this.#exists(canonicalName(name))
  }

  /** True when `name` is at or below the apex. */
  contains(name: string): boolean {
    return isSubdomain(name, this.#apexKey)
  }

  /** The deepest existing node that is `name` or an ancestor of it; at worst the apex. */
  closestEncloser(name: string): ZoneNode {
    let n: string | undefined = canonicalName(name)
    while (n !== undefined) {
      if (this.#exists(n) && isSubdomain(n, this.#apexKey)) return this.#node(n) as NodeImpl
      if (n === this.#apexKey) break
      n = parentName(n)
    }
    return this.#node(this.#apexKey) as NodeImpl
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
      const key = chain[i] as string
      const value = this.#nodes.get(key)
      if (value === undefined) continue
      const hasNs = typeof value === 'number' ? this.#chainHas(value, 2) : value.rrsets.has('NS')
      if (hasNs) return this.#node(key)
    }
    return undefined
  }

  /** The `*.<encloser>` node, if present. */
  wildcard(encloser: string): ZoneNode | undefined {
    const e = canonicalName(encloser)
    return this.#node(e === '.' ? '*.' : '*.' + e)
  }

  /**
   * All nodes in canonical order (RFC 4034 §6.1), empty non-terminals included. Nodes never
   * looked up are built for the iteration only, so walking a large zone does not keep them.
   */
  *nodes(): IterableIterator<ZoneNode> {
    for (const e of this.#sortedEntries()) {
      const value = this.#nodes.value(e)
      if (value !== GONE) yield typeof value === 'number' ? this.#build(value, false) : value
    }
  }

  /**
   * All records as an array (dns-packet answer shapes), in canonical owner order; at each node
   * SOA first, then by type number. A new array on each read: for a large zone, iterate
   * {@link Zone.eachRecord} (or the zone itself) instead of holding them all at once.
   */
  get records(): ZoneRecord[] {
    return [...this.eachRecord()]
  }

  /** The zone's records, in the order {@link Zone.records} gives, one at a time. */
  [Symbol.iterator](): IterableIterator<ZoneRecord> {
    return this.eachRecord()
  }

  /** All records in canonical owner order; at each node SOA first, then by type number. */
  *eachRecord(): IterableIterator<ZoneRecord> {
    for (const e of this.#sortedEntries()) {
      const value = this.#nodes.value(e)
      if (typeof value === 'number') {
        const list: ZoneRecord[] = []
        for (let s = value; s !== NO_SLOT; s = this.#cols.next(s)) list.push(this.#record(s, false))
        if (list.length > 1) list.sort(compareRecords)
        yield* list
      } else {
        if (value.rrsets.size === 0) continue
        const sets = [...value.rrsets.values()].sort(compareRRsets)
        for (const set of sets) yield* set.records
      }
    }
  }

  /** Number of records. */
  get size(): number {
    return this.#size
  }

  /** Records where a record came from (kept in a side table, not on the record). */
  setPosition(record: ZoneRecord, file: string, line: number, column: number): void {
    const canonical = typeof record.name === 'string' ? canonicalName(record.name) : undefined
    const key = typeof record.type === 'string' ? typeKey(record.type) : undefined
    const value = canonical === undefined ? undefined : this.#nodes.get(canonical)
    const held = key !== undefined && typeof value === 'object' && value.rrsets.get(key)?.records.includes(record) === true
    if (!held) {
      let slot = this.#loose.get(record)
      if (slot === undefined) {
        slot = this.#newSlot(undefined, 0, 0, undefined)
        this.#loose.set(record, slot)
      }
      this.#setPositionAt(slot, file, line, column)
      return
    }
    // A record of the zone: its node keeps the slot (taken as this zone's own first).
    const node = this.#writable(canonical as string) as NodeImpl
    const slots = (node.slots ??= new Map())
    let slot = slots.get(record)
    if (slot === undefined) {
      slot = this.#newSlot(undefined, 0, 0, undefined)
      slots.set(record, slot)
    }
    this.#setPositionAt(slot, file, line, column)
  }

  /** Where `record` came from, when the parser recorded it. */
  positionOf(record: ZoneRecord): SourcePosition | undefined {
    let slot: number | undefined
    const value = typeof record.name === 'string' ? this.#nodes.get(canonicalName(record.name)) : undefined
    const type = typeNumber(String(record.type))
    if (typeof value === 'object') {
      slot = value.slots?.get(record)
      if (slot === undefined && type !== undefined && value.slots !== undefined) {
        // An equal record object (records of nodes kept in columns are built afresh on each read).
        const same = value.rrsets.get(packetTypeName(type))?.records.find((r) => sameData(r.data, record.data))
        slot = same === undefined ? undefined : value.slots.get(same)
      }
    } else if (typeof value === 'number' && type !== undefined) {
      for (let s = value; s !== NO_SLOT; s = this.#cols.next(s)) {
        if (this.#cols.type(s) === type && sameData(this.#dataAt(s, false), record.data)) {
          slot = s
          break
        }
      }
    }
    slot ??= this.#loose.get(record)
    if (slot === undefined) return undefined
    const [fileIndex, line, column] = this.#cols.position(slot)
    if (fileIndex === 0) return undefined
    return { file: this.#files[fileIndex - 1] as string, line, column }
  }

  // ---- internals -----------------------------------------------------------------------------

  #addParsed(name: string, type: number, ttl: number, data: unknown, file: string | undefined, line: number, column: number, perType: number, types: number): AddVerdict {
    let canonical: string
    if (name === this.#lastName) canonical = this.#lastKey
    else {
      canonical = canonicalName(name)
      this.#lastName = name
      this.#lastKey = canonical
    }
    const probed = this.#nodes.probe(canonical)
    const value = probed >= 0 ? this.#nodes.value(probed) : undefined
    if (value === undefined || value === GONE) {
      const slot = this.#newSlot(name, type, ttl, data)
      if (file !== undefined) this.#setPositionAt(slot, file, line, column)
      this.#insert(canonical, slot, probed)
      this.#size++
      return ADDED
    }
    if (typeof value === 'object') {
      const record: ZoneRecord = { name, type: recordType(type, data), class: this.class, ttl, data: recordData(type, data) }
      const key = packetTypeName(type)
      const set = value.rrsets.get(key)
      if (set === undefined ? value.rrsets.size >= types : set.records.length >= perType && !set.records.some((r) => sameData(r.data, record.data))) {
        return set === undefined ? OVER_TYPES : OVER_PER_TYPE
      }
      const node = this.#own(probed, value)
      if (node.rrsets.addRecord(record, key, node.name)) {
        this.#size++
        if (file !== undefined) this.setPosition(record, file, line, column)
      }
      return ADDED
    }
    let tail = value
    let same = 0
    for (let s = value; s !== NO_SLOT; s = this.#cols.next(s)) {
      if (this.#cols.type(s) === type) {
        if (sameData(this.#cols.data(s), data)) return ADDED
        same++
      }
      tail = s
    }
    if (same >= perType) return OVER_PER_TYPE
    // A new type at a name already holding records: count its types (only then, and bounded by the limits).
    if (same === 0 && types !== Infinity && this.#chainTypes(value, types) >= types) return OVER_TYPES
    const slot = this.#newSlot(name, type, ttl, data)
    if (file !== undefined) this.#setPositionAt(slot, file, line, column)
    this.#cols.setNext(tail, slot)
    this.#size++
    return ADDED
  }

  /** The number of distinct types in a column chain, counted up to `cap`. */
  #chainTypes(head: number, cap: number): number {
    const seen: number[] = []
    for (let s = head; s !== NO_SLOT && seen.length < cap; s = this.#cols.next(s)) {
      const t = this.#cols.type(s)
      if (!seen.includes(t)) seen.push(t)
    }
    return seen.length
  }

  /** Adds a new name to the table, with the empty non-terminals above it. */
  #insert(canonical: string, value: number | NodeImpl, probed = this.#nodes.probe(canonical)): void {
    if (probed >= 0) this.#nodes.setValue(probed, value) // a removed name coming back
    else this.#nodes.insertAt(probed, canonical, value)
    this.#sorted = undefined
    // Fast path: a direct child of the apex (most names) has no non-terminal to create.
    const apex = this.#apexKey
    const dot = firstSeparator(canonical)
    if (dot >= 0 && canonical.length - dot - 1 === apex.length && canonical.endsWith(apex)) return
    if (!isSubdomain(canonical, apex) || canonical === apex) return
    const name = typeof value === 'number' ? (this.#cols.owner(value) as string) : value.name
    let original = parentName(name)
    let key = parentName(canonical)
    while (key !== undefined && original !== undefined && key !== apex) {
      const p = this.#nodes.probe(key)
      if (p >= 0 && this.#nodes.value(p) !== GONE) break
      if (p >= 0) this.#nodes.setValue(p, new NodeImpl(original, this.#generation))
      else this.#nodes.insertAt(p, key, new NodeImpl(original, this.#generation))
      key = parentName(key)
      original = parentName(original)
    }
  }

  /** Whether a canonical name is in the zone (a node with records, or an empty non-terminal). */
  #exists(canonical: string): boolean {
    const e = this.#nodes.find(canonical)
    return e >= 0 && this.#nodes.value(e) !== GONE
  }

  /**
   * After `remove` emptied the node of `canonical`: the name ceases to exist unless names below
   * it do (then it is an empty non-terminal), and so do the non-terminals above it left with
   * nothing below. The index keeps no deletions: a removed name's value becomes {@link GONE}.
   * Finding descendants scans the index, so this costs O(names) per name removed.
   */
  #prune(canonical: string): void {
    const table = this.#nodes
    for (let key: string | undefined = canonical; key !== undefined && key !== this.#apexKey; key = parentName(key)) {
      const e = table.find(key)
      if (e < 0) return
      const value = table.value(e)
      if (value === GONE) continue
      if (typeof value === 'number' || value.rrsets.size > 0 || this.#hasDescendant(key)) return
      table.setValue(e, GONE)
    }
  }

  #hasDescendant(key: string): boolean {
    const table = this.#nodes
    const suffix = key === '.' ? '' : '.' + key
    for (let e = 0; e < table.size; e++) {
      const k = table.key(e)
      if (k !== key && k.endsWith(suffix) && table.value(e) !== GONE && isSubdomain(k, key)) return true
    }
    return false
  }

  /** The node of a canonical name, built from columns and kept when first looked up. */
  #node(canonical: string): NodeImpl | undefined {
    const e = this.#nodes.find(canonical)
    if (e < 0) return undefined
    const value = this.#nodes.value(e)
    if (value === GONE) return undefined
    if (typeof value !== 'number') return value
    const node = this.#build(value, true)
    this.#nodes.setValue(e, node)
    return node
  }

  /**
   * The node of a canonical name for a change: built from columns, or copied when another zone
   * may see it (made before the last `clone()`), and stored; undefined when the name is absent.
   */
  #writable(canonical: string): NodeImpl | undefined {
    const e = this.#nodes.find(canonical)
    if (e < 0) return undefined
    const value = this.#nodes.value(e)
    if (value === GONE) return undefined
    if (typeof value === 'number') {
      const node = this.#build(value, true)
      this.#nodes.setValue(e, node)
      return node
    }
    return this.#own(e, value)
  }

  /** `node`, the value of entry `e`, as this zone's own: itself, or a copy stored in its place. */
  #own(e: number, node: NodeImpl): NodeImpl {
    if (node.owner === this.#generation) return node
    const copy = node.clone(this.#generation)
    this.#nodes.setValue(e, copy)
    return copy
  }

  /** A node of objects from a column chain; `keep` registers the records' slots for positionOf. */
  #build(head: number, keep: boolean): NodeImpl {
    const node = new NodeImpl(this.#cols.owner(head) as string, this.#generation)
    const positions = keep && this.#files.length > 0
    if (positions) node.slots = new Map()
    for (let s = head; s !== NO_SLOT; s = this.#cols.next(s)) {
      const record = this.#record(s, keep)
      if (positions) node.slots!.set(record, s)
      node.rrsets.addRecord(record, packetTypeName(this.#cols.type(s)), node.name, false)
    }
    return node
  }

  #record(slot: number, keep: boolean): ZoneRecord {
    const cols = this.#cols
    const data = this.#dataAt(slot, keep)
    return { name: cols.owner(slot) as string, type: recordType(cols.type(slot), data), class: this.class, ttl: cols.ttl(slot), data }
  }

  /**
   * The dns-packet data of a slot. TXT is stored packed; when the node is being kept as objects
   * the packed string is dropped from the column (the record object now owns the data).
   */
  #dataAt(slot: number, keep: boolean): unknown {
    const data = this.#cols.data(slot)
    if (keep) this.#cols.clearData(slot)
    return recordData(this.#cols.type(slot), data)
  }

  #chainHas(head: number, type: number): boolean {
    for (let s = head; s !== NO_SLOT; s = this.#cols.next(s)) if (this.#cols.type(s) === type) return true
    return false
  }

  #newSlot(owner: string | undefined, type: number, ttl: number, data: unknown): number {
    return this.#cols.add(owner, type, ttl, data)
  }

  #setPositionAt(slot: number, file: string, line: number, column: number): void {
    if (file !== this.#lastFile) {
      let index = this.#files.lastIndexOf(file)
      if (index < 0) {
        if (this.#files.length >= 0xfffe) return
        index = this.#files.push(file) - 1
      }
      this.#lastFile = file
      this.#lastFileIndex = index + 1
    }
    this.#cols.setPosition(slot, this.#lastFileIndex, line, column)
  }

  /** Name-table entries in canonical order (kept until a name is added). */
  #sortedEntries(): Int32Array {
    if (this.#sorted === undefined) {
      // Otherwise sorted by a temporary key per name (labels reversed, see sortKey) compared natively.
      const table = this.#nodes
      const apex = this.#apexKey
      const tail = apex === '.' ? apex : '.' + apex
      let escapes = false
      let outside = false
      for (let e = 0; e < table.size && !escapes; e++) {
        const key = table.key(e)
        escapes = key.indexOf('\\') >= 0
        if (!outside && key !== apex && !key.endsWith(tail)) outside = true
      }
      // Names all at or below the apex (nearly always) share it: compared without it, and mostly
      // without a key string (a zone of millions of names sorts once, on its first transfer).
      if (!escapes && !outside) return (this.#sorted = sortBelowApex(table, tail.length))
      const keyOf = escapes ? canonicalSortKey : sortKey
      const keys = new Array<string>(table.size)
      const entries = new Int32Array(table.size)
      for (let e = 0; e < entries.length; e++) {
        entries[e] = e
        keys[e] = keyOf(table.key(e))
      }
      this.#sorted = entries.sort((a, b) => {
        const ka = keys[a] as string
        const kb = keys[b] as string
        return ka < kb ? -1 : ka > kb ? 1 : 0
      })
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

/**
 * dns-packet's data from the parser's compact rdata: A held as a number becomes its dotted
 * quad, TXT held packed becomes `Buffer[]`; everything else is already dns-packet's shape.
 */
export function recordData(type: number, data: unknown): unknown {
  if (type === A && typeof data === 'number') return ipv4Text(data)
  if (type === TXT && typeof data === 'string') return unpackTxt(data)
  return data
}

/**
 * TXT rdata as dns-packet wants it (`Buffer[]`, views of one Buffer) from the parser's packed
 * form: the wire rdata (length-prefixed character-strings) as a latin1 string.
 */
export function unpackTxt(packed: string): Buffer[] {
  const bytes = Buffer.from(packed, 'latin1')
  const out: Buffer[] = []
  let p = 0
  while (p < bytes.length) {
    const n = bytes[p] as number
    out.push(bytes.subarray(p + 1, p + 1 + n))
    p += 1 + n
  }
  return out
}

/**
 * The record object for a record in the parser's compact form (see {@link addParsedRecord}):
 * what the zone would give for it once stored.
 */
export function compactRecord(name: string, type: number, klass: string, ttl: number, data: unknown): ZoneRecord {
  const value = recordData(type, data)
  return { name, type: recordType(type, value), class: klass, ttl, data: value }
}

/**
 * The record `type` string for rdata of type `n`: dns-packet's name, or `UNKNOWN_n` when the
 * data is wire rdata of a type dns-packet encodes from a structured object (so it encodes as-is).
 */
function recordType(n: number, data: unknown): string {
  return Buffer.isBuffer(data) && hasPacketCodec(n) ? `UNKNOWN_${n}` : packetTypeName(n)
}

function compareRRsets(a: RRset, b: RRset): number {
  if (a.type === 'SOA') return -1
  if (b.type === 'SOA') return 1
  return (typeNumber(a.type) ?? 0) - (typeNumber(b.type) ?? 0)
}

function compareRecords(a: ZoneRecord, b: ZoneRecord): number {
  if (a.type === b.type) return 0
  if (a.type === 'SOA') return -1
  if (b.type === 'SOA') return 1
  return (typeNumber(a.type) ?? 0) - (typeNumber(b.type) ?? 0)
}

/**
 * A string whose `<` order is the RFC 4034 §6.1 order of canonical (lower-case) names without
 * escapes: the labels right to left, each followed by NUL, so a label sorts before longer
 * labels it prefixes and a name before its descendants. (With escapes, bytes can be NUL: a zone
 * holding such names is sorted by {@link canonicalSortKey} throughout.)
 */
function sortKey(name: string): string {
  if (name === '.') return ''
  let key = ''
  let end = name.length - 1
  while (end > 0) {
    const start = name.lastIndexOf('.', end - 1) + 1
    key += name.slice(start, end) + '\u0000'
    end = start - 1
  }
  return key
}

/**
 * The entries of `table` (names all at or below the apex, without escapes) in canonical order.
 * A name one label below the apex (nearly all of a large zone) is compared as the part of its
 * table key above the apex, read in place; only deeper names get a {@link relativeSortKey}
 * string. A key string per name would cost about 28 MB of heap at 1,000,000 names, on top of
 * the zone, during its first transfer.
 */
function sortBelowApex(table: NameTable<unknown>, tailLength: number): Int32Array {
  const size = table.size
  // Per entry: the length of its key's part above the apex, or -1 when its key is in `deeper`.
  const ends = new Int32Array(size)
  const deeper = new Map<number, string>()
  const entries = new Int32Array(size)
  for (let e = 0; e < size; e++) {
    entries[e] = e
    const name = table.key(e)
    const end = name.length - tailLength
    if (end <= 0) ends[e] = 0
    else if (name.lastIndexOf('.', end - 1) < 0) ends[e] = end
    else {
      ends[e] = -1
      deeper.set(e, relativeSortKey(name, tailLength))
    }
  }
  return entries.sort((a, b) => {
    const ea = ends[a] as number
    const eb = ends[b] as number
    const sa = ea >= 0 ? table.key(a) : (deeper.get(a) as string)
    const sb = eb >= 0 ? table.key(b) : (deeper.get(b) as string)
    const la = ea >= 0 ? ea : sa.length
    const lb = eb >= 0 ? eb : sb.length
    const n = la < lb ? la : lb
    // As `<` on the two keys: UTF-16 units in order, a prefix first.
    for (let i = 0; i < n; i++) {
      const d = sa.charCodeAt(i) - sb.charCodeAt(i)
      if (d !== 0) return d
    }
    return la - lb
  })
}

/**
 * {@link sortKey} of a name at or below the apex, the apex left out (`tailLength`: the length of
 * the apex with its leading dot, or 1 for the root): the labels above the apex right to left,
 * NUL after each but the last (a last label needs none: a prefix sorts first either way). One
 * label, most names, is a plain slice.
 */
function relativeSortKey(name: string, tailLength: number): string {
  const end = name.length - tailLength
  if (end <= 0) return ''
  let dot = name.lastIndexOf('.', end - 1)
  if (dot < 0) return name.slice(0, end)
  let key = ''
  let stop = end
  while (dot >= 0) {
    key += name.slice(dot + 1, stop) + '\u0000'
    stop = dot
    dot = name.lastIndexOf('.', stop - 1)
  }
  return key + name.slice(0, stop)
}

/** Index of the first unescaped dot of a name, or -1. */
function firstSeparator(name: string): number {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c === 0x5c) i++
    else if (c === 0x2e) return i
  }
  return -1
}

class NodeImpl implements ZoneNode {
  /** Slots of the positions of this node's records (record objects as held), when it has any. */
  slots: Map<ZoneRecord, number> | undefined

  constructor(
    readonly name: string,
    /** The generation token of the zone that may change this node in place. */
    readonly owner: object,
    readonly rrsets = new RRsetMap(),
  ) {}

  /** A copy with its own RRsets and positions (the record objects shared), owned by `owner`. */
  clone(owner: object): NodeImpl {
    const copy = new NodeImpl(this.name, owner, this.rrsets.clone())
    if (this.slots !== undefined) copy.slots = new Map(this.slots)
    return copy
  }
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

  /** Adds a record to the RRset of `key`; false when an equal record is there (merged). */
  addRecord(record: ZoneRecord, key: string, owner: string, dedupe = true): boolean {
    const existing = this.get(key)
    if (existing === undefined) {
      const set: RRset = { name: owner, type: key, ttl: record.ttl, records: [record] }
      if (this.#sets === undefined) this.#sets = [set]
      else this.#sets.push(set)
      return true
    }
    if (dedupe) for (const r of existing.records) if (sameData(r.data, record.data)) return false
    existing.records.push(record)
    return true
  }

  /** A copy with its own RRset objects and record arrays (the record objects shared). */
  clone(): RRsetMap {
    const copy = new RRsetMap()
    const sets = this.#sets
    if (sets !== undefined) copy.#sets = sets.map((s) => ({ name: s.name, type: s.type, ttl: s.ttl, records: s.records.slice() }))
    return copy
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

/** The walk behind {@link recordWalk}: one node's records loaded at a time, sorted as eachRecord sorts them. */
class ZoneWalk implements RecordWalk {
  name = ''
  type = 0
  klass: number
  ttl = 0
  data: unknown = undefined
  record: ZoneRecord | undefined = undefined
  readonly #nodes: NameTable<number | NodeImpl>
  readonly #sorted: Int32Array
  readonly #cols: RecordColumns
  readonly #zoneClass: number
  #entry = 0
  // The current node's records when kept in columns, copied out when the node is reached.
  #owners: string[] = []
  #types: number[] = []
  #ttls: number[] = []
  #data: unknown[] = []
  #order: number[] = []
  #count = 0
  #at = 0
  // The current node's records when kept as objects.
  #records: ZoneRecord[] = []
  #recordAt = 0

  constructor(nodes: NameTable<number | NodeImpl>, sorted: Int32Array, cols: RecordColumns, klass: number) {
    this.#nodes = nodes
    this.#sorted = sorted
    this.#cols = cols
    this.klass = klass
    this.#zoneClass = klass
  }

  next(): boolean {
    for (;;) {
      if (this.#at < this.#count) {
        const i = this.#order[this.#at++] as number
        this.name = this.#owners[i] as string
        this.type = this.#types[i] as number
        this.ttl = this.#ttls[i] as number
        this.data = this.#data[i]
        this.#data[i] = undefined
        return true
      }
      if (this.#recordAt < this.#records.length) {
        const r = this.#records[this.#recordAt++] as ZoneRecord
        this.record = r
        this.name = r.name
        this.type = typeNumber(String(r.type)) ?? 0
        this.klass = classNumber(String(r.class ?? 'IN')) ?? 1
        this.ttl = r.ttl
        this.data = r.data
        return true
      }
      if (this.#entry >= this.#sorted.length) {
        this.record = undefined
        this.data = undefined
        return false
      }
      this.#load(this.#nodes.value(this.#sorted[this.#entry++] as number))
    }
  }

  #load(value: number | NodeImpl): void {
    this.#count = 0
    this.#at = 0
    // Only when objects were loaded: setting an array's length is a builtin call per node.
    if (this.#records.length !== 0) this.#records.length = 0
    this.#recordAt = 0
    if (value === GONE) return
    if (typeof value === 'number') {
      this.record = undefined
      this.klass = this.#zoneClass
      const cols = this.#cols
      let n = 0
      for (let s = value; s !== NO_SLOT; s = cols.next(s), n++) {
        this.#owners[n] = cols.owner(s) as string
        this.#types[n] = cols.type(s)
        this.#ttls[n] = cols.ttl(s)
        this.#data[n] = cols.data(s)
        // Insertion sort by type, SOA first, stable (as eachRecord's sort): chains are short.
        const rank = typeRank(this.#types[n] as number)
        let j = n
        while (j > 0 && typeRank(this.#types[this.#order[j - 1] as number] as number) > rank) {
          this.#order[j] = this.#order[j - 1] as number
          j--
        }
        this.#order[j] = n
      }
      this.#count = n
      return
    }
    if (value.rrsets.size === 0) return
    const sets = [...value.rrsets.values()].sort(compareRRsets)
    for (const set of sets) for (const r of set.records) this.#records.push(r)
  }
}

/** The order of types at a node: SOA first, then by number. */
function typeRank(type: number): number {
  return type === TYPE.SOA ? -1 : type
}

/** The index value of a name that `remove` took out of the zone (see `#prune`). */
const GONE = new NodeImpl('', {})
