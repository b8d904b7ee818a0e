/**
 * `dns-ha example split-horizon`: one Authority with internal and external views on loopback,
 * served by two DnsServers and a pool that inserts EDNS Client Subnet. It prints where each
 * piece listens and the `dig -b` commands that show the split (127.0.0.2 is an internal client,
 * any other 127/8 address an external one), then the view that answered each query.
 */
import { SPLIT_INTERNAL_CLIENTS, startSplitHorizon } from '../topology/index.js'
import type { CliIo, RunningService } from './service.js'

/** What `dns-ha example split-horizon` was asked for. */
export interface SplitHorizonSettings {
  /** Where clients reach the pool (0: a free port). */
  port: number
}

/** Starts the topology and prints its layout; each answered query is printed with its view. */
export async function startSplitHorizonExample(settings: SplitHorizonSettings, io: CliIo): Promise<RunningService> {
  const topology = await startSplitHorizon({ port: settings.port })
  const pool = topology.pool
  io.out('dns-ha example split-horizon: one authority, internal and external views, behind a pool with EDNS Client Subnet')
  io.out(`  internal clients: ${SPLIT_INTERNAL_CLIENTS.join(', ')}; everyone else is external`)
  topology.servers.forEach((s, i) => io.out(`  server ${i + 1} on ${s.address}#${s.port} (direct: views match the source address)`))
  io.out(`  pool on ${pool.address}#${pool.port} (UDP; adds the client's address as ECS, the views match on it)`)
  io.out('try:')
  io.out(`  dig -b 127.0.0.2 @${pool.address} -p ${pool.port} www.example.test        # internal: 10.0.0.80`)
  io.out(`  dig -b 127.0.0.3 @${pool.address} -p ${pool.port} www.example.test        # external: 203.0.113.80`)
  io.out(`  dig -b 127.0.0.3 @${pool.address} -p ${pool.port} intranet.example.test   # external: NXDOMAIN`)
  io.out(`  dig -b 127.0.0.3 @${topology.servers[0]!.address} -p ${topology.servers[0]!.port} wiki.corp.test          # external, direct: REFUSED`)
  io.out('Ctrl-C to stop')
  topology.authority.on('query', (e) => io.out(`  ${e.client.address} ${e.qname} ${e.qtype} -> ${e.rcode} (view ${e.view})`))
  return { watch: (metrics) => void topology.watchMetrics(metrics), close: () => topology.close() }
}
