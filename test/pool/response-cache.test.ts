import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { inspectResponse } from '../../src/packet/response-info.js'
import type { CacheOptions } from '../../src/pool/response-cache.js'
import { ResponseCache } from '../../src/pool/response-cache.js'

const SOA = { mname: 'ns.example', rname: 'h.example', serial: 1, refresh: 60, retry: 60, expire: 600, minimum: 300 }
const OPTIONS: CacheOptions = { size: 2, negative: true, negTtl: undefined, minTtl: 0, maxTtl: 86_400, maxStaleMs: 0 }

function answer(rcode: number, ttl: number | undefined): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id: 1,
    flags: rcode,
    questions: [{ name: 'www.example', type: 'A', class: 'IN' }],
    answers: ttl === undefined ? [] : [{ name: 'www.example', type: 'A', class: 'IN', ttl, data: '192.0.2.1' }],
    authorities: ttl === undefined ? [{ name: 'example', type: 'SOA', ttl: 3600, data: SOA }] : [],
  })
}

function store(cache: ResponseCache, key: string, bytes: Buffer, now = 0) {
  return cache.store(key, bytes, inspectResponse(bytes), now)
}

describe('ResponseCache', () => {
  it('marks an entry dropped once it no longer holds it: evicted, replaced, past its stale window, cleared', () => {
    const cache = new ResponseCache({ ...OPTIONS, maxStaleMs: 1000 })
    const evicted = store(cache, 'a', answer(0, 60))!
    const replaced = store(cache, 'b', answer(0, 60))!
    store(cache, 'c', answer(0, 60)) // size 2: 'a' goes
    expect(evicted.dropped).toBe(true)
    expect(replaced.dropped).toBeUndefined()
    store(cache, 'b', answer(0, 60))
    expect(replaced.dropped).toBe(true)
    const expiring = store(cache, 'c', answer(0, 60))!
    expect(cache.get('c', 60_000)).toBeUndefined() // expired, but kept for serve-stale
    expect(expiring.dropped).toBeUndefined()
    expect(cache.get('c', 61_000)).toBeUndefined()
    expect(expiring.dropped).toBe(true)
    const cleared = store(cache, 'd', answer(0, 60))!
    cache.clear()
    expect(cleared.dropped).toBe(true)
  })

  it('keeps a positive answer for its TTL, counts hits and misses', () => {
    const cache = new ResponseCache(OPTIONS)
    store(cache, 'a', answer(0, 60))
    expect(cache.get('a', 59_999)).toBeDefined()
    expect(cache.get('a', 60_000)).toBeUndefined()
    expect(cache.snapshot()).toMatchObject({ hits: 1, misses: 1, inserts: 1 })
  })

  it('keeps a negative answer for the SOA negative TTL, capped by maxNegativeTtl', () => {
    const plain = new ResponseCache(OPTIONS)
    expect(store(plain, 'n', answer(3, undefined))?.expiresAt).toBe(300_000)
    const capped = new ResponseCache({ ...OPTIONS, maxNegativeTtl: 20 })
    expect(store(capped, 'n', answer(3, undefined))?.expiresAt).toBe(20_000)
    const off = new ResponseCache({ ...OPTIONS, negative: false })
    expect(store(off, 'n', answer(3, undefined))).toBeUndefined()
  })

  it('does not keep SERVFAIL or TTL 0, and evicts the least recently stored beyond its size', () => {
    const cache = new ResponseCache(OPTIONS)
    expect(store(cache, 's', answer(2, 60))).toBeUndefined()
    expect(store(cache, 'z', answer(0, 0))).toBeUndefined()
    store(cache, 'a', answer(0, 60))
    store(cache, 'b', answer(0, 60))
    store(cache, 'c', answer(0, 60))
    expect(cache.get('a', 0)).toBeUndefined()
    expect(cache.get('c', 0)).toBeDefined()
    expect(cache.snapshot()).toMatchObject({ size: 2, evictions: 1, uncacheable: 2 })
  })
})
