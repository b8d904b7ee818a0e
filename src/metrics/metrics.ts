/**
 * {@link createMetrics}: every watched component's `snapshot()` as Prometheus metric families,
 * on a prom-client `Registry`. Values are read when the registry is scraped (each family's
 * `collect()`), so counters are the components' own monotonic counters and nothing polls.
 *
 * prom-client is loaded by `createMetrics`, on the first call: importing the package (or any
 * other module) for DNS alone never loads it.
 */
import type * as PromClient from 'prom-client'
import type { Authority } from '../authority/authority.js'
import type { Forwarder } from '../forwarder/forwarder.js'
import type { HealthProber } from '../health/prober.js'
import type { UdpProxyPool } from '../proxy/udp-proxy-pool.js'
import type { ZoneStore } from '../records/zone-store.js'
import type { DnsServer } from '../server/dns-server.js'
import type { SecondaryZone } from '../transfer/secondary-zone.js'
import type { TransferPrimary } from '../transfer/transfer-primary.js'
import type { Clock } from '../util/clock.js'
import { realClock } from '../util/clock.js'
import { DnsHaError } from '../util/errors.js'
import type { VrrpRouter } from '../vrrp/router.js'
import { authorityKind, transferPrimaryKind } from './authority-families.js'
import type { ComponentKind, FamilySpec, Sample } from './family.js'
import { forwarderKind } from './forwarder-families.js'
import { healthKind } from './health-families.js'
import { proxyPoolKind } from './proxy-families.js'
import { recordsKind } from './records-families.js'
import { secondaryKind } from './secondary-families.js'
import { serverKind } from './server-families.js'
import { vrrpKind } from './vrrp-families.js'

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /**
   * The prom-client `Registry` the families are registered on (default: a new one of their own).
   * Pass yours to expose them next to your own metrics (or prom-client's
   * `collectDefaultMetrics`); one `DnsHaMetrics` per registry, as family names are unique in one.
   */
  registry?: PromClient.Registry
  /** The clock for the secondary's lag (default the real one; a `FakeClock` in tests). */
  clock?: Clock
}

/** What {@link DnsHaMetrics.watch} accepts: every dns-ha component with a `snapshot()` the metrics know. */
export type Watchable = DnsServer | Authority | Forwarder | UdpProxyPool | HealthProber | VrrpRouter | SecondaryZone | TransferPrimary | ZoneStore

/** The metrics of a set of watched components (see docs/metrics.md for every family). */
export interface DnsHaMetrics {
  /** The registry holding the families (the one given, or its own). */
  readonly registry: PromClient.Registry
  /** The content type of {@link DnsHaMetrics.text}: `text/plain; version=0.0.4; charset=utf-8`. */
  readonly contentType: string
  /**
   * Exposes a component's snapshot under `name` (the value of its kind's label: `server`,
   * `authority`, `forwarder`, `pool`, `prober`, `router`, `secondary`, `store`). An `Authority`
   * brings its `transfer` (the primary side) along. Returns a function that stops watching it.
   *
   * @throws DnsHaError `ERR_CONFIG` for an empty name, a name already watched for that kind, or a
   * component the metrics do not know.
   */
  watch(name: string, component: Watchable): () => void
  /** The registry's metrics in the Prometheus text exposition format (0.0.4). */
  text(): Promise<string>
}

/**
 * Creates the metrics (loading prom-client); watch components on it, then serve it with
 * `serveMetrics` or `serveAdmin({ metrics })`, or read `text()`.
 *
 * @example
 * const metrics = await createMetrics()
 * metrics.watch('main', server)
 * metrics.watch('main', authority)
 * const http = await serveMetrics({ metrics, port: 9153 })
 * // curl http://127.0.0.1:9153/metrics
 * @throws DnsHaError `ERR_CONFIG` when prom-client cannot be loaded.
 */
export async function createMetrics(options: MetricsOptions = {}): Promise<DnsHaMetrics> {
  let prom: typeof PromClient
  try {
    const loaded = (await import('prom-client')) as typeof PromClient & { default?: typeof PromClient }
    prom = typeof loaded.Registry === 'function' ? loaded : loaded.default!
  } catch (cause) {
    throw new DnsHaError('ERR_CONFIG', `createMetrics: the prom-client package cannot be loaded: ${(cause as Error)?.message ?? cause}`, { cause })
  }
  return new Metrics(prom, options)
}

