// VrrpRouter tracking a real HealthProber running a real scriptCheck (keepalived's track_script
// with vrrp_script): two routers on a MemoryVrrpSegment and a FakeClock shared with the prober.
// The clock drives the VRRP timers and when each check starts; the check itself is a real shell
// script whose exit code the test sets in a file. A weighted track lowers the master's priority and
// hands the VIP over when the script fails `fall` times, and takes it back after `rise` passes;
// weight 0 puts the router in FAULT.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { HealthProber } from '../../src/health/prober.js'
import { scriptCheck } from '../../src/health/script-check.js'
import type { HealthResultEvent } from '../../src/health/types.js'
import type { VrrpRouterOptions } from '../../src/vrrp/types.js'
import { lan, masterDown } from './helpers.js'

const A = '10.0.0.1'
const B = '10.0.0.2'
const dir = mkdtempSync(join(tmpdir(), 'dns-ha-vrrp-prober-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A prober on the LAN's clock with one target, `chk_dns`, running a script that exits with the code in a file. */
function rig(track: (prober: HealthProber) => Partial<VrrpRouterOptions>) {
  const net = lan()
  const codeFile = join(dir, `code-${Math.random().toString(36).slice(2)}`)
  writeFileSync(codeFile, '0')
  const script = join(dir, 'chk_dns.sh')
  writeFileSync(script, '#!/bin/sh\nexit $(cat "$1")\n')
  chmodSync(script, 0o755)
  const prober = new HealthProber({ clock: net.clock })
  const results: HealthResultEvent[] = []
  prober.on('result', (e) => results.push(e))
  const a = net.add(A, 150, track(prober))
  const b = net.add(B, 100)
  /** Advances the shared clock to the next check start (1 s on), and waits in real time for the script's result. */
  const nextCheck = async (): Promise<HealthResultEvent> => {
    const before = results.length
    net.advanceTo(net.clock.now() + 1000)
    return waitResult(before)
  }
  const waitResult = async (before: number): Promise<HealthResultEvent> => {
    const deadline = Date.now() + 5000
    while (results.length === before) {
      if (Date.now() > deadline) throw new Error('no check result within 5 s')
      await new Promise((r) => setTimeout(r, 5))
    }
    return results[before]!
  }
  /**
   * Adds the target once the routers have settled (a big jump of the shared fake clock would
   * outrun a real script's timeout) and waits for its first run, which starts at once.
   */
  const arm = async (): Promise<HealthResultEvent> => {
    prober.add({ name: 'chk_dns', check: scriptCheck({ command: script, args: [codeFile], timeoutMs: 2000 }), intervalMs: 1000, timeoutMs: 2000, fall: 2, rise: 2, initialState: 'up' })
    const before = results.length
    net.clock.advance(0) // the first run is a timer due now
    return waitResult(before)
  }
  /** Runs the clock on by `ms` one check at a time (the script keeps passing or failing as set). */
  const runFor = async (ms: number): Promise<void> => {
    const until = net.clock.now() + ms
    while (net.clock.now() + 1000 <= until) await nextCheck()
    net.advanceTo(until)
  }
  const exitWith = (code: number): void => writeFileSync(codeFile, String(code))
  return { ...net, prober, a, b, arm, nextCheck, runFor, exitWith }
}

describe('VrrpRouter tracking a HealthProber with a real scriptCheck', () => {
  it('weight 60: the script failing fall (2) times lowers A 150 -> 90, B takes the VIP; rise (2) passes give it back', async () => {
    const r = rig((prober) => ({ track: [{ source: prober, target: 'chk_dns', weight: 60 }] }))
    try {
      await r.a.router.start()
      await r.b.router.start()
      r.advanceTo(masterDown(150))
      expect(r.holders()).toEqual([A])
      expect((await r.arm()).ok).toBe(true)
      expect((await r.nextCheck()).ok).toBe(true)
      expect(r.a.router.snapshot().effectivePriority).toBe(150)

      r.exitWith(1)
      const first = await r.nextCheck()
      expect(first).toMatchObject({ ok: false, reason: expect.stringMatching(/exited 1/) })
      expect(r.a.router.snapshot().effectivePriority).toBe(150) // fall 2: one failure is not enough
      await r.nextCheck()
      expect(r.prober.state('chk_dns')).toBe('down')
      expect(r.a.router.snapshot()).toMatchObject({ effectivePriority: 90, tracks: [{ name: 'chk_dns', failing: true, weight: 60 }] })
      // B preempts once A's adverts carry 90 for B's Master_Down_Interval.
      await r.runFor(masterDown(100) + 1000)
      expect([r.a.router.state, r.b.router.state]).toEqual(['backup', 'master'])
      expect(r.holders()).toEqual([B])

      r.exitWith(0)
      await r.nextCheck()
      expect(r.a.router.snapshot().effectivePriority).toBe(90) // rise 2
      await r.nextCheck()
      expect(r.prober.state('chk_dns')).toBe('up')
      expect(r.a.router.snapshot().effectivePriority).toBe(150)
      await r.runFor(5000)
      expect([r.a.router.state, r.b.router.state]).toEqual(['master', 'backup'])
      expect(r.holders()).toEqual([A])
    } finally {
      r.prober.close()
      await r.a.router.stop()
      await r.b.router.stop()
    }
  }, 30_000)

  it('weight 0: a failing script puts A in FAULT (VIP released, B master); passing again leaves FAULT', async () => {
    const r = rig((prober) => ({ track: [{ source: prober, target: 'chk_dns', weight: 0 }] }))
    try {
      await r.a.router.start()
      await r.b.router.start()
      r.advanceTo(masterDown(150))
      expect(r.holders()).toEqual([A])
      expect((await r.arm()).ok).toBe(true)
      r.exitWith(3) // not 0: down (no misc_dynamic)
      await r.nextCheck()
      await r.nextCheck()
      expect(r.a.router.state).toBe('fault')
      expect(r.a.vips.held.size).toBe(0)
      await r.runFor(2000)
      expect(r.b.router.state).toBe('master')
      expect(r.holders()).toEqual([B])
      r.exitWith(0)
      await r.nextCheck()
      await r.nextCheck()
      expect(r.a.router.state).toBe('backup')
      await r.runFor(5000)
      expect(r.holders()).toEqual([A])
    } finally {
      r.prober.close()
      await r.a.router.stop()
      await r.b.router.stop()
    }
  }, 30_000)
})
