/**
 * The "LVS in front of BIND slaves" seed in namespace mode: each machine of the seed in its own
 * namespace, the VIP a real address. `primary` runs the master named (the vipshop.com zone in a
 * journaled `ZoneStore`, the HTTP API the web front end edits through, NOTIFY to both slaves);
 * `secondary1` and `secondary2` follow it by NOTIFY + IXFR and answer on port 53; `director1`
 * and `director2` each run the seed's keepalived.conf: the `virtual_server` as a UdpProxyPool on
 * VIP:53 over both slaves (a DNS check expecting the right answer and an SOA-lag check in place of
 * its MISC_CHECK scripts), and the `vrrp_instance` over raw IP protocol 112 with `LinuxVip` adding
 * the VIP to the master's `eth0`. `client` asks the VIP. Only the addresses change: the seed's
 * become the run's /24.
 *
 * The seed's LVS forwards in direct-routing mode (the slaves answer the client from the VIP
 * themselves); the pool here relays instead, so the slaves need no VIP on a loopback interface.
 */
import { Authority } from '../../authority/index.js'
import { allOf, dnsCheck, HealthProber, memberTarget, soaSerialCheck } from '../../health/index.js'
import { poolOptionsFromKeepalived, UdpProxyPool } from '../../proxy/index.js'
import { serveAdmin, ZoneStore } from '../../records/index.js'
import { DnsServer } from '../../server/index.js'
import { SecondaryZone } from '../../transfer/index.js'
import { DnsHaError } from '../../util/errors.js'
import { cryptoRandom } from '../../util/random.js'
import { parseKeepalivedConf, vrrpRouterOptionsFromKeepalived } from '../../vrrp/index.js'
import type { KeepalivedVirtualServer } from '../../vrrp/index.js'
import { parseZone } from '../../zone/index.js'
import type { Zone } from '../../zone/index.js'
import { BIND_LVS_ADDRESSES, BIND_LVS_LOCALHOST_REV, BIND_LVS_LOCALHOST_ZONE, BIND_LVS_ORIGIN, BIND_LVS_VIPSHOP_ZONE, bindLvsKeepalivedConf } from '../bind-lvs-keepalived-configs.js'
import { MemoryDisk } from '../memory-files.js'
import { startNetnsVrrp } from './netns-vrrp.js'
import type { NetnsExampleDefinition, NetnsNodeEvent, NetnsNodeSpec, NetnsRole, NetnsRoleInstance } from './netns-role.js'

/** The port of the primary's HTTP API (the seed's web front end edits vipshop.com through it). */
export const BIND_LVS_NETNS_ADMIN_PORT = 8053

/** The master named: vipshop.com in a ZoneStore (kept in memory), NOTIFY + IXFR to both slaves, the HTTP API on port {@link BIND_LVS_NETNS_ADMIN_PORT}. */
export const bindLvsPrimaryRole: NetnsRole = {
  name: 'bind-lvs-primary',
  summary: 'the master named: vipshop.com in a journaled store, NOTIFY + IXFR to the slaves, the HTTP API',
  async start(spec) {
    const slaves = [hostAddress(spec, 'secondary1'), hostAddress(spec, 'secondary2')]
    const stops: (() => Promise<void>)[] = []
    const close = async (): Promise<void> => {
      for (const stop of stops.splice(0).reverse()) await stop().catch(() => {})
    }
    try {
      const store = await ZoneStore.open({ dir: 'primary', zones: [parseZone(BIND_LVS_VIPSHOP_ZONE, { origin: BIND_LVS_ORIGIN, fileName: 'vipshop.zone' })], files: new MemoryDisk().store, fsync: false })
      stops.push(() => store.close())
      // allow-transfer and also-notify: the slaves, by their real addresses.
      const authority = new Authority({ zones: localZones(), store, allowTransfer: slaves, notify: 'explicit', alsoNotify: slaves.map((address) => ({ address, port: 53 })), version: 'vipshop-cdn-dns' })
      authority.transfer.on('notify-failed', () => {})
      const server = new DnsServer({ handler: authority })
      await server.listen({ address: spec.address, port: 53 })
      stops.push(() => server.close())
      const token = randomToken()
      const admin = await serveAdmin({ store, authority, address: spec.address, port: BIND_LVS_NETNS_ADMIN_PORT, tokens: [{ token, name: 'web-frontend', access: 'write' }] })
      stops.push(() => admin.close())
      return {
        describe: [
          `named master for ${BIND_LVS_ORIGIN} on ${spec.address}#53, serial ${store.serial(BIND_LVS_ORIGIN)}, NOTIFY + IXFR to ${slaves.join(', ')} (the seed's ${BIND_LVS_ADDRESSES.primary})`,
          `HTTP API http://${admin.address}:${admin.port}/api/zones/${BIND_LVS_ORIGIN}/records token ${token}`,
        ],
        close,
      }
    } catch (error) {
      await close()
      throw error
    }
  },
}

