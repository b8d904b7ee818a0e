/**
 * The "double-active" internal DNS seed, running: two nodes, each a dnsmasq-style Forwarder with
 * the hosts overlay on the side port, a UdpProxyPool on the service port over both nodes'
 * forwarders (the seed's nginx `stream` block), and a VrrpRouter pair holding the VIP (the
 * seed's keepalived.conf). Every piece is built from the seed's own files through the parsers;
 * the machines' addresses are then mapped to endpoints on one host.
 *
 *   client ──► VIP front ──► pool on the VIP holder ──► forwarder A or B ──► upstream authority
 *
 * The same program runs on real loopback sockets and in memory: pass a `MemoryNetwork` and a
 * `FakeClock` and a failover is simulated to the millisecond with no sockets and no sleeps.
 * `kill(node)` stands for a machine dying (no priority-0 advert, its sockets gone);
 * `restore(node)` boots it again on the same endpoints.
 */
import { EventEmitter } from 'eventemitter3'
import { Authority } from '../authority/index.js'
import { Forwarder, parseDnsmasqConf } from '../forwarder/index.js'
import { parseNginxStream, poolOptionsFromNginx, UdpProxyPool } from '../proxy/index.js'
import type { ProxyMemberSnapshot } from '../proxy/index.js'
import type { DnsHaMetrics } from '../metrics/index.js'
import { DnsServer } from '../server/index.js'
import type { Clock } from '../util/clock.js'
import type { BoundAddress, Network } from '../util/network.js'
import { parseKeepalivedConf, UdpTransport, vrrpRouterOptionsFromKeepalived, VrrpRouter } from '../vrrp/index.js'
import type { VrrpRouterOptions, VrrpState } from '../vrrp/index.js'
import { parseZone } from '../zone/index.js'
import { SEED_ADDRESSES, SEED_HOSTS, SEED_NGINX_STREAM, seedDnsmasqConf, seedKeepalivedConf, UPSTREAM_ZONE } from './dnsmasq-nginx-keepalived-configs.js'
import { SeverableTransport } from './severable-transport.js'
import { textFiles } from './text-files.js'
import { VipFront } from './vip-front.js'
import { present, watchTopologyMetrics } from './topology-metrics.js'

/** Options of {@link startDnsmasqNginxKeepalived}. */
export interface DnsmasqNginxKeepalivedOptions {
  /** Sockets (default: Node's; a `MemoryNetwork` simulates). */
  network?: Network
  /** Time (default: real; a `FakeClock` simulates). */
  clock?: Clock
  /** The host address every piece binds (default 127.0.0.1); ports tell the nodes apart. */
  address?: string
  /** Where clients reach the VIP (default 0: a free port). */
  vipPort?: number
  /** keepalived `advert_int` in ms (default the seed's 1000). */
  advertIntervalMs?: number
  /** VRRP router options as each node's keepalived.conf gives them (default: the seed's, see {@link seedVrrpOptions}). */
  vrrp?: (node: NodeName) => SeedVrrpOptions
}

/** The two machines of the seed. */
export type NodeName = 'a' | 'b'

/** The keepalived.conf part of a router's options (the host side, transport and clock, comes from the topology). */
export type SeedVrrpOptions = Omit<VrrpRouterOptions, 'transport' | 'clock' | 'vipActions' | 'primaryAddress' | 'unicastPeers'>

/** Where one node's pieces listen. */
export interface NodeEndpoints {
  /** The forwarder (the seed's dnsmasq on port 5454). */
  forwarder: BoundAddress
  /** The proxy pool (the seed's nginx on port 53). */
  pool: BoundAddress
  /** The VRRP transport's port. */
  vrrpPort: number
}

/** One node as the topology reports it. */
export interface NodeSnapshot {
  name: NodeName
  /** The seed machine it stands for. */
  seedAddress: string
  alive: boolean
  vrrp: VrrpState | 'dead'
  priority: number | undefined
  endpoints: NodeEndpoints
  members: ProxyMemberSnapshot[]
}

/** Events of the running topology (each with `at`, the clock's time in ms). */
export interface TopologyEvents {
  vrrp: (event: { at: number; node: NodeName; from: VrrpState; to: VrrpState; reason: string }) => void
  vip: (event: { at: number; from: string | undefined; to: string | undefined }) => void
  member: (event: { at: number; node: NodeName; member: string; state: 'up' | 'down'; reason: string }) => void
  node: (event: { at: number; node: NodeName; action: 'killed' | 'restored' }) => void
}

