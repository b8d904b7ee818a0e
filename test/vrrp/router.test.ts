// VrrpRouter on a FakeClock over a simulated segment: the RFC 5798 §6.4 timings to the
// microsecond, preemption and its delay, the owner, priority 0, split brains, tracking, FAULT,
// a flapping network, input that must be dropped, and configuration that must be refused.
import { describe, expect, it } from 'vitest'
import { encodeVrrpPacket, type VrrpPacket } from '../../src/vrrp/packet.js'
import { decodeVrrpPacket } from '../../src/vrrp/packet.js'
import { VrrpRouter } from '../../src/vrrp/router.js'
import { MemoryVipActions } from '../../src/vrrp/vip-actions.js'
import type { VrrpSplitBrainEvent, VrrpSplitBrainHealedEvent, VrrpRouterOptions } from '../../src/vrrp/types.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { seededRandom } from '../../src/util/random.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { FakeHealth, InjectTransport, lan, masterDown, skew } from './helpers.js'

const A = '10.0.0.1'
const B = '10.0.0.2'

/** Both routers started at 0: A (150) is master at its Master_Down_Interval, B (100) backup. */
async function pair(extraA: Partial<VrrpRouterOptions> = {}, extraB: Partial<VrrpRouterOptions> = {}) {
  const net = lan()
  const a = net.add(A, 150, extraA)
  const b = net.add(B, 100, extraB)
  await a.router.start()
  await b.router.start()
  net.advanceTo(masterDown(150))
  return { ...net, a, b }
}

