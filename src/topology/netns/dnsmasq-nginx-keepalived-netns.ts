/**
 * The "double-active" internal DNS in namespace mode: the seed's two machines as namespaces `a`
 * and `b`, its upstream resolver as namespace `upstream` (an Authority for example.test on
 * port 53), and a `client` namespace. Each machine runs what the seed runs there, from the seed's
 * own files through the parsers: dnsmasq (Forwarder + hosts overlay) on its address port 5454,
 * nginx `stream` (UdpProxyPool over both machines' dnsmasqs) on VIP:53, and keepalived (a
 * VrrpRouter over raw IP protocol 112 to its unicast peer, LinuxVip adding the real VIP to
 * `eth0` with gratuitous ARPs). Only the addresses change: the seed's machines, VIP and upstream
 * become the run's /24.
 */
import { Authority } from '../../authority/index.js'
import { Forwarder, parseDnsmasqConf } from '../../forwarder/index.js'
import { parseNginxStream, poolOptionsFromNginx, UdpProxyPool } from '../../proxy/index.js'
import { DnsServer } from '../../server/index.js'
import { DnsHaError } from '../../util/errors.js'
import { parseZone } from '../../zone/index.js'
import { SEED_ADDRESSES, SEED_HOSTS, SEED_NGINX_STREAM, seedDnsmasqConf, UPSTREAM_ZONE } from '../dnsmasq-nginx-keepalived-configs.js'
import { seedVrrpOptions } from '../dnsmasq-nginx-keepalived.js'
import { textFiles } from '../text-files.js'
import { startNetnsVrrp } from './netns-vrrp.js'
import type { NetnsExampleDefinition, NetnsNodeEvent, NetnsNodeSpec, NetnsRole, NetnsRoleInstance } from './netns-role.js'

/** The seed's upstream resolver: an Authority for example.test on the host's address, port 53. */
export const upstreamAuthorityRole: NetnsRole = {
  name: 'upstream-authority',
  summary: 'the upstream resolver: an authority for example.test on port 53',
  async start(spec) {
    const server = new DnsServer({ handler: new Authority({ zones: [parseZone(UPSTREAM_ZONE, { origin: 'example.test.' })] }) })
    await server.listen({ address: spec.address, port: 53 })
    return { describe: [`authority example.test on ${spec.address}#53 (the seed's upstream ${SEED_ADDRESSES.upstream})`], close: () => server.close() }
  },
}

/** One seed machine: dnsmasq on :5454, nginx stream on VIP:53, keepalived moving the VIP. */
export const dnsmasqNginxKeepalivedNodeRole: NetnsRole = {
  name: 'dnsmasq-nginx-keepalived-node',
  summary: "a seed machine: dnsmasq :5454, nginx stream on VIP:53, keepalived (raw VRRP, the real VIP)",
  start: startSeedMachine,
}

/** The example: hosts a (master, priority 150), b (backup, 100), upstream, client. */
export const dnsmasqNginxKeepalivedNetns: NetnsExampleDefinition = {
  name: 'dnsmasq-nginx-keepalived',
  summary: 'two forwarders, two nginx-style pools, a VRRP pair moving a real VIP',
  hosts: [{ name: 'a', role: dnsmasqNginxKeepalivedNodeRole.name }, { name: 'b', role: dnsmasqNginxKeepalivedNodeRole.name }, { name: 'upstream', role: upstreamAuthorityRole.name }, { name: 'client' }],
  vipHosts: ['a', 'b'],
  client: 'client',
  tryQueries: [
    { name: 'xpt.redhat.cn', comment: "the hosts overlay (the seed's dnsmasq.hosts)", expect: ['192.168.111.111'] },
    { name: '192.168.111.111', flag: '-x', comment: 'its PTR, generated from the hosts line' },
    { name: 'www.example.test', comment: 'forwarded to the upstream namespace, then cached', expect: ['192.0.2.80'] },
  ],
}

