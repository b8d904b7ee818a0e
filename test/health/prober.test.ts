// HealthProber on a FakeClock: rise/fall counting, the interval and its jitter, timeouts that
// abort, runs that never overlap, removal mid-check, overrides, events and the snapshot.
import { describe, expect, it } from 'vitest'
import { HealthProber } from '../../src/health/prober.js'
import type { CheckContext, CheckOutcome, HealthCheck, HealthProberChange, HealthResultEvent, TargetOptions } from '../../src/health/types.js'
import { FakeClock, flush } from '../../src/testing/fake-clock.js'
import type { Random } from '../../src/util/random.js'

/** A check whose verdict the test sets; it records every context it was called with. */
function scripted(initial: boolean): { check: HealthCheck; set(ok: boolean, weight?: number): void; calls: CheckContext[] } {
  let outcome: CheckOutcome = { ok: initial, reason: initial ? 'fine' : 'broken' }
  const calls: CheckContext[] = []
  return {
    calls,
    set(ok, weight) {
      outcome = { ok, reason: ok ? 'fine' : 'broken', ...(weight === undefined ? {} : { weight }) }
    },
    check: async (context) => {
      calls.push(context)
      return outcome
    },
  }
}

/** A check that resolves only when the test says so (or never); it counts runs in flight. */
function manual(options: { honourAbort: boolean }) {
  const pending: { resolve: (o: CheckOutcome) => void; context: CheckContext }[] = []
  let inFlight = 0
  let maxInFlight = 0
  const check: HealthCheck = (context) =>
    new Promise<CheckOutcome>((resolve, reject) => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      const done = (): void => {
        inFlight--
      }
      pending.push({ context, resolve: (o) => (done(), resolve(o)) })
      if (options.honourAbort) context.signal.addEventListener('abort', () => (done(), reject(new Error('aborted'))), { once: true })
    })
  return { check, pending, get maxInFlight() { return maxInFlight }, get inFlight() { return inFlight } }
}

function setup(target: Partial<TargetOptions> & { check: HealthCheck }, random?: Random) {
  const clock = new FakeClock({ now: 0 })
  const prober = new HealthProber({ clock, ...(random ? { random } : {}) })
  const results: HealthResultEvent[] = []
  const changes: HealthProberChange[] = []
  const transitions: string[] = []
  prober.on('result', (e) => results.push(e))
  prober.on('change', (e) => changes.push(e))
  prober.on('up', (e) => transitions.push(`up@${clock.now()}:${e.target}`))
  prober.on('down', (e) => transitions.push(`down@${clock.now()}:${e.target}`))
  prober.add({ name: 't', intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 3, ...target })
  return { clock, prober, results, changes, transitions }
}

describe('HealthProber: rise and fall', () => {
  it('an up target goes down after exactly `fall` failures in a row, with the failing reason', async () => {
    const s = scripted(false)
    const { clock, prober, results, transitions, changes } = setup({ check: s.check })
    await clock.advanceAsync(0) // first run at once
    expect(results).toHaveLength(1)
    expect(prober.state('t')).toBe('up')
    await clock.advanceAsync(1000)
    expect(prober.state('t')).toBe('up')
    expect(transitions).toEqual([])
    await clock.advanceAsync(1000)
    expect(prober.state('t')).toBe('down')
    expect(transitions).toEqual(['down@2000:t'])
    expect(changes).toEqual([{ target: 't', state: 'down', weight: 1, reason: 'broken', previous: 'up' }])
    expect(results.map((r) => r.ok)).toEqual([false, false, false])
  })

  it('a pass between failures resets the count', async () => {
    const s = scripted(false)
    const { clock, prober } = setup({ check: s.check })
    await clock.advanceAsync(1000) // runs at 0 and 1000: two failures
    s.set(true)
    await clock.advanceAsync(1000) // a pass
    s.set(false)
    await clock.advanceAsync(2000) // two failures again: still up
    expect(prober.state('t')).toBe('up')
    await clock.advanceAsync(1000) // the third in a row
    expect(prober.state('t')).toBe('down')
  })

  it('a down target comes up after exactly `rise` passes; a failure in between starts over', async () => {
    const s = scripted(true)
    const { clock, prober, transitions } = setup({ check: s.check, initialState: 'down', rise: 3 })
    expect(prober.state('t')).toBe('down')
    await clock.advanceAsync(1000) // passes at 0, 1000
    s.set(false)
    await clock.advanceAsync(1000) // a failure at 2000
    s.set(true)
    await clock.advanceAsync(2000) // passes at 3000, 4000
    expect(prober.state('t')).toBe('down')
    await clock.advanceAsync(1000) // the third pass in a row at 5000
    expect(prober.state('t')).toBe('up')
    expect(transitions).toEqual(['up@5000:t'])
  })

  it("'unknown' start: state() is undefined until the first run decides", async () => {
    const s = scripted(false)
    const { clock, prober, changes } = setup({ check: s.check, initialState: 'unknown' })
    expect(prober.state('t')).toBeUndefined()
    await clock.advanceAsync(0)
    expect(prober.state('t')).toBe('down')
    expect(changes[0]).toMatchObject({ state: 'down', previous: undefined })
    expect(prober.state('nope')).toBeUndefined()
  })
})

