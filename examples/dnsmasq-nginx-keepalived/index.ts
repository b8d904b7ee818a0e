/**
 * The "double-active" internal DNS (dnsmasq + nginx stream + keepalived, two machines), run by
 * dns-ha on this machine: `node --import tsx examples/dnsmasq-nginx-keepalived/index.ts`.
 * README.md beside this file maps every line of the seed's configuration to what runs here.
 *
 *   dig ──► VIP ──► nginx stream pool on the VRRP master ──► dnsmasq on node a or b ──► upstream
 *
 * It starts both nodes from the seed's dnsmasq.conf, nginx stream block and keepalived.conf
 * (through the same parsers `dns-ha dnsmasq`, `dns-ha pool` and `dns-ha vrrp` use), waits for the
 * VRRP election, asks the seed's questions through the VIP, kills the master, asks again once the
 * backup holds the VIP, brings the master back (it preempts), and stops. Options: `--advert-ms N`
 * (keepalived advert_int in ms, default 1000 as the seed; 100 for a quick run).
 */
import { query } from '../../src/client/index.js'
import type { DnsmasqNginxKeepalived } from '../../src/topology/index.js'
import { SEED_ADDRESSES, startDnsmasqNginxKeepalived } from '../../src/topology/index.js'

const flag = process.argv.indexOf('--advert-ms')
const advertIntervalMs = flag >= 0 ? Number(process.argv[flag + 1]) : 1000

const topology = await startDnsmasqNginxKeepalived({ advertIntervalMs })
topology.on('vrrp', ({ node, from, to, reason }) => console.log(`  VRRP node ${node}: ${from} -> ${to} (${reason})`))
topology.on('vip', ({ to }) => console.log(`  VIP ${SEED_ADDRESSES.vip}: ${to === undefined ? 'nobody holds it' : `held by node ${to}`}`))

console.log(`VIP ${SEED_ADDRESSES.vip}:53 stands at ${topology.vip.address}#${topology.vip.port}; waiting for the VRRP election`)
await until(() => topology.holder !== undefined)
await ask(topology, 'with node a holding the VIP')

console.log('killing node a (no goodbye advert, as a power cut)')
await topology.kill('a')
await until(() => topology.holder === 'b')
await ask(topology, 'with node b holding the VIP')

console.log('node a boots again: it preempts the lower-priority node b')
await topology.restore('a')
await until(() => topology.holder === 'a')
await ask(topology, 'with node a back')

await topology.close()
console.log(JSON.stringify({ holderAtEnd: 'a', ok: true }))

async function ask(t: DnsmasqNginxKeepalived, when: string): Promise<void> {
  console.log(when + ':')
  for (const [name, type] of [['xpt.redhat.cn', 'A'], ['www.example.test', 'A'], ['111.111.168.192.in-addr.arpa', 'PTR']] as const) {
    const r = await query({ address: t.vip.address, port: t.vip.port }, { name, type }, { timeoutMs: 2000, retries: 2 })
    const data = (r.packet.answers ?? []).map((a) => String((a as { data?: unknown }).data)).join(', ')
    console.log(`  ${name} ${type} -> ${r.packet.rcode ?? 'NOERROR'} ${data}`)
  }
}

async function until(test: () => boolean): Promise<void> {
  const deadline = Date.now() + 10 * advertIntervalMs + 10_000
  while (!test()) {
    if (Date.now() > deadline) throw new Error('the VRRP pair did not settle in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}
