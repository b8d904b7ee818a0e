/**
 * Column storage for the records a zone holds without objects: owner, rdata, type, TTL, the
 * link to the next record of the same owner, and the source position. Columns are paged
 * (fixed-size pages, never copied), so growing a zone of millions of records leaves no
 * discarded arrays behind and no slack beyond the last page.
 *
 * Copy on write: {@link RecordColumns.share} gives a second set of columns over the same pages;
 * each then copies a page (all its columns) the first time it writes to it.
 */

// 8192 slots: a page of references (8 bytes each without pointer compression) stays below V8's
// large-object size, so pages live in the ordinary old generation.
const PAGE_BITS = 13
const PAGE = 1 << PAGE_BITS
const MASK = PAGE - 1

/** "No next record" in {@link RecordColumns.next}. */
export const NO_SLOT = -1

/** Paged record columns; a slot number addresses one record. */
export class RecordColumns {
  #count = 0
  #owner: (string | undefined)[][] = []
  #data: unknown[][] = []
  #type: Uint16Array[] = []
  #ttl: Uint32Array[] = []
  #next: Int32Array[] = []
  // Positions, allocated per page on first use: line, column, file index + 1 (0: none).
  #line: (Uint32Array | undefined)[] = []
  #column: (Uint16Array | undefined)[] = []
  #file: (Uint16Array | undefined)[] = []
  /** Per page: whether these columns may write it (false: shared with columns made by share()). */
  #own: boolean[] = []

  /** Number of slots used. */
  get count(): number {
    return this.#count
  }

  /** Appends a record; returns its slot. */
  add(owner: string | undefined, type: number, ttl: number, data: unknown): number {
    const slot = this.#count++
    const page = slot >>> PAGE_BITS
    const i = slot & MASK
    if (i === 0) {
      this.#owner.push(new Array<string | undefined>(PAGE))
      this.#data.push(new Array<unknown>(PAGE))
      this.#type.push(new Uint16Array(PAGE))
      this.#ttl.push(new Uint32Array(PAGE))
      this.#next.push(new Int32Array(PAGE))
      this.#line.push(undefined)
      this.#column.push(undefined)
      this.#file.push(undefined)
      this.#own.push(true)
    } else this.#writable(page)
    ;(this.#owner[page] as (string | undefined)[])[i] = owner
    ;(this.#data[page] as unknown[])[i] = data
    ;(this.#type[page] as Uint16Array)[i] = type
    ;(this.#ttl[page] as Uint32Array)[i] = ttl
    ;(this.#next[page] as Int32Array)[i] = NO_SLOT
    return slot
  }

  /**
   * Columns with the same slots over the same pages, in O(pages): from now on these columns and
   * the new ones each copy a page before their first write to it (rdata values are shared, never
   * mutated).
   */
  share(): RecordColumns {
    const copy = new RecordColumns()
    copy.#count = this.#count
    copy.#owner = this.#owner.slice()
    copy.#data = this.#data.slice()
    copy.#type = this.#type.slice()
    copy.#ttl = this.#ttl.slice()
    copy.#next = this.#next.slice()
    copy.#line = this.#line.slice()
    copy.#column = this.#column.slice()
    copy.#file = this.#file.slice()
    this.#own.fill(false)
    copy.#own = this.#own.slice()
    return copy
  }

  /** The owner name of a slot, as written in the file. */
  owner(slot: number): string | undefined {
    return this.#owner[slot >>> PAGE_BITS]?.[slot & MASK]
  }

  /** The rdata of a slot, in the parser's compact form. */
  data(slot: number): unknown {
    return this.#data[slot >>> PAGE_BITS]?.[slot & MASK]
  }

  /**
   * Drops a slot's rdata (once a record object owns it) when these columns own its page; a page
   * shared with a copy keeps it (copying the page would cost more than the memory saved).
   */
  clearData(slot: number): void {
    const p = slot >>> PAGE_BITS
    const page = this.#data[p]
    if (page !== undefined && this.#own[p] === true) page[slot & MASK] = undefined
  }

  /** The type number of a slot. */
  type(slot: number): number {
    return (this.#type[slot >>> PAGE_BITS] as Uint16Array)[slot & MASK] as number
  }

  /** The TTL of a slot. */
  ttl(slot: number): number {
    return (this.#ttl[slot >>> PAGE_BITS] as Uint32Array)[slot & MASK] as number
  }

  /** The next record of the same owner, or {@link NO_SLOT}. */
  next(slot: number): number {
    return (this.#next[slot >>> PAGE_BITS] as Int32Array)[slot & MASK] as number
  }

  /** Links a record after `slot`. */
  setNext(slot: number, next: number): void {
    this.#writable(slot >>> PAGE_BITS)
    ;(this.#next[slot >>> PAGE_BITS] as Int32Array)[slot & MASK] = next
  }

  /** Records a position; `file` is an index + 1 into the caller's file list. */
  setPosition(slot: number, file: number, line: number, column: number): void {
    const page = slot >>> PAGE_BITS
    const i = slot & MASK
    this.#writable(page)
    let lines = this.#line[page]
    if (lines === undefined) {
      lines = this.#line[page] = new Uint32Array(PAGE)
      this.#column[page] = new Uint16Array(PAGE)
      this.#file[page] = new Uint16Array(PAGE)
    }
    lines[i] = line
    ;(this.#column[page] as Uint16Array)[i] = Math.min(column, 0xffff)
    ;(this.#file[page] as Uint16Array)[i] = file
  }

  /** The position of a slot as `[file index + 1, line, column]`; file 0 means none. */
  position(slot: number): [number, number, number] {
    const page = slot >>> PAGE_BITS
    const i = slot & MASK
    const files = this.#file[page]
    if (files === undefined) return [0, 0, 0]
    return [files[i] as number, (this.#line[page] as Uint32Array)[i] as number, (this.#column[page] as Uint16Array)[i] as number]
  }

  /** Makes page `page` (every column) these columns' own, copying it when shared. */
  #writable(page: number): void {
    if (this.#own[page] === true) return
    this.#owner[page] = (this.#owner[page] as (string | undefined)[]).slice()
    this.#data[page] = (this.#data[page] as unknown[]).slice()
    this.#type[page] = (this.#type[page] as Uint16Array).slice()
    this.#ttl[page] = (this.#ttl[page] as Uint32Array).slice()
    this.#next[page] = (this.#next[page] as Int32Array).slice()
    this.#line[page] = this.#line[page]?.slice()
    this.#column[page] = this.#column[page]?.slice()
    this.#file[page] = this.#file[page]?.slice()
    this.#own[page] = true
  }
}
