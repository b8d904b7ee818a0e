import { describe, expect, it } from 'vitest'
import { AnswerCache } from '../../src/authority/answer-cache.js'

const entry = (size: number) => ({ bytes: Buffer.alloc(size), optRdlengthOffset: -1, rcode: 0, stats: {}, zone: 'example.test.' })

describe('AnswerCache', () => {
  it('evicts the least recently used entry beyond maxEntries', () => {
    const cache = new AnswerCache({ maxEntries: 2 })
    cache.set('a', entry(10))
    cache.set('b', entry(10))
    expect(cache.get('a')).toBeDefined() // a is now the most recent
    cache.set('c', entry(10))
    expect(cache.get('b')).toBeUndefined()
    expect(cache.get('a')).toBeDefined()
    expect(cache.get('c')).toBeDefined()
    expect(cache.snapshot()).toMatchObject({ entries: 2, bytes: 20, evictions: 1, hits: 3, misses: 1 })
  })

  it('is bounded in bytes too, and replacing a key does not double count', () => {
    const cache = new AnswerCache({ maxBytes: 100 })
    cache.set('a', entry(40))
    cache.set('a', entry(50))
    expect(cache.snapshot().bytes).toBe(50)
    cache.set('b', entry(40))
    cache.set('c', entry(40))
    expect(cache.snapshot()).toMatchObject({ entries: 2, bytes: 80 })
    expect(cache.get('a')).toBeUndefined()
    cache.set('huge', entry(101))
    expect(cache.get('huge')).toBeUndefined()
  })

  it('clear() empties it; maxEntries 0 disables it', () => {
    const cache = new AnswerCache()
    cache.set('a', entry(1))
    cache.clear()
    expect(cache.snapshot()).toMatchObject({ entries: 0, bytes: 0 })
    const off = new AnswerCache({ maxEntries: 0 })
    off.set('a', entry(1))
    expect(off.get('a')).toBeUndefined()
  })
})
