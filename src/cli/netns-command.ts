/**
 * `dns-ha example <name> --netns` (root): the example in network namespaces, each node a process
 * in its own namespace, the VIP a real address moved by VRRP, a client namespace to query from.
 * Prints what runs where and the `ip netns exec <client> dig @VIP ...` lines to try, then every
 * VRRP change; Ctrl-C stops the nodes and deletes every namespace.
 *
 * `dns-ha netns-node '<spec JSON>'` is the hidden node side: what each namespace's process runs.
 */
import { nodeNetnsHost, parseNetnsNodeSpec, startNetnsExample, startNetnsNode } from '../topology/index.js'
import type { NetnsHost } from '../topology/index.js'
import { DnsHaError } from '../util/errors.js'
import type { CliIo, RunningService } from './service.js'

/** What `dns-ha example NAME --netns` was asked for. */
export interface NetnsSettings {
  example: string
  advertMs: number
  /** The command that runs this CLI (the node processes run it with `netns-node`). */
  selfCommand: readonly string[] | undefined
  /** The host seam (tests). */
  host?: NetnsHost
}

/** Refuses (exit 69) without root or `ip`; otherwise starts the example and prints how to use it. */
export async function startNetnsCommand(settings: NetnsSettings, io: CliIo): Promise<RunningService> {
  const host = settings.host ?? nodeNetnsHost
  const why = host.unavailable()
  if (why !== undefined) throw new DnsHaError('ERR_NETNS_UNAVAILABLE', `example --netns: ${why}; without --netns the example runs on loopback`)
  if (settings.selfCommand === undefined || settings.selfCommand.length === 0) throw new DnsHaError('ERR_NETNS_CONFIG', 'example --netns: this program cannot start its own node processes (no command to run itself)')
  const started = Date.now()
  const t = (at: number): string => `+${((at - started) / 1000).toFixed(3)}s`
  const example = await startNetnsExample(settings.example, { nodeCommand: settings.selfCommand, advertIntervalMs: settings.advertMs, host })
  io.out(`dns-ha example ${settings.example} --netns: ${example.definition.summary}`)
  const hasVip = example.definition.vipHosts.length > 0
  io.out(hasVip ? `  VIP ${example.vip}:53 (a real address on the VRRP master's eth0); bridge in namespace ${example.namespaces[0]}` : `  bridge in namespace ${example.namespaces[0]}`)
  for (const h of example.hosts) {
    io.out(`  ${h.name}: namespace ${h.namespace}, ${h.interface} ${h.address}${h.pid === undefined ? (h.role === undefined ? ' (clients)' : '') : `, pid ${h.pid}`}${h.vrrp === undefined ? '' : `, VRRP ${h.vrrp}`}`)
    for (const line of h.describe) io.out(`      ${line}`)
  }
  const skewMs = ((256 - (example.definition.backupPriority ?? 100)) * settings.advertMs) / 256
  io.out(hasVip ? `The VIP moves to the backup within 3 x advert_int + skew (${((3 * settings.advertMs + skewMs) / 1000).toFixed(3)} s) of the master's death. Try:` : 'Try:')
  for (const q of example.definition.tryQueries) io.out(`  ${example.tryCommand(q).join(' ')}   # ${q.comment}`)
  const master = example.definition.vipHosts[0]
  if (master !== undefined) io.out(`  ip -n ${example.hosts.find((h) => h.name === master)?.namespace} addr show dev eth0   # who holds the VIP; kill -9 a node's pid to watch it move`)
  io.out('Ctrl-C to stop (the namespaces are deleted)')
  example.on('vrrp', ({ at, node, from, to, reason }) => io.out(`[${t(at)}] VRRP node ${node}: ${from} -> ${to} (${reason})`))
  example.on('member', ({ at, node, member, state, reason }) => io.out(`[${t(at)}] pool on node ${node}: ${member} ${state} (${reason})`))
  example.on('warning', ({ at, node, message }) => io.err(`[${t(at)}] node ${node}: ${message}`))
  example.on('exit', ({ at, node, code, signal, expected }) => {
    if (!expected) io.err(`[${t(at)}] node ${node} exited (${code ?? signal}): ${example.output(node).split('\n').slice(-3).join(' | ')}`)
  })
  return { close: () => example.close() }
}

/** The node side: runs one spec's role in this namespace until a signal. */
export async function startNetnsNodeCommand(spec: string, io: CliIo): Promise<RunningService> {
  const instance = await startNetnsNode(parseNetnsNodeSpec(spec), (line) => io.out(line))
  return { close: () => instance.close() }
}
