/**
 * Public DNS the way the seed builds it (BIND master + slaves, LVS DR + keepalived in front of the
 * slaves), run by dns-ha on this machine: `node --import tsx examples/bind-lvs-keepalived/index.ts`.
 * README.md beside this file maps every line of the seed's configuration to what runs here.
 *
 *   dig ──► VIP ──► LVS pool on the VRRP master director ──► slave 1 or 2 ◄── NOTIFY + IXFR ── master ◄── HTTP API
 *
 * It starts the topology (the store and the slaves' copies in a temporary directory), asks the
 * seed's questions through the VIP, edits a record through the HTTP API and asks for it through
 * the VIP, kills a slave (the directors' checks take it out), kills the master director (the
 * backup takes the VIP), restores both, and stops. Options: `--advert-ms N` (keepalived
 * advert_int in ms, default 1000; 100 for a quick run).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { query } from '../../src/client/index.js'
import type { BindLvsKeepalived } from '../../src/topology/index.js'
import { BIND_LVS_ADDRESSES, startBindLvsKeepalived } from '../../src/topology/index.js'

const flag = process.argv.indexOf('--advert-ms')
const advertIntervalMs = flag >= 0 ? Number(process.argv[flag + 1]) : 1000

const stateDir = await mkdtemp(join(tmpdir(), 'dns-ha-bind-lvs-'))
const topology = await startBindLvsKeepalived({ advertIntervalMs, stateDir })
topology.on('vrrp', ({ node, from, to, reason }) => console.log(`  VRRP ${node}: ${from} -> ${to} (${reason})`))
topology.on('vip', ({ to }) => console.log(`  VIP ${BIND_LVS_ADDRESSES.vip}: ${to === undefined ? 'nobody holds it' : `held by ${to}`}`))
topology.on('member', ({ director, member, state, reason }) => console.log(`  ${director}: ${member} ${state} (${reason})`))
topology.on('transfer', ({ node, serial, kind }) => console.log(`  ${node}: ${kind.toUpperCase()} to serial ${serial}`))

const snap = topology.snapshot()
console.log(`VIP ${BIND_LVS_ADDRESSES.vip}:53 stands at ${snap.vip.address}#${snap.vip.port}; waiting for the VRRP election`)
await until(() => topology.holder !== undefined)
await ask(topology, `with ${topology.holder} holding the VIP`)

// The seed's web front end: an edit through the HTTP API, journaled, served, NOTIFY, IXFR.
const admin = snap.primary.admin!
console.log(`adding img4.vipshop.com through http://${admin.address}:${admin.port}/api/`)
const response = await fetch(`http://${admin.address}:${admin.port}/api/zones/vipshop.com./records`, {
  method: 'POST',
  headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
  body: JSON.stringify({ record: { name: 'img4', type: 'A', ttl: 300, data: '198.51.100.4' } }),
})
console.log(`  HTTP ${response.status}: ${JSON.stringify(await response.json())}`)
await until(() => topology.snapshot().secondaries.every((s) => s.serial === topology.snapshot().primary.serial))
await ask(topology, 'after the edit', ['img4.vipshop.com'])

console.log('killing secondary1: the directors run their checks every 2 s (delay_loop), each waiting up to 5 s (misc_timeout)')
await topology.kill('secondary1')
await until(() => topology.snapshot().directors.every((d) => d.health.secondary1 === 'down'))
await ask(topology, 'with secondary1 dead')
await topology.restore('secondary1')

console.log('killing director1 (no goodbye advert, as a power cut)')
await topology.kill('director1')
await until(() => topology.holder === 'director2')
await ask(topology, 'with director2 holding the VIP')
console.log('director1 boots again: it preempts the lower-priority director2')
await topology.restore('director1')
await until(() => topology.holder === 'director1')
await ask(topology, 'with director1 back')

await topology.close()
await rm(stateDir, { recursive: true, force: true })
console.log(JSON.stringify({ holderAtEnd: 'director1', ok: true }))

async function ask(t: BindLvsKeepalived, when: string, names = ['img2.vipshop.com', 'dns1.vipshop.com', 'localhost.vipshop.com']): Promise<void> {
  console.log(when + ':')
  for (const name of names) {
    const r = await query({ address: t.vip.address, port: t.vip.port }, { name, type: 'A' }, { timeoutMs: 2000, retries: 2 })
    const data = (r.packet.answers ?? []).map((a) => String((a as { data?: unknown }).data)).join(', ')
    console.log(`  ${name} A -> ${r.packet.rcode ?? 'NOERROR'} ${data}`)
  }
}

async function until(test: () => boolean): Promise<void> {
  const deadline = Date.now() + 10 * advertIntervalMs + 20_000
  while (!test()) {
    if (Date.now() > deadline) throw new Error('the topology did not settle in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}