/**
 * The seed's keepalived.conf for one node ({@link seedKeepalivedConf}) as router options, read by
 * `parseKeepalivedConf` and `vrrpRouterOptionsFromKeepalived` as `dns-ha vrrp --config` reads it.
 * The machine addresses (`unicast_src_ip`, `unicast_peer`) are left to the topology, which maps
 * them onto the host.
 */
export function seedVrrpOptions(node: NodeName, advertIntervalMs = 1000): SeedVrrpOptions {
  const file = `${node === 'a' ? SEED_ADDRESSES.nodeA : SEED_ADDRESSES.nodeB}:/etc/keepalived/keepalived.conf`
  const config = parseKeepalivedConf(seedKeepalivedConf(node === 'a', advertIntervalMs), { file })
  const { primaryAddress: _primary, unicastPeers: _peers, ...router } = vrrpRouterOptionsFromKeepalived(config.instances[0]!, config).router
  return router
}

interface NodeState {
  name: NodeName
  seedAddress: string
  alive: boolean
  /** Set while a killed machine's pieces are torn down: a dead router reports nothing. */
  dying?: boolean
  endpoints: { forwarderPort: number; poolPort: number; vrrpPort: number }
  forwarder?: Forwarder
  forwarderServer?: DnsServer
  pool?: UdpProxyPool
  router?: VrrpRouter
  transport?: SeverableTransport
  udp?: UdpTransport
}

/** The running seed topology. */
export class DnsmasqNginxKeepalived extends EventEmitter<TopologyEvents> {
  /** Where clients send their queries: the VIP. */
  readonly vip: BoundAddress
  private readonly nodes: Record<NodeName, NodeState>

  /** @internal Built by {@link startDnsmasqNginxKeepalived}. */
  constructor(
    private readonly setup: Setup,
    vip: BoundAddress,
    nodes: Record<NodeName, NodeState>,
  ) {
    super()
    this.vip = vip
    this.nodes = nodes
  }

  /** The node holding the VIP now. */
  get holder(): NodeName | undefined {
    return this.setup.front.holder as NodeName | undefined
  }

  /** The machine dies: its router goes silent (no priority-0 advert), its pool and forwarder stop answering. */
  async kill(name: NodeName): Promise<void> {
    const node = this.nodes[name]
    if (!node.alive) return
    node.alive = false
    node.dying = true
    node.transport!.sever()
    this.setup.emitNode(name, 'killed')
    await Promise.all([node.router!.stop(), node.pool!.close(), node.forwarderServer!.close()])
    await node.forwarder!.close()
    node.dying = false
  }

  /** The machine boots again, on the same endpoints; its router starts as its keepalived.conf says. */
  async restore(name: NodeName): Promise<void> {
    const node = this.nodes[name]
    if (node.alive) return
    await startForwarder(this.setup, node)
    await startPool(this.setup, node, this.nodes)
    await startRouter(this.setup, node, this.nodes)
    node.alive = true
    this.setup.emitNode(name, 'restored')
  }

  /**
   * Watches every component on `metrics`, named by machine: `a`/`b` (forwarder, its server, pool,
   * router) and `upstream` (the embedded authority's server). A killed machine's families go; a
   * restored one's come back from its new components. Returns a function that stops watching.
   */
  watchMetrics(metrics: DnsHaMetrics): () => void {
    return watchTopologyMetrics({
      onNode: (listener) => {
        this.on('node', listener)
        return () => void this.off('node', listener)
      },
      nodes: () => ['a', 'b'],
      fixed: () => [['upstream', this.setup.upstream]],
      components: (name) => {
        const n = this.nodes[name as NodeName]
        return n.alive && !n.dying ? present([name, n.forwarder], [name, n.forwarderServer], [name, n.pool], [name, n.router]) : []
      },
    }, metrics)
  }

