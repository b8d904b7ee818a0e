// The prober is a pool's HealthSource as it is: checked by the compiler (`npx tsc --noEmit -p .`
// fails if the shapes drift apart) and at run time through the interface alone.
import { describe, expect, expectTypeOf, it } from 'vitest'
import { HealthProber } from '../../src/health/prober.js'
import { memberTarget } from '../../src/health/member-target.js'
import { memberKey } from '../../src/pool/member.js'
import type { HealthChange, HealthSource } from '../../src/pool/tracking.js'
import { FakeClock } from '../../src/testing/fake-clock.js'

describe('HealthProber as a HealthSource', () => {
  it('is assignable to HealthSource', () => {
    expectTypeOf<HealthProber>().toExtend<HealthSource>()
    const source: HealthSource = new HealthProber({ clock: new FakeClock() })
    expect(typeof source.watch).toBe('function')
  })

  it('delivers HealthChange payloads through the interface, and stops on unsubscribe', async () => {
    const clock = new FakeClock({ now: 0 })
    const prober = new HealthProber({ clock })
    const source: HealthSource = prober
    const heard: HealthChange[] = []
    const stop = source.watch((change) => heard.push(change))
    const name = memberTarget('192.0.2.1', 5353)
    prober.add({ name, check: async () => ({ ok: false, reason: 'refused' }), fall: 1, intervalMs: 1000 })
    await clock.advanceAsync(0)
    expect(source.state(name)).toBe('down')
    expect(heard).toEqual([expect.objectContaining({ target: '192.0.2.1#5353', state: 'down', reason: 'refused', weight: 1 })])
    stop()
    prober.override(name, 'up')
    expect(heard).toHaveLength(1)
    expect(source.state('192.0.2.9#53')).toBeUndefined()
    prober.close()
  })

  it("memberTarget names a target the way a pool keys its member (memberKey), port 53 by default", () => {
    expect(memberTarget('192.0.2.1', 5353)).toBe(memberKey({ address: '192.0.2.1', port: 5353 }))
    expect(memberTarget('2001:db8::1')).toBe(memberKey({ address: '2001:db8::1', port: 53 }))
  })
})
