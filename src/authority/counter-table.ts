/**
 * Counters kept in one growable Float64Array and named by index. A cached answer stores the
 * indices of the counters its hits add to (zone queries, qtype, rcode), so a hit counts itself
 * with three typed-array increments instead of reaching three objects through its metadata.
 */
export class CounterTable {
  /** The counter values; replaced (grown) by {@link allocate}, so read it afresh each time. */
  values = new Float64Array(64)
  private used = 0

  /** A new counter at zero; returns its index. */
  allocate(): number {
    if (this.used === this.values.length) {
      const grown = new Float64Array(this.values.length * 2)
      grown.set(this.values)
      this.values = grown
    }
    return this.used++
  }
}
