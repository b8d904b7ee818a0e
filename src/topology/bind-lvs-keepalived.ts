/**
 * The "LVS in front of BIND slaves" public DNS seed, running: a primary (the seed's master named,
 * its vipshop.com zone in a journaled `ZoneStore` edited through the HTTP API, as the seed's web
 * front end edits it), two secondaries following it by NOTIFY + IXFR, and two LVS directors, each
 * a `UdpProxyPool` over both secondaries built from the seed's keepalived `virtual_server`, with
 * a `HealthProber` asking every secondary for a known answer and comparing its SOA serial with
 * the primary's; a VRRP pair of the directors holds the VIP.
 *
 *   client ──► VIP front ──► pool on the VIP-holding director ──► secondary 1 or 2
 *                                                                   ▲ NOTIFY + IXFR
 *   web front end ──► HTTP API ──► primary (ZoneStore) ─────────────┘
 *
 * The same program runs on real loopback sockets and in memory: pass a `MemoryNetwork` and a
 * `FakeClock` and failovers, health verdicts and transfers are simulated to the millisecond.
 * `kill(node)` stands for a machine dying (sockets gone, a director's router silent without a
 * goodbye advert); `restore(node)` boots it again on the same endpoints, with what its disk held.
 */
import { EventEmitter } from 'eventemitter3'
import { Authority } from '../authority/index.js'
import { allOf, dnsCheck, HealthProber, memberTarget, serialLag, soaSerialCheck } from '../health/index.js'
import type { HealthVerdict, TargetOptions } from '../health/index.js'
import { poolOptionsFromKeepalived, UdpProxyPool } from '../proxy/index.js'
import { serveAdmin, ZoneStore } from '../records/index.js'
import type { AdminServer, RecordChange, UpdateOptions, UpdateResult } from '../records/index.js'
import type { DnsHaMetrics } from '../metrics/index.js'
import { DnsServer } from '../server/index.js'
import type { Handler } from '../server/index.js'
import { SecondaryZone } from '../transfer/index.js'
import type { Clock } from '../util/clock.js'
import type { BoundAddress, Network } from '../util/network.js'
import { defaultRandom } from '../util/random.js'
import { parseKeepalivedConf, UdpTransport, vrrpRouterOptionsFromKeepalived, VrrpRouter } from '../vrrp/index.js'
import type { VrrpState } from '../vrrp/index.js'
import type { KeepalivedVirtualServer } from '../vrrp/index.js'
import { parseZone } from '../zone/index.js'
import type { Zone } from '../zone/index.js'
import {
  BIND_LVS_ADDRESSES,
  BIND_LVS_LOCALHOST_REV,
  BIND_LVS_LOCALHOST_ZONE,
  BIND_LVS_ORIGIN,
  BIND_LVS_VIPSHOP_ZONE,
  bindLvsKeepalivedConf,
} from './bind-lvs-keepalived-configs.js'
import { MemoryDisk } from './memory-files.js'
import { present, watchTopologyMetrics } from './topology-metrics.js'
import { SeverableTransport } from './severable-transport.js'
import { VipFront } from './vip-front.js'

/** The LVS directors (keepalived on both; director1 is VRRP master). */
export type BindLvsDirector = 'director1' | 'director2'
/** The slaves (LVS real servers). */
export type BindLvsSecondary = 'secondary1' | 'secondary2'
/** A machine that can be killed and restored. */
export type BindLvsNode = BindLvsDirector | BindLvsSecondary

/** Options of {@link startBindLvsKeepalived}. */
export interface BindLvsKeepalivedOptions {
  /** Sockets (default: Node's; a `MemoryNetwork` simulates). */
  network?: Network
  /** Time (default: real; a `FakeClock` simulates). */
  clock?: Clock
  /** The host address every piece binds (default 127.0.0.1); ports tell the machines apart. */
  address?: string
  /** Where clients reach the VIP (default 0: a free port). */
  vipPort?: number
  /** keepalived `advert_int` in ms (default 1000; below a second the directors speak VRRPv3). */
  advertIntervalMs?: number
  /**
   * Where the primary's store (`primary/`) and each secondary's copy (`secondary1/`,
   * `secondary2/`) are written. Default: kept in memory (a machine's "disk" still survives its
   * kill and restore).
   */
  stateDir?: string
  /**
   * The HTTP API over the primary's store (the seed's web front end edits through it): on by
   * default on real sockets (hono needs them), always off with a `network`. `port` default 0,
   * `token` (at least 16 characters) default a random one, in `snapshot().primary.admin`.
   */
  admin?: { port?: number; token?: string } | false
  /**
   * What the directors' DNS check asks each secondary and the addresses it must answer (the
   * seed's `check_named.sh`: `nslookup NAME $SERVER | grep ADDRESS`). Default
   * `dns1.vipshop.com.` → 192.0.2.53.
   */
  healthQuery?: { name: string; addresses: string[] }
  /** How long a secondary may lag the primary's serial before its SOA check fails (default 4000 ms: two `delay_loop` rounds). */
  serialGraceMs?: number
}

