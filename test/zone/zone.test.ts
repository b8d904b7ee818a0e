import { describe, expect, it } from 'vitest'
import { Zone, canonicalName, compareNames, parseZone, zoneRecords } from './imports.js'

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
    expect([...z.eachRecord()][0]?.type).toBe('SOA')
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

describe('Zone storage of parsed records (columns until looked up)', () => {
  const text = `$TTL 60
@ SOA ns h 1 2 3 4 5
@ NS ns
ns A 192.0.2.1
www A 192.0.2.10
www A 192.0.2.11
www A 192.0.2.10
www TXT "a" "b\\255"
Mixed AAAA 2001:DB8::1
key DNSKEY 256 2 8 AQID
`

  it('gives dns-packet shapes: A as text, TXT as Buffer[], odd DNSKEY as UNKNOWN_48 wire data', () => {
    const zone = parseZone(text, { origin: 'example.', fileName: 'db' })
    expect(zone.size).toBe(8)
    expect(zone.rrset('WWW.example.', 'A')?.records.map((r) => r.data)).toEqual(['192.0.2.10', '192.0.2.11'])
    expect(zone.rrset('www.example.', 'TXT')?.records[0]?.data).toEqual([Buffer.from('a'), Buffer.from([0x62, 0xff])])
    expect(zone.rrset('mixed.example.', 'AAAA')?.records[0]).toEqual({ name: 'Mixed.example.', type: 'AAAA', class: 'IN', ttl: 60, data: '2001:db8::1' })
    expect(zone.rrset('key.example.', 'DNSKEY')?.records[0]?.type).toBe('UNKNOWN_48')
  })

  it('returns the same RRset objects on every lookup, and positions by identity or by value', () => {
    const zone = parseZone(text, { origin: 'example.', fileName: 'db' })
    const fromIteration = [...zone.eachRecord()].find((r) => r.type === 'TXT') as never
    expect(zone.positionOf(fromIteration)).toEqual({ file: 'db', line: 8, column: 1 })
    const set = zone.rrset('www.example.', 'A')
    expect(zone.rrset('www.example.', 'A')).toBe(set)
    expect(zone.positionOf(set?.records[1] as never)).toEqual({ file: 'db', line: 6, column: 1 })
    expect(zone.positionOf({ name: 'www.example.', type: 'A', class: 'IN', ttl: 60, data: '192.0.2.99' })).toBeUndefined()
    expect(parseZone(text, { origin: 'example.', positions: false }).positionOf(set?.records[0] as never)).toBeUndefined()
  })

  it('removing the last record of a leaf removes the name and the non-terminals left empty above it', () => {
    const z = parseZone('$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\na.b.c A 192.0.2.2\nx.c A 192.0.2.3\n', { origin: 'example.' })
    const leaf = z.rrset('a.b.c.example.', 'A')?.records[0]
    expect(z.remove(leaf as never)).toBe(true)
    // a.b.c and b.c no longer exist (NXDOMAIN, not NODATA); c stays, an ENT above x.c.
    expect([z.has('a.b.c.example.'), z.has('b.c.example.'), z.has('c.example.')]).toEqual([false, false, true])
    expect(z.get('a.b.c.example.')).toBeUndefined()
    expect(z.closestEncloser('a.b.c.example.').name).toBe('c.example.')
    expect([...z.nodes()].map((n) => n.name)).toEqual(['example.', 'c.example.', 'x.c.example.', 'ns.example.'])
    // An emptied node that still has descendants stays as an empty non-terminal.
    expect(z.remove(z.rrset('ns.example.', 'A')?.records[0] as never)).toBe(true)
    expect(z.has('ns.example.')).toBe(false)
    z.add({ name: 'q.ns.example.', type: 'A', class: 'IN', ttl: 60, data: '192.0.2.9' })
    expect(z.get('ns.example.')?.rrsets.size).toBe(0)
    z.remove({ name: 'x.c.example.', type: 'A', class: 'IN', ttl: 60, data: '192.0.2.3' })
    expect(z.has('c.example.')).toBe(false)
    // Names come back when records are added again.
    z.add({ name: 'A.b.c.example.', type: 'TXT', class: 'IN', ttl: 60, data: ['x'] })
    expect([z.has('a.b.c.example.'), z.has('b.c.example.'), z.has('c.example.')]).toEqual([true, true, true])
    expect([...z.nodes()].map((n) => n.name)).toEqual(['example.', 'c.example.', 'b.c.example.', 'A.b.c.example.', 'ns.example.', 'q.ns.example.'])
    expect(z.size).toBe(4)
  })

  it('mixes add, remove and parsed records on one name, and iterates without keeping nodes', () => {
    const zone = parseZone(text, { origin: 'example.' })
    const added = { name: 'www.example.', type: 'A', class: 'IN', ttl: 60, data: '192.0.2.12' }
    zone.add(added)
    expect(zone.rrset('www.example.', 'A')?.records).toContain(added)
    expect(zone.remove({ name: 'www.example.', type: 'A', class: 'IN', ttl: 60, data: '192.0.2.10' })).toBe(true)
    expect(zone.remove({ name: 'mixed.example.', type: 'AAAA', class: 'IN', ttl: 60, data: '2001:db8::1' })).toBe(true)
    expect(zone.get('mixed.example.')).toBeUndefined() // its only record gone, the name is gone (NXDOMAIN, not NODATA)
    expect(zone.size).toBe(7)
    expect([...zone.eachRecord()].filter((r) => r.type === 'A').map((r) => r.data)).toEqual(['192.0.2.1', '192.0.2.11', '192.0.2.12'])
    const before = [...zone.nodes()].find((n) => n.name === 'key.example.')
    expect([...zone.nodes()].find((n) => n.name === 'key.example.')).not.toBe(before)
    expect(zone.get('key.example.')).toBe(zone.get('KEY.example.'))
  })
})