describe('VrrpRouter: Initialize, Backup, Master (RFC 5798 §6.4)', () => {
  it('starts in Backup and becomes Master at exactly Master_Down_Interval = 3 × interval + Skew_Time', async () => {
    const net = lan()
    const a = net.add(A, 150)
    const b = net.add(B, 100)
    await a.router.start()
    await b.router.start()
    expect([a.router.state, b.router.state]).toEqual(['backup', 'backup'])
    expect(masterDown(150)).toBe(3414.0625)
    net.advanceTo(3414.0625 - 0.001)
    expect(a.router.state).toBe('backup')
    net.advanceTo(3414.0625)
    expect(a.router.state).toBe('master')
    expect(a.states.at(-1)).toMatchObject({ at: 3414.0625, from: 'backup', to: 'master', reason: 'no advert from a master for Master_Down_Interval 3414.0625 ms (3 × 1000 + skew 414.0625)' })
    expect(net.holders()).toEqual([A])
    net.advanceTo(60_000)
    expect(b.router.state).toBe('backup')
    expect(b.states.map((s) => s.to)).toEqual(['backup'])
    expect(a.router.snapshot().counters.transitions).toEqual({ backup: 1, master: 1 })
    expect(b.router.snapshot().counters.transitions).toEqual({ backup: 1 })
    expect(a.sent.map((s) => s.at).slice(0, 3)).toEqual([3414.0625, 4414.0625, 5414.0625])
    expect(b.router.snapshot()).toMatchObject({ state: 'backup', masterAddress: A, effectivePriority: 100, skewTimeMs: 609.375, masterDownIntervalMs: 3609.375, holdsVips: false })
  })

  it('fails over at exactly 3 × interval + Skew_Time after the last advert heard', async () => {
    const { a, b, segment, advanceTo, holders } = await pair()
    advanceTo(10_000)
    segment.partition([A], [B]) // A's adverts stop reaching B (A "dies" for B)
    const last = b.heard.at(-1)!
    expect(last).toBe(9414.0625)
    advanceTo(last + 3609.375 - 0.001)
    expect(b.router.state).toBe('backup')
    advanceTo(last + 3609.375)
    expect(b.router.state).toBe('master')
    expect(b.states.at(-1)!.reason).toBe('no advert from a master for Master_Down_Interval 3609.375 ms (3 × 1000 + skew 609.375)')
    expect(a.router.state).toBe('master') // partitioned: both are master, as the RFC implies
    expect(holders()).toEqual([A, B])
  })

  it('a priority-0 advert (stop) makes the Backup take over after Skew_Time only', async () => {
    const { a, b, advanceTo, clock, holders } = await pair()
    advanceTo(5_000)
    await a.router.stop()
    expect(a.sent.at(-1)).toEqual({ at: 5_000, priority: 0 })
    expect(a.router.state).toBe('initialize')
    expect(holders()).toEqual([])
    advanceTo(5_000 + 609.375 - 0.001)
    expect(b.router.state).toBe('backup')
    advanceTo(5_000 + 609.375)
    expect(b.router.state).toBe('master')
    expect(b.states.at(-1)!.reason).toBe(`master ${A} stopped (priority 0): took over after Skew_Time 609.375 ms`)
    expect(holders()).toEqual([B])
    expect(clock.now()).toBe(5609.375)
  })

  it('preempt: a returning higher priority takes over at its Master_Down_Interval, the lower yields at once', async () => {
    const { a, b, advanceTo, holders } = await pair()
    advanceTo(5_000)
    await a.router.stop()
    advanceTo(8_000)
    await a.router.start()
    expect(a.router.state).toBe('backup')
    advanceTo(8_000 + 3414.0625 - 0.001)
    expect(a.router.state).toBe('backup')
    advanceTo(8_000 + 3414.0625)
    expect(a.router.state).toBe('master')
    expect(a.states.at(-1)!.reason).toBe(`preempting ${B}: its priority 100 < ours 150, no advert we accept for 3414.0625 ms`)
    expect(b.router.state).toBe('backup')
    expect(b.states.at(-1)).toMatchObject({ at: 11_414.0625, from: 'master', to: 'backup', reason: `peer ${A} priority 150 > ours 100` })
    expect(holders()).toEqual([A])
  })

  it('nopreempt: a returning higher priority stays Backup while the lower master lives', async () => {
    const { a, b, advanceTo, holders } = await pair({ preempt: false })
    advanceTo(5_000)
    await a.router.stop()
    advanceTo(8_000)
    await a.router.start()
    advanceTo(120_000)
    expect([a.router.state, b.router.state]).toEqual(['backup', 'master'])
    expect(holders()).toEqual([B])
    // ...and takes over when that master goes.
    await b.router.stop()
    advanceTo(120_000 + skew(150))
    expect(a.router.state).toBe('master')
  })

  it('preemptDelayMs: no preemption before the delay; then Master_Down_Interval after the last advert accepted within it', async () => {
    const { a, b, advanceTo } = await pair({ preemptDelayMs: 10_000 })
    advanceTo(5_000)
    await a.router.stop()
    advanceTo(8_000)
    await a.router.start()
    advanceTo(18_000)
    expect(a.router.state).toBe('backup')
    const lastAccepted = a.heard.at(-1)!
    expect(lastAccepted).toBe(17_609.375) // B's adverts: 5609.375 + k × 1000
    advanceTo(40_000)
    const took = a.states.find((s) => s.to === 'master' && s.at > 8_000)!
    expect(took.at).toBe(lastAccepted + 3414.0625)
    expect(b.router.state).toBe('backup')
  })

  it('priority 255 (the owner) is Master at once and keeps it against 254', async () => {
    const net = lan()
    const owner = net.add(A, 255)
    const other = net.add(B, 254)
    await other.router.start()
    await owner.router.start()
    expect(owner.router.state).toBe('master')
    expect(owner.states[0]).toMatchObject({ at: 0, to: 'master', reason: 'priority 255: we own the addresses' })
    net.advanceTo(100_000)
    expect(other.router.state).toBe('backup')
    expect(net.holders()).toEqual([A])
    await owner.router.stop()
    net.advanceTo(100_000 + skew(254)) // 7.8125 ms
    expect(other.router.state).toBe('master')
  })

  it('two address owners: each discards the other (RFC 5798 §7.1), both hold the VIPs, both report the split brain', async () => {
    const net = lan()
    const a = net.add(A, 255)
    const b = net.add(B, 255)
    const reports: string[] = []
    a.router.on('split-brain', (e) => reports.push(`a: ${e.reason}`))
    b.router.on('split-brain', (e) => reports.push(`b: ${e.reason}`))
    await a.router.start()
    await b.router.start()
    net.advanceTo(10_000)
    expect(net.holders()).toEqual([A, B])
    expect(reports).toEqual([
      `a: split brain: peer ${B} advertises priority 255 as master, and we own the addresses (priority 255); both of us hold the VIPs`,
      `b: split brain: peer ${A} advertises priority 255 as master, and we own the addresses (priority 255); both of us hold the VIPs`,
    ])
    expect(a.router.snapshot().counters).toMatchObject({ received: 0, dropped: { owner: 11 } })
  })

  it('equal priorities: the higher primary address wins, the lower yields on the first advert', async () => {
    const net = lan()
    const a = net.add(A, 100)
    const b = net.add(B, 100)
    await a.router.start()
    await b.router.start()
    net.advanceTo(masterDown(100))
    expect(b.router.state).toBe('master')
    expect(a.router.state).toBe('backup')
    expect(a.states.at(-1)!.reason).toBe(`peer ${B} has our priority 100 and a higher address than ${A}`)
    expect(net.holders()).toEqual([B])
    // A Backup accepts a master of equal priority (priority >= ours): it never takes over again.
    const settled = a.states.length
    net.advanceTo(60_000)
    expect(a.states).toHaveLength(settled)
    expect(net.holders()).toEqual([B])
  })

  it('a v3 Backup learns the master interval; a v2 one keeps its own and drops a different one', async () => {
    const t = new InjectTransport(B)
    const clock = new FakeClock({ now: 0 })
    const r = new VrrpRouter({ vrid: 7, priority: 100, vips: ['10.0.0.100'], transport: t, clock })
    await r.start()
    const advert = (p: Partial<VrrpPacket>) => encodeVrrpPacket({ version: 3, vrid: 7, priority: 200, advertIntervalMs: 200, addresses: ['10.0.0.100'], ...p }, { source: A, destination: '224.0.0.18' })
    clock.advance(1000)
    t.inject({ bytes: advert({}), source: A, destination: '224.0.0.18', ttl: 255 })
    expect(r.snapshot()).toMatchObject({ masterAdverIntervalMs: 200, skewTimeMs: 121.875, masterDownIntervalMs: 721.875, masterAddress: A })
    clock.advance(721.875 - 0.001)
    expect(r.state).toBe('backup')
    clock.advance(0.001)
    expect(r.state).toBe('master')
    expect(r.snapshot().masterAdverIntervalMs).toBe(1000) // as master it advertises its own

    const t2 = new InjectTransport(B)
    const r2 = new VrrpRouter({ vrid: 7, priority: 100, version: 2, vips: ['10.0.0.100'], transport: t2, clock })
    await r2.start()
    t2.inject({ bytes: encodeVrrpPacket({ version: 2, vrid: 7, priority: 200, advertIntervalMs: 2000, addresses: ['10.0.0.100'] }, { source: A, destination: '224.0.0.18' }), source: A, destination: '224.0.0.18' })
    expect(r2.snapshot()).toMatchObject({ masterAdverIntervalMs: 1000, counters: { received: 0, dropped: { interval: 1 } } })
  })
})

