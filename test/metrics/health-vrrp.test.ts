// HealthProber and VrrpRouter metrics on a FakeClock: a target that fails its checks, a VRRP pair
// where the master dies and the backup takes over; the scrape's values follow what happened.
import { describe, expect, it } from 'vitest'
import { HealthProber } from '../../src/health/prober.js'
import type { CheckOutcome } from '../../src/health/types.js'
import { createMetrics } from '../../src/metrics/index.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { lan, masterDown } from '../vrrp/helpers.js'
import { scrape } from './helpers.js'

describe('metrics: HealthProber', () => {
  it('exposes each target\'s verdict, runs, streaks and last check duration', async () => {
    const clock = new FakeClock({ now: 0 })
    const prober = new HealthProber({ clock })
    let ok = true
    const check = async (): Promise<CheckOutcome> => {
      clock.advance(ok ? 0 : 250)
      return { ok, reason: ok ? 'answered' : 'timed out' }
    }
    prober.add({ name: 'ns1', intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 3, check })
    prober.add({ name: 'ns2', intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 3, check: async () => ({ ok: true, reason: 'answered' }) })
    try {
      await clock.advanceAsync(0) // the first runs: both up
      ok = false
      await clock.advanceAsync(3000) // ns1 fails three in a row: down
      const metrics = await createMetrics()
      metrics.watch('checks', prober)
      const s = await scrape(metrics)
      expect(s.samples('dnsha_health_target_up')).toEqual({ 'prober=checks,target=ns1': 0, 'prober=checks,target=ns2': 1 })
      expect(s.samples('dnsha_health_checks_total')).toEqual({ 'prober=checks,target=ns1': 4, 'prober=checks,target=ns2': 4 })
      expect(s.value('dnsha_health_consecutive_failures', { prober: 'checks', target: 'ns1' })).toBe(3)
      expect(s.value('dnsha_health_consecutive_successes', { prober: 'checks', target: 'ns2' })).toBe(4)
      expect(s.value('dnsha_health_last_check_duration_seconds', { prober: 'checks', target: 'ns1' })).toBe(0.25)
      expect(s.type('dnsha_health_checks_total')).toBe('counter')
    } finally {
      await prober.close()
    }
  })
})

describe('metrics: VrrpRouter', () => {
  it('exposes the state as one gauge per state, transitions by state entered, priorities and adverts', async () => {
    const net = lan()
    const a = net.add('10.0.0.1', 150)
    const b = net.add('10.0.0.2', 100)
    await a.router.start()
    await b.router.start()
    net.advanceTo(masterDown(150)) // A master, B backup
    net.advanceTo(10_000)
    const metrics = await createMetrics()
    metrics.watch('node-a', a.router)
    metrics.watch('node-b', b.router)
    let s = await scrape(metrics)
    expect(s.samples('dnsha_vrrp_state')).toEqual({
      'router=node-a,state=initialize,vrid=88': 0,
      'router=node-a,state=backup,vrid=88': 0,
      'router=node-a,state=master,vrid=88': 1,
      'router=node-a,state=fault,vrid=88': 0,
      'router=node-b,state=initialize,vrid=88': 0,
      'router=node-b,state=backup,vrid=88': 1,
      'router=node-b,state=master,vrid=88': 0,
      'router=node-b,state=fault,vrid=88': 0,
    })
    expect(s.samples('dnsha_vrrp_transitions_total')).toEqual({ 'router=node-a,to=backup,vrid=88': 1, 'router=node-a,to=master,vrid=88': 1, 'router=node-b,to=backup,vrid=88': 1 })
    expect(s.samples('dnsha_vrrp_holds_vips')).toEqual({ 'router=node-a,vrid=88': 1, 'router=node-b,vrid=88': 0 })
    expect(s.value('dnsha_vrrp_priority', { router: 'node-b', vrid: '88' })).toBe(100)
    // A became master at 3414.0625 ms and advertises every second: at 10 s it has sent 7.
    expect(s.value('dnsha_vrrp_adverts_sent_total', { router: 'node-a', vrid: '88' })).toBe(7)
    expect(s.value('dnsha_vrrp_adverts_received_total', { router: 'node-b', vrid: '88' })).toBe(7)

    await a.router.stop() // priority 0: B takes over at once
    net.advanceTo(11_000)
    s = await scrape(metrics)
    expect(s.value('dnsha_vrrp_state', { router: 'node-b', vrid: '88', state: 'master' })).toBe(1)
    expect(s.samples('dnsha_vrrp_transitions_total')).toEqual({
      'router=node-a,to=backup,vrid=88': 1,
      'router=node-a,to=master,vrid=88': 1,
      'router=node-a,to=initialize,vrid=88': 1,
      'router=node-b,to=backup,vrid=88': 1,
      'router=node-b,to=master,vrid=88': 1,
    })
    await b.router.stop()
  })
})
