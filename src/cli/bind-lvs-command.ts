/**
 * `dns-ha example bind-lvs-keepalived`: the seed's public DNS (a master named edited through a
 * web front end, slaves following it by NOTIFY + IXFR, an LVS director pair with keepalived in
 * front of the slaves) on loopback. It prints what runs where, the `dig` and `curl` commands to
 * try (an edit through the HTTP API shows up through the VIP), then every state change with its
 * reason, until Ctrl-C. The store and the slaves' copies live in a temporary directory, removed
 * at the end.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BindLvsKeepalived } from '../topology/index.js'
import { BIND_LVS_ADDRESSES, startBindLvsKeepalived } from '../topology/index.js'
import type { CliIo, RunningService } from './service.js'

/** What `dns-ha example bind-lvs-keepalived` was asked for. */
export interface BindLvsExampleSettings {
  /** Where clients reach the VIP. */
  port: number
  /** keepalived advert_int in ms. */
  advertMs: number
}

/** Starts the topology and prints its layout and events. */
export async function startBindLvsExample(settings: BindLvsExampleSettings, io: CliIo): Promise<RunningService> {
  const started = Date.now()
  const t = (at: number): string => `+${((at - started) / 1000).toFixed(3)}s`
  const stateDir = await mkdtemp(join(tmpdir(), 'dns-ha-bind-lvs-'))
  let topology: BindLvsKeepalived
  try {
    topology = await startBindLvsKeepalived({ vipPort: settings.port, advertIntervalMs: settings.advertMs, stateDir })
  } catch (error) {
    await rm(stateDir, { recursive: true, force: true })
    throw error
  }
  printLayout(topology, stateDir, io)
  topology.on('vrrp', ({ at, node, from, to, reason }) => io.out(`[${t(at)}] VRRP ${node}: ${from} -> ${to} (${reason})`))
  topology.on('vip', ({ at, to }) => io.out(`[${t(at)}] VIP ${BIND_LVS_ADDRESSES.vip}: ${to === undefined ? 'nobody holds it' : `held by ${to}`}`))
  topology.on('member', ({ at, director, member, state, reason }) => io.out(`[${t(at)}] ${director}: ${member} ${state} (${reason})`))
  topology.on('edit', ({ at, origin, serial, source }) => io.out(`[${t(at)}] primary: ${origin} serial ${serial} (${source ?? 'edit'}); NOTIFY to the secondaries`))
  topology.on('transfer', ({ at, node, serial, kind }) => io.out(`[${t(at)}] ${node}: ${kind.toUpperCase()} to serial ${serial}`))
  io.out('Ctrl-C to stop')
  return {
    // --metrics: the primary, both secondaries and both directors, re-watched after a kill/restore.
    watch: (metrics) => void topology.watchMetrics(metrics),
    async close() {
      await topology.close()
      await rm(stateDir, { recursive: true, force: true })
    },
  }
}

function printLayout(topology: BindLvsKeepalived, stateDir: string, io: CliIo): void {
  const s = topology.snapshot()
  const at = (a: { address: string; port: number }): string => `${a.address}#${a.port}`
  io.out('dns-ha example bind-lvs-keepalived: BIND master + slaves behind an LVS/keepalived director pair, on loopback')
  io.out(`  VIP ${BIND_LVS_ADDRESSES.vip}:53 -> ${at(s.vip)}   (a front that sends to the VRRP master director)`)
  io.out(`  primary ${s.primary.seedAddress} (vipshop.com master, serial ${s.primary.serial}) -> ${at(s.primary.endpoint)}, state in ${stateDir}`)
  for (const n of s.secondaries) io.out(`  ${n.name} ${n.seedAddress} (slave, serial ${n.serial ?? '-'}) -> ${at(n.endpoint)}`)
  for (const d of s.directors) io.out(`  ${d.name} ${d.seedAddress} (LVS virtual_server + keepalived vrid 51) -> pool ${at(d.pool)}, vrrp udp ${d.vrrpPort}`)
  io.out('try:')
  io.out(`  dig @${s.vip.address} -p ${s.vip.port} img2.vipshop.com`)
  if (s.primary.admin !== undefined) {
    const api = `http://${s.primary.admin.address}:${s.primary.admin.port}`
    io.out(`  curl -s -H 'Authorization: Bearer ${s.primary.admin.token}' -H 'Content-Type: application/json' -d '{"record":{"name":"img9","type":"A","ttl":300,"data":"198.51.100.9"}}' ${api}/api/zones/vipshop.com./records`)
    io.out(`  dig @${s.vip.address} -p ${s.vip.port} img9.vipshop.com      (the edit, via NOTIFY + IXFR to the slaves)`)
    io.out(`  admin page: ${api}/  (token above)`)
  }
}