/** Events of the running topology (each with `at`, the clock's time in ms). */
export interface BindLvsEvents {
  /** A director's VRRP state changed. */
  vrrp: (event: { at: number; node: BindLvsDirector; from: VrrpState; to: VrrpState; reason: string }) => void
  /** The VIP moved (`to` undefined: nobody holds it). */
  vip: (event: { at: number; from: string | undefined; to: string | undefined }) => void
  /** A director's health checks took a secondary out of its pool or put it back. */
  member: (event: { at: number; director: BindLvsDirector; member: BindLvsSecondary; state: 'up' | 'down'; reason: string }) => void
  /** A machine was killed or restored. */
  node: (event: { at: number; node: BindLvsNode; action: 'killed' | 'restored' }) => void
  /** A secondary swapped in a new copy of the zone. */
  transfer: (event: { at: number; node: BindLvsSecondary; serial: number; kind: 'axfr' | 'ixfr' }) => void
  /** An edit on the primary is durable and served there (NOTIFY goes out next). */
  edit: (event: { at: number; origin: string; serial: number; source: string | undefined }) => void
}

/** A director as {@link BindLvsKeepalived.snapshot} reports it. */
export interface BindLvsDirectorSnapshot {
  name: BindLvsDirector
  /** The seed machine it stands for. */
  seedAddress: string
  alive: boolean
  vrrp: VrrpState | 'dead'
  priority: number | undefined
  /** Where its pool (the LVS virtual server) listens. */
  pool: BoundAddress
  /** Its VRRP transport's port. */
  vrrpPort: number
  /** Its health checks' verdict on each secondary. */
  health: Record<BindLvsSecondary, HealthVerdict | undefined>
}

/** A secondary as {@link BindLvsKeepalived.snapshot} reports it. */
export interface BindLvsSecondarySnapshot {
  name: BindLvsSecondary
  seedAddress: string
  alive: boolean
  /** False while its transfers are stopped ({@link BindLvsKeepalived.stopTransfers}) or it is dead. */
  following: boolean
  /** The serial of the copy it serves. */
  serial: number | undefined
  endpoint: BoundAddress
}

/** The whole topology as plain data. */
export interface BindLvsSnapshot {
  /** The director holding the VIP. */
  holder: BindLvsDirector | undefined
  vip: BoundAddress
  primary: { seedAddress: string; endpoint: BoundAddress; serial: number; admin: { address: string; port: number; token: string } | undefined }
  directors: BindLvsDirectorSnapshot[]
  secondaries: BindLvsSecondarySnapshot[]
}

interface SecondaryState {
  name: BindLvsSecondary
  seedAddress: string
  alive: boolean
  port: number
  server?: DnsServer
  authority?: Authority
  zone?: SecondaryZone
}

interface DirectorState {
  name: BindLvsDirector
  seedAddress: string
  alive: boolean
  dying?: boolean
  poolPort: number
  vrrpPort: number
  pool?: UdpProxyPool
  prober?: HealthProber
  stopTracking?: () => void
  router?: VrrpRouter
  transport?: SeverableTransport
  udp?: UdpTransport
}

interface Setup {
  network: Network | undefined
  clock: Clock | undefined
  address: string
  advertIntervalMs: number
  stateDir: string | undefined
  disks: Record<'primary' | BindLvsSecondary, MemoryDisk>
  primaryPort: number
  front: VipFront
  healthQuery: { name: string; addresses: string[] }
  serialGraceMs: number
  /** When the primary published each serial (the SOA-lag checks count a slave's lag from there). */
  publishedAt: Map<number, number>
  now: () => number
  emit: BindLvsKeepalived['emit']
}

