import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { AnswerCache } from '../../src/authority/answer-cache.js'
import { readQuestion } from '../../src/packet/wire.js'

const made = new Map<string, { raw: Buffer; end: number }>()

/** A query for `name` and its question end (the same object for the same arguments). */
function q(name: string, id = 1, flags = 0): { raw: Buffer; end: number } {
  const key = `${name}/${id}/${flags}`
  let query = made.get(key)
  if (!query) {
    const raw = dnsPacket.encode({ type: 'query', id, flags, questions: [{ name, type: 'A' }] })
    made.set(key, (query = { raw, end: readQuestion(raw).end }))
  }
  return query
}

/** An answer of `size` bytes whose question is the query's (so hits can patch case in), tagged with `tag`. */
function answerFor(query: { raw: Buffer; end: number }, size: number, tag: number): Buffer {
  const out = Buffer.alloc(Math.max(size, query.end + 1), tag)
  query.raw.copy(out, 0, 0, query.end)
  out[2] = 0x84 // QR, AA
  return out
}

function store(cache: AnswerCache<string>, name: string, size: number, tag = 7): void {
  const query = q(name)
  cache.store(query.raw, query.end, 0, 0, 512, answerFor(query, size, tag), name, [])
}

function has(cache: AnswerCache<string>, name: string): boolean {
  const query = q(name)
  return cache.find(query.raw, query.end, 0, 0, 512) >= 0
}

describe('AnswerCache', () => {
  it('serves a copy with the asker’s id, RD, CD and question case; the key ignores all four', () => {
    const cache = new AnswerCache<string>()
    const first = q('www.example.test', 1)
    cache.store(first.raw, first.end, 0, 0, 512, answerFor(first, 100, 9), 'meta', [])
    const asker = q('WWW.Example.Test', 0xbeef, dnsPacket.RECURSION_DESIRED | (1 << 4))
    const entry = cache.find(asker.raw, asker.end, 0, 0, 512)
    expect(entry).toBeGreaterThanOrEqual(0)
    expect(cache.meta(entry)).toBe('meta')
    expect(cache.answerLength(entry)).toBe(100)
    const out = Buffer.from(cache.copyAnswer(entry, asker.raw, asker.end))
    expect(out.readUInt16BE(0)).toBe(0xbeef)
    expect(out[2]).toBe(0x85) // QR AA kept, RD from the asker
    expect(out[3]! & 0x10).toBe(0x10) // CD from the asker
    expect(out.subarray(12, asker.end)).toEqual(asker.raw.subarray(12, asker.end))
    expect(out.subarray(asker.end)).toEqual(Buffer.alloc(100 - asker.end, 9))
    // The stored bytes are untouched by the patching.
    const again = Buffer.from(cache.copyAnswer(entry, first.raw, first.end))
    expect(again.readUInt16BE(0)).toBe(1)
    expect(again.subarray(12, first.end)).toEqual(first.raw.subarray(12, first.end))
  })

  it('tells apart view, EDNS variant and size class', () => {
    const cache = new AnswerCache<string>()
    const query = q('a.test')
    cache.store(query.raw, query.end, 1, 2, 1232, answerFor(query, 40, 1), 'x', [])
    expect(cache.find(query.raw, query.end, 1, 2, 1232)).toBeGreaterThanOrEqual(0)
    expect(cache.find(query.raw, query.end, 0, 2, 1232)).toBe(-1)
    expect(cache.find(query.raw, query.end, 1, 1, 1232)).toBe(-1)
    expect(cache.find(query.raw, query.end, 1, 2, 512)).toBe(-1)
  })

  it('evicts the oldest beyond maxEntries, first in first out', () => {
    const cache = new AnswerCache<string>({ maxEntries: 2 })
    store(cache, 'a.test', 40)
    store(cache, 'b.test', 40)
    store(cache, 'c.test', 40)
    expect([has(cache, 'a.test'), has(cache, 'b.test'), has(cache, 'c.test')]).toEqual([false, true, true])
    expect(cache.snapshot()).toMatchObject({ entries: 2, bytes: 80, evictions: 1 })
  })

  it('is bounded in bytes; an answer larger than the whole cache is not kept; a stored key keeps its answer', () => {
    const cache = new AnswerCache<string>({ maxBytes: 300 })
    store(cache, 'a.test', 100, 1)
    store(cache, 'a.test', 120, 2)
    expect(cache.snapshot()).toMatchObject({ entries: 1, bytes: 100 })
    store(cache, 'b.test', 100)
    store(cache, 'c.test', 100)
    expect(has(cache, 'a.test')).toBe(false)
    expect([has(cache, 'b.test'), has(cache, 'c.test')]).toEqual([true, true])
    store(cache, 'huge.test', 400)
    expect(has(cache, 'huge.test')).toBe(false)
  })

  it('tallies the counters given at store time', () => {
    const cache = new AnswerCache<string>()
    const query = q('a.test')
    cache.store(query.raw, query.end, 0, 0, 512, answerFor(query, 40, 1), 'x', [0, 2, 3])
    const counts = new Float64Array(4)
    const entry = cache.find(query.raw, query.end, 0, 0, 512)
    cache.tally(entry, counts)
    cache.tally(entry, counts)
    expect([...counts]).toEqual([2, 0, 2, 2])
  })

  it('clear() empties it; maxEntries 0 disables it; hits and misses are what the caller notes', () => {
    const cache = new AnswerCache<string>()
    store(cache, 'a.test', 40)
    cache.noteHit()
    cache.noteMiss()
    cache.clear()
    expect(has(cache, 'a.test')).toBe(false)
    expect(cache.snapshot()).toEqual({ entries: 0, bytes: 0, hits: 1, misses: 1, evictions: 0 })
    const off = new AnswerCache<string>({ maxEntries: 0 })
    store(off, 'a.test', 40)
    expect(has(off, 'a.test')).toBe(false)
  })

  it('under random load never serves a wrong answer, keeps the newest, evicts in insertion order and stays in bounds', () => {
    // Small caches (many wraps of the arena) and large ones (long probe runs in the index).
    const shapes = [
      ...Array.from({ length: 30 }, () => ({ names: 80, steps: 400, checkEvery: 1 })),
      { names: 6000, steps: 20_000, checkEvery: 2000 },
      { names: 6000, steps: 20_000, checkEvery: 2000 },
    ]
    let seed = 12345
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff
      return seed % n
    }
    for (const shape of shapes) {
      const maxEntries = shape.names > 100 ? 1000 + rand(4000) : 1 + rand(60)
      const maxBytes = shape.names > 100 ? 50_000 + rand(400_000) : 200 + rand(6000)
      const cache = new AnswerCache<string>({ maxEntries, maxBytes })
      // What each name was stored with, in order of storing (since the last clear).
      let stored = new Map<string, { tag: number; size: number; order: number }>()
      let order = 0
      for (let step = 1; step <= shape.steps; step++) {
        const op = rand(shape.names > 100 ? 5000 : 20)
        const name = `n${rand(shape.names)}.test`
        if (op === 0) {
          cache.clear()
          stored = new Map()
        } else if (op < 10 || shape.names > 100) {
          const size = 30 + rand(400)
          const tag = rand(250)
          const before = has(cache, name)
          store(cache, name, size, tag)
          const { end } = q(name)
          // An entry takes a 24-byte header, the key and the answer, in whole 8-byte units.
          const entryBytes = Math.ceil((24 + 5 + (end - 12) + Math.max(size, end + 1)) / 8) * 8
          if (!before && entryBytes <= maxBytes - (maxBytes % 8)) {
            stored.set(name, { tag, size, order: order++ })
            if (!has(cache, name)) throw new Error(`${name}: the newest answer is not kept`)
          }
        }
        if (step % shape.checkEvery === 0) checkAgainst(cache, stored, { maxEntries, maxBytes })
      }
    }
  })
})

