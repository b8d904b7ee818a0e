/**
 * Split-horizon DNS (BIND `view { match-clients ...; }`, the "smart DNS" of an authoritative
 * cluster): one Authority whose views answer internal clients with private addresses and
 * everyone else with public ones, served by a few DnsServers, and a UdpProxyPool in front of
 * them (the LVS / nginx front) that inserts EDNS Client Subnet so the views still see the real
 * client behind the pool.
 *
 *   internal / external client ──► pool (ECS: the client's address) ──► DnsServer 1..n ──► Authority views
 *   internal / external client ──────────────────────────────────────► DnsServer 1..n (direct)
 *
 * Who may speak for a client: the Authority matches a view's `ecs` list against whatever ECS
 * option a query carries, from anyone (docs/authority.md). So the views are ordered to trust ECS
 * only from the pool: the first two views take every client that is *not* the pool by its own
 * source address (an ECS option such a client sends is never consulted), and only queries from
 * the pool reach the two views that match on ECS. The pool replaces any ECS option its clients
 * send (`override`), so through the pool the subnet is always the client's real one.
 *
 * The same program runs on loopback sockets (default) and in memory: pass a `MemoryNetwork` and
 * a `FakeClock`. On loopback every client is a 127.0.0.0/8 address: Linux accepts any of them
 * as a source without configuration, so `dig -b 127.0.0.2` is an internal client by default
 * and `dig -b 127.0.0.3` an external one.
 */
import type { AuthorityViewOptions, AuthorityZoneSource } from '../authority/index.js'
import { Authority } from '../authority/index.js'
import type { AuthoritySnapshot } from '../authority/index.js'
import type { DnsHaMetrics } from '../metrics/index.js'
import type { UdpProxyPoolSnapshot } from '../proxy/index.js'
import { UdpProxyPool } from '../proxy/index.js'
import { DnsServer } from '../server/index.js'
import type { Clock } from '../util/clock.js'
import { compileAcl } from '../util/cidr.js'
import { DnsHaError } from '../util/errors.js'
import type { BoundAddress, Network } from '../util/network.js'
import { parseZone } from '../zone/index.js'
import { SPLIT_CORP_ZONE, SPLIT_EXTERNAL_ZONE, SPLIT_INTERNAL_ZONE } from './split-horizon-zones.js'

/** Options of {@link startSplitHorizon}. */
export interface SplitHorizonOptions {
  /** Sockets (default: Node's; a `MemoryNetwork` simulates). */
  network?: Network
  /** Time (default: real; a `FakeClock` simulates). */
  clock?: Clock
  /** The address the servers and the pool bind (default 127.0.0.1). */
  address?: string
  /** The pool's port (default 0: a free one). */
  port?: number
  /** How many DnsServers serve the Authority behind the pool (default 2). */
  servers?: number
  /**
   * The internal clients (BIND `match-clients` syntax; default {@link SPLIT_INTERNAL_CLIENTS}:
   * 10.0.0.0/8, and 127.0.0.2 so that one loopback address plays an internal client).
   */
  internal?: string[]
  /**
   * The addresses the pool's queries reach the servers from, the only ones whose ECS is trusted
   * (default {@link SPLIT_POOL_SOURCES}: on one host the pool's connected sockets send from
   * 127.0.0.1 / ::1). Put the pool machines' addresses here when it runs elsewhere.
   */
  proxies?: string[]
  /**
   * How many bits of the client's address the pool passes on (default 32 and 128: the pool and
   * the servers are one operator's, and views may name single addresses; RFC 7871 §11.1's 24/56
   * are for passing subnets to someone else's servers).
   */
  clientSubnet?: { ipv4Prefix?: number; ipv6Prefix?: number }
  /** The zones of each side (default: {@link SPLIT_INTERNAL_ZONE} + {@link SPLIT_CORP_ZONE} inside, {@link SPLIT_EXTERNAL_ZONE} outside). */
  zones?: { internal: AuthorityZoneSource[]; external: AuthorityZoneSource[] }
}

/** Internal clients by default: the private 10/8 of the seed's smart DNS, and one loopback stand-in. */
export const SPLIT_INTERNAL_CLIENTS: readonly string[] = ['10.0.0.0/8', '127.0.0.2/32']

/** Where a pool on the same host sends from: its upstream sockets are connected to loopback servers. */
export const SPLIT_POOL_SOURCES: readonly string[] = ['127.0.0.1', '::1']

/** The running split-horizon topology. */
export class SplitHorizon {
  /** @internal Built by {@link startSplitHorizon}. */
  constructor(
    /** The one Authority; its `query` events name the view that answered. */
    readonly authority: Authority,
    /** Where clients ask through the pool (UDP; the pool inserts ECS). */
    readonly pool: BoundAddress,
    /** Where clients ask the servers directly (UDP and TCP), one per server. */
    readonly servers: readonly BoundAddress[],
    private readonly proxy: UdpProxyPool,
    private readonly dnsServers: readonly DnsServer[],
  ) {}