const SECONDARIES: readonly BindLvsSecondary[] = ['secondary1', 'secondary2']
const DIRECTORS: readonly BindLvsDirector[] = ['director1', 'director2']

/** The running seed topology (see the module comment). */
export class BindLvsKeepalived extends EventEmitter<BindLvsEvents> {
  /** Where clients send their queries: the VIP. */
  readonly vip: BoundAddress
  /** The primary's zone store: edit it directly, or through {@link BindLvsKeepalived.edit} or the HTTP API. */
  readonly store: ZoneStore
  /** @internal */
  readonly setup: Setup
  private readonly primary: { server: DnsServer; authority: Authority; admin: AdminServer | undefined; token: string | undefined }
  private readonly secondaries: Record<BindLvsSecondary, SecondaryState>
  private readonly directors: Record<BindLvsDirector, DirectorState>

  /** @internal Built by {@link startBindLvsKeepalived}. */
  constructor(
    setup: Setup,
    vip: BoundAddress,
    store: ZoneStore,
    primary: BindLvsKeepalived['primary'],
    secondaries: Record<BindLvsSecondary, SecondaryState>,
    directors: Record<BindLvsDirector, DirectorState>,
  ) {
    super()
    this.setup = setup
    this.vip = vip
    this.store = store
    this.primary = primary
    this.secondaries = secondaries
    this.directors = directors
  }

  /** The director holding the VIP now. */
  get holder(): BindLvsDirector | undefined {
    return this.setup.front.holder as BindLvsDirector | undefined
  }

  /** Edits vipshop.com on the primary (as the seed's web front end does): durable, served, then NOTIFY to both secondaries. */
  edit(changes: RecordChange[], options: UpdateOptions = {}): Promise<UpdateResult> {
    return this.store.update(BIND_LVS_ORIGIN, changes, { source: 'topology', ...options })
  }

  /** The machine dies: a director's router goes silent (no goodbye advert) and its pool stops; a secondary stops answering. */
  async kill(name: BindLvsNode): Promise<void> {
    if (isDirector(name)) {
      const d = this.directors[name]
      if (!d.alive) return
      d.alive = false
      d.dying = true
      d.transport!.sever()
      this.emitNode(name, 'killed')
      await stopDirector(d)
      d.dying = false
      return
    }
    const s = this.secondaries[name]
    if (!s.alive) return
    s.alive = false
    this.emitNode(name, 'killed')
    await s.server!.close()
    s.server = s.authority = s.zone = undefined
  }

  /** The machine boots again on the same endpoints: a director's router starts as its keepalived.conf says; a secondary serves the copy on its disk and checks the primary. */
  async restore(name: BindLvsNode): Promise<void> {
    if (isDirector(name)) {
      const d = this.directors[name]
      if (d.alive) return
      await startDirector(this.setup, d, this.secondaries, this.directors)
      d.alive = true
    } else {
      const s = this.secondaries[name]
      if (s.alive) return
      await startSecondary(this.setup, s)
      s.alive = true
    }
    this.emitNode(name, 'restored')
  }

  /** The secondary stops following the primary (transfers blocked; NOTIFY ignored) but keeps answering from its copy: a stale slave. */
  stopTransfers(name: BindLvsSecondary): void {
    this.secondaries[name].zone?.stop()
  }

  /** The secondary follows the primary again: it checks the serial at once and catches up by IXFR. */
  async resumeTransfers(name: BindLvsSecondary): Promise<void> {
    await this.secondaries[name].zone?.start()
  }

  /**
   * Watches every component on `metrics`, named by machine: `primary` (server, authority with its
   * transfer side, store), `secondary1`/`secondary2` (server, authority, secondary zone),
   * `director1`/`director2` (pool, prober, router). A killed machine's families go; a restored
   * one's come back from its new components. Returns a function that stops watching.
   */
  watchMetrics(metrics: DnsHaMetrics): () => void {
    return watchTopologyMetrics({
      onNode: (listener) => {
        this.on('node', listener)
        return () => void this.off('node', listener)
      },
      nodes: () => [...DIRECTORS, ...SECONDARIES],
      fixed: () => [
        ['primary', this.primary.server],
        ['primary', this.primary.authority],
        ['primary', this.store],
      ],
      components: (node) => {
        if (isDirector(node as BindLvsNode)) {
          const d = this.directors[node as BindLvsDirector]
          return d.alive && !d.dying ? present([node, d.pool], [node, d.prober], [node, d.router]) : []
        }
        const s = this.secondaries[node as BindLvsSecondary]
        return s.alive ? present([node, s.server], [node, s.authority], [node, s.zone]) : []
      },
    }, metrics)
  }

