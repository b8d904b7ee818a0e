/**
 * What a metric family is here: a Prometheus family (name, help, type, label names) whose samples
 * are computed from a component's `snapshot()` at scrape time. Nothing is counted twice: a
 * counter's value is the component's own counter, read when Prometheus asks.
 */

/** One sample of a family: its label values and its value. */
export type Sample = readonly [labels: Readonly<Record<string, string>>, value: number]

/** A family whose samples come from one kind of snapshot `S`. */
export interface FamilySpec<S> {
  /** The full Prometheus name (`dnsha_...`, counters ending in `_total`). */
  readonly name: string
  readonly help: string
  readonly type: 'counter' | 'gauge'
  /** Every label a sample carries, in order. */
  readonly labels: readonly string[]
  /** The samples for one watched component, `name` being the name it was watched under. */
  samples(snapshot: S, name: string): Iterable<Sample>
}

/** A kind of component the metrics can watch: how to recognise it, read it, and what it exposes. */
export interface ComponentKind<C, S> {
  /** The kind's name (`server`, `forwarder`, ...), used in errors. */
  readonly kind: string
  matches(component: unknown): component is C
  snapshot(component: C): S
  readonly families: readonly FamilySpec<S>[]
}

/** A counter family (the name must end in `_total`). */
export function counter<S>(name: string, help: string, labels: readonly string[], samples: (snapshot: S, name: string) => Iterable<Sample>): FamilySpec<S> {
  return { name, help, type: 'counter', labels, samples }
}

/** A gauge family. */
export function gauge<S>(name: string, help: string, labels: readonly string[], samples: (snapshot: S, name: string) => Iterable<Sample>): FamilySpec<S> {
  return { name, help, type: 'gauge', labels, samples }
}

/** One entry per key of a `Record<string, number>` (rcodes, drop reasons...), under `label`. */
export function byKey(base: Readonly<Record<string, string>>, label: string, counts: Readonly<Record<string, number | undefined>>): Sample[] {
  const out: Sample[] = []
  for (const [key, value] of Object.entries(counts)) if (value !== undefined) out.push([{ ...base, [label]: key }, value])
  return out
}

/** Seconds from milliseconds (Prometheus base units). */
export function seconds(ms: number): number {
  return ms / 1000
}