  /** Both nodes, the VIP holder, every pool member's state. */
  snapshot(): { holder: NodeName | undefined; nodes: NodeSnapshot[] } {
    return {
      holder: this.holder,
      nodes: (['a', 'b'] as const).map((name) => {
        const n = this.nodes[name]
        const router = n.alive ? n.router?.snapshot() : undefined
        return {
          name,
          seedAddress: n.seedAddress,
          alive: n.alive,
          vrrp: router?.state ?? 'dead',
          priority: router?.effectivePriority,
          endpoints: {
            forwarder: { address: this.setup.address, port: n.endpoints.forwarderPort, family: 'IPv4' },
            pool: { address: this.setup.address, port: n.endpoints.poolPort, family: 'IPv4' },
            vrrpPort: n.endpoints.vrrpPort,
          },
          members: n.alive ? (n.pool?.snapshot().members ?? []) : [],
        }
      }),
    }
  }

  /** Stops everything: routers (priority 0), pools, forwarders, the upstream, the VIP front. */
  async close(): Promise<void> {
    for (const name of ['a', 'b'] as const) {
      const n = this.nodes[name]
      if (!n.alive) continue
      n.alive = false
      await n.router!.stop()
      await n.pool!.close()
      await n.forwarderServer!.close()
      await n.forwarder!.close()
    }
    await this.setup.front.close()
    await this.setup.upstream.close()
  }
}

interface Setup {
  network: Network | undefined
  clock: Clock | undefined
  address: string
  upstreamPort: number
  front: VipFront
  upstream: DnsServer
  vrrp: (node: NodeName) => SeedVrrpOptions
  now: () => number
  emitVrrp: (node: NodeName, from: VrrpState, to: VrrpState, reason: string) => void
  emitMember: (node: NodeName, member: string, state: 'up' | 'down', reason: string) => void
  emitNode: (node: NodeName, action: 'killed' | 'restored') => void
}

/**
 * Starts the seed topology: the upstream, both forwarders, both pools, the VIP front, then the
 * routers (the backup first, so the master's first advert has somewhere to go). Resolves once
 * everything listens; the VIP is held as soon as node A's router starts (keepalived `state MASTER`).
 */
export async function startDnsmasqNginxKeepalived(options: DnsmasqNginxKeepalivedOptions = {}): Promise<DnsmasqNginxKeepalived> {
  const seams = { ...(options.network === undefined ? {} : { network: options.network }), ...(options.clock === undefined ? {} : { clock: options.clock }) }
  const address = options.address ?? '127.0.0.1'
  const upstream = new DnsServer({ handler: new Authority({ zones: [parseZone(UPSTREAM_ZONE, { origin: 'example.test.' })] }), ...seams })
  const upstreamPort = (await upstream.listen({ address, port: 0 })).port
  const front = new VipFront(seams)
  const vip = await front.listen({ address, port: options.vipPort ?? 0 })

  const now = (): number => (options.clock ?? { now: () => Date.now() }).now()
  const setup: Setup = {
    network: options.network,
    clock: options.clock,
    address,
    upstreamPort,
    front,
    upstream,
    vrrp: options.vrrp ?? ((node) => seedVrrpOptions(node, options.advertIntervalMs)),
    now,
    emitVrrp: (node, from, to, reason) => topology.emit('vrrp', { at: now(), node, from, to, reason }),
    emitMember: (node, member, state, reason) => topology.emit('member', { at: now(), node, member, state, reason }),
    emitNode: (node, action) => topology.emit('node', { at: now(), node, action }),
  }
  const nodes: Record<NodeName, NodeState> = {
    a: { name: 'a', seedAddress: SEED_ADDRESSES.nodeA, alive: false, endpoints: { forwarderPort: 0, poolPort: 0, vrrpPort: 0 } },
    b: { name: 'b', seedAddress: SEED_ADDRESSES.nodeB, alive: false, endpoints: { forwarderPort: 0, poolPort: 0, vrrpPort: 0 } },
  }
  // The setup's emitters call into it; they run only after this line.
  const topology = new DnsmasqNginxKeepalived(setup, vip, nodes)
  front.on('holder', ({ from, to }) => topology.emit('vip', { at: now(), from, to }))
  try {
    for (const n of [nodes.a, nodes.b]) await startForwarder(setup, n)
    for (const n of [nodes.a, nodes.b]) await startPool(setup, n, nodes)
    for (const n of [nodes.b, nodes.a]) {
      await startRouter(setup, n, nodes)
      n.alive = true
    }
  } catch (error) {
    await topology.close().catch(() => {})
    throw error
  }
  return topology
}

