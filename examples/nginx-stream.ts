/**
 * The seed's nginx `stream` block, run by dns-ha instead of nginx:
 * `node --import tsx examples/nginx-stream.ts`.
 *
 *   client ──► UdpProxyPool (parsed from the nginx block) ──► two DnsServers, weight 1 each
 *
 * The block below is the seed's, byte for byte. The one change is where things live: the seed's
 * members (172.22.10.237:5353, 172.22.10.50:5354) become two DnsServers started here on
 * 127.0.0.1 with free ports, and `listen 53` becomes 127.0.0.1 port 0, so the example runs on
 * any machine without root. Everything else (weights, proxy_timeout, proxy_connect_timeout, UDP
 * only) is what parseNginxStream read. It sends 200 queries through the pool, prints how they
 * spread over the members, and stops.
 */
import { query } from '../src/client/index.js'
import { parseNginxStream, startNginxPool } from '../src/proxy/index.js'
import { DnsServer } from '../src/server/index.js'

const NGINX_CONF = `
stream {
upstream dns {
server 172.22.10.237:5353 weight=1;
server 172.22.10.50:5354 weight=1;
}
server {
listen 53 udp;
proxy_connect_timeout 1s;
proxy_timeout 20s;
proxy_pass dns;
}
}
`

const QUERIES = 200

// Two members, each answering every A question with its own address as the data, so the answer
// says which member served it.
async function member(marker: string): Promise<DnsServer> {
  const server = new DnsServer({ handler: (q) => ({ answers: [{ name: q.question!.name, type: 'A', class: 'IN', ttl: 60, data: marker }] }) })
  await server.listen({ port: 0, address: '127.0.0.1' })
  return server
}
const servers = [await member('192.0.2.1'), await member('192.0.2.2')]

const [server] = parseNginxStream(NGINX_CONF, { file: 'nginx.conf' }).servers
if (!server) throw new Error('the block has no server')
const seedMembers = server.options.members.map((m) => `${m.address}:${m.port}`)

// The only change to what was parsed: loopback addresses and free ports instead of the seed's.
server.options.members.forEach((m, i) => {
  m.address = '127.0.0.1'
  m.port = servers[i]!.addresses()[0]!.port
})
server.listen.address = '127.0.0.1'
server.listen.port = 0

const pool = await startNginxPool(server)
const front = pool.addresses()[0]!
console.log(`nginx block read: listen ${front.address}:${front.port} (udp ${server.listen.udp}, tcp ${server.listen.tcp}), proxy_timeout ${server.options.timeoutMs} ms, proxy_connect_timeout ${server.options.connectTimeoutMs} ms`)

const byMember: Record<string, number> = {}
let failed = 0
for (let i = 0; i < QUERIES; i++) {
  try {
    const r = await query({ address: front.address, port: front.port }, { name: `q${i}.example.test`, type: 'A' }, { timeoutMs: 2000 })
    const data = String((r.packet.answers?.[0] as { data?: unknown } | undefined)?.data)
    byMember[data] = (byMember[data] ?? 0) + 1
  } catch {
    failed++
  }
}

const members = pool.snapshot().members
members.forEach((m, i) => {
  const served = byMember[`192.0.2.${i + 1}`] ?? 0
  console.log(`member ${seedMembers[i]} (here ${m.address}:${m.port}, weight ${m.weight}): ${served} of ${QUERIES} answers, state ${m.state}`)
})
console.log(JSON.stringify({ queries: QUERIES, failed, byMember }))

await pool.close()
await Promise.all(servers.map((s) => s.close()))