// ---- the implementation ----

// The kinds read different snapshot types; each watched entry pairs a component with its own kind.
type AnyKind = ComponentKind<any, any>

interface Watched {
  name: string
  kind: AnyKind
  component: unknown
  /** The kind's families by name. */
  families: Map<string, FamilySpec<unknown>>
}

class Metrics implements DnsHaMetrics {
  readonly registry: PromClient.Registry
  private readonly kinds: AnyKind[]
  private readonly watched = new Map<string, Watched>()
  private readonly registered = new Set<string>()
  /**
   * One snapshot per component per scrape: a scrape collects each family once, so a family
   * collected again starts the next scrape (and `text()` always does). A pool's snapshot copies
   * every member; taking it once per family would multiply that by some thirty families.
   */
  private readonly collected = new Set<string>()
  private readonly readings = new Map<Watched, unknown>()

  constructor(
    private readonly prom: typeof PromClient,
    options: MetricsOptions,
  ) {
    this.registry = options.registry ?? new prom.Registry()
    this.kinds = [serverKind, authorityKind, transferPrimaryKind, forwarderKind, proxyPoolKind, healthKind, vrrpKind, secondaryKind(options.clock ?? realClock), recordsKind]
  }

  get contentType(): string {
    return this.registry.contentType
  }

  watch(name: string, component: Watchable): () => void {
    if (typeof name !== 'string' || name === '') throw new DnsHaError('ERR_CONFIG', 'metrics.watch: the name must be a non-empty string')
    const kind = this.kinds.find((k) => k.matches(component))
    if (kind === undefined) throw new DnsHaError('ERR_CONFIG', `metrics.watch('${name}'): not a component the metrics know (${kindList(this.kinds)})`)
    const key = `${kind.kind}\0${name}`
    if (this.watched.has(key)) throw new DnsHaError('ERR_CONFIG', `metrics.watch: a ${kind.kind} named '${name}' is already watched`)
    for (const spec of kind.families) this.register(spec)
    this.watched.set(key, { name, kind, component, families: new Map(kind.families.map((f: FamilySpec<unknown>) => [f.name, f])) })
    return () => {
      if (this.watched.get(key)?.component === component) this.watched.delete(key)
    }
  }

  text(): Promise<string> {
    this.newScrape()
    return this.registry.metrics()
  }

  /** Registers a family once; its collect() reads every watched component that has it. */
  private register(spec: FamilySpec<unknown>): void {
    if (this.registered.has(spec.name)) return
    this.registered.add(spec.name)
    const config = { name: spec.name, help: spec.help, labelNames: [...spec.labels], registers: [this.registry] }
    if (spec.type === 'counter') {
      const metric: PromClient.Counter<string> = new this.prom.Counter({
        ...config,
        collect: () => {
          metric.reset()
          for (const [labels, value] of this.samples(spec.name)) metric.inc(labels, value)
        },
      })
    } else {
      const metric: PromClient.Gauge<string> = new this.prom.Gauge({
        ...config,
        collect: () => {
          metric.reset()
          for (const [labels, value] of this.samples(spec.name)) metric.set(labels, value)
        },
      })
    }
  }

  /** The samples of one family over every watched component, from this scrape's snapshots. */
  private samples(family: string): Sample[] {
    if (this.collected.has(family)) this.newScrape()
    this.collected.add(family)
    const out: Sample[] = []
    for (const w of this.watched.values()) {
      const spec = w.families.get(family)
      if (spec === undefined) continue
      for (const sample of spec.samples(this.reading(w), w.name)) if (Number.isFinite(sample[1])) out.push(sample)
    }
    return out
  }

  private reading(w: Watched): unknown {
    if (!this.readings.has(w)) this.readings.set(w, w.kind.snapshot(w.component))
    return this.readings.get(w)
  }

  private newScrape(): void {
    this.collected.clear()
    this.readings.clear()
  }
}

function kindList(kinds: readonly AnyKind[]): string {
  return kinds.map((k) => k.kind).join(', ')
}
