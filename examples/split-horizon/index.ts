/**
 * Split-horizon DNS (BIND views, the "smart DNS" of an authoritative cluster), run by dns-ha on
 * this machine: `node --import tsx examples/split-horizon/index.ts`. README.md beside this file
 * maps a BIND `view { match-clients ...; }` configuration to the options used here.
 *
 *   dig -b 127.0.0.2 ──► pool (adds ECS 127.0.0.2/32) ──► DnsServer ──► Authority: view internal-via-pool
 *   dig -b 127.0.0.3 ──► DnsServer (direct)                         ──► Authority: view external
 *
 * It starts one Authority with internal and external views, two DnsServers over it and a
 * UdpProxyPool in front that inserts EDNS Client Subnet, asks the same names as an internal
 * client (127.0.0.2) and as an external one (127.0.0.3), directly and through the pool, shows
 * that an outsider's own ECS claim is ignored, and stops. `--serve` keeps it running for dig.
 */
import { query } from '../../src/client/index.js'
import type { QueryOptions } from '../../src/client/index.js'
import { startSplitHorizon } from '../../src/topology/index.js'
import type { BoundAddress } from '../../src/util/network.js'

const topology = await startSplitHorizon()
const lastView: string[] = []
topology.authority.on('query', (e) => lastView.push(e.view))
const [server] = topology.servers
console.log(`servers on ${topology.servers.map((s) => `${s.address}#${s.port}`).join(', ')}; pool on ${topology.pool.address}#${topology.pool.port}`)

for (const [who, from] of [['internal client', '127.0.0.2'], ['external client', '127.0.0.3']] as const) {
  for (const [path, to] of [['direct', server!], ['through the pool', topology.pool]] as const) {
    console.log(`${who} ${from}, ${path}:`)
    for (const name of ['www.example.test', 'intranet.example.test', 'wiki.corp.test']) await ask(from, to, name)
  }
}

console.log('external client 127.0.0.3 claiming to be 10.9.9.0/24 in its own ECS option, direct:')
await ask('127.0.0.3', server!, 'www.example.test', { edns: { options: [{ code: 8, family: 1, sourcePrefixLength: 24, ip: '10.9.9.0' }] } })

if (process.argv.includes('--serve')) {
  console.log(`serving; try: dig -b 127.0.0.2 @${topology.pool.address} -p ${topology.pool.port} www.example.test (Ctrl-C to stop)`)
  process.once('SIGINT', () => void topology.close())
} else {
  await topology.close()
}

async function ask(from: string, to: BoundAddress, name: string, extra: QueryOptions = {}): Promise<void> {
  const r = await query({ address: to.address, port: to.port }, { name, type: 'A' }, { localAddress: from, timeoutMs: 2000, retries: 1, ...extra })
  const data = (r.packet.answers ?? []).map((a) => String((a as { data?: unknown }).data)).join(', ')
  console.log(`  ${name} A -> ${r.packet.rcode ?? 'NOERROR'} ${data}  (view ${lastView.at(-1)})`)
}
