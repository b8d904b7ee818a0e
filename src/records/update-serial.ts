/**
 * The next SOA serial after an update, by policy, as BIND's `serial-update-method`: always
 * ahead of the current one in RFC 1982 arithmetic, so secondaries see every change.
 */
import { serialIncreased } from '../zone/serial.js'

/** `increment`: serial + 1. `unixtime`: the time in seconds. `date`: YYYYMMDDnn (UTC). */
export type SerialPolicy = 'increment' | 'unixtime' | 'date'

/**
 * The serial to use after `current` at `now` (milliseconds since the epoch). `unixtime` and
 * `date` fall back to `current + 1` when their value would not be ahead of `current` (several
 * updates in a second, a hundred in a day, or a clock set back); 0 is skipped, as BIND does.
 */
export function nextSerial(current: number, policy: SerialPolicy, now: number): number {
  const plusOne = ((current >>> 0) + 1) >>> 0 || 1
  let candidate: number
  if (policy === 'increment') return plusOne
  if (policy === 'unixtime') candidate = Math.floor(now / 1000) >>> 0
  else {
    const d = new Date(now)
    candidate = (d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate()) * 100
  }
  return serialIncreased(current, candidate) ? candidate : plusOne
}

/** True for the three policy names. */
export function isSerialPolicy(value: unknown): value is SerialPolicy {
  return value === 'increment' || value === 'unixtime' || value === 'date'
}
