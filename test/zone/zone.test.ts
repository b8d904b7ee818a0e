import { describe, expect, it } from 'vitest'
import { Zone, canonicalName, parseZone } from './imports.js'

const zone = parseZone(`$TTL 60
@ SOA ns h 1 2 3 4 5
@ NS ns
ns A 192.0.2.1
a.b.c A 192.0.2.2
*.w A 192.0.2.3
Sub NS ns.sub
ns.sub A 192.0.2.4
deep.x.sub A 192.0.2.5
`, { origin: 'Example.' })

describe('Zone', () => {
  it('canonicalName lower-cases and makes absolute', () => {
    expect(canonicalName('WWW.Example.COM')).toBe('www.example.com.')
    expect(canonicalName('a\\.B.')).toBe('a\\.b.')
  })

  it('creates empty non-terminals and looks names up case-insensitively', () => {
    expect(zone.get('B.C.example.')?.rrsets.size).toBe(0)
    expect(zone.get('c.EXAMPLE.')?.name).toBe('c.Example.')
    expect(zone.has('x.sub.example.')).toBe(true)
    expect(zone.get('nope.example.')).toBeUndefined()
  })

  it('answers closestEncloser, delegationAbove, wildcard and contains', () => {
    expect(zone.closestEncloser('q.a.b.c.example.').name).toBe('a.b.c.Example.')
    expect(zone.closestEncloser('zzz.example.').name).toBe('Example.')
    expect(zone.delegationAbove('deep.x.sub.example.')?.name).toBe('Sub.Example.')
    expect(zone.delegationAbove('sub.example.')?.name).toBe('Sub.Example.')
    expect(zone.delegationAbove('example.')).toBeUndefined()
    expect(zone.delegationAbove('a.b.c.example.')).toBeUndefined()
    expect(zone.wildcard('w.example.')?.rrsets.get('A')?.records[0]?.data).toBe('192.0.2.3')
    expect(zone.wildcard('example.')).toBeUndefined()
    expect(zone.contains('x.example.')).toBe(true)
    expect(zone.contains('example.org.')).toBe(false)
    expect(zone.contains('anexample.')).toBe(false)
  })

  it('iterates nodes in RFC 4034 canonical order and records with SOA first', () => {
    const z = new Zone('example.')
    for (const n of ['z.example.', 'a.example.', 'yljkjljk.a.example.', 'Z.a.example.', 'zABC.a.EXAMPLE.', '*.z.example.', '\\200.z.example.', 'example.']) {
      z.add({ name: n, type: 'TXT', class: 'IN', ttl: 1, data: [Buffer.from('x')] })
    }
    z.add({ name: 'example.', type: 'SOA', class: 'IN', ttl: 1, data: { mname: 'a.', rname: 'b.', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 1 } })
    expect([...z.nodes()].map((n) => n.name)).toEqual([
      'example.', 'a.example.', 'yljkjljk.a.example.', 'Z.a.example.', 'zABC.a.EXAMPLE.', 'z.example.', '*.z.example.', '\\200.z.example.',
    ])
    expect([...z.records()][0]?.type).toBe('SOA')
    expect(z.size).toBe(9)
  })

  it('merges exact duplicates, keeps the original case, and finds SVCB by any type spelling', () => {
    const z = new Zone('example.')
    const r = { name: 'WWW.example.', type: 'A', class: 'IN', ttl: 5, data: '192.0.2.1' }
    z.add(r)
    z.add({ ...r, name: 'www.example.' })
    z.add({ name: 's.example.', type: 'UNKNOWN_64', class: 'IN', ttl: 5, data: Buffer.from('0000', 'hex') })
    expect(z.size).toBe(2)
    expect(z.rrset('www.example.', 'A')?.name).toBe('WWW.example.')
    expect(z.rrset('s.example.', 'SVCB')).toBe(z.rrset('s.example.', 'TYPE64'))
    expect(z.rrset('s.example.', 'SVCB')?.records).toHaveLength(1)
    expect(z.remove(r)).toBe(true)
    expect(z.size).toBe(1)
  })
})