describe('VrrpRouter: split brain', () => {
  it('heals after a partition: the lower priority yields, and no split-brain is reported for it', async () => {
    const { a, b, segment, advanceTo, holders } = await pair()
    const reports: VrrpSplitBrainEvent[] = []
    a.router.on('split-brain', (e) => reports.push(e))
    b.router.on('split-brain', (e) => reports.push(e))
    advanceTo(10_000)
    segment.partition([A], [B])
    advanceTo(20_000)
    expect(holders()).toEqual([A, B])
    segment.heal()
    advanceTo(20_414.0625) // A's next advert
    expect(b.router.state).toBe('backup')
    expect(b.states.at(-1)).toMatchObject({ at: 20_414.0625, reason: `peer ${A} priority 150 > ours 100` })
    expect(holders()).toEqual([A])
    advanceTo(60_000)
    expect(reports).toEqual([])
    expect(holders()).toEqual([A])
    expect(a.router.snapshot().splitBrain).toEqual([])
  })

  it('ties by address after a partition', async () => {
    const net = lan()
    const a = net.add(A, 100)
    const b = net.add(B, 100)
    await a.router.start()
    await b.router.start()
    net.advanceTo(10_000)
    net.segment.partition([A], [B])
    net.advanceTo(20_000)
    expect(net.holders()).toEqual([A, B])
    net.segment.heal()
    net.advanceTo(21_000)
    expect([a.router.state, b.router.state]).toEqual(['backup', 'master'])
    expect(net.holders()).toEqual([B])
  })

  it('reports a mismatched PASS password (both masters forever) once, after Master_Down_Interval, and the heal with a fresh announcement', async () => {
    const net = lan()
    const a = net.add(A, 150, { version: 2, auth: { type: 'pass', password: 'aaa' } })
    const b = net.add(B, 100, { version: 2, auth: { type: 'pass', password: 'bbb' } })
    const reports: (VrrpSplitBrainEvent & { at: number })[] = []
    const healed: (VrrpSplitBrainHealedEvent & { at: number })[] = []
    a.router.on('split-brain', (e) => reports.push({ ...e, at: net.clock.now() }))
    a.router.on('split-brain-healed', (e) => healed.push({ ...e, at: net.clock.now() }))
    await a.router.start()
    await b.router.start()
    net.advanceTo(3609.375)
    expect(net.holders()).toEqual([A, B])
    expect(b.router.snapshot().counters.dropped.auth).toBeGreaterThan(0)
    net.advanceTo(7609.375 - 0.001)
    expect(reports).toEqual([])
    net.advanceTo(7609.375) // B's 5th advert: 4000 ms >= A's Master_Down_Interval after the first
    expect(reports).toEqual([{ at: 7609.375, peer: B, priority: 100, since: 3609.375, reason: 'split brain: PASS password differs from ours; both of us hold the VIPs' }])
    expect(a.router.snapshot().splitBrain).toEqual([{ peer: B, priority: 100, since: 3609.375 }])
    net.advanceTo(9_999)
    expect(reports).toHaveLength(1)
    const addsBefore = a.vips.adds
    await b.router.stop()
    net.advanceTo(20_000)
    // B's last advert 9609.375; A's first tick with 3414.0625 ms of silence is 13414.0625.
    expect(healed).toEqual([{ at: 13_414.0625, peer: B, reason: `no advert from ${B} for 3804.6875 ms`, durationMs: 6000 }])
    expect(a.vips.adds).toBe(addsBefore + 1)
    expect(a.router.snapshot().splitBrain).toEqual([])
  })

  it('reports a lower-priority master that cannot hear us (one-way link) and never yields', async () => {
    const net = lan()
    const a = net.add(A, 150)
    const b = net.add(B, 100)
    const reports: VrrpSplitBrainEvent[] = []
    a.router.on('split-brain', (e) => reports.push(e))
    net.segment.block(A, B)
    await a.router.start()
    await b.router.start()
    net.advanceTo(20_000)
    expect(net.holders()).toEqual([A, B])
    expect(reports).toHaveLength(1)
    expect(reports[0]!.reason).toBe(`split brain: peer ${B} advertises priority 100 as master while we are master with 150, and does not yield; both of us hold the VIPs`)
  })

  it('without a listener, a split brain surfaces as a process warning', async () => {
    await new Promise((r) => setImmediate(r)) // earlier tests' warnings are delivered first
    const warnings: string[] = []
    const onWarning = (w: Error): void => void warnings.push(w.message)
    process.on('warning', onWarning)
    try {
      const net = lan()
      const a = net.add(A, 150)
      net.add(B, 100)
      net.segment.block(A, B)
      for (const n of net.nodes) await n.router.start()
      net.advanceTo(20_000)
      await new Promise((r) => setImmediate(r))
      expect(warnings.filter((w) => w.startsWith(`vrrp vrid 88: split brain: peer ${B} advertises`)), warnings.join('\n')).toHaveLength(1)
      expect(a.router.state).toBe('master')
    } finally {
      process.off('warning', onWarning)
    }
  })
})

