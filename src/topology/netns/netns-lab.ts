/**
 * The network of namespace mode: a bridge in its own namespace and one namespace per host, each
 * joined to the bridge by a veth pair (`eth0` inside the host), on a 10.x.y.0/24 chosen per run,
 * hosts at .1, .2, ... in the order given (or the numbers given) and the VIP at .100. Names are
 * `dnsha-<run>-<host>` (and `dnsha-<run>-br`), so parallel runs never collide.
 *
 * In every host namespace `net.ipv4.ip_nonlocal_bind` is 1, as on a keepalived machine whose
 * nginx listens on the VIP: a node binds VIP:53 before it holds the VIP, and answers from it
 * once the VRRP router adds the address. `destroy()` kills whatever still runs in the
 * namespaces and deletes them; it also runs when the process exits.
 */
import { DnsHaError } from '../../util/errors.js'
import { cryptoRandom, type Random } from '../../util/random.js'
import { nodeNetnsHost, type NetnsHost } from './node-host.js'

/** Options of {@link NetnsLab.create}. */
export interface NetnsLabOptions {
  /** The hosts, each getting a namespace and an address (.1, .2, ... in this order; at most 99). */
  hosts: readonly string[]
  /** The namespace name prefix (default `dnsha-`). */
  prefix?: string
  /**
   * A host's last octet instead of its position (1..254, not the VIP's 100, each once): lets an
   * example put hosts in a sub-range of the /24 that an ACL names (split-horizon's external
   * clients in the upper half).
   */
  numbers?: Readonly<Record<string, number>>
  /** The first three octets of the /24 (default: 10.x.y chosen at random). */
  subnet?: string
  /** The run's name inside namespace names (default: random). */
  runId?: string
  /** The host seam (default: the real one). */
  host?: NetnsHost
  /** Random source of the run id and subnet (default: crypto). */
  random?: Random
}

/** One host of the lab. */
export interface NetnsLabHost {
  name: string
  /** Its network namespace (`ip netns exec NAMESPACE ...`). */
  namespace: string
  /** Its interface on the bridge, inside the namespace. */
  interface: string
  /** Its address on the /24. */
  address: string
}

/** Host names: what a namespace name and a veth name can carry. */
const HOST_NAME = /^[a-z][a-z0-9-]{0,12}$/

/** The namespaces and the bridge of one run. */
export class NetnsLab {
  /** The namespace holding the bridge. */
  readonly bridgeNamespace: string
  /** The /24 as `10.x.y`. */
  readonly subnet: string
  /** The address the VRRP routers move (`<subnet>.100`). */
  readonly vip: string
  /** The prefix length of every host address (24). */
  readonly prefixLength = 24
  private readonly byName = new Map<string, NetnsLabHost>()
  private unhook: (() => void) | undefined
  private destroyed = false

  private constructor(
    readonly runId: string,
    private readonly prefix: string,
    subnet: string,
    hosts: readonly string[],
    numbers: readonly number[],
    private readonly host: NetnsHost,
  ) {
    this.subnet = subnet
    this.vip = `${subnet}.100`
    this.bridgeNamespace = `${prefix}${runId}-br`
    hosts.forEach((name, i) => this.byName.set(name, { name, namespace: `${prefix}${runId}-${name}`, interface: 'eth0', address: `${subnet}.${numbers[i]!}` }))
  }

  /**
   * Builds the namespaces, the bridge and the veths. Throws `DnsHaError` `ERR_NETNS_UNAVAILABLE`
   * when the host cannot (not root, no `ip`), `ERR_NETNS_CONFIG` on bad host names, and
   * `ERR_NETNS_SETUP` naming the `ip` command that failed (after removing what it had built).
   */
  static async create(options: NetnsLabOptions): Promise<NetnsLab> {
    const host = options.host ?? nodeNetnsHost
    const why = host.unavailable()
    if (why !== undefined) throw new DnsHaError('ERR_NETNS_UNAVAILABLE', `namespace mode: ${why}`)
    if (options.hosts.length === 0 || options.hosts.length > 99) throw new DnsHaError('ERR_NETNS_CONFIG', `namespace mode: 1..99 hosts, got ${options.hosts.length}`)
    for (const name of options.hosts) {
      if (!HOST_NAME.test(name) || name === 'br') throw new DnsHaError('ERR_NETNS_CONFIG', `namespace mode: host name ${JSON.stringify(name)} must be 1..13 of a-z, 0-9, - (starting with a letter), not "br"`)
    }
    if (new Set(options.hosts).size !== options.hosts.length) throw new DnsHaError('ERR_NETNS_CONFIG', 'namespace mode: host names must differ')
    const numbers = hostNumbers(options.hosts, options.numbers ?? {})
    const random = options.random ?? cryptoRandom()
    const runId = options.runId ?? random.int(36 ** 6).toString(36).padStart(6, '0')
    // 10.20.0.0 .. 10.227.255.0: clear of the 10.0/16 and 10.1/16 that labs and VPNs like.
    const subnet = options.subnet ?? `10.${20 + random.int(208)}.${random.int(256)}`
    const lab = new NetnsLab(runId, options.prefix ?? 'dnsha-', subnet, options.hosts, numbers, host)
    lab.unhook = host.onExit(() => lab.destroySync())
    try {
      await lab.build()
    } catch (error) {
      lab.destroySync()
      throw error
    }
    return lab
  }