/** The node's dnsmasq: the seed's dnsmasq.conf, its upstream mapped to the stand-in, its hosts file embedded. */
async function startForwarder(setup: Setup, node: NodeState): Promise<void> {
  const config = parseDnsmasqConf(seedDnsmasqConf(node.seedAddress), { fileName: `${node.seedAddress}:/etc/dnsmasq.conf` })
  const forwarder = new Forwarder({
    ...config,
    servers: (config.servers ?? []).map((s) => (s.address === SEED_ADDRESSES.upstream ? { ...s, address: setup.address, port: setup.upstreamPort } : s)),
    files: textFiles({ '/etc/dnsmasq.hosts': SEED_HOSTS }),
    watch: false,
    ...(setup.network === undefined ? {} : { network: setup.network }),
    ...(setup.clock === undefined ? {} : { clock: setup.clock }),
  })
  await forwarder.start()
  const server = new DnsServer({ handler: forwarder, ...(setup.network === undefined ? {} : { network: setup.network }), ...(setup.clock === undefined ? {} : { clock: setup.clock }) })
  node.endpoints.forwarderPort = (await server.listen({ address: setup.address, port: node.endpoints.forwarderPort })).port
  node.forwarder = forwarder
  node.forwarderServer = server
}

/** The node's nginx: the seed's stream block, each `server` line mapped to that machine's forwarder. */
async function startPool(setup: Setup, node: NodeState, nodes: Record<NodeName, NodeState>): Promise<void> {
  const [server] = parseNginxStream(SEED_NGINX_STREAM, { file: `${node.seedAddress}:/etc/nginx/nginx.conf` }).servers
  const { options } = poolOptionsFromNginx(server!, { ...(setup.network === undefined ? {} : { network: setup.network }), ...(setup.clock === undefined ? {} : { clock: setup.clock }) })
  const bySeed = new Map([nodes.a, nodes.b].map((n) => [n.seedAddress, n]))
  const pool = new UdpProxyPool({
    ...options,
    members: options.members.map((m) => {
      const target = bySeed.get(m.address)
      return target === undefined ? m : { ...m, address: setup.address, port: target.endpoints.forwarderPort }
    }),
  })
  const nameOf = (key: string): string => {
    const target = [nodes.a, nodes.b].find((n) => key === `${setup.address}#${n.endpoints.forwarderPort}`)
    return target === undefined ? key : `forwarder ${target.name}`
  }
  pool.on('member-down', ({ member, reason }) => setup.emitMember(node.name, nameOf(member.key), 'down', reason))
  pool.on('member-up', ({ member }) => setup.emitMember(node.name, nameOf(member.key), 'up', 'answering again'))
  node.endpoints.poolPort = (await pool.listen({ address: setup.address, port: node.endpoints.poolPort, udp: true, tcp: false })).port
  node.pool = pool
}

/** The node's keepalived: a router over UDP to its peer's port, its VIP action moving the front. */
async function startRouter(setup: Setup, node: NodeState, nodes: Record<NodeName, NodeState>): Promise<void> {
  const peer = node.name === 'a' ? nodes.b : nodes.a
  const udp = new UdpTransport({
    address: setup.address,
    port: node.endpoints.vrrpPort,
    ...(peer.endpoints.vrrpPort > 0 ? { peerPorts: { [setup.address]: peer.endpoints.vrrpPort } } : {}),
    ...(setup.network === undefined ? {} : { network: setup.network }),
  })
  const transport = new SeverableTransport(udp, { local: node.seedAddress, peer: { address: peer.seedAddress, via: setup.address } })
  const router = new VrrpRouter({
    ...setup.vrrp(node.name),
    // The routers see the seed's machine addresses; the transport maps them onto the shared host address.
    unicastPeers: [peer.seedAddress],
    transport,
    vipActions: setup.front.actionsFor({ name: node.name, address: setup.address, port: node.endpoints.poolPort }),
    ...(setup.clock === undefined ? {} : { clock: setup.clock }),
  })
  router.on('state', ({ from, to, reason }) => {
    if (!node.dying) setup.emitVrrp(node.name, from, to, reason)
  })
  router.on('warning', () => {})
  await router.start()
  node.endpoints.vrrpPort = udp.boundPort
  peer.udp?.setPeerPort(setup.address, udp.boundPort)
  node.router = router
  node.transport = transport
  node.udp = udp
}