/** A slave named: vipshop.com copied from the primary (NOTIFY + IXFR), the local zones, on port 53. */
export const bindLvsSecondaryRole: NetnsRole = {
  name: 'bind-lvs-secondary',
  summary: 'a slave named: vipshop.com by NOTIFY + IXFR from the primary, on port 53',
  async start(spec, emit) {
    const primary = hostAddress(spec, 'primary')
    const zone = new SecondaryZone({ origin: BIND_LVS_ORIGIN, primaries: [{ address: primary, port: 53 }], stateDir: spec.node, files: new MemoryDisk().transfer, queryTimeoutMs: 1000 })
    zone.on('failed', ({ reason }) => emit({ type: 'warning', message: `transfer from ${primary} failed: ${reason}` }))
    // A slave notifies nobody, as the seed's slave named.conf.
    const authority = new Authority({ zones: localZones(), secondaries: [zone], notify: false, version: 'vipshop-cdn-dns' })
    const firstCopy = new Promise<void>((resolve) => {
      zone.once('transferred', () => resolve())
      zone.once('up-to-date', () => resolve())
    })
    const server = new DnsServer({ handler: authority })
    try {
      await server.listen({ address: spec.address, port: 53 })
      await firstCopy
    } catch (error) {
      await server.close().catch(() => {})
      throw error
    }
    const seed = spec.node === 'secondary2' ? BIND_LVS_ADDRESSES.secondary2 : BIND_LVS_ADDRESSES.secondary1
    return { describe: [`named slave for ${BIND_LVS_ORIGIN} on ${spec.address}#53 from ${primary}, serial ${zone.serial} (the seed's ${seed})`], close: () => server.close() }
  },
}

/** An LVS director: the seed's keepalived.conf, its virtual_server a pool on VIP:53, its vrrp_instance moving the real VIP. */
export const bindLvsDirectorRole: NetnsRole = {
  name: 'bind-lvs-director',
  summary: 'an LVS director: virtual_server as a pool on VIP:53 with DNS + SOA-lag checks, keepalived VRRP moving the VIP',
  start: startDirector,
}

/** The example: primary, two secondaries, two directors (director1 the VRRP master), a client. */
export const bindLvsKeepalivedNetns: NetnsExampleDefinition = {
  name: 'bind-lvs-keepalived',
  summary: 'a primary with an HTTP API, two secondaries by NOTIFY + IXFR, two LVS directors with health checks, a VRRP pair moving a real VIP',
  hosts: [
    { name: 'primary', role: bindLvsPrimaryRole.name },
    { name: 'secondary1', role: bindLvsSecondaryRole.name },
    { name: 'secondary2', role: bindLvsSecondaryRole.name },
    { name: 'director1', role: bindLvsDirectorRole.name },
    { name: 'director2', role: bindLvsDirectorRole.name },
    { name: 'client' },
  ],
  vipHosts: ['director1', 'director2'],
  client: 'client',
  backupPriority: 90,
  tryQueries: [
    { name: 'dns1.vipshop.com', comment: "what the seed's check_named.sh asks each slave", expect: ['192.0.2.53'] },
    { name: 'img2.vipshop.com', comment: 'two addresses, from whichever slave the director picked', expect: ['192.0.2.12', '192.0.2.22'] },
    { name: 'dns1.vipshop.com', from: 'client', to: 'secondary2', comment: 'one slave directly' },
  ],
}