describe('VrrpRouter: tracking and FAULT', () => {
  it('a failing tracked check lowers the priority by its weight and hands mastership over; recovery takes it back', async () => {
    const health = new FakeHealth()
    const { a, b, advanceTo, holders } = await pair({ track: [{ source: health, target: 'dns-a', weight: 60 }] })
    const priorities: string[] = []
    a.router.on('priority', (e) => priorities.push(e.reason))
    advanceTo(10_000)
    health.set('dns-a', 'down')
    expect(priorities).toEqual(['check dns-a failed (timed out): priority 150 -> 90'])
    expect(a.router.snapshot()).toMatchObject({ effectivePriority: 90, tracks: [{ name: 'dns-a', failing: true, weight: 60 }] })
    // B heard 150 last at 9414.0625; the 90 adverts are discarded, so B takes over 3609.375 later.
    advanceTo(9414.0625 + 3609.375)
    expect(b.router.state).toBe('master')
    expect(b.states.at(-1)!.reason).toBe(`preempting ${A}: its priority 90 < ours 100, no advert we accept for 3609.375 ms`)
    expect(a.router.state).toBe('backup')
    expect(a.states.at(-1)!.reason).toBe(`peer ${B} priority 100 > ours 90`)
    expect(holders()).toEqual([B])
    health.set('dns-a', 'up')
    expect(a.router.snapshot().effectivePriority).toBe(150)
    advanceTo(30_000)
    expect([a.router.state, b.router.state]).toEqual(['master', 'backup'])
    expect(holders()).toEqual([A])
  })

  it('weight 0 enters FAULT: priority 0 sent, VIPs released, the Backup is master after Skew_Time; leaving FAULT goes Backup first', async () => {
    const health = new FakeHealth()
    const { a, b, advanceTo, holders } = await pair({ track: [{ source: health, target: 'dns-a', weight: 0, name: 'dns' }] })
    const faults: string[] = []
    a.router.on('fault', (e) => faults.push(e.reason))
    advanceTo(10_000)
    health.set('dns-a', 'down')
    expect(a.router.state).toBe('fault')
    expect(faults).toEqual(['check dns failed (timed out): weight 0, FAULT'])
    expect(a.sent.at(-1)).toEqual({ at: 10_000, priority: 0 })
    expect(holders()).toEqual([])
    advanceTo(10_000 + 609.375)
    expect(b.router.state).toBe('master')
    advanceTo(20_000)
    expect(a.router.state).toBe('fault')
    expect(a.sent.at(-1)!.at).toBe(10_000) // silent in FAULT
    health.set('dns-a', 'up')
    expect(a.states.at(-1)).toMatchObject({ from: 'fault', to: 'backup', reason: 'check dns recovered (answered): left FAULT' })
    advanceTo(30_000)
    expect(holders()).toEqual([A])
  })

  it('preemptDelayMs starts again when leaving FAULT', async () => {
    const health = new FakeHealth()
    const { a, b, advanceTo } = await pair({ preemptDelayMs: 5_000, track: [{ source: health, target: 'dns-a', weight: 0 }] })
    advanceTo(10_000)
    health.set('dns-a', 'down')
    advanceTo(20_000)
    expect(b.router.state).toBe('master')
    health.set('dns-a', 'up')
    advanceTo(40_000)
    // B advertises at 10609.375 + k × 1000; A accepts them until 25000, so 24609.375 is the last.
    expect(a.states.find((s) => s.to === 'master' && s.at > 20_000)!.at).toBe(24_609.375 + 3414.0625)
  })

  it('a check already down at start starts in FAULT; stop() unsubscribes', async () => {
    const health = new FakeHealth()
    health.set('x', 'down')
    const net = lan()
    const a = net.add(A, 150, { track: [{ source: health, target: 'x', weight: 0 }] })
    await a.router.start()
    expect(a.router.state).toBe('fault')
    expect(health.watchers).toBe(1)
    await a.router.stop()
    expect(health.watchers).toBe(0)
  })

  it('weights add up and clamp at 1', async () => {
    const health = new FakeHealth()
    const net = lan()
    const a = net.add(A, 100, { track: [{ source: health, target: 'x', weight: 60 }, { source: health, target: 'y', weight: 60 }] })
    await a.router.start()
    health.set('x', 'down')
    expect(a.router.snapshot().effectivePriority).toBe(40)
    health.set('y', 'down')
    expect(a.router.snapshot().effectivePriority).toBe(1)
    health.set('x', 'up')
    health.set('y', 'up')
    expect(a.router.snapshot().effectivePriority).toBe(100)
  })
})

