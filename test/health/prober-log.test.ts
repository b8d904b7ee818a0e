// HealthProber's logger: transitions only (down at warn, up at info), with the check's reason; never a line per run.
import { describe, expect, it } from 'vitest'
import { HealthProber } from '../../src/health/prober.js'
import type { CheckOutcome } from '../../src/health/types.js'
import { FakeClock, flush } from '../../src/testing/fake-clock.js'
import { recordingLogger } from '../support/log-lines.js'

describe('HealthProber logger', () => {
  it('logs down at warn and up at info with target and reason, and nothing for runs that change nothing', async () => {
    const clock = new FakeClock({ now: 0 })
    const { logger, lines } = recordingLogger()
    const prober = new HealthProber({ clock, logger })
    let outcome: CheckOutcome = { ok: true, reason: 'answered 192.0.2.1' }
    prober.add({ name: 'ns1', check: async () => outcome, intervalMs: 1000, rise: 2, fall: 2 })
    const run = async (ms: number) => {
      for (let t = 0; t < ms; t += 100) {
        clock.advance(100)
        await flush()
      }
    }
    await run(3000)
    expect(lines).toEqual([])
    outcome = { ok: false, reason: 'timed out' }
    await run(2000)
    expect(lines).toEqual([['warn', 'ns1 down: timed out', { component: 'health', target: 'ns1', reason: 'timed out', weight: 1 }]])
    outcome = { ok: true, reason: 'answered 192.0.2.1' }
    await run(2000)
    expect(lines.slice(1)).toEqual([['info', 'ns1 up: answered 192.0.2.1', { component: 'health', target: 'ns1', reason: 'answered 192.0.2.1', weight: 1 }]])
    prober.close()
  })
})