describe('Zone canonical order', () => {
  it.each([
    ['escapes included', ['a', 'b', 'B', '-', '0', 'z', '\\.', '\\200', '*']],
    ['no escapes', ['a', 'b', 'B', '-', '0', 'z', '_', '*', '~']],
  ])('matches compareNames on random names, %s', (_, alphabet) => {
    let seed = 7
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed % n
    }
    const z = new Zone('example.')
    for (let i = 0; i < 300; i++) {
      const labels = Array.from({ length: 1 + rand(3) }, () => Array.from({ length: 1 + rand(3) }, () => alphabet[rand(alphabet.length)]).join(''))
      z.add({ name: `${labels.join('.')}.example.`, type: 'A', class: 'IN', ttl: 1, data: '192.0.2.1' })
    }
    const names = [...z.nodes()].map((n) => n.name)
    expect(names).toEqual([...names].sort(compareNames))
    expect(new Set(names.map((n) => canonicalName(n))).size).toBe(names.length)
  })
})

describe('Zone canonical order: keys without the apex', () => {
  const order = (origin: string, names: string[]): string[] => {
    const z = new Zone(origin)
    for (const name of names) z.add({ name, type: 'A', class: 'IN', ttl: 1, data: '192.0.2.1' })
    return [...z.nodes()].map((n) => n.name)
  }
  it('orders the root zone, a zone with a name outside it, and labels that prefix others', () => {
    const root = order('.', ['com.', 'a.com.', 'com-.', 'co.', 'b.a.com.', 'A.', 'a.b.'])
    expect(root).toEqual([...root].sort(compareNames))
    expect(root[0]).toBe('.')
    const names = ['h1.ex.', 'h12.ex.', 'h1.h1.ex.', 'h1-.ex.', 'a.h1.ex.', 'ex.', 'glue.other.', 'z.ex.', 'a.b.c.ex.', 'c.ex.']
    for (const withOutside of [true, false]) {
      const got = order('ex.', names.filter((n) => withOutside || !n.endsWith('other.')))
      expect(got).toEqual([...got].sort(compareNames))
    }
  })
})

