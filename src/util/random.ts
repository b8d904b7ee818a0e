/**
 * Randomness as a dependency: query ids, source ports and jitter come from a {@link Random}, so
 * tests can make them deterministic. The default draws from the CSPRNG through a pooled buffer,
 * because DNS ids and ports are the defence against spoofing (RFC 5452).
 */
import { randomFillSync } from 'node:crypto'

/** A source of random integers. */
export interface Random {
  /** A uniformly random integer in `[0, maxExclusive)`; `maxExclusive` is at most 2^32. */
  int(maxExclusive: number): number
}

const POOL_SIZE = 4096

/** Cryptographically strong randomness, read 4 KiB at a time from `crypto.randomFillSync`. */
export function cryptoRandom(): Random {
  const pool = new Uint32Array(POOL_SIZE / 4)
  let next = pool.length
  const u32 = (): number => {
    if (next === pool.length) {
      randomFillSync(pool)
      next = 0
    }
    return pool[next++]!
  }
  return {
    int(maxExclusive) {
      // Rejection sampling keeps the distribution uniform for any bound.
      const limit = 0x1_0000_0000 - (0x1_0000_0000 % maxExclusive)
      for (;;) {
        const v = u32()
        if (v < limit) return v % maxExclusive
      }
    },
  }
}

/** A fast deterministic generator (mulberry32) for tests and simulations; never for ids in production. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0
  return {
    int(maxExclusive) {
      state = (state + 0x6d2b79f5) >>> 0
      let t = state
      t = Math.imul(t ^ (t >>> 15), t | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      const v = ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000
      return Math.floor(v * maxExclusive)
    },
  }
}

/** The process-wide default: one pooled CSPRNG, created on first use. */
let shared: Random | undefined
export function defaultRandom(): Random {
  shared ??= cryptoRandom()
  return shared
}