async function startSeedMachine(spec: NetnsNodeSpec, emit: (event: NetnsNodeEvent) => void): Promise<NetnsRoleInstance> {
  if (spec.node !== 'a' && spec.node !== 'b') throw new DnsHaError('ERR_NETNS_CONFIG', `dnsmasq-nginx-keepalived-node: node must be a or b (the seed's two machines), got ${JSON.stringify(spec.node)}`)
  const node = spec.node
  const peerName = node === 'a' ? 'b' : 'a'
  const address = (name: string): string => spec.hosts[name] ?? fail(`no host ${name} in the spec`)
  const seedToHost = new Map<string, string>([
    [SEED_ADDRESSES.nodeA, address('a')],
    [SEED_ADDRESSES.nodeB, address('b')],
    [SEED_ADDRESSES.upstream, address('upstream')],
  ])
  const seedSelf = node === 'a' ? SEED_ADDRESSES.nodeA : SEED_ADDRESSES.nodeB
  const stops: (() => Promise<void>)[] = []
  const close = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {})
  }
  try {
    // dnsmasq: the seed's file, its server= line pointing at the upstream namespace.
    const config = parseDnsmasqConf(seedDnsmasqConf(seedSelf), { fileName: `${seedSelf}:/etc/dnsmasq.conf` })
    const forwarder = new Forwarder({
      ...config,
      servers: (config.servers ?? []).map((s) => (s.address !== undefined && seedToHost.has(s.address) ? { ...s, address: seedToHost.get(s.address)!, port: 53 } : s)),
      files: textFiles({ '/etc/dnsmasq.hosts': SEED_HOSTS }),
      watch: false,
    })
    await forwarder.start()
    stops.push(() => forwarder.close())
    const forwarderServer = new DnsServer({ handler: forwarder })
    const dnsmasqPort = config.listen.port
    await forwarderServer.listen({ address: spec.address, port: dnsmasqPort })
    stops.push(() => forwarderServer.close())

    // nginx: the seed's stream block, each server line the machine it names; listening on VIP:53 (ip_nonlocal_bind).
    const [server] = parseNginxStream(SEED_NGINX_STREAM, { file: `${seedSelf}:/etc/nginx/nginx.conf` }).servers
    const { options } = poolOptionsFromNginx(server!)
    const pool = new UdpProxyPool({ ...options, members: options.members.map((m) => (seedToHost.has(m.address) ? { ...m, address: seedToHost.get(m.address)! } : m)) })
    pool.on('member-down', ({ member, reason }) => emit({ type: 'member', member: member.key, state: 'down', reason }))
    pool.on('member-up', ({ member }) => emit({ type: 'member', member: member.key, state: 'up', reason: 'answering again' }))
    await pool.listen({ address: spec.vip, port: 53, udp: true, tcp: false })
    stops.push(() => pool.close())

    // keepalived: the seed's keepalived.conf, its unicast_src_ip/unicast_peer/VIP the run's addresses.
    const router = await startNetnsVrrp(spec, seedVrrpOptions(node, spec.advertIntervalMs), address(peerName), emit, stops)
    const r = router.snapshot()
    return {
      describe: [
        `dnsmasq on ${spec.address}#${dnsmasqPort} (hosts overlay, upstream ${address('upstream')}#53)`,
        `nginx stream on ${spec.vip}#53 udp over ${options.members.map((m) => `${seedToHost.get(m.address) ?? m.address}#${m.port}`).join(', ')}`,
        `keepalived vrid ${r.vrid} priority ${r.priority} v${seedVrrpOptions(node, spec.advertIntervalMs).version ?? 3} advert ${spec.advertIntervalMs} ms, unicast to ${address(peerName)} on ${spec.interface}`,
      ],
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}

function fail(message: string): never {
  throw new DnsHaError('ERR_NETNS_CONFIG', `dnsmasq-nginx-keepalived-node: ${message}`)
}
