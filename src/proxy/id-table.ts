/**
 * {@link IdTable}: the in-flight queries of one upstream socket, filed by the 16-bit id the
 * proxy gave them. Ids are drawn at random among the free ones (RFC 5452: the id is half of the
 * defence against spoofed answers, the connected socket's port the other), so no two queries in
 * flight on a socket ever share one, up to all 65,536.
 *
 * An entry is a handle (a small integer ≥ 0: the pool's slot of the query's send), kept in a
 * typed array: filing and freeing allocate nothing, and the garbage collector has no 65,536
 * pointers per socket to trace.
 */
import type { Random } from '../util/random.js'

/** Random draws before falling back to a scan for a free id (only a nearly full table needs it). */
const DRAWS = 16
const IDS = 0x10000

/** In-flight handles of one socket, by id. */
export class IdTable {
  /** The handle filed under each id, plus one (0: free). */
  private readonly slots = new Int32Array(IDS)
  private count = 0

  constructor(private readonly random: Random) {}

  /** Entries in flight. */
  get size(): number {
    return this.count
  }

  /** Files `handle` (an integer ≥ 0) under a free random id and returns the id; -1 when all 65,536 are taken. */
  add(handle: number): number {
    if (this.count >= IDS) return -1
    const slots = this.slots
    let id = this.random.int(IDS)
    for (let i = 1; i < DRAWS && slots[id] !== 0; i++) id = this.random.int(IDS)
    // Nearly full: walk on from the last draw to the next free slot (there is one).
    while (slots[id] !== 0) id = (id + 1) & 0xffff
    slots[id] = handle + 1
    this.count++
    return id
  }

  /** The handle under `id`; -1 when the id is free. */
  get(id: number): number {
    return this.slots[id]! - 1
  }

  /** Frees `id` when it holds `handle` (a later entry under a reused id is left alone). */
  delete(id: number, handle: number): void {
    if (this.slots[id] !== handle + 1) return
    this.slots[id] = 0
    this.count--
  }

  /** Appends every handle in flight to `into` (in id order). */
  collect(into: number[]): void {
    if (this.count === 0) return
    const slots = this.slots
    for (let id = 0; id < IDS; id++) if (slots[id] !== 0) into.push(slots[id]! - 1)
  }
}