describe('HealthProber: scheduling', () => {
  it('runs every intervalMs from the start of the last run', async () => {
    const s = scripted(true)
    const { clock } = setup({ check: s.check, intervalMs: 700 })
    await clock.advanceAsync(2100)
    expect(s.calls.map(() => 0)).toHaveLength(4) // 0, 700, 1400, 2100
  })

  it('jitter adds 0..jitter ms to every wait, the first one included', async () => {
    const draws: number[] = []
    let i = 0
    const sequence = [250, 0, 250, 100]
    const random: Random = {
      int(max) {
        draws.push(max)
        return sequence[i++ % sequence.length]!
      },
    }
    const starts: number[] = []
    const clock0: { clock?: FakeClock } = {}
    const { clock } = setup(
      {
        intervalMs: 1000,
        jitter: 250,
        check: async () => {
          starts.push(clock0.clock!.now())
          return { ok: true, reason: 'ok' }
        },
      },
      random,
    )
    clock0.clock = clock
    await clock.advanceAsync(5000)
    expect(draws.every((m) => m === 251)).toBe(true) // 0..250 inclusive
    expect(starts.slice(0, 5)).toEqual([250, 1250, 2500, 3600, 4850])
    const gaps = starts.slice(1).map((t, k) => t - starts[k]!)
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(1000)
      expect(gap).toBeLessThanOrEqual(1250)
    }
  })

  it('after a failure the next run waits delayBeforeRetryMs instead of intervalMs', async () => {
    const s = scripted(true)
    const starts: number[] = []
    const { clock } = setup({
      intervalMs: 1000,
      delayBeforeRetryMs: 200,
      check: async (context) => {
        starts.push(context.clock.now())
        return s.check(context)
      },
    })
    await clock.advanceAsync(1000) // passes at 0 and 1000
    s.set(false)
    await clock.advanceAsync(2000) // fails at 2000, then retries every 200
    expect(starts.slice(0, 5)).toEqual([0, 1000, 2000, 2200, 2400])
  })
})

describe('HealthProber: timeouts, overlap, removal', () => {
  it('a run that outlives timeoutMs fails at the timeout and its signal is aborted', async () => {
    const m = manual({ honourAbort: true })
    const { clock, results } = setup({ check: m.check, timeoutMs: 300 })
    await clock.advanceAsync(299)
    expect(results).toEqual([])
    expect(m.pending[0]!.context.signal.aborted).toBe(false)
    await clock.advanceAsync(1)
    expect(results).toEqual([{ target: 't', ok: false, latencyMs: 300, reason: 'timed out after 300 ms' }])
    expect(m.pending[0]!.context.signal.aborted).toBe(true)
    expect(m.inFlight).toBe(0)
    // A late answer from the aborted run changes nothing.
    m.pending[0]!.resolve({ ok: true, reason: 'late' })
    await flush()
    expect(results).toHaveLength(1)
  })

  it('never runs two checks of one target at once: a run that ignores its abort blocks the next, which fails', async () => {
    const m = manual({ honourAbort: false })
    const { clock, results } = setup({ check: m.check, timeoutMs: 300, intervalMs: 1000 })
    await clock.advanceAsync(2500) // runs due at 0 (hangs), 1000 and 2000 (blocked)
    expect(m.pending).toHaveLength(1)
    expect(m.maxInFlight).toBe(1)
    expect(results.map((r) => r.reason)).toEqual([
      'timed out after 300 ms',
      'the previous run is still going after its abort',
      'the previous run is still going after its abort',
    ])
    m.pending[0]!.resolve({ ok: true, reason: 'finally' })
    await clock.advanceAsync(500) // the run due at 3000 starts normally
    expect(m.pending).toHaveLength(2)
    expect(m.maxInFlight).toBe(1)
  })

  it('removing a target mid-check aborts the run, drops its result and leaves no timer', async () => {
    const m = manual({ honourAbort: false })
    const { clock, prober, results, changes } = setup({ check: m.check, initialState: 'unknown' })
    await clock.advanceAsync(100)
    expect(m.pending).toHaveLength(1)
    expect(prober.remove('t')).toBe(true)
    expect(m.pending[0]!.context.signal.aborted).toBe(true)
    m.pending[0]!.resolve({ ok: false, reason: 'after removal' })
    await clock.advanceAsync(10_000)
    expect(results).toEqual([])
    expect(changes).toEqual([])
    expect(clock.pending).toBe(0)
    expect(prober.state('t')).toBeUndefined()
    expect(prober.remove('t')).toBe(false)
  })

  it('a check that throws is a failure with the error as the reason', async () => {
    const { clock, results } = setup({
      check: async () => {
        throw new Error('kaboom')
      },
    })
    await clock.advanceAsync(0)
    expect(results[0]).toMatchObject({ ok: false, reason: 'kaboom' })
  })

  it('a check that returns no outcome is a failure', async () => {
    const { clock, results } = setup({ check: (async () => undefined) as unknown as HealthCheck })
    await clock.advanceAsync(0)
    expect(results[0]).toMatchObject({ ok: false, reason: 'the check returned no outcome' })
  })

  it('close() aborts runs in progress, clears every timer and refuses new targets', async () => {
    const m = manual({ honourAbort: true })
    const { clock, prober } = setup({ check: m.check })
    await clock.advanceAsync(0)
    prober.close()
    expect(m.pending[0]!.context.signal.aborted).toBe(true)
    await flush()
    expect(clock.pending).toBe(0)
    expect(prober.snapshot()).toEqual({ closed: true, targets: [] })
    expect(() => prober.add({ name: 'x', check: m.check })).toThrow(/closed/)
  })
})

