import { describe, expect, it } from 'vitest'
import { lookup } from '../../src/authority/lookup.js'
import type { Zone } from '../../src/zone/zone.js'
import { example, other } from './fixtures.js'

describe('lookup (RFC 1034 §4.3.2)', () => {
  const ex = example()
  const ot = other()
  const findZone = (name: string): Zone | undefined => {
    const n = name.toLowerCase()
    if (n.endsWith('other.test.')) return ot
    if (n.endsWith('example.test.')) return ex
    return undefined
  }

  it('exact match: the RRset of the type', () => {
    const v = lookup(ex, 'www.example.test.', 'A')
    expect(v.kind).toBe('success')
    expect(v.answer).toHaveLength(1)
    expect(v.answer[0]!.records.map((r) => r.data)).toEqual(['192.0.2.80'])
    expect(v.proof).toEqual({ name: 'www.example.test.', closestEncloser: 'www.example.test.' })
  })

  it('keeps the asked case in the owner names', () => {
    const v = lookup(ex, 'WwW.ExAmple.TEST.', 'A')
    expect(v.answer[0]!.name).toBe('WwW.ExAmple.TEST.')
    expect(v.answer[0]!.records[0]!.name).toBe('WwW.ExAmple.TEST.')
  })

  it('NODATA when the name exists without the type; NXDOMAIN when it does not exist', () => {
    expect(lookup(ex, 'www.example.test.', 'MX').kind).toBe('no-data')
    const nx = lookup(ex, 'nope.www.example.test.', 'A')
    expect(nx.kind).toBe('name-error')
    expect(nx.proof.closestEncloser).toBe('www.example.test.')
  })

  it('an empty non-terminal is NODATA, and blocks the wildcard above it', () => {
    expect(lookup(ex, 'b.example.test.', 'A').kind).toBe('no-data')
    // *.example.test does not exist anyway; check *.apps is not used for names under an ENT below it
    expect(lookup(ex, 'x.b.example.test.', 'A').kind).toBe('name-error')
  })

  it('wildcards (RFC 4592): synthesized with the query name as owner, NODATA for other types', () => {
    const v = lookup(ex, 'Host.apps.example.test.', 'A')
    expect(v.kind).toBe('success')
    expect(v.answer[0]!.records[0]).toMatchObject({ name: 'Host.apps.example.test.', data: '192.0.2.100' })
    expect(v.proof).toEqual({ name: 'Host.apps.example.test.', closestEncloser: 'apps.example.test.', wildcard: '*.apps.example.test.' })
    expect(lookup(ex, 'deep.host.apps.example.test.', 'A').kind).toBe('success')
    expect(lookup(ex, 'host.apps.example.test.', 'MX').kind).toBe('no-data')
    // The wildcard owner itself matches as an exact name.
    expect(lookup(ex, '*.apps.example.test.', 'TXT').kind).toBe('success')
  })

  it('delegations: names at and below the cut are referrals; DS at the cut is the parent\'s', () => {
    for (const name of ['sub.example.test.', 'ns1.sub.example.test.', 'a.b.c.sub.example.test.']) {
      const v = lookup(ex, name, 'A')
      expect(v.kind).toBe('delegation')
      expect(v.delegation!.name).toBe('sub.example.test.')
      expect(v.delegation!.ns.records).toHaveLength(2)
      expect(v.delegation!.ds?.records).toHaveLength(1)
    }
    expect(lookup(ex, 'sub.example.test.', 'NS').kind).toBe('delegation')
    expect(lookup(ex, 'sub.example.test.', 'DS').kind).toBe('success')
    expect(lookup(ex, 'x.sub.example.test.', 'DS').kind).toBe('delegation')
  })

  it('follows CNAME chains inside the zone and into other served zones', () => {
    const v = lookup(ex, 'chain1.example.test.', 'A', { findZone })
    expect(v.kind).toBe('success')
    expect(v.chain.map((s) => s.name)).toEqual(['chain1.example.test.', 'chain2.example.test.'])
    expect(v.answer[0]!.name).toBe('www.example.test.')

    const cross = lookup(ex, 'cross.example.test.', 'A', { findZone })
    expect(cross.kind).toBe('success')
    expect(cross.finalZone).toBe(ot)
    expect(cross.zone).toBe(ex)

    const gone = lookup(ex, 'gone.example.test.', 'A', { findZone })
    expect(gone.kind).toBe('name-error')
    expect(gone.chain).toHaveLength(1)
  })

  it('asking for the CNAME type does not follow it', () => {
    const v = lookup(ex, 'web.example.test.', 'CNAME')
    expect(v.kind).toBe('success')
    expect(v.chain).toHaveLength(0)
  })

  it('stops loops and chains that leave the served zones', () => {
    const loop = lookup(ex, 'loop1.example.test.', 'A', { findZone })
    expect(loop.kind).toBe('chain-loop')
    expect(loop.chain.map((s) => s.name)).toEqual(['loop1.example.test.', 'loop2.example.test.'])
    expect(lookup(ex, 'out.example.test.', 'A', { findZone }).kind).toBe('chain-exit')
    // Without findZone the chain ends at the zone's edge.
    expect(lookup(ex, 'cross.example.test.', 'A').kind).toBe('chain-exit')
  })

  it('ANY returns every RRset at the name', () => {
    const v = lookup(ex, 'www.example.test.', 'ANY')
    expect(v.answer.map((s) => s.type).sort()).toEqual(['A', 'AAAA'])
    expect(lookup(ex, 'b.example.test.', 'ANY').kind).toBe('no-data')
  })

  it('the apex answers its own types', () => {
    expect(lookup(ex, 'example.test.', 'NS').kind).toBe('success')
    expect(lookup(ex, 'EXAMPLE.test.', 'SOA').answer[0]!.records).toHaveLength(1)
  })
})
