/**
 * Per-zone counters (BIND zone-statistics): queries, and answers by qtype and by rcode, kept in
 * one {@link CounterTable} so a cached answer can carry the indices its hits add to.
 */
import { CounterTable } from './counter-table.js'

/** One zone's counters, as indices into a {@link ZoneCounters} table. */
export interface ZoneStats {
  queries: number
  qtypes: Map<string, number>
  rcodes: Map<string, number>
}

/** The counters of every zone of an authority. */
export class ZoneCounters {
  readonly table = new CounterTable()

  /** Counters for a new zone entry. */
  newStats(): ZoneStats {
    return { queries: this.table.allocate(), qtypes: new Map(), rcodes: new Map() }
  }

  /** The counter for `key` (a qtype or rcode name) in one of a zone's maps, made on first use. */
  counterOf(map: Map<string, number>, key: string): number {
    let index = map.get(key)
    if (index === undefined) map.set(key, (index = this.table.allocate()))
    return index
  }

  /** Counts one answer for a zone. */
  count(stats: ZoneStats, qtype: string, rcode: string): void {
    const values = this.table.values
    values[stats.queries]!++
    values[this.counterOf(stats.qtypes, qtype)]!++
    values[this.counterOf(stats.rcodes, rcode)]!++
  }

  /** The non-zero counts of one of a zone's maps, by name. */
  countsOf(map: Map<string, number>): Record<string, number> {
    const out: Record<string, number> = {}
    for (const [k, index] of map) {
      const n = this.table.values[index]!
      if (n > 0) out[k] = n
    }
    return out
  }
}
