/**
 * {@link IdTable}: the in-flight queries of one upstream socket, filed by the 16-bit id the
 * proxy gave them. Ids are drawn at random among the free ones (RFC 5452: the id is half of the
 * defence against spoofed answers, the connected socket's port the other), so no two queries in
 * flight on a socket ever share one, up to all 65,536.
 */
import type { Random } from '../util/random.js'

/** Random draws before falling back to a scan for a free id (only a nearly full table needs it). */
const DRAWS = 16

/** In-flight entries of one socket, by id. */
export class IdTable<T> {
  private readonly slots: (T | undefined)[] = new Array<T | undefined>(0x10000)
  private count = 0

  constructor(private readonly random: Random) {}

  /** Entries in flight. */
  get size(): number {
    return this.count
  }

  /** Files `entry` under a free random id and returns the id; `undefined` when all 65,536 are taken. */
  add(entry: T): number | undefined {
    if (this.count >= 0x10000) return undefined
    let id = this.random.int(0x10000)
    for (let i = 1; i < DRAWS && this.slots[id] !== undefined; i++) id = this.random.int(0x10000)
    // Nearly full: walk on from the last draw to the next free slot (there is one).
    while (this.slots[id] !== undefined) id = (id + 1) & 0xffff
    this.slots[id] = entry
    this.count++
    return id
  }

  /** The entry under `id`, if any. */
  get(id: number): T | undefined {
    return this.slots[id]
  }

  /** Frees `id` when it holds `entry` (a later entry under a reused id is left alone). */
  delete(id: number, entry: T): void {
    if (this.slots[id] !== entry) return
    this.slots[id] = undefined
    this.count--
  }
}