describe('VrrpRouter: a flapping network', () => {
  it('outages shorter than Master_Down_Interval change nothing; a longer one moves mastership exactly once and back', async () => {
    const { a, b, segment, advanceTo, clock } = await pair()
    // 1900 ms down, 1100 up: at most two adverts in a row lost (gap 3000 < 3609.375).
    for (let t = 10_000; t < 70_000; t += 3000) {
      advanceTo(t)
      segment.partition([A], [B])
      advanceTo(t + 1900)
      segment.heal()
    }
    advanceTo(70_000)
    expect(b.states.map((s) => s.to)).toEqual(['backup'])
    expect(a.states.map((s) => s.to)).toEqual(['backup', 'master'])
    segment.partition([A], [B])
    advanceTo(70_000 + 3500 + 1000)
    segment.heal()
    advanceTo(90_000)
    expect(b.states.map((s) => s.to)).toEqual(['backup', 'master', 'backup'])
    expect(a.states.map((s) => s.to)).toEqual(['backup', 'master'])
    expect(clock.now()).toBe(90_000)
  })

  it('with 30% random loss, every takeover follows real silence of Master_Down_Interval and is undone by the next advert heard', async () => {
    const net = lan({ loss: 0.3, random: seededRandom(7) })
    const a = net.add(A, 150)
    const b = net.add(B, 100)
    await a.router.start()
    await b.router.start()
    net.advanceTo(600_000)
    const takeovers = b.states.filter((s) => s.to === 'master')
    expect(takeovers.length).toBeGreaterThan(0) // 3 losses in a row happen at 30%
    for (const t of takeovers) {
      const before = b.heard.filter((h) => h < t.at).at(-1) ?? 0
      expect(t.at - before).toBe(3609.375)
      const yielded = b.states.find((s) => s.at > t.at)
      expect(yielded?.to).toBe('backup')
      expect(yielded!.at - t.at).toBeLessThanOrEqual(1000 * 10) // A's next advert that gets through
      expect(b.heard.filter((h) => h > t.at)[0]).toBe(yielded!.at)
    }
    expect(a.states.map((s) => s.to)).toEqual(['backup', 'master'])
  })
})

