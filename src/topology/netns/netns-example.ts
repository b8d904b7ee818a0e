/**
 * Namespace mode (root): an example's hosts each in its own network namespace on a bridge, every
 * node a separate process (`ip netns exec NS <nodeCommand> netns-node '<spec>'`) running its
 * role, the VIP a real address that the nodes' VRRP routers move with `ip addr` and gratuitous
 * ARPs, and clients in their own namespace. `close()` stops the nodes (SIGTERM: routers give up
 * with priority 0), kills what is left and deletes every namespace; so does the process's exit.
 */
import { EventEmitter } from 'eventemitter3'
import { realClock as clock, type TimerHandle } from '../../util/clock.js'
import { DnsHaError } from '../../util/errors.js'
import { NetnsLab, type NetnsLabHost } from './netns-lab.js'
import { netnsExample, netnsExampleNames, netnsRole } from './netns-registry.js'
import type { NetnsExampleDefinition, NetnsNodeSpec, NetnsTryQuery } from './netns-role.js'
import { nodeNetnsHost, type NetnsChild, type NetnsHost } from './node-host.js'

/** Options of {@link startNetnsExample}. */
export interface NetnsExampleOptions {
  /**
   * The command that runs dns-ha's CLI, before its arguments: the node processes run
   * `<nodeCommand...> netns-node '<spec>'`. The `dns-ha` command passes itself
   * (`[process.execPath, ...process.execArgv, process.argv[1]]`); from TypeScript sources,
   * `[process.execPath, '--import', 'tsx', 'src/cli/main.ts']`.
   */
  nodeCommand: readonly string[]
  /** keepalived `advert_int` in ms (default 1000: the seed's VRRPv2 with PASS; other values use VRRPv3). */
  advertIntervalMs?: number
  /** How long a node may take to start (Node's own start-up included; default 30 000 ms). */
  readyTimeoutMs?: number
  /** Namespace name prefix (default `dnsha-`); a random run id follows it. */
  prefix?: string
  /** The host seam (default: the real one). */
  host?: NetnsHost
}

/** Events of a running namespace example (`at`: epoch ms, as the node saw it). */
export interface NetnsExampleEvents {
  vrrp: (event: { at: number; node: string; from: string; to: string; reason: string }) => void
  member: (event: { at: number; node: string; member: string; state: 'up' | 'down'; reason: string }) => void
  warning: (event: { at: number; node: string; message: string }) => void
  /** A node process ended: `expected` is false unless `close()` or `crash()` ended it. */
  exit: (event: { at: number; node: string; code: number | null; signal: string | null; expected: boolean }) => void
}

/** One host of the running example. */
export interface NetnsNodeInfo {
  name: string
  namespace: string
  interface: string
  address: string
  /** Its role, `undefined` for a client. */
  role: string | undefined
  /** The node process (`undefined` for a client, or once it exited). */
  pid: number | undefined
  /** What the role said it runs, one line each. */
  describe: string[]
  /** The node's last reported VRRP state (`undefined`: it runs no router, or has not reported one). */
  vrrp: string | undefined
}

interface RunningNode {
  host: NetnsLabHost
  role: string | undefined
  child?: NetnsChild
  alive: boolean
  expectedExit: boolean
  describe: string[]
  vrrp: string | undefined
  /** stderr and stray stdout lines, the last ones, for a failure message. */
  log: string[]
}

/** A namespace example as it runs. */
export class NetnsExample extends EventEmitter<NetnsExampleEvents> {
  /** The virtual address clients query (port 53). */
  readonly vip: string
  /** The client namespace (`ip netns exec CLIENT dig @VIP ...`). */
  readonly clientNamespace: string
  private closing: Promise<void> | undefined

  /** @internal Built by {@link startNetnsExample}. */
  constructor(
    readonly definition: NetnsExampleDefinition,
    private readonly lab: NetnsLab,
    private readonly nodes: Map<string, RunningNode>,
  ) {
    super()
    this.vip = lab.vip
    this.clientNamespace = lab.hostNamed(definition.client).namespace
  }