  /** Every machine's state: the VIP holder, the primary's serial, each director's health verdicts, each secondary's serial. */
  snapshot(): BindLvsSnapshot {
    const address = this.setup.address
    const at = (port: number): BoundAddress => ({ address, port, family: address.includes(':') ? 'IPv6' : 'IPv4' })
    const admin = this.primary.admin
    return {
      holder: this.holder,
      vip: this.vip,
      primary: {
        seedAddress: BIND_LVS_ADDRESSES.primary,
        endpoint: at(this.setup.primaryPort),
        serial: this.store.serial(BIND_LVS_ORIGIN),
        admin: admin === undefined ? undefined : { address: admin.address, port: admin.port, token: this.primary.token! },
      },
      directors: DIRECTORS.map((name) => {
        const d = this.directors[name]
        const router = d.alive ? d.router?.snapshot() : undefined
        const verdict = (s: BindLvsSecondary): HealthVerdict | undefined => (d.alive ? d.prober?.state(memberTarget(address, this.secondaries[s].port)) : undefined)
        return {
          name,
          seedAddress: d.seedAddress,
          alive: d.alive,
          vrrp: router?.state ?? 'dead',
          priority: router?.effectivePriority,
          pool: at(d.poolPort),
          vrrpPort: d.vrrpPort,
          health: { secondary1: verdict('secondary1'), secondary2: verdict('secondary2') },
        }
      }),
      secondaries: SECONDARIES.map((name) => {
        const s = this.secondaries[name]
        const zone = s.alive ? s.zone?.snapshot() : undefined
        return { name, seedAddress: s.seedAddress, alive: s.alive, following: zone !== undefined && zone.state !== 'stopped', serial: s.alive ? s.zone?.serial : undefined, endpoint: at(s.port) }
      }),
    }
  }

  /** Stops everything: the directors (routers with a goodbye advert), the secondaries, the HTTP API, the primary, the store, the VIP front. */
  async close(): Promise<void> {
    for (const name of DIRECTORS) {
      const d = this.directors[name]
      if (!d.alive) continue
      d.alive = false
      await stopDirector(d)
    }
    for (const name of SECONDARIES) {
      const s = this.secondaries[name]
      if (!s.alive) continue
      s.alive = false
      await s.server!.close()
    }
    await this.primary.admin?.close()
    await this.primary.server.close()
    await this.store.close()
    await this.setup.front.close()
  }

  private emitNode(node: BindLvsNode, action: 'killed' | 'restored'): void {
    this.emit('node', { at: this.setup.now(), node, action })
  }
}

/**
 * Starts the seed topology: the primary (store, Authority with `allowTransfer` and `alsoNotify`
 * for both secondaries, the HTTP API on real sockets), both secondaries (resolves once each has
 * its first copy), both directors' pools and probers, the VIP front, then the routers (the backup
 * first). Director 1 takes the VIP after its Master_Down_Interval, as keepalived `state MASTER`.
 */