describe('HealthProber: override, weights, watch, snapshot', () => {
  it("an override forces the verdict while checks keep running; 'auto' gives it back", async () => {
    const s = scripted(true)
    const { clock, prober, transitions, changes } = setup({ check: s.check })
    await clock.advanceAsync(0)
    prober.override('t', 'down')
    expect(prober.state('t')).toBe('down')
    expect(transitions).toEqual(['down@0:t'])
    expect(changes.at(-1)).toMatchObject({ state: 'down', reason: 'operator override: down', previous: 'up' })
    s.set(false)
    await clock.advanceAsync(3000) // the checks fall underneath: no new event, still forced down
    expect(transitions).toEqual(['down@0:t'])
    expect(prober.snapshot().targets[0]).toMatchObject({ state: 'down', checked: 'down', override: 'down' })
    prober.override('t', 'up')
    expect(prober.state('t')).toBe('up')
    prober.override('t', 'auto')
    expect(prober.state('t')).toBe('down')
    expect(transitions).toEqual(['down@0:t', 'up@3000:t', 'down@3000:t'])
    expect(changes.at(-1)!.reason).toBe('operator override cleared; checks say down')
    expect(() => prober.override('nope', 'up')).toThrow(/no health target/)
    expect(() => prober.override('t', 'sideways' as never)).toThrow(/override must be/)
  })

  it('a dynamic weight change is a change without an up/down; watch() hears it until unsubscribed', async () => {
    const s = scripted(true)
    const { clock, prober, transitions } = setup({ check: s.check, weight: 5 })
    const heard: HealthProberChange[] = []
    const stop = prober.watch((c) => heard.push(c))
    await clock.advanceAsync(0) // up, weight 5: nothing changed
    expect(heard).toEqual([])
    s.set(true, 7)
    await clock.advanceAsync(1000)
    expect(heard).toEqual([{ target: 't', state: 'up', weight: 7, reason: 'fine', previous: 'up' }])
    expect(transitions).toEqual([])
    stop()
    s.set(true)
    await clock.advanceAsync(1000)
    expect(heard).toHaveLength(1)
    expect(prober.snapshot().targets[0]!.weight).toBe(5)
  })

  it('snapshot() is plain data with counters and the last result', async () => {
    const s = scripted(false)
    const { clock, prober } = setup({ check: s.check })
    await clock.advanceAsync(1000)
    expect(prober.snapshot()).toEqual({
      closed: false,
      targets: [
        { name: 't', state: 'up', checked: 'up', override: 'auto', weight: 1, successes: 0, failures: 2, runs: 2, running: false, last: { ok: false, reason: 'broken', latencyMs: 0, at: 1000 } },
      ],
    })
  })

  it('a listener that throws does not stop the loop (it becomes a process warning)', async () => {
    const s = scripted(false)
    const { clock, prober, results } = setup({ check: s.check })
    prober.on('result', () => {
      throw new Error('listener bug')
    })
    const warnings: string[] = []
    const onWarning = (w: Error): void => void warnings.push(w.message)
    process.on('warning', onWarning)
    await clock.advanceAsync(2000)
    await flush()
    process.off('warning', onWarning)
    expect(results).toHaveLength(3)
    expect(warnings.some((w) => w.includes('listener bug'))).toBe(true)
  })

  it('refuses bad target options with ERR_CONFIG', () => {
    const prober = new HealthProber({ clock: new FakeClock() })
    const check: HealthCheck = async () => ({ ok: true, reason: '' })
    expect(() => prober.add({ name: '', check })).toThrow(/non-empty name/)
    expect(() => prober.add({ name: 'a', check: 1 as never })).toThrow(/check must be a function/)
    expect(() => prober.add({ name: 'a', check, intervalMs: 0 })).toThrow(/intervalMs/)
    expect(() => prober.add({ name: 'a', check, timeoutMs: -1 })).toThrow(/timeoutMs/)
    expect(() => prober.add({ name: 'a', check, rise: 0 })).toThrow(/rise/)
    expect(() => prober.add({ name: 'a', check, fall: 1.5 })).toThrow(/fall/)
    expect(() => prober.add({ name: 'a', check, jitter: -1 })).toThrow(/jitter/)
    expect(() => prober.add({ name: 'a', check, weight: -1 })).toThrow(/weight/)
    expect(() => prober.add({ name: 'a', check, initialState: 'maybe' as never })).toThrow(/initialState/)
    prober.add({ name: 'a', check })
    expect(() => prober.add({ name: 'a', check })).toThrow(/already exists/)
    prober.close()
  })
})