  /** Every host, in the order given. */
  get hosts(): NetnsLabHost[] {
    return [...this.byName.values()]
  }

  /** One host by name; throws `DnsHaError` `ERR_NETNS_CONFIG` for a name not in the lab. */
  hostNamed(name: string): NetnsLabHost {
    const h = this.byName.get(name)
    if (h === undefined) throw new DnsHaError('ERR_NETNS_CONFIG', `namespace mode: no host ${JSON.stringify(name)} (there is ${[...this.byName.keys()].join(', ')})`)
    return h
  }

  /** Every namespace of the run, the bridge's first. */
  get namespaces(): string[] {
    return [this.bridgeNamespace, ...this.hosts.map((h) => h.namespace)]
  }

  /** The hosts whose interface holds `address` now (`ip -n NS -j addr show dev eth0`). */
  async holdersOf(address: string): Promise<string[]> {
    const out: string[] = []
    for (const h of this.hosts) {
      const r = await this.host.ip(['-n', h.namespace, '-j', '-4', 'addr', 'show', 'dev', h.interface], 5000)
      if (r.code !== 0) continue
      const links = JSON.parse(r.stdout) as { addr_info?: { local?: string }[] }[]
      if (links.some((l) => (l.addr_info ?? []).some((a) => a.local === address))) out.push(h.name)
    }
    return out
  }

  /** Kills every process left in the namespaces and deletes them (idempotent). */
  async destroy(): Promise<void> {
    this.destroySync()
  }

  /** {@link destroy}, synchronously: what the exit hook runs. */
  destroySync(): void {
    if (this.destroyed) return
    this.destroyed = true
    this.unhook?.()
    for (const ns of [...this.hosts.map((h) => h.namespace), this.bridgeNamespace]) {
      const pids = this.host.ipSync(['netns', 'pids', ns]).stdout
      for (const pid of pids.split(/\s+/).filter(Boolean)) this.host.signal(Number(pid), 'SIGKILL')
      this.host.ipSync(['netns', 'del', ns])
    }
  }

  private async build(): Promise<void> {
    const ip = async (...args: string[]): Promise<void> => {
      const r = await this.host.ip(args)
      if (r.code !== 0) throw new DnsHaError('ERR_NETNS_SETUP', `namespace mode: ip ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.code}`}`)
    }
    const br = this.bridgeNamespace
    await ip('netns', 'add', br)
    await ip('-n', br, 'link', 'add', 'br0', 'type', 'bridge')
    await ip('-n', br, 'link', 'set', 'br0', 'up')
    for (const h of this.hosts) {
      const port = `p-${h.name}`
      await ip('netns', 'add', h.namespace)
      await ip('link', 'add', h.interface, 'netns', h.namespace, 'type', 'veth', 'peer', 'name', port, 'netns', br)
      await ip('-n', br, 'link', 'set', port, 'master', 'br0')
      await ip('-n', br, 'link', 'set', port, 'up')
      await ip('-n', h.namespace, 'addr', 'add', `${h.address}/${this.prefixLength}`, 'dev', h.interface)
      await ip('-n', h.namespace, 'link', 'set', 'lo', 'up')
      await ip('-n', h.namespace, 'link', 'set', h.interface, 'up')
      await ip('netns', 'exec', h.namespace, 'sysctl', '-qw', 'net.ipv4.ip_nonlocal_bind=1')
    }
  }
}

/** Each host's last octet: its own number when given, else its position; checked for range and clashes. */
function hostNumbers(hosts: readonly string[], given: Readonly<Record<string, number>>): number[] {
  for (const name of Object.keys(given)) if (!hosts.includes(name)) throw new DnsHaError('ERR_NETNS_CONFIG', `namespace mode: a number for ${JSON.stringify(name)}, which is not a host`)
  const numbers = hosts.map((name, i) => given[name] ?? i + 1)
  numbers.forEach((n, i) => {
    if (!Number.isInteger(n) || n < 1 || n > 254 || n === 100) throw new DnsHaError('ERR_NETNS_CONFIG', `namespace mode: host ${hosts[i]!}'s number ${n} must be a whole number in 1..254 other than 100 (the VIP)`)
    const first = numbers.indexOf(n)
    if (first !== i) throw new DnsHaError('ERR_NETNS_CONFIG', `namespace mode: hosts ${hosts[first]!} and ${hosts[i]!} would both be .${n}`)
  })
  return numbers
}