  /** Every namespace of the run (the bridge's first). */
  get namespaces(): string[] {
    return this.lab.namespaces
  }

  /** The hosts, in start order. */
  get hosts(): NetnsNodeInfo[] {
    return [...this.nodes.values()].map((n) => ({
      name: n.host.name,
      namespace: n.host.namespace,
      interface: n.host.interface,
      address: n.host.address,
      role: n.role,
      pid: n.alive ? n.child?.pid : undefined,
      describe: [...n.describe],
      vrrp: n.vrrp,
    }))
  }

  /** The VIP hosts whose interface holds the VIP now (read with `ip -n NS addr`). */
  async holders(): Promise<string[]> {
    const holders = await this.lab.holdersOf(this.vip)
    return holders.filter((h) => this.definition.vipHosts.includes(h))
  }

  /**
   * The command line of one suggested query: `ip netns exec <from's namespace> dig @<to> [flag] NAME`
   * (from the client to the VIP unless the query names other hosts).
   */
  tryCommand(query: NetnsTryQuery): string[] {
    const from = this.lab.hostNamed(query.from ?? this.definition.client).namespace
    const to = query.to === undefined ? this.vip : this.lab.hostNamed(query.to).address
    return ['ip', 'netns', 'exec', from, 'dig', `@${to}`, ...(query.flag === undefined ? [] : [query.flag]), query.name]
  }

  /** A node's recent stderr and stray output, for a failure message. */
  output(node: string): string {
    return this.node(node).log.join('\n')
  }

  /**
   * The node's process dies with SIGKILL (no priority-0 advert; its VIP stays on its interface,
   * as after a crash). Resolves with the epoch ms the signal was sent, once the process is gone.
   */
  async crash(node: string): Promise<number> {
    const n = this.node(node)
    if (!n.child || !n.alive) throw new DnsHaError('ERR_NETNS_CONFIG', `namespace mode: node ${node} is not running`)
    n.expectedExit = true
    const at = clock.now()
    n.child.kill('SIGKILL')
    await n.child.exited
    return at
  }

  /** Plain data: each host, its process and its address. */
  snapshot(): { vip: string; namespaces: string[]; hosts: NetnsNodeInfo[] } {
    return { vip: this.vip, namespaces: this.namespaces, hosts: this.hosts }
  }