export async function startBindLvsKeepalived(options: BindLvsKeepalivedOptions = {}): Promise<BindLvsKeepalived> {
  const seams = { ...(options.network === undefined ? {} : { network: options.network }), ...(options.clock === undefined ? {} : { clock: options.clock }) }
  const address = options.address ?? '127.0.0.1'
  const now = (): number => (options.clock ?? { now: () => Date.now() }).now()
  const front = new VipFront(seams)
  const vip = await front.listen({ address, port: options.vipPort ?? 0 })
  const disks = { primary: new MemoryDisk(), secondary1: new MemoryDisk(), secondary2: new MemoryDisk() }
  const secondaries: Record<BindLvsSecondary, SecondaryState> = {
    secondary1: { name: 'secondary1', seedAddress: BIND_LVS_ADDRESSES.secondary1, alive: false, port: 0 },
    secondary2: { name: 'secondary2', seedAddress: BIND_LVS_ADDRESSES.secondary2, alive: false, port: 0 },
  }
  const directors: Record<BindLvsDirector, DirectorState> = {
    director1: { name: 'director1', seedAddress: BIND_LVS_ADDRESSES.director1, alive: false, poolPort: 0, vrrpPort: 0 },
    director2: { name: 'director2', seedAddress: BIND_LVS_ADDRESSES.director2, alive: false, poolPort: 0, vrrpPort: 0 },
  }
  const closers: (() => Promise<void>)[] = [() => front.close()]
  try {
    // The secondaries' ports first: the primary's also-notify names them.
    const servers = new Map<BindLvsSecondary, DnsServer>()
    for (const name of SECONDARIES) {
      const { server } = await secondaryServer(address, seams, secondaries[name])
      servers.set(name, server)
      closers.push(() => server.close())
    }

    const store = await ZoneStore.open({
      dir: options.stateDir === undefined ? 'primary' : `${options.stateDir}/primary`,
      zones: [parseZone(BIND_LVS_VIPSHOP_ZONE, { origin: BIND_LVS_ORIGIN, fileName: 'vipshop.zone' })],
      ...(options.stateDir === undefined ? { files: disks.primary.store, fsync: false } : {}),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    })
    closers.push(() => store.close())
    const authority = new Authority({
      zones: localZones(),
      store,
      // allow-transfer { slaves; }: on one host every machine has the host's address.
      allowTransfer: [address],
      // notify yes + also-notify: see BIND_LVS_PRIMARY_NAMED_CONF for why only the list.
      notify: 'explicit',
      alsoNotify: SECONDARIES.map((name) => ({ address, port: secondaries[name].port })),
      version: 'vipshop-cdn-dns',
      ...seams,
    })
    authority.transfer.on('notify-failed', () => {})
    const primaryServer = new DnsServer({ handler: authority, ...seams })
    const primaryPort = (await primaryServer.listen({ address, port: 0 })).port
    closers.push(() => primaryServer.close())
    let admin: AdminServer | undefined
    let token: string | undefined
    if (options.network === undefined && options.admin !== false) {
      token = options.admin?.token ?? randomToken()
      admin = await serveAdmin({ store, authority, address, port: options.admin?.port ?? 0, tokens: [{ token, name: 'web-frontend', access: 'write' }], ...(options.clock === undefined ? {} : { clock: options.clock }) })
      closers.push(() => admin!.close())
    }

    const setup: Setup = {
      network: options.network,
      clock: options.clock,
      address,
      advertIntervalMs: options.advertIntervalMs ?? 1000,
      stateDir: options.stateDir,
      disks,
      primaryPort,
      front,
      healthQuery: options.healthQuery ?? { name: 'dns1.vipshop.com.', addresses: ['192.0.2.53'] },
      serialGraceMs: options.serialGraceMs ?? 4000,
      publishedAt: new Map(),
      now,
      emit: (...args) => topology.emit(...args),
    }
    // The emitters above call into it; they run only after this line.
    const topology = new BindLvsKeepalived(setup, vip, store, { server: primaryServer, authority, admin, token }, secondaries, directors)
    front.on('holder', ({ from, to }) => topology.emit('vip', { at: now(), from, to }))
    store.on('updated', ({ origin, serial, source }) => {
      if (origin === BIND_LVS_ORIGIN) recordPublished(setup.publishedAt, serial, now())
      topology.emit('edit', { at: now(), origin, serial, source })
    })
    closers.length = 0
    try {
      for (const name of SECONDARIES) {
        await startSecondary(setup, secondaries[name], servers.get(name))
        secondaries[name].alive = true
      }
      for (const name of DIRECTORS) await startPool(setup, directors[name], secondaries)
      for (const name of ['director2', 'director1'] as const) {
        await startRouter(setup, directors[name], directors)
        directors[name].alive = true
      }
    } catch (error) {
      await topology.close().catch(() => {})
      for (const [name, server] of servers) if (!secondaries[name].alive) await server.close().catch(() => {})
      throw error
    }
    return topology
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => {})
    throw error
  }
}

/** localhost and 0.0.127.in-addr.arpa, as every server of the seed loads them (corrected: see the configs file). */
function localZones(): Zone[] {
  return [
    parseZone(BIND_LVS_LOCALHOST_ZONE, { origin: 'localhost.', fileName: 'localhost.zone' }),
    parseZone(BIND_LVS_LOCALHOST_REV, { origin: '0.0.127.in-addr.arpa.', fileName: 'slaves/localhost.rev' }),
  ]
}