describe('column storage agrees with object storage', () => {
  it('parseZone and add() of the same streamed records answer every lookup alike', async () => {
    let seed = 11
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed % n
    }
    const owners = ['@', 'a', 'A', 'b.a', 'c.b.a', '*', '*.w', 'x.y.z', 'Sub', 'ns.sub', 'deep.x.sub', 'out.example.org.']
    const rdata = ['A 192.0.2.1', 'A 192.0.2.2', 'AAAA 2001:DB8::1', 'TXT "t" "u"', 'MX 10 mail', 'NS ns.sub', 'CNAME a', 'LOC 1 N 2 E 3', 'TYPE999 \\# 1 ff']
    const text = ['$TTL 60', '@ SOA ns h 1 2 3 4 5', ...Array.from({ length: 200 }, () => `${owners[rand(owners.length)]} ${rand(3) === 0 ? '30 ' : ''}${rdata[rand(rdata.length)]}`)].join('\n') + '\n'
    const parsed = parseZone(text, { origin: 'example.' })
    const built = new Zone('example.')
    for await (const r of zoneRecords((async function* () { yield text })(), { origin: 'example.' })) built.add(r)
    expect(parsed.size).toBe(built.size)
    const format = (z: Zone): string[] => [...z.eachRecord()].map((r) => `${canonicalName(r.name)} ${r.ttl} ${r.type} ${JSON.stringify(r.data)}`)
    expect(format(parsed)).toEqual(format(built))
    expect([...parsed.nodes()].map((n) => canonicalName(n.name))).toEqual([...built.nodes()].map((n) => canonicalName(n.name)))
    const probes = [...owners.map((o) => (o === '@' ? 'example.' : o.endsWith('.') ? o : `${o}.example.`)), 'q.c.b.a.example.', 'none.example.', 'q.w.example.']
    for (const name of probes) {
      // A fresh parse per name: each lookup kind must work on nodes still kept in columns.
      expect(parseZone(text, { origin: 'example.' }).delegationAbove(name)?.name.toLowerCase(), name).toBe(built.delegationAbove(name)?.name.toLowerCase())
      expect(canonicalName(parseZone(text, { origin: 'example.' }).closestEncloser(name).name), name).toBe(canonicalName(built.closestEncloser(name).name))
      expect(parseZone(text, { origin: 'example.' }).wildcard(name)?.name, name).toBe(built.wildcard(name)?.name)
      expect(parsed.has(name), name).toBe(built.has(name))
      expect(parsed.delegationAbove(name)?.name.toLowerCase(), name).toBe(built.delegationAbove(name)?.name.toLowerCase())
      for (const type of ['A', 'AAAA', 'TXT', 'MX', 'NS', 'CNAME', 'LOC', 'TYPE999']) {
        expect(parsed.rrset(name, type)?.records.map((r) => r.data), `${name} ${type}`).toEqual(built.rrset(name, type)?.records.map((r) => r.data))
      }
    }
    expect(format(parsed)).toEqual(format(built))
  })
})

describe('zone.records (the DESIGN contract: dns-packet answer shapes)', () => {
  const text = '$TTL 300\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\nwww CNAME ns\n'

  it('is an array of { name, type, class, ttl, data }, SOA first, equal to iterating the zone', () => {
    const zone = parseZone(text, { origin: 'example.com.' })
    expect(Array.isArray(zone.records)).toBe(true)
    expect(zone.records).toHaveLength(zone.size)
    expect(zone.records[0]!.type).toBe('SOA')
    expect(zone.records.find((r) => r.type === 'A')).toMatchObject({ name: 'ns.example.com.', class: 'IN', ttl: 300, data: '192.0.2.1' })
    expect([...zone]).toEqual(zone.records)
  })

  it('is a fresh array: changing it does not change the zone', () => {
    const zone = parseZone(text, { origin: 'example.com.' })
    zone.records.length = 0
    expect(zone.records).toHaveLength(4)
  })
})
