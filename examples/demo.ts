/**
 * The demo topology (npm run demo): one node of the "double-active" internal DNS (docs/design.md) on loopback.
 *
 *   dig ──► Forwarder on 127.0.0.1:5300 ──(hosts overlay: examples/hosts)
 *                       │ everything else, strict order
 *                       ▼
 *           Authority on 127.0.0.1:<free port> serving examples/example.zone
 *
 * The forwarder answers names from the hosts file itself (with PTRs), forwards the rest to the
 * authority, and caches what comes back. Options: `--port N` (default 5300; 0 picks a free
 * port), `--check` (ask each demo question once, print the answers, and exit).
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Authority } from '../src/authority/index.js'
import { query } from '../src/client/index.js'
import { Forwarder } from '../src/forwarder/index.js'
import { DnsServer } from '../src/server/index.js'
import { parseZone } from '../src/zone/index.js'

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url))
const args = process.argv.slice(2)
const portFlag = args.indexOf('--port')
const port = portFlag >= 0 ? Number(args[portFlag + 1]) : 5300
const checkOnly = args.includes('--check')

// The upstream: an authoritative server for the example zone.
const zoneFile = here('example.zone')
const zone = parseZone(readFileSync(zoneFile, 'utf8'), { origin: 'example.test.', fileName: zoneFile })
const authority = new Authority({ zones: [zone], version: 'dns-ha demo' })
const upstream = new DnsServer({ handler: authority })
const upstreamAddress = await upstream.listen({ port: 0, address: '127.0.0.1' })

// The node: a dnsmasq-style forwarder with the hosts overlay, strict order, a cache.
const forwarder = new Forwarder({
  hostsFiles: [here('hosts')],
  servers: [{ address: '127.0.0.1', port: upstreamAddress.port }],
  strategy: 'strict',
  cacheSize: 1000,
  localTtl: 60,
})
await forwarder.start()
const front = new DnsServer({ handler: forwarder })
const bound = await front.listen({ port, address: '127.0.0.1' })

const questions: [string, string, string][] = [
  ['xpt.redhat.cn', 'A', 'from the hosts file (the seed’s dnsmasq.hosts entry)'],
  ['111.111.168.192.in-addr.arpa', 'PTR', 'the PTR generated for that hosts line'],
  ['www.example.test', 'A', 'from the zone, through the upstream authority'],
  ['www.example.test', 'A', 'the same again: now from the forwarder’s cache'],
  ['web.example.test', 'A', 'a CNAME in the zone, followed by the authority'],
  ['nothing.example.test', 'A', 'NXDOMAIN from the zone, cached negatively'],
]

if (checkOnly) {
  for (const [name, type, why] of questions) {
    const r = await query({ address: '127.0.0.1', port: bound.port }, { name, type }, { timeoutMs: 2000 })
    const answers = (r.packet.answers ?? []).map((a) => `${a.type} ${String((a as { data?: unknown }).data)}`).join(', ')
    console.log(`${name} ${type} → ${r.packet.rcode}${answers ? ` ${answers}` : ''}   (${why})`)
  }
  console.log(JSON.stringify({ forwarder: forwarder.snapshot().answers }))
  await shutdown()
} else {
  console.log(`dns-ha demo: forwarder on 127.0.0.1:${bound.port}, upstream authority for example.test. on 127.0.0.1:${upstreamAddress.port}`)
  console.log('Try:')
  for (const [name, type, why] of questions) {
    const cmd = type === 'PTR' ? `dig @127.0.0.1 -p ${bound.port} -x 192.168.111.111` : `dig @127.0.0.1 -p ${bound.port} ${name} ${type}`
    console.log(`  ${cmd.padEnd(62)} # ${why}`)
  }
  console.log(`  dig @127.0.0.1 -p ${upstreamAddress.port} example.test SOA +norec     # the authority itself`)
  console.log('Ctrl-C to stop.')
  forwarder.on('query', (e) => console.log(`  query ${e.name} ${e.type} from ${e.client.address}: ${e.source}`))
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutdown())
}

async function shutdown(): Promise<void> {
  await front.close()
  await forwarder.close()
  await upstream.close()
}
