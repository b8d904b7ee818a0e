/**
 * The metrics of a running topology: every component of every live machine watched on a
 * {@link DnsHaMetrics} under its machine's name (`director1`, `secondary2`, `a`, ...; the
 * family's kind label says the role: `server`, `pool`, `prober`, `router`, ...). A killed
 * machine's components are unwatched at once (their families vanish, rather than freezing at
 * their last values); a restored machine's new components are watched, so its families come
 * back and move again.
 */
import type { DnsHaMetrics, Watchable } from '../metrics/index.js'

/** A component to watch and the name it is watched under. */
export type NamedComponent = readonly [name: string, component: Watchable]

/** What {@link watchTopologyMetrics} needs of a topology. */
export interface MetricsSource {
  /** Every machine's name. */
  nodes(): readonly string[]
  /** The components of a machine as it runs now (none while it is dead). */
  components(node: string): readonly NamedComponent[]
  /** Components that belong to no killable machine (the primary, the upstream). */
  fixed(): readonly NamedComponent[]
  /** Subscribes to the topology's `node` event; returns the unsubscribe. */
  onNode(listener: (event: { node: string; action: 'killed' | 'restored' }) => void): () => void
}

/**
 * Watches a topology's components on `metrics` and follows its `node` events (unwatch on
 * `killed`, watch again on `restored`). Returns a function that stops all of it.
 */
export function watchTopologyMetrics(source: MetricsSource, metrics: DnsHaMetrics): () => void {
  const stops = new Map<string, (() => void)[]>()
  const attach = (node: string): void => {
    detach(node)
    stops.set(node, source.components(node).map(([name, component]) => metrics.watch(name, component)))
  }
  const detach = (node: string): void => {
    for (const stop of stops.get(node) ?? []) stop()
    stops.delete(node)
  }
  const fixed = source.fixed().map(([name, component]) => metrics.watch(name, component))
  for (const node of source.nodes()) attach(node)
  const off = source.onNode(({ node, action }) => (action === 'killed' ? detach(node) : attach(node)))
  return () => {
    off()
    for (const node of [...stops.keys()]) detach(node)
    for (const stop of fixed) stop()
  }
}

/** The pairs whose component exists. */
export function present(...pairs: (readonly [string, Watchable | undefined])[]): NamedComponent[] {
  return pairs.filter((p): p is readonly [string, Watchable] => p[1] !== undefined)
}
