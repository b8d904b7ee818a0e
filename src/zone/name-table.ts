/**
 * The zone's name index: canonical name → value, an open-addressing hash table over typed
 * arrays with paged key and value columns. Compared with a Map of a million names it inserts
 * about twice as fast (one probe for "find or add", no rehash of string keys: hashes are kept)
 * and growing it leaves no discarded key arrays behind. Names are never deleted from the index
 * (the zone marks a removed name by its value), so there are no tombstones.
 *
 * Copy on write: {@link NameTable.share} makes a second table over the same pages (bucket pages
 * included) in O(pages); from then on each table copies a page the first time it writes to it,
 * so an edit of a few names in a copy of a large table costs a few page copies, not the table.
 */

const PAGE_BITS = 13
const PAGE = 1 << PAGE_BITS
const MASK = PAGE - 1
const EMPTY = -1
/**
 * Entries of the first page to begin with; it doubles up to PAGE as names come. Most tables are
 * large, but a zone is also built for a few names at a time (an update's checked region), and a
 * full first page (some 100 kB) for those was most of their cost.
 */
const FIRST = 16

/** Hash table from canonical names to values of type `T`. */
export class NameTable<T> {
  #size = 0
  #mask = FIRST * 2 - 1
  /** Bucket pages of at most PAGE buckets (one shorter page while the table is small). */
  #buckets: Int32Array[] = [new Int32Array(FIRST * 2).fill(EMPTY)]
  #hashes: Uint32Array[] = []
  #keys: string[][] = []
  #values: T[][] = []
  // Per page: whether this table may write it (false: shared with a table made by share()).
  #ownBuckets: boolean[] = [true]
  #ownEntries: boolean[] = []
  #ownValues: boolean[] = []
  /** Hash of the key of the last {@link probe}, reused by {@link insertAt}. */
  #probedHash = 0

  /** Number of names. */
  get size(): number {
    return this.#size
  }

  /**
   * The entry of `key` (≥ 0), or, when absent, `-(bucket + 1)`: where {@link insertAt} puts it
   * if called before any other change.
   */
  probe(key: string): number {
    const h = hashName(key)
    this.#probedHash = h
    const mask = this.#mask
    const buckets = this.#buckets
    let b = h & mask
    for (;;) {
      const e = (buckets[b >>> PAGE_BITS] as Int32Array)[b & MASK] as number
      if (e === EMPTY) return -(b + 1)
      if (this.#hash(e) === h && this.key(e) === key) return e
      b = (b + 1) & mask
    }
  }

  /** The entry of `key`, or -1. */
  find(key: string): number {
    const p = this.probe(key)
    return p >= 0 ? p : -1
  }

  /** Adds `key` (absent, as the negative result of the last {@link probe} says); returns its entry. */
  insertAt(probed: number, key: string, value: T): number {
    const e = this.#size++
    const page = e >>> PAGE_BITS
    const i = e & MASK
    if (i === 0) {
      const size = page === 0 ? FIRST : PAGE
      this.#hashes.push(new Uint32Array(size))
      this.#keys.push(new Array<string>(size))
      this.#values.push(new Array<T>(size))
      this.#ownEntries.push(true)
      this.#ownValues.push(true)
    } else {
      if (this.#ownEntries[page] !== true) {
        this.#hashes[page] = (this.#hashes[page] as Uint32Array).slice()
        this.#keys[page] = (this.#keys[page] as string[]).slice()
        this.#ownEntries[page] = true
      }
      const hashes = this.#hashes[page] as Uint32Array
      if (i >= hashes.length) {
        // The first page, full at its current size: double it (plain arrays grow by themselves).
        const grown = new Uint32Array(Math.min(PAGE, hashes.length * 2))
        grown.set(hashes)
        this.#hashes[page] = grown
      }
    }
    ;(this.#hashes[page] as Uint32Array)[i] = this.#probedHash
    ;(this.#keys[page] as string[])[i] = key
    this.#valuePage(page)[i] = value
    const b = -probed - 1
    this.#bucketPage(b >>> PAGE_BITS)[b & MASK] = e
    if (this.#size * 2 > this.#mask) this.#grow()
    return e
  }

  /** Adds `key` → `value`, or replaces the value of an existing key. */
  set(key: string, value: T): void {
    const p = this.probe(key)
    if (p >= 0) this.setValue(p, value)
    else this.insertAt(p, key, value)
  }

  /** The value of `key`, if present. */
  get(key: string): T | undefined {
    const e = this.find(key)
    return e < 0 ? undefined : this.value(e)
  }

  /** The name of an entry. */
  key(e: number): string {
    return (this.#keys[e >>> PAGE_BITS] as string[])[e & MASK] as string
  }

  /** The value of an entry. */
  value(e: number): T {
    return (this.#values[e >>> PAGE_BITS] as T[])[e & MASK] as T
  }

  /** Replaces the value of an entry. */
  setValue(e: number, value: T): void {
    this.#valuePage(e >>> PAGE_BITS)[e & MASK] = value
  }

  /**
   * A table with the same entries over the same pages, in O(pages): from now on this table and
   * the new one each copy a page before their first write to it, so neither sees the other's
   * changes. Values are shared as they are: values that are mutable objects need the caller's
   * own copy-on-write (the zone's nodes carry their owner).
   */
  share(): NameTable<T> {
    const copy = new NameTable<T>()
    copy.#size = this.#size
    copy.#mask = this.#mask
    copy.#buckets = this.#buckets.slice()
    copy.#hashes = this.#hashes.slice()
    copy.#keys = this.#keys.slice()
    copy.#values = this.#values.slice()
    this.#ownBuckets.fill(false)
    this.#ownEntries.fill(false)
    this.#ownValues.fill(false)
    copy.#ownBuckets = this.#ownBuckets.slice()
    copy.#ownEntries = this.#ownEntries.slice()
    copy.#ownValues = this.#ownValues.slice()
    return copy
  }

  #hash(e: number): number {
    return (this.#hashes[e >>> PAGE_BITS] as Uint32Array)[e & MASK] as number
  }

  /** Page `page` of values, copied first when shared. */
  #valuePage(page: number): T[] {
    if (this.#ownValues[page] !== true) {
      this.#values[page] = (this.#values[page] as T[]).slice()
      this.#ownValues[page] = true
    }
    return this.#values[page] as T[]
  }

  /** Bucket page `page`, copied first when shared. */
  #bucketPage(page: number): Int32Array {
    if (this.#ownBuckets[page] !== true) {
      this.#buckets[page] = (this.#buckets[page] as Int32Array).slice()
      this.#ownBuckets[page] = true
    }
    return this.#buckets[page] as Int32Array
  }

  #grow(): void {
    const size = (this.#mask + 1) * 2
    const mask = size - 1
    const pages: Int32Array[] = []
    for (let at = 0; at < size; at += PAGE) pages.push(new Int32Array(Math.min(PAGE, size - at)).fill(EMPTY))
    for (let e = 0; e < this.#size; e++) {
      let b = this.#hash(e) & mask
      while ((pages[b >>> PAGE_BITS] as Int32Array)[b & MASK] !== EMPTY) b = (b + 1) & mask
      ;(pages[b >>> PAGE_BITS] as Int32Array)[b & MASK] = e
    }
    this.#buckets = pages
    this.#ownBuckets = pages.map(() => true)
    this.#mask = mask
  }
}

/** FNV-1a over the UTF-16 code units of a name. */
function hashName(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}