  /** Stops every node (SIGTERM, then SIGKILL after 5 s), then deletes every namespace. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const running = [...this.nodes.values()].filter((n) => n.child && n.alive)
      for (const n of running) n.expectedExit = true
      for (const n of running) n.child!.kill('SIGTERM')
      await Promise.all(
        running.map(async (n) => {
          let timer: TimerHandle | undefined
          await Promise.race([n.child!.exited, new Promise<void>((r) => (timer = clock.setTimeout(r, 5000)))])
          clock.clearTimeout(timer)
          n.child!.kill('SIGKILL')
        }),
      )
      await this.lab.destroy()
    })()
    return this.closing
  }

  private node(name: string): RunningNode {
    const n = this.nodes.get(name)
    if (n === undefined) throw new DnsHaError('ERR_NETNS_CONFIG', `namespace mode: no node ${JSON.stringify(name)}`)
    return n
  }
}

/** The names of the examples that run in namespace mode. */
export { netnsExampleNames }

/**
 * Builds the namespaces of example `name` (or a definition), starts every node process in its
 * namespace and resolves once each reported ready. Throws `DnsHaError` `ERR_NETNS_UNAVAILABLE`
 * when namespaces cannot be made here (not root, no `ip`) or a node could not get what it needs
 * (exit 69: raw sockets, koffi), `ERR_NETNS_NODE` when a node failed to start (its stderr in the
 * message); everything built is torn down first.
 */
export async function startNetnsExample(name: string | NetnsExampleDefinition, options: NetnsExampleOptions): Promise<NetnsExample> {
  const definition = typeof name === 'string' ? netnsExample(name) : name
  if (definition === undefined) throw new DnsHaError('ERR_USAGE', `no namespace example named ${String(name)}; there is ${netnsExampleNames().join(', ')}`)
  for (const h of definition.hosts) if (h.role !== undefined) netnsRole(h.role)
  if (options.nodeCommand.length === 0) throw new DnsHaError('ERR_NETNS_CONFIG', 'namespace mode: nodeCommand is empty')
  const host = options.host ?? nodeNetnsHost
  const numbers = Object.fromEntries(definition.hosts.flatMap((h) => (h.number === undefined ? [] : [[h.name, h.number]])))
  const lab = await NetnsLab.create({ hosts: definition.hosts.map((h) => h.name), numbers, host, ...(options.prefix === undefined ? {} : { prefix: options.prefix }) })
  const nodes = new Map<string, RunningNode>(definition.hosts.map((h) => [h.name, { host: lab.hostNamed(h.name), role: h.role, alive: false, expectedExit: false, describe: [], vrrp: undefined, log: [] }]))
  const example = new NetnsExample(definition, lab, nodes)
  const addresses = Object.fromEntries(lab.hosts.map((h) => [h.name, h.address]))
  try {
    await Promise.all(
      [...nodes.values()]
        .filter((n) => n.role !== undefined)
        .map((n) => startNode(example, host, n, { role: n.role!, node: n.host.name, interface: n.host.interface, address: n.host.address, hosts: addresses, vip: lab.vip, advertIntervalMs: options.advertIntervalMs ?? 1000 }, options)),
    )
  } catch (error) {
    await example.close()
    throw error
  }
  return example
}

function startNode(example: NetnsExample, host: NetnsHost, n: RunningNode, spec: NetnsNodeSpec, options: NetnsExampleOptions): Promise<void> {
  const child = host.spawnIn(n.host.namespace, [...options.nodeCommand, 'netns-node', JSON.stringify(spec)])
  n.child = child
  n.alive = true
  const keep = (line: string): void => {
    n.log.push(line)
    if (n.log.length > 50) n.log.shift()
  }
  return new Promise<void>((resolve, reject) => {
    let ready = false
    const timer = clock.setTimeout(() => reject(new DnsHaError('ERR_NETNS_NODE', `namespace mode: node ${n.host.name} did not start within ${options.readyTimeoutMs ?? 30_000} ms: ${n.log.slice(-5).join(' | ')}`)), options.readyTimeoutMs ?? 30_000)
    child.onStderrLine(keep)
    child.onStdoutLine((line) => {
      const event = parseLine(line)
      if (event === undefined) return keep(line)
      const node = n.host.name
      const at = typeof event.at === 'number' ? event.at : clock.now()
      if (event.netns === 'ready') {
        n.describe = Array.isArray(event.describe) ? event.describe.map(String) : []
        ready = true
        clock.clearTimeout(timer)
        resolve()
      } else if (event.netns === 'vrrp') {
        n.vrrp = String(event.to)
        example.emit('vrrp', { at, node, from: String(event.from), to: String(event.to), reason: String(event.reason) })
      } else if (event.netns === 'member') example.emit('member', { at, node, member: String(event.member), state: event.state === 'up' ? 'up' : 'down', reason: String(event.reason) })
      else if (event.netns === 'warning') example.emit('warning', { at, node, message: String(event.message) })
    })
    void child.exited.then(({ code, signal }) => {
      n.alive = false
      clock.clearTimeout(timer)
      example.emit('exit', { at: clock.now(), node: n.host.name, code, signal, expected: n.expectedExit })
      if (ready) return
      const why = n.log.slice(-5).join(' | ') || 'no output'
      // The dns-ha command exits 69 when the host lacks something (raw sockets, koffi, an address).
      reject(new DnsHaError(code === 69 ? 'ERR_NETNS_UNAVAILABLE' : 'ERR_NETNS_NODE', `namespace mode: node ${n.host.name} exited (${code ?? signal}) before it was ready: ${why}`))
    })
  })
}

function parseLine(line: string): (Record<string, unknown> & { netns: string }) | undefined {
  if (!line.startsWith('{"netns":')) return undefined
  try {
    return JSON.parse(line) as Record<string, unknown> & { netns: string }
  } catch {
    return undefined
  }
}