describe('VrrpRouter: input it drops and counts', () => {
  async function router(extra: Partial<VrrpRouterOptions> = {}) {
    const t = new InjectTransport(B)
    const clock = new FakeClock({ now: 0 })
    const r = new VrrpRouter({ vrid: 7, priority: 100, vips: ['10.0.0.100'], transport: t, clock, ...extra })
    const drops: string[] = []
    r.on('drop', (e) => drops.push(`${e.reason}: ${e.detail}`))
    await r.start()
    return { t, r, drops, clock }
  }
  const v3 = (p: Partial<VrrpPacket> = {}, source = A, destination = '224.0.0.18') =>
    encodeVrrpPacket({ version: 3, vrid: 7, priority: 200, advertIntervalMs: 1000, addresses: ['10.0.0.100'], ...p }, { source, destination })

  it('drops bad checksums, other vrids, TTL not 255, versions, truncation, unknown unicast sources: never throws, never acts', async () => {
    const { t, r, drops } = await router()
    const bad = v3()
    bad[7] = bad[7]! ^ 1
    t.inject({ bytes: bad, source: A, destination: '224.0.0.18' })
    t.inject({ bytes: v3({ vrid: 8 }), source: A, destination: '224.0.0.18' })
    t.inject({ bytes: v3(), source: A, destination: '224.0.0.18', ttl: 64 })
    t.inject({ bytes: encodeVrrpPacket({ version: 2, vrid: 7, priority: 200, advertIntervalMs: 1000, addresses: ['10.0.0.100'] }, { source: A, destination: '224.0.0.18' }), source: A, destination: '224.0.0.18' })
    t.inject({ bytes: new Uint8Array([0x31]), source: A, destination: '224.0.0.18' })
    t.inject({ bytes: v3(), source: 'garbage', destination: '224.0.0.18' })
    expect(drops).toEqual([
      'checksum: VRRPv3 checksum (with the IP pseudo-header) does not verify',
      'vrid: vrid 8, ours is 7',
      'ttl: TTL 64, RFC 5798 requires 255',
      'version: VRRPv2 advert, we speak v3',
      'truncated: 1 bytes, a VRRP header is 8',
      'family: source garbage or destination 224.0.0.18 is not an IP address',
    ])
    expect(r.snapshot().counters).toEqual({ sent: 0, received: 0, dropped: { checksum: 1, vrid: 1, ttl: 1, version: 1, truncated: 1, family: 1 }, transitions: { backup: 1 } })
    expect(r.snapshot().masterAddress).toBeUndefined()

    const u = await router({ unicastPeers: ['10.0.0.3'] })
    u.t.inject({ bytes: v3({}, A, B), source: A, destination: B })
    expect(u.drops).toEqual(['unknown-peer: not one of our unicast peers'])
    // Our own multicast echo is ignored, not counted.
    u.t.inject({ bytes: v3({}, B), source: B, destination: '224.0.0.18' })
    expect(u.r.snapshot().counters.dropped).toEqual({ 'unknown-peer': 1 })
  })

  it('sends to each unicast peer with a checksum for that destination; stop() sends priority 0 and closes', async () => {
    const { t, r, clock } = await router({ unicastPeers: ['10.0.0.3', '10.0.0.4'], priority: 255 })
    expect(r.state).toBe('master')
    expect(t.sent.map((s) => s.destination)).toEqual(['10.0.0.3', '10.0.0.4'])
    for (const s of t.sent) expect(decodeVrrpPacket(s.bytes, { source: B, destination: s.destination })).toMatchObject({ ok: true, packet: { priority: 255, vrid: 7 } })
    clock.advance(1000)
    expect(t.sent).toHaveLength(4)
    await r.stop()
    const last = t.sent.at(-1)!
    expect(decodeVrrpPacket(last.bytes, { source: B, destination: last.destination })).toMatchObject({ ok: true, packet: { priority: 0 } })
    expect(t.closed).toBe(true)
    clock.advance(10_000)
    expect(t.sent).toHaveLength(6)
  })

  it('removes its VIPs before anything else at start (a killed predecessor may have left them)', async () => {
    const vips = new MemoryVipActions()
    vips.held.add('10.0.0.100')
    const { r } = await router({ vipActions: vips, priority: 255 })
    expect(vips.log.map((l) => l.action)).toEqual(['remove', 'add'])
    expect(r.snapshot().holdsVips).toBe(true)
  })

  it('a transport that cannot open: start() rejects with ERR_VRRP_TRANSPORT and can be retried', async () => {
    const t = new InjectTransport(B)
    let fail = true
    const open = t.open.bind(t)
    t.open = async (h) => {
      if (fail) throw new Error('EADDRNOTAVAIL')
      return open(h)
    }
    const r = new VrrpRouter({ vrid: 7, priority: 255, vips: ['10.0.0.100'], transport: t, clock: new FakeClock() })
    const error = await r.start().catch((e: unknown) => e)
    expect(isDnsHaError(error, 'ERR_VRRP_TRANSPORT')).toBe(true)
    expect((error as Error).message).toBe(`vrrp vrid 7: opening the transport on ${B} failed: EADDRNOTAVAIL`)
    expect(r.state).toBe('initialize')
    fail = false
    await r.start()
    expect(r.state).toBe('master')
  })

  it('a failing VIP action is a warning, not a crash', async () => {
    const warnings: string[] = []
    const t = new InjectTransport(B)
    const r = new VrrpRouter({ vrid: 7, priority: 255, vips: ['10.0.0.100'], transport: t, clock: new FakeClock(), vipActions: { add: async () => Promise.reject(new Error('EPERM')), remove: () => {} } })
    r.on('warning', (w) => warnings.push(w.message))
    await r.start()
    await new Promise((resolve) => setImmediate(resolve))
    expect(r.state).toBe('master')
    expect(warnings).toEqual(['vrrp vrid 7: add of 10.0.0.100 failed: EPERM'])
  })
})