describe('HealthProber: defaults and outcome hygiene', () => {
  it('uses HEALTH_DEFAULTS: a run at once, then every 5000 ms, a 2000 ms timeout, down on the 3rd failure', async () => {
    const clock = new FakeClock({ now: 0 })
    const random: Random = {
      int() {
        throw new Error('no jitter draw without jitter')
      },
    }
    const prober = new HealthProber({ clock, random })
    const starts: number[] = []
    const m = manual({ honourAbort: true })
    prober.add({ name: 'd', check: (c) => (starts.push(clock.now()), m.check(c)) })
    const results: HealthResultEvent[] = []
    prober.on('result', (r) => results.push(r))
    await clock.advanceAsync(1999)
    expect(results).toEqual([])
    await clock.advanceAsync(1)
    expect(results[0]!.reason).toBe('timed out after 2000 ms')
    await clock.advanceAsync(8000)
    expect(starts).toEqual([0, 5000, 10_000])
    expect(prober.state('d')).toBe('up')
    await clock.advanceAsync(2000) // the third run times out
    expect(prober.state('d')).toBe('down')
    expect(prober.snapshot().targets[0]!.weight).toBe(1)
    prober.close()
  })

  it('an empty reason becomes passed/failed; a weight is kept only from a passing run and only when finite', async () => {
    const outcomes: CheckOutcome[] = [
      { ok: true, reason: '' },
      { ok: false, reason: '', weight: 9 },
      { ok: true, reason: 'w', weight: Number.NaN },
      { ok: true, reason: 'w', weight: 0 },
    ]
    const { clock, results, prober } = setup({ check: async () => outcomes.shift()!, weight: 3 })
    await clock.advanceAsync(3000)
    expect(results).toEqual([
      { target: 't', ok: true, latencyMs: 0, reason: 'passed' },
      { target: 't', ok: false, latencyMs: 0, reason: 'failed' },
      { target: 't', ok: true, latencyMs: 0, reason: 'w' },
      { target: 't', ok: true, latencyMs: 0, reason: 'w', weight: 0 },
    ])
    expect(prober.snapshot().targets[0]!.weight).toBe(0) // a weight of 0 (drain) is a weight
  })

  it('a failed run forgets no dynamic weight; the next pass without one restores the configured weight', async () => {
    const outcomes: CheckOutcome[] = [
      { ok: true, reason: 'a', weight: 8 },
      { ok: false, reason: 'b' },
      { ok: true, reason: 'c' },
    ]
    const { clock, prober } = setup({ check: async () => outcomes.shift()!, weight: 2 })
    await clock.advanceAsync(0)
    expect(prober.snapshot().targets[0]!.weight).toBe(8)
    await clock.advanceAsync(1000)
    expect(prober.snapshot().targets[0]!.weight).toBe(8)
    await clock.advanceAsync(1000)
    expect(prober.snapshot().targets[0]!.weight).toBe(2)
  })
})
