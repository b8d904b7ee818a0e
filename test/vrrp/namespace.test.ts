// VRRP on the real wire: two network namespaces joined by a veth pair, dns-ha routers
// (RawTransport + LinuxVip, each in its own process under `ip netns exec`) against each other
// and against keepalived, VIP placement read with `ip -n NS -j addr`. Root only; skips with a
// printed reason otherwise. Prints the measured timings.
import { execFile, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { haveKeepalived, Lab, labUnavailable, VIP6, type Host, type Speaker, type SpeakerOptions } from './netns.js'

const exec = promisify(execFile)
const unavailable = labUnavailable()
if (unavailable) console.warn(`skipping the VRRP namespace tests: ${unavailable}`)
const noKeepalived = !unavailable && !haveKeepalived()
if (noKeepalived) console.warn('skipping the keepalived interop: keepalived is not installed (apt-get install keepalived)')
const noTshark = !unavailable && (spawnSync('tshark', ['-v']).error !== undefined || spawnSync('dumpcap', ['-v']).error !== undefined)
if (noTshark) console.warn('skipping the capture check: tshark or dumpcap is not installed (apt-get install tshark)')

const skew = (priority: number, interval: number): number => ((256 - priority) * interval) / 256
const masterDown = (priority: number, interval: number): number => 3 * interval + skew(priority, interval)
/** Real processes on a shared 2-core machine: lateness allowed on top of an RFC figure. */
const SLACK = 1000
/** Starting a router process (node + tsx, or keepalived) before it runs any VRRP. */
const STARTUP = 10_000

type Start = (host: Host, o: SpeakerOptions) => Speaker

interface Timings {
  label: string
  start: number
  /** From the router leaving Initialize (dns-ha: without Node's own start-up). */
  startAfterReady: number | undefined
  sigterm: number
  failback: number
  sigkill: number
  sigkillAfterLastAdvert: number | undefined
  restartAfterKill: number
}

const results: Timings[] = []
let lab: Lab

beforeAll(async () => {
  if (!unavailable) lab = await Lab.create()
})
afterAll(async () => {
  await lab?.destroy()
  if (results.length > 0) {
    const rows = results.map((r) => `| ${r.label} | ${r.start}${r.startAfterReady === undefined ? '' : ` (${r.startAfterReady})`} | ${r.sigterm} | ${r.sigkill}${r.sigkillAfterLastAdvert === undefined ? '' : ` (${r.sigkillAfterLastAdvert} after last advert)`} | ${r.failback} | ${r.restartAfterKill} |`)
    console.info(['VRRP namespace timings (ms):', '| high / low | VIP at start | failover on SIGTERM | failover on SIGKILL | failback (preempt) | back after SIGKILL |', ...rows].join('\n'))
  }
})

/**
 * The high-priority speaker (150) in namespace a, the low one (100) in b: the VIP comes up on a,
 * stays there when b starts, moves to b on SIGTERM, comes back when a restarts (preemption),
 * moves to b on SIGKILL within Master_Down_Interval, and comes back when a restarts again.
 */
async function failoverCycle(label: string, startHigh: Start, startLow: Start, o: { version: 2 | 3; advertIntervalMs: number; password?: string; vip?: string }): Promise<void> {
  const vip = o.vip ?? lab.vip
  const interval = o.advertIntervalMs
  const base = { vrid: lab.vrid, version: o.version, advertIntervalMs: interval, vip, ...(o.password ? { password: o.password } : {}) }
  const speakers: Speaker[] = []
  const high = (): Speaker => {
    const s = startHigh(lab.a, { ...base, priority: 150 })
    speakers.push(s)
    return s
  }
  try {
    expect(await lab.holders(vip)).toEqual([])
    let a = high()
    const startAt = await lab.waitHolders(vip, ['a'], STARTUP + masterDown(150, interval) + SLACK, `${label}: VIP at start`, speakers)
    const start = startAt - a.spawnedAt
    const startAfterReady = a.readyAt() > 0 ? startAt - a.readyAt() : undefined
    if (startAfterReady !== undefined) expect(startAfterReady).toBeGreaterThanOrEqual(Math.floor(masterDown(150, interval)) - 5)
    expect(start).toBeGreaterThanOrEqual(Math.floor(masterDown(150, interval)))

    const b = startLow(lab.b, { ...base, priority: 100 })
    speakers.push(b)
    // b hears a: it must not take the VIP, however long we wait past its Master_Down_Interval.
    await new Promise((r) => setTimeout(r, Math.min(STARTUP, 2000) + masterDown(100, interval) + 2 * interval))
    // On a loaded machine Node may take longer than that to start: a dns-ha backup must be running
    // (out of Initialize) before the master stops, or it misses the priority-0 advert.
    const readyBy = Date.now() + STARTUP
    while (b.kind.startsWith('dns-ha') && b.readyAt() === 0 && Date.now() < readyBy) await new Promise((r) => setTimeout(r, 20))
    await new Promise((r) => setTimeout(r, 2 * interval))
    expect(await lab.holders(vip)).toEqual(['a'])

    const termAt = Date.now()
    const stopped = a.stop()
    const sigterm = (await lab.waitHolders(vip, ['b'], skew(100, interval) + SLACK + 2000, `${label}: failover on SIGTERM`, speakers, true)) - termAt
    await lab.waitHolders(vip, ['b'], 5000, `${label}: the stopped master releases the VIP`, speakers)
    // Priority 0: the backup waits only its Skew_Time, far less than Master_Down_Interval.
    expect(sigterm).toBeLessThan(masterDown(100, interval))
    await stopped

    a = high()
    const failback = (await lab.waitHolders(vip, ['a'], STARTUP + masterDown(150, interval) + SLACK, `${label}: failback`, speakers, true)) - a.spawnedAt
    await lab.waitHolders(vip, ['a'], 5000, `${label}: the preempted backup releases the VIP`, speakers)
    expect(failback).toBeGreaterThanOrEqual(Math.floor(masterDown(150, interval)))
    await new Promise((r) => setTimeout(r, 3 * interval)) // b must have heard a few adverts from a

    const killAt = await a.crash()
    // The crashed master keeps its VIP (no process left to remove it): both hold it now.
    expect(await lab.holders(vip)).toContain('a')
    const tookOver = await lab.waitHolders(vip, ['b'], masterDown(100, interval) + SLACK + 2000, `${label}: failover on SIGKILL`, speakers, true)
    const sigkill = tookOver - killAt
    const heard = b.lastHeard()
    const afterLast = heard > 0 ? tookOver - heard : undefined
    expect(sigkill).toBeLessThanOrEqual(masterDown(100, interval) + SLACK)
    expect(sigkill).toBeGreaterThanOrEqual(Math.floor(masterDown(100, interval) - interval) - 5)
    if (afterLast !== undefined) expect(afterLast).toBeGreaterThanOrEqual(Math.floor(masterDown(100, interval)) - 5)

    a = high()
    // a still holds its stale VIP: "back" is when b has let go, i.e. a is master again.
    const restartAfterKill = (await lab.waitHolders(vip, ['a'], STARTUP + masterDown(150, interval) + SLACK, `${label}: back after SIGKILL`, speakers)) - a.spawnedAt

    results.push({ label, start, startAfterReady, sigterm, failback, sigkill, sigkillAfterLastAdvert: afterLast, restartAfterKill })
    console.info(`${label}: start ${start} ms${startAfterReady === undefined ? '' : ` (${startAfterReady} after the router started)`}, SIGTERM ${sigterm} ms, failback ${failback} ms, SIGKILL ${sigkill} ms${afterLast === undefined ? '' : ` (${afterLast} after last advert)`}, back after SIGKILL ${restartAfterKill} ms`)
    await Promise.all([a.stop(), b.stop()])
    expect(await lab.holders(vip)).toEqual([])
  } finally {
    for (const s of speakers) await s.crash().catch(() => {})
    // A crashed speaker leaves its VIP: clear it so the next cycle starts from nothing.
    for (const h of [lab.a, lab.b]) await exec('ip', ['-n', h.ns, 'addr', 'del', `${vip}/${vip.includes(':') ? 128 : 32}`, 'dev', h.dev]).catch(() => {})
  }
}

const dnsHa: Start = (host, o) => lab.startDnsHa(host, o)
const keepalived: Start = (host, o) => lab.startKeepalived(host, o)
const dnsHaConfig: Start = (host, o) => lab.startDnsHaConfig(host, o)

/** Runs a keepalived-only yardstick cycle; if keepalived itself does not complete it, says so and skips. */
async function baseline(ctx: { skip: (note?: string) => void }, cycle: () => Promise<void>): Promise<void> {
  try {
    await cycle()
  } catch (error) {
    console.warn(`keepalived baseline not measured, keepalived itself did not complete the cycle: ${(error as Error).message.split('\n').slice(0, 3).join(' | ')}`)
    ctx.skip('keepalived did not complete its own cycle (printed above)')
  }
}

describe.skipIf(unavailable !== undefined)('VRRP in network namespaces', () => {
  it('dns-ha against dns-ha, VRRPv3 at 0.1 s', async () => {
    await failoverCycle('dns-ha / dns-ha, v3 0.1 s', dnsHa, dnsHa, { version: 3, advertIntervalMs: 100 })
  }, 120_000)

  it('dns-ha against dns-ha over IPv6 (VRRPv3 from fe80 link-local, VIP fd00:dead::1/128) at 0.1 s', async () => {
    await failoverCycle('dns-ha / dns-ha, IPv6 v3 0.1 s', dnsHa, dnsHa, { version: 3, advertIntervalMs: 100, vip: VIP6 })
  }, 120_000)

  it('dns-ha against dns-ha over IPv6 at 1 s', async () => {
    await failoverCycle('dns-ha / dns-ha, IPv6 v3 1 s', dnsHa, dnsHa, { version: 3, advertIntervalMs: 1000, vip: VIP6 })
  }, 120_000)

  it('dns-ha against dns-ha, VRRPv2 PASS at 1 s', async () => {
    await failoverCycle('dns-ha / dns-ha, v2 PASS 1 s', dnsHa, dnsHa, { version: 2, advertIntervalMs: 1000, password: 'dnsha' })
  }, 120_000)

  it.skipIf(noTshark)('our raw adverts decode in tshark as VRRP with a good checksum and TTL 255, the gratuitous ARP is sender = target = VIP, a notify script gets keepalived arguments', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsha-cap-'))
    const file = join(dir, 'vrrp.pcap')
    const notifyLog = join(dir, 'notify.log')
    writeFileSync(join(dir, 'notify.sh'), `echo "$@" >> ${notifyLog}\n`)
    let router: Speaker | undefined
    try {
      const capture = spawn('ip', ['netns', 'exec', lab.b.ns, 'dumpcap', '-q', '-i', lab.b.dev, '-a', 'duration:8', '-f', 'vrrp or arp', '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] })
      const done = new Promise((r) => capture.once('exit', r))
      let err = ''
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`dumpcap did not start: ${err}`)), 10_000)
        capture.stderr!.on('data', (d: Buffer) => {
          err += d.toString()
          if (!err.includes('Capturing on')) return
          clearTimeout(t)
          resolve()
        })
        capture.once('exit', () => {
          clearTimeout(t)
          reject(new Error(`dumpcap exited: ${err}`))
        })
      })
      router = lab.startDnsHa(lab.a, { vrid: lab.vrid, priority: 150, version: 3, advertIntervalMs: 100, vip: lab.vip, notify: `/bin/sh ${join(dir, 'notify.sh')}` })
      await lab.waitHolders(lab.vip, ['a'], STARTUP + 1000, 'capture: VIP up', [router])
      await done
      const { stdout } = await exec('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=;', '-e', 'ip.ttl', '-e', 'vrrp.version', '-e', 'vrrp.virt_rtr_id', '-e', 'vrrp.prio', '-e', 'vrrp.checksum.status', '-e', 'vrrp.ip_addr', '-e', 'arp.opcode', '-e', 'arp.src.proto_ipv4', '-e', 'arp.dst.proto_ipv4', '-e', 'eth.dst'], { timeout: 30_000 })
      const rows = stdout.trim().split('\n').map((l) => l.split(';'))
      const adverts = rows.filter((r) => r[1] === '3')
      const garps = rows.filter((r) => r[6] === '1' && r[7] === lab.vip)
      expect(adverts.length).toBeGreaterThan(5)
      // tshark's checksum status field: 0 bad, 1 good, 2 unverified.
      for (const r of adverts) expect(r.slice(0, 6)).toEqual(['255', '3', String(lab.vrid), '150', '1', lab.vip])
      // One burst of 5 (garp_master_repeat); the delayed second one (5 s) may fall inside the capture.
      expect([5, 10]).toContain(garps.length)
      for (const r of garps) expect(r.slice(7)).toEqual([lab.vip, lab.vip, 'ff:ff:ff:ff:ff:ff'])
      await router.stop()
      const until = Date.now() + 5000
      while (!readFileSync(notifyLog, 'utf8').includes('STOP') && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
      expect(readFileSync(notifyLog, 'utf8')).toBe('INSTANCE VI_TEST BACKUP 150\nINSTANCE VI_TEST MASTER 150\nINSTANCE VI_TEST STOP 150\n')
    } finally {
      await router?.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)

  describe.skipIf(noKeepalived)('against keepalived', () => {
    it('keepalived master, dns-ha backup, VRRPv2 PASS at 1 s', async () => {
      await failoverCycle('keepalived / dns-ha, v2 PASS 1 s', keepalived, dnsHa, { version: 2, advertIntervalMs: 1000, password: 'dnsha' })
    }, 120_000)

    it('dns-ha master, keepalived backup, VRRPv2 PASS at 1 s', async () => {
      await failoverCycle('dns-ha / keepalived, v2 PASS 1 s', dnsHa, keepalived, { version: 2, advertIntervalMs: 1000, password: 'dnsha' })
    }, 120_000)

    it('keepalived master, dns-ha backup, VRRPv3 at 0.1 s', async () => {
      await failoverCycle('keepalived / dns-ha, v3 0.1 s', keepalived, dnsHa, { version: 3, advertIntervalMs: 100 })
    }, 120_000)

    it('dns-ha master, keepalived backup, VRRPv3 at 0.1 s', async () => {
      await failoverCycle('dns-ha / keepalived, v3 0.1 s', dnsHa, keepalived, { version: 3, advertIntervalMs: 100 })
    }, 120_000)

    // `dns-ha vrrp --config` runs the very keepalived.conf keepalived runs, unchanged.
    it('keepalived master, `dns-ha vrrp --config` backup on the same keepalived.conf, VRRPv2 PASS at 1 s', async () => {
      await failoverCycle('keepalived / dns-ha vrrp --config, v2 PASS 1 s', keepalived, dnsHaConfig, { version: 2, advertIntervalMs: 1000, password: 'dnsha' })
    }, 120_000)

    it('`dns-ha vrrp --config` master, keepalived backup, VRRPv3 at 0.1 s', async () => {
      await failoverCycle('dns-ha vrrp --config / keepalived, v3 0.1 s', dnsHaConfig, keepalived, { version: 3, advertIntervalMs: 100 })
    }, 120_000)

    it('keepalived master, dns-ha backup, over IPv6 (VRRPv3 from link-local, VIP fd00:dead::1/128) at 0.1 s', async () => {
      await failoverCycle('keepalived / dns-ha, IPv6 v3 0.1 s', keepalived, dnsHa, { version: 3, advertIntervalMs: 100, vip: VIP6 })
    }, 120_000)

    it('dns-ha master, keepalived backup, over IPv6 at 0.1 s', async () => {
      await failoverCycle('dns-ha / keepalived, IPv6 v3 0.1 s', dnsHa, keepalived, { version: 3, advertIntervalMs: 100, vip: VIP6 })
    }, 120_000)

    it('keepalived master, `dns-ha vrrp --config` backup over IPv6 on the same keepalived.conf (IPv6 VIP: VRRPv3 from link-local) at 0.1 s', async () => {
      await failoverCycle('keepalived / dns-ha vrrp --config, IPv6 v3 0.1 s', keepalived, dnsHaConfig, { version: 3, advertIntervalMs: 100, vip: VIP6 })
    }, 120_000)

    // keepalived against itself is the yardstick for the rows above, not a test of dns-ha: when
    // keepalived itself stalls (seen once over IPv6: BACKUP at init, never MASTER within 11 s),
    // the row is reported as missing and skipped, with keepalived's log printed.
    it('keepalived alone over IPv6, VRRPv3 at 0.1 s (its own figures on this machine)', async (ctx) => {
      await baseline(ctx, () => failoverCycle('keepalived / keepalived, IPv6 v3 0.1 s', keepalived, keepalived, { version: 3, advertIntervalMs: 100, vip: VIP6 }))
    }, 120_000)

    it('keepalived alone, VRRPv3 at 0.1 s (its own figures on this machine)', async (ctx) => {
      await baseline(ctx, () => failoverCycle('keepalived / keepalived, v3 0.1 s', keepalived, keepalived, { version: 3, advertIntervalMs: 100 }))
    }, 120_000)
  })
})