async function startDirector(spec: NetnsNodeSpec, emit: (event: NetnsNodeEvent) => void): Promise<NetnsRoleInstance> {
  if (spec.node !== 'director1' && spec.node !== 'director2') throw new DnsHaError('ERR_NETNS_CONFIG', `bind-lvs-director: node must be director1 or director2, got ${JSON.stringify(spec.node)}`)
  const master = spec.node === 'director1'
  const seedToHost = new Map<string, string>([
    [BIND_LVS_ADDRESSES.secondary1, hostAddress(spec, 'secondary1')],
    [BIND_LVS_ADDRESSES.secondary2, hostAddress(spec, 'secondary2')],
  ])
  const primary = hostAddress(spec, 'primary')
  const peer = hostAddress(spec, master ? 'director2' : 'director1')
  const config = parseKeepalivedConf(bindLvsKeepalivedConf(master, spec.advertIntervalMs), { file: `${master ? BIND_LVS_ADDRESSES.director1 : BIND_LVS_ADDRESSES.director2}:/etc/keepalived/keepalived.conf` })
  const stops: (() => Promise<void>)[] = []
  const close = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {})
  }
  try {
    // virtual_server: the pool, each real_server the slave it names, on the VIP (ip_nonlocal_bind).
    const { options, targets } = poolOptionsFromKeepalived(config.virtualServers[0] as KeepalivedVirtualServer)
    const pool = new UdpProxyPool({ ...options, members: options.members.map((m) => ({ ...m, address: seedToHost.get(m.address) ?? m.address })) })
    // The MISC_CHECK scripts (check_named.sh: nslookup dns1.vipshop.com $SERVER | grep ADDRESS) as a DNS check, plus the lag check the seed lacks.
    const prober = new HealthProber()
    for (const target of targets) {
      const address = seedToHost.get(target.name.slice(0, target.name.lastIndexOf('#')))
      if (address === undefined) continue
      const at = { address, port: 53 }
      const check = allOf(
        dnsCheck({ server: at, name: 'dns1.vipshop.com.', expect: { addresses: ['192.0.2.53'] } }),
        soaSerialCheck({ server: at, zone: BIND_LVS_ORIGIN, reference: { address: primary, port: 53 }, graceMs: 4000 }),
      )
      prober.add({ ...target, name: memberTarget(address, 53), check })
    }
    prober.on('up', ({ target, reason }) => emit({ type: 'member', member: target, state: 'up', reason }))
    prober.on('down', ({ target, reason }) => emit({ type: 'member', member: target, state: 'down', reason }))
    const stopTracking = pool.track(prober)
    stops.push(async () => {
      stopTracking()
      prober.close()
    })
    await pool.listen({ address: spec.vip, port: 53, udp: true, tcp: false })
    stops.push(() => pool.close())

    // vrrp_instance: its unicast_src_ip / unicast_peer / VIP the run's addresses.
    const mapped = vrrpRouterOptionsFromKeepalived(config.instances[0]!, config).router
    const router = await startNetnsVrrp(spec, mapped, peer, emit, stops)
    const r = router.snapshot()
    return {
      describe: [
        `LVS virtual_server on ${spec.vip}#53 udp, rr over ${options.members.map((m) => `${seedToHost.get(m.address) ?? m.address}#${m.port}`).join(', ')}; checks: dns1.vipshop.com = 192.0.2.53, SOA serial within 4 s of ${primary}`,
        `keepalived vrid ${r.vrid} priority ${r.priority} advert ${spec.advertIntervalMs} ms, unicast to ${peer} on ${spec.interface}`,
      ],
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}

/** localhost and 0.0.127.in-addr.arpa, as every named of the seed loads them. */
function localZones(): Zone[] {
  return [
    parseZone(BIND_LVS_LOCALHOST_ZONE, { origin: 'localhost.', fileName: 'localhost.zone' }),
    parseZone(BIND_LVS_LOCALHOST_REV, { origin: '0.0.127.in-addr.arpa.', fileName: 'slaves/localhost.rev' }),
  ]
}

function hostAddress(spec: NetnsNodeSpec, name: string): string {
  const address = spec.hosts[name]
  if (address === undefined) throw new DnsHaError('ERR_NETNS_CONFIG', `bind-lvs-keepalived: no host ${name} in the spec`)
  return address
}

/** The API's bearer token: 32 hex digits, new each run (printed in the primary's describe lines). */
function randomToken(): string {
  const random = cryptoRandom()
  let token = ''
  for (let i = 0; i < 32; i++) token += random.int(16).toString(16)
  return token
}
