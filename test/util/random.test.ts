import { describe, expect, it } from 'vitest'
import { cryptoRandom, seededRandom } from '../../src/util/random.js'
import { DnsHaError, isDnsHaError } from '../../src/util/errors.js'

describe('random', () => {
  it('stays in range and covers it', () => {
    for (const r of [cryptoRandom(), seededRandom(42)]) {
      const seen = new Set<number>()
      for (let i = 0; i < 5000; i++) {
        const v = r.int(10)
        expect(v).toBeGreaterThanOrEqual(0)
        expect(v).toBeLessThan(10)
        seen.add(v)
      }
      expect(seen.size).toBe(10)
    }
  })

  it('repeats for the same seed', () => {
    const a = seededRandom(9)
    const b = seededRandom(9)
    expect(Array.from({ length: 5 }, () => a.int(65536))).toEqual(Array.from({ length: 5 }, () => b.int(65536)))
  })
})

describe('DnsHaError', () => {
  it('is recognised by brand, with code and cause', () => {
    const cause = new Error('inner')
    const e = new DnsHaError('ERR_CONFIG', 'bad', { cause, details: { line: 3 } })
    expect(isDnsHaError(e)).toBe(true)
    expect(isDnsHaError(e, 'ERR_CONFIG')).toBe(true)
    expect(isDnsHaError(e, 'ERR_ZONE_SYNTAX')).toBe(false)
    expect(isDnsHaError(new Error('x'))).toBe(false)
    expect(e.cause).toBe(cause)
    // A copy from another build of the library (same brand, different class) still counts.
    expect(isDnsHaError({ [Symbol.for('dns-ha.error')]: true, code: 'ERR_CONFIG' }, 'ERR_CONFIG')).toBe(true)
  })
})
