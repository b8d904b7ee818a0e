import { describe, expect, it } from 'vitest'
import { diffZones } from '../../src/transfer/index.js'
import { formatRecord } from '../../src/zone/index.js'
import { version } from './helpers.js'

const text = (records: readonly { name: string }[]) => records.map((r) => formatRecord(r as never)).sort()

describe('diffZones', () => {
  it('lists deleted and added records, leaving out the SOA and what is unchanged', () => {
    const d = diffZones(version(1, 'a A 192.0.2.1', 'b A 192.0.2.2'), version(2, 'b A 192.0.2.2', 'c TXT "x"'))
    expect(text(d.deleted)).toEqual(['a.example.com. 300 IN A 192.0.2.1'])
    expect(text(d.added)).toEqual(['c.example.com. 300 IN TXT "x"'])
  })

  it('treats a TTL change as a deletion plus an addition, and owner case as the same name', () => {
    const d = diffZones(version(1, 'a 300 A 192.0.2.1', 'B A 192.0.2.2'), version(2, 'a 60 A 192.0.2.1', 'b A 192.0.2.2'))
    expect(text(d.deleted)).toEqual(['a.example.com. 300 IN A 192.0.2.1'])
    expect(text(d.added)).toEqual(['a.example.com. 60 IN A 192.0.2.1'])
  })

  it('finds nothing between equal zones', () => {
    expect(diffZones(version(1, 'a A 192.0.2.1'), version(1, 'a A 192.0.2.1'))).toEqual({ deleted: [], added: [] })
  })
})