/**
 * A secondary's DnsServer, listening before its zone exists (the primary must know its port to
 * notify it, and it must know the primary's to follow): the handler answers through whatever
 * Authority the node has now, and drops queries until it has one.
 */
async function secondaryServer(address: string, seams: { network?: Network; clock?: Clock }, node: SecondaryState): Promise<{ server: DnsServer }> {
  const handler: Handler = {
    handle: (query, next) => (node.authority === undefined ? next() : node.authority.handle(query, next)),
    answerPlain: (query) => node.authority?.answerPlain(query),
    // The server closes only a handler it started: start() is the node's (startSecondary), close() stops its zone's timers.
    start: () => {},
    close: () => node.authority?.close(),
  }
  const server = new DnsServer({ handler, ...seams })
  node.port = (await server.listen({ address, port: node.port })).port
  node.server = server
  return { server }
}

/** The slave named: the local zones, vipshop.com copied from the primary (its copy on its disk), served on its port. */
async function startSecondary(setup: Setup, node: SecondaryState, server?: DnsServer): Promise<void> {
  const seams = { ...(setup.network === undefined ? {} : { network: setup.network }), ...(setup.clock === undefined ? {} : { clock: setup.clock }) }
  if (server === undefined) await secondaryServer(setup.address, seams, node)
  const zone = new SecondaryZone({
    origin: BIND_LVS_ORIGIN,
    primaries: [{ address: setup.address, port: setup.primaryPort }],
    stateDir: setup.stateDir === undefined ? node.name : `${setup.stateDir}/${node.name}`,
    ...(setup.stateDir === undefined ? { files: setup.disks[node.name].transfer } : {}),
    queryTimeoutMs: 1000,
    ...seams,
  })
  zone.on('transferred', ({ serial, kind }) => setup.emit('transfer', { at: setup.now(), node: node.name, serial, kind }))
  zone.on('failed', () => {})
  // A slave notifies nobody: the seed's named.conf on the slaves has no also-notify, and the zone's NS hosts are documentation addresses.
  const authority = new Authority({ zones: localZones(), secondaries: [zone], notify: false, version: 'vipshop-cdn-dns', ...seams })
  node.zone = zone
  node.authority = authority
  // The first copy: from its disk when it has one, else from the primary.
  const loaded = new Promise<void>((resolve) => {
    if (zone.serial !== undefined) return resolve()
    zone.once('transferred', () => resolve())
    zone.once('up-to-date', () => resolve())
  })
  await authority.start()
  await loaded
}

/** The director's LVS: the seed's virtual_server as a pool over both secondaries, its MISC_CHECKs replaced by a DNS and a SOA-serial check. */
async function startPool(setup: Setup, node: DirectorState, secondaries: Record<BindLvsSecondary, SecondaryState>): Promise<void> {
  const seams = { ...(setup.network === undefined ? {} : { network: setup.network }), ...(setup.clock === undefined ? {} : { clock: setup.clock }) }
  const server = directorConfig(setup, node).virtualServers[0] as KeepalivedVirtualServer
  const { options, listen, targets } = poolOptionsFromKeepalived(server, seams)
  const bySeed = new Map(SECONDARIES.map((name) => [secondaries[name].seedAddress, secondaries[name]]))
  const pool = new UdpProxyPool({
    ...options,
    members: options.members.map((m) => {
      const target = bySeed.get(m.address)
      return target === undefined ? m : { ...m, address: setup.address, port: target.port }
    }),
  })
  const prober = new HealthProber(setup.clock === undefined ? {} : { clock: setup.clock })
  const names = new Map<string, BindLvsSecondary>()
  for (const target of targets) {
    const secondary = bySeed.get(target.name.slice(0, target.name.lastIndexOf('#')))
    if (secondary === undefined) continue
    const at = { address: setup.address, port: secondary.port }
    const name = memberTarget(at.address, at.port)
    names.set(name, secondary.name)
    // check_named.sh (nslookup NAME $SERVER | grep ADDRESS) without a shell, and the lag check the seed lacks.
    const check = allOf(
      dnsCheck({ server: at, name: setup.healthQuery.name, expect: { addresses: setup.healthQuery.addresses }, ...seams }),
      soaSerialCheck({
        server: at,
        zone: BIND_LVS_ORIGIN,
        reference: { address: setup.address, port: setup.primaryPort },
        graceMs: setup.serialGraceMs,
        // A director restored after a slave went stale must not give it a fresh grace.
        newerSince: (serial) => newerSince(setup.publishedAt, serial),
        ...seams,
      }),
    )
    const mapped: TargetOptions = { ...target, name, check }
    prober.add(mapped)
  }
  const emit = (state: 'up' | 'down') => ({ target, reason }: { target: string; reason: string }) => {
    const member = names.get(target)
    if (member !== undefined && !node.dying) setup.emit('member', { at: setup.now(), director: node.name, member, state, reason })
  }
  prober.on('up', emit('up'))
  prober.on('down', emit('down'))
  node.stopTracking = pool.track(prober)
  node.poolPort = (await pool.listen({ ...listen, address: setup.address, port: node.poolPort })).port
  node.pool = pool
  node.prober = prober
}