/** Every answer found is the one stored for that name, the live ones are the newest, and the counts are in bounds. */
function checkAgainst(cache: AnswerCache<string>, stored: Map<string, { tag: number; size: number; order: number }>, limits: { maxEntries: number; maxBytes: number }): void {
  let oldestLive = Infinity
  let newestGone = -1
  let live = 0
  for (const [n, s] of stored) {
    const query = q(n, 77)
    const entry = cache.find(query.raw, query.end, 0, 0, 512)
    if (entry < 0) {
      newestGone = Math.max(newestGone, s.order)
      continue
    }
    live++
    oldestLive = Math.min(oldestLive, s.order)
    const out = Buffer.from(cache.copyAnswer(entry, query.raw, query.end))
    const ok = cache.meta(entry) === n && out.length === Math.max(s.size, query.end + 1) && out[out.length - 1] === s.tag && out.readUInt16BE(0) === 77
    if (!ok) throw new Error(`${n}: wrong answer served`)
  }
  expect(newestGone < oldestLive, 'evicted in insertion order').toBe(true)
  const snap = cache.snapshot()
  expect(snap.entries).toBe(live)
  expect(snap.entries).toBeLessThanOrEqual(limits.maxEntries)
  expect(snap.bytes).toBeLessThanOrEqual(limits.maxBytes)
}

describe('AnswerCache randomness seam', () => {
  it('draws its hash seed from the injected Random, once', () => {
    const bounds: number[] = []
    const cache = new AnswerCache<string>({ random: { int: (max) => (bounds.push(max), 12345) } })
    expect(bounds).toEqual([0x7fffffff])
    store(cache, 'seeded.test', 64)
    expect(has(cache, 'seeded.test')).toBe(true)
  })
})