  /** The Authority's views and counters, the pool's members and counters, as plain data. */
  snapshot(): { authority: AuthoritySnapshot; pool: UdpProxyPoolSnapshot; servers: BoundAddress[] } {
    return { authority: this.authority.snapshot(), pool: this.proxy.snapshot(), servers: [...this.servers] }
  }

  /**
   * Watches its components on `metrics`: the authority as `views`, the pool as `front`, each
   * server as `server1`, `server2`, ... (nothing here is killed or restored). Returns a function
   * that stops watching.
   */
  watchMetrics(metrics: DnsHaMetrics): () => void {
    const stops = [metrics.watch('views', this.authority), metrics.watch('front', this.proxy), ...this.dnsServers.map((server, i) => metrics.watch(`server${i + 1}`, server))]
    return () => {
      for (const stop of stops) stop()
    }
  }

  /** Stops the pool, then the servers (each closes the Authority it serves, which is idempotent). */
  async close(): Promise<void> {
    await this.proxy.close()
    await Promise.all(this.dnsServers.map((s) => s.close()))
  }
}

/**
 * The four views, in the order that makes ECS trusted from the pool only: `internal` and
 * `external` take every client that is not the pool by its source address; `internal-via-pool`
 * matches the subnet the pool inserted; `external-via-pool` takes the rest.
 */
export function splitHorizonViews(
  internal: readonly string[],
  proxies: readonly string[],
  zones: { internal: AuthorityZoneSource[]; external: AuthorityZoneSource[] },
): AuthorityViewOptions[] {
  const notPool = proxies.map((p) => `!${p}`)
  return [
    { name: 'internal', match: { clients: [...notPool, ...internal] }, zones: zones.internal },
    { name: 'external', match: { clients: [...notPool, 'any'] }, zones: zones.external },
    { name: 'internal-via-pool', match: { ecs: [...internal] }, zones: zones.internal },
    { name: 'external-via-pool', zones: zones.external },
  ]
}

/**
 * Starts the Authority, its servers and the pool. Resolves once all listen; throws `ERR_CONFIG`
 * for a bad address list or server count (nothing is left listening).
 */
export async function startSplitHorizon(options: SplitHorizonOptions = {}): Promise<SplitHorizon> {
  const seams = { ...(options.network === undefined ? {} : { network: options.network }), ...(options.clock === undefined ? {} : { clock: options.clock }) }
  const address = options.address ?? '127.0.0.1'
  const count = options.servers ?? 2
  if (!Number.isInteger(count) || count < 1) throw new DnsHaError('ERR_CONFIG', `servers must be a positive whole number, got ${count}`)
  const internal = options.internal ?? SPLIT_INTERNAL_CLIENTS
  const proxies = options.proxies ?? SPLIT_POOL_SOURCES
  // Checked here so a bad list names its option, not a view.
  checkList(internal, 'internal')
  checkList(proxies, 'proxies')
  const zones = options.zones ?? {
    internal: [parseZone(SPLIT_INTERNAL_ZONE, { origin: 'example.test.' }), parseZone(SPLIT_CORP_ZONE, { origin: 'corp.test.' })],
    external: [parseZone(SPLIT_EXTERNAL_ZONE, { origin: 'example.test.' })],
  }
  const authority = new Authority({ views: splitHorizonViews(internal, proxies, zones), minimalResponses: true })

  const servers: DnsServer[] = []
  let proxy: UdpProxyPool | undefined
  try {
    // Zone files (when `zones` names files) are read before anything listens.
    await authority.ready()
    const bound: BoundAddress[] = []
    for (let i = 0; i < count; i++) {
      const server = new DnsServer({ handler: authority, ...seams })
      servers.push(server)
      bound.push(await server.listen({ address, port: 0 }))
    }
    proxy = new UdpProxyPool({
      members: bound.map((b) => ({ address: b.address, port: b.port })),
      clientSubnet: { ipv4Prefix: options.clientSubnet?.ipv4Prefix ?? 32, ipv6Prefix: options.clientSubnet?.ipv6Prefix ?? 128, override: true },
      ...seams,
    })
    // UDP only: a TCP relay carries no ECS, so through it every client would look like the pool.
    const front = await proxy.listen({ address, port: options.port ?? 0, udp: true, tcp: false })
    return new SplitHorizon(authority, front, bound, proxy, servers)
  } catch (error) {
    await proxy?.close().catch(() => {})
    await Promise.all(servers.map((s) => s.close().catch(() => {})))
    throw error
  }
}

function checkList(list: readonly string[], name: string): void {
  try {
    compileAcl(list)
  } catch (cause) {
    throw new DnsHaError('ERR_CONFIG', `${name}: ${(cause as Error).message}`, { cause })
  }
}