/** The director's keepalived vrrp_instance: a router over UDP to its peer's port, its VIP action moving the front. */
async function startRouter(setup: Setup, node: DirectorState, directors: Record<BindLvsDirector, DirectorState>): Promise<void> {
  const peer = node.name === 'director1' ? directors.director2 : directors.director1
  const config = directorConfig(setup, node)
  const { primaryAddress: _primary, unicastPeers: _peers, ...router } = vrrpRouterOptionsFromKeepalived(config.instances[0]!, config).router
  const udp = new UdpTransport({
    address: setup.address,
    port: node.vrrpPort,
    ...(peer.vrrpPort > 0 ? { peerPorts: { [setup.address]: peer.vrrpPort } } : {}),
    ...(setup.network === undefined ? {} : { network: setup.network }),
  })
  const transport = new SeverableTransport(udp, { local: node.seedAddress, peer: { address: peer.seedAddress, via: setup.address } })
  const vrrp = new VrrpRouter({
    ...router,
    unicastPeers: [peer.seedAddress],
    transport,
    vipActions: setup.front.actionsFor({ name: node.name, address: setup.address, port: node.poolPort }),
    ...(setup.clock === undefined ? {} : { clock: setup.clock }),
  })
  vrrp.on('state', ({ from, to, reason }) => {
    if (!node.dying) setup.emit('vrrp', { at: setup.now(), node: node.name, from, to, reason })
  })
  vrrp.on('warning', () => {})
  await vrrp.start()
  node.vrrpPort = udp.boundPort
  peer.udp?.setPeerPort(setup.address, udp.boundPort)
  node.router = vrrp
  node.transport = transport
  node.udp = udp
}

async function startDirector(setup: Setup, node: DirectorState, secondaries: Record<BindLvsSecondary, SecondaryState>, directors: Record<BindLvsDirector, DirectorState>): Promise<void> {
  await startPool(setup, node, secondaries)
  await startRouter(setup, node, directors)
}

async function stopDirector(node: DirectorState): Promise<void> {
  node.stopTracking?.()
  node.prober?.close()
  await Promise.all([node.router!.stop(), node.pool!.close()])
}

function directorConfig(setup: Setup, node: DirectorState): ReturnType<typeof parseKeepalivedConf> {
  return parseKeepalivedConf(bindLvsKeepalivedConf(node.name === 'director1', setup.advertIntervalMs), { file: `${node.seedAddress}:/etc/keepalived/keepalived.conf` })
}

/** Remembers when `serial` was published, keeping the last 1024 (older ones only matter to a slave that far behind, which the lag check fails anyway). */
function recordPublished(published: Map<number, number>, serial: number, at: number): void {
  published.set(serial, at)
  if (published.size > 1024) published.delete(published.keys().next().value!)
}

/** When the primary published its first serial newer than `serial` (RFC 1982 order), if it remembers. */
function newerSince(published: Map<number, number>, serial: number): number | undefined {
  let first: number | undefined
  for (const [s, at] of published) if (serialLag(serial, s) > 0 && (first === undefined || at < first)) first = at
  return first
}

function isDirector(name: BindLvsNode): name is BindLvsDirector {
  return name === 'director1' || name === 'director2'
}

/** A bearer token for the HTTP API when none is given: 32 hex digits. */
function randomToken(): string {
  const random = defaultRandom()
  let token = ''
  for (let i = 0; i < 32; i++) token += random.int(16).toString(16)
  return token
}