describe('VrrpRouter: configuration it refuses', () => {
  const t = new InjectTransport(A)
  const base: VrrpRouterOptions = { vrid: 7, priority: 100, vips: ['10.0.0.100'], transport: t }
  const refuse = (extra: Partial<VrrpRouterOptions>, message: RegExp): void => {
    let error: unknown
    try {
      new VrrpRouter({ ...base, ...extra })
    } catch (e) {
      error = e
    }
    expect(isDnsHaError(error, 'ERR_VRRP_CONFIG'), JSON.stringify(Object.keys(extra))).toBe(true)
    expect((error as Error).message).toMatch(message)
  }

  it('refuses nopreempt with an initial MASTER state, with the reason', () => {
    refuse({ preempt: false, initialState: 'master' }, /nopreempt .* initial state MASTER.*start as BACKUP instead/)
    expect(() => new VrrpRouter({ ...base, preempt: false })).not.toThrow()
  })

  it('refuses what the RFC or the wire cannot do', () => {
    refuse({ vrid: 0 }, /virtual_router_id/)
    refuse({ priority: 0 }, /priority 0 must be 1..255/)
    refuse({ advertIntervalMs: 1500, version: 2 }, /whole seconds/)
    refuse({ advertIntervalMs: 5 }, /centiseconds/)
    refuse({ auth: { type: 'pass', password: 'x' } }, /only in VRRPv2/)
    refuse({ version: 2, auth: { type: 'pass', password: 'ninechars' } }, /1..8 bytes/)
    refuse({ vips: ['2001:db8::1'] }, /family/)
    refuse({ vips: ['10.0.0.100/24'] }, /10\.0\.0\.100\/24 is not an IP address \(give it without the prefix length/)
    refuse({ vips: ['vip.example'] }, /vip\.example is not an IP address$/)
    refuse({ vips: [] }, /1..255 virtual addresses/)
    refuse({ transport: new InjectTransport(A, true) }, /give unicastPeers/)
    refuse({ track: [{ source: { watch: () => () => {}, state: () => undefined }, target: 'x', weight: -10 }] }, /weight -10/)
    refuse({ primaryAddress: 'nowhere' }, /not an IP address/)
    refuse({ version: 2, primaryAddress: 'fe80::1', vips: ['fe80::100'] }, /IPv4 only/)
  })

  it('initialState MASTER (with preempt) is Master at start', async () => {
    const net = lan()
    const a = net.add(A, 100, { initialState: 'master' })
    await a.router.start()
    expect(a.states[0]).toMatchObject({ at: 0, to: 'master', reason: 'initial state MASTER' })
  })
})
