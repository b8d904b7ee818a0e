// VRRP over UDP on loopback with real time: a master in a child process is killed (SIGKILL, no
// goodbye) or stopped (SIGTERM, priority 0); the backup in this process is master within the
// RFC bound. Also two routers in this process, and the transport's own behaviour.
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { UdpTransport } from '../../src/vrrp/udp-transport.js'
import { VrrpRouter } from '../../src/vrrp/router.js'
import { MemoryVipActions } from '../../src/vrrp/vip-actions.js'
import type { VrrpState } from '../../src/vrrp/types.js'
import { encodeVrrpPacket } from '../../src/vrrp/packet.js'
import type { VrrpInbound } from '../../src/vrrp/transport.js'

const INTERVAL = 100
/** Master_Down_Interval of priority 100 at 100 ms: 300 + 60.9375. */
const DOWN_100 = 3 * INTERVAL + ((256 - 100) * INTERVAL) / 256
/** Real timers on a shared 2-core machine: allow this much lateness on top of the RFC figure. */
const SLACK = 400

const children: ChildProcess[] = []
const routers: VrrpRouter[] = []
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  for (const r of routers.splice(0)) await r.stop()
})

function backup(address: string, peer: string) {
  const transport = new UdpTransport({ address, port: 0 })
  const vips = new MemoryVipActions()
  const router = new VrrpRouter({ vrid: 51, priority: 100, advertIntervalMs: INTERVAL, vips: ['127.0.0.100'], transport, unicastPeers: [peer], vipActions: vips })
  routers.push(router)
  const log: { to: VrrpState; at: number }[] = []
  let lastHeard = 0
  router.on('state', (e) => log.push({ to: e.to, at: Date.now() }))
  router.on('advert', (e) => {
    if (e.direction === 'received' && e.packet.priority > 0) lastHeard = Date.now()
  })
  return { router, transport, vips, log, lastHeard: () => lastHeard }
}

const until = async (what: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 5))
  }
}

async function childMaster(address: string, peer: string, peerPort: number) {
  const script = fileURLToPath(new URL('./udp-router-process.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', script, address, '150', peer, String(peerPort)], { stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(child)
  const states: { to: string; at: number }[] = []
  let port = 0
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const [kind, a, b] = line.split(' ')
    if (kind === 'port') port = Number(a)
    if (kind === 'state') states.push({ to: a!, at: Number(b) })
  })
  await until(() => port > 0, 20_000)
  return { child, states, port }
}

describe('UdpTransport: failover on loopback', () => {
  it('SIGKILL of the master in another process: the backup is master within Master_Down_Interval of the last advert', async () => {
    const b = backup('127.0.0.2', '127.0.0.1')
    await b.router.start()
    const a = await childMaster('127.0.0.1', '127.0.0.2', b.transport.boundPort)
    b.transport.setPeerPort('127.0.0.1', a.port)
    await until(() => a.states.some((s) => s.to === 'master') && b.router.state === 'backup' && b.lastHeard() > 0, 10_000)
    await new Promise((r) => setTimeout(r, 300)) // a few adverts of steady state
    expect(b.router.state).toBe('backup')
    const killedAt = Date.now()
    a.child.kill('SIGKILL')
    await until(() => b.router.state === 'master', 5_000)
    const tookOver = b.log.at(-1)!.at
    const silence = tookOver - b.lastHeard()
    expect(silence).toBeGreaterThanOrEqual(Math.floor(DOWN_100) - 2)
    expect(silence).toBeLessThanOrEqual(DOWN_100 + SLACK)
    expect(tookOver - killedAt).toBeLessThanOrEqual(DOWN_100 + SLACK)
    expect(b.vips.held.has('127.0.0.100')).toBe(true)
  }, 40_000)

  it('SIGTERM of the master (priority 0): the backup is master after Skew_Time', async () => {
    const b = backup('127.0.0.2', '127.0.0.1')
    await b.router.start()
    const a = await childMaster('127.0.0.1', '127.0.0.2', b.transport.boundPort)
    b.transport.setPeerPort('127.0.0.1', a.port)
    await until(() => a.states.some((s) => s.to === 'master') && b.router.state === 'backup' && b.lastHeard() > 0, 10_000)
    await new Promise((r) => setTimeout(r, 300))
    const stoppedAt = Date.now()
    a.child.kill('SIGTERM')
    await until(() => b.router.state === 'master', 5_000)
    expect(b.log.at(-1)!.at - stoppedAt).toBeLessThan(DOWN_100) // far below the silent bound: Skew_Time is 61 ms
  }, 40_000)

  it('two routers in one process: stop the master, the backup takes over; restart it, it preempts back', async () => {
    const ta = new UdpTransport({ address: '127.0.0.1', port: 0 })
    const tb = new UdpTransport({ address: '127.0.0.2', port: 0 })
    const va = new MemoryVipActions()
    const a = new VrrpRouter({ vrid: 52, priority: 150, advertIntervalMs: 50, vips: ['127.0.0.100'], transport: ta, unicastPeers: ['127.0.0.2'], vipActions: va })
    routers.push(a)
    const vb = new MemoryVipActions()
    const rb = new VrrpRouter({ vrid: 52, priority: 100, advertIntervalMs: 50, vips: ['127.0.0.100'], transport: tb, unicastPeers: ['127.0.0.1'], vipActions: vb })
    routers.push(rb)
    await a.start()
    await rb.start()
    ta.setPeerPort('127.0.0.2', tb.boundPort)
    tb.setPeerPort('127.0.0.1', ta.boundPort)
    await until(() => a.state === 'master' && rb.state === 'backup', 5_000)
    await a.stop()
    await until(() => rb.state === 'master', 2_000)
    expect([va.held.size, vb.held.size]).toEqual([0, 1])
    // Restart on a fresh port: B must learn it again.
    const ta2 = new UdpTransport({ address: '127.0.0.1', port: 0, peerPorts: { '127.0.0.2': tb.boundPort } })
    const a2 = new VrrpRouter({ vrid: 52, priority: 150, advertIntervalMs: 50, vips: ['127.0.0.100'], transport: ta2, unicastPeers: ['127.0.0.2'], vipActions: va })
    routers.push(a2)
    await a2.start()
    tb.setPeerPort('127.0.0.1', ta2.boundPort)
    await until(() => a2.state === 'master' && rb.state === 'backup', 5_000)
    expect([va.held.size, vb.held.size]).toEqual([1, 0])
  }, 40_000)
})

describe('UdpTransport', () => {
  it('delivers the payload with the sender as source and our address as destination; close stops it', async () => {
    const a = new UdpTransport({ address: '127.0.0.1', port: 0 })
    const b = new UdpTransport({ address: '127.0.0.2', port: 0 })
    const got: VrrpInbound[] = []
    await a.open(() => {})
    await b.open((m) => got.push(m))
    a.setPeerPort('127.0.0.2', b.boundPort)
    const bytes = encodeVrrpPacket({ version: 3, vrid: 1, priority: 100, advertIntervalMs: 100, addresses: ['127.0.0.100'] }, { source: '127.0.0.1', destination: '127.0.0.2' })
    a.send(bytes, '127.0.0.2', (e) => {
      throw e
    })
    await until(() => got.length === 1, 2_000)
    expect(got[0]).toEqual({ bytes, source: '127.0.0.1', destination: '127.0.0.2' })
    expect(a.unicastOnly).toBe(true)
    await a.close()
    await b.close()
    a.send(bytes, '127.0.0.2', () => {}) // after close: nothing, no throw
  })
})
