// The zone's canonical order (nodes(), eachRecord(), and so the AXFR) for zones of names all below
// the apex without escapes, which are sorted without a key string per one-label name: checked
// against compareNames (RFC 4034 §6.1 through canonicalSortKey) on random names.
import { describe, expect, it } from 'vitest'
import { canonicalName, compareNames, parseZone } from './imports.js'

describe('canonical order of a zone below its apex', () => {
  it.each(['example.org.', 'a-b.example.', 'com.'])('random names under %s: the order compareNames gives', (origin) => {
    let seed = 7
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff
      return (seed >>> 8) % n
    }
    // Characters below and above '.', digits, letters in both cases; one to three labels.
    const chars = 'ab-_*!#019ZzA'
    const label = () => Array.from({ length: 1 + random(4) }, () => chars[random(chars.length)]).join('')
    const names = new Set<string>()
    for (let i = 0; i < 3000; i++) names.add(Array.from({ length: 1 + (random(4) === 0 ? 1 + random(2) : 0) }, label).join('.'))
    const text = ['$TTL 1', '@ SOA ns h 1 1 1 1 1', ...[...names].map((n, i) => `${n} A 10.0.${i >> 8}.${i & 255}`), ''].join('\n')
    const zone = parseZone(text, { origin, check: false } as never)
    const got = [...zone.nodes()].map((n) => canonicalName(n.name))
    expect(got.length).toBeGreaterThan(2000)
    expect(got).toEqual([...got].sort(compareNames))
    const owners = zone.records.map((r) => canonicalName(r.name))
    expect(owners).toEqual([...owners].sort(compareNames))
  })
})
