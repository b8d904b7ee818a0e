// Shared helpers for the health tests: zones as text, and waiting (in real time, bounded) for a
// prober event.
import type { HealthProber } from '../../src/health/prober.js'
import type { HealthTransitionEvent } from '../../src/health/types.js'
import { parseZone } from '../../src/zone/index.js'
import type { Zone } from '../../src/zone/index.js'

/** example.test with `www` at `address` and the given SOA serial. */
export function exampleZone(address: string, serial = 1): Zone {
  const text = `$ORIGIN example.test.
$TTL 300
@ SOA ns1 hostmaster ${serial} 7200 3600 1209600 60
@ NS ns1
ns1 A 192.0.2.53
www A ${address}
`
  return parseZone(text, { origin: 'example.test.' })
}

/** Resolves with the next `event` for `target`, or rejects after `limitMs` of real time. */
export function next(prober: HealthProber, event: 'up' | 'down', target: string, limitMs = 10_000): Promise<HealthTransitionEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      prober.off(event, listener)
      reject(new Error(`no '${event}' for ${target} within ${limitMs} ms`))
    }, limitMs)
    const listener = (e: HealthTransitionEvent): void => {
      if (e.target !== target) return
      clearTimeout(timer)
      prober.off(event, listener)
      resolve(e)
    }
    prober.on(event, listener)
  })
}
