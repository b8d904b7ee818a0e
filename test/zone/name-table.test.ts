// NameTable: a property test against Map models, with share() at any point (both sides then
// inserting and replacing, across the first page's growth from 16 entries and past one page).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { NameTable } from '../../src/zone/name-table.js'

type Step = { side: 0 | 1; name: number; value: number }

function agree(table: NameTable<number>, model: Map<string, number>): void {
  expect(table.size).toBe(model.size)
  for (const [k, v] of model) expect(table.get(k)).toBe(v)
  const keys = new Set<string>()
  for (let e = 0; e < table.size; e++) keys.add(table.key(e))
  expect(keys).toEqual(new Set(model.keys()))
}

describe('NameTable', () => {
  it('keeps two shared tables apart whatever each then writes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 200 }), { maxLength: 120 }),
        fc.array(fc.record({ side: fc.constantFrom(0 as const, 1 as const), name: fc.nat({ max: 300 }), value: fc.integer() }), { maxLength: 200 }),
        (before, steps: Step[]) => {
          const a = new NameTable<number>()
          const models = [new Map<string, number>(), new Map<string, number>()] as const
          for (const n of before) {
            a.set(`n${n}.example.`, n)
            models[0].set(`n${n}.example.`, n)
          }
          const b = a.share()
          for (const [k, v] of models[0]) models[1].set(k, v)
          const tables = [a, b] as const
          for (const s of steps) {
            tables[s.side].set(`n${s.name}.example.`, s.value)
            models[s.side].set(`n${s.name}.example.`, s.value)
          }
          agree(a, models[0])
          agree(b, models[1])
        },
      ),
      { numRuns: 150 },
    )
  })

  it('holds more than a page of names, shared and then grown on one side', () => {
    const a = new NameTable<number>()
    for (let i = 0; i < 9000; i++) a.set(`h${i}.`, i)
    const b = a.share()
    for (let i = 9000; i < 20_000; i++) b.set(`h${i}.`, i)
    a.set('h5.', -5)
    expect([a.size, b.size]).toEqual([9000, 20_000])
    expect([a.get('h5.'), b.get('h5.'), a.get('h9000.'), b.get('h19999.')]).toEqual([-5, 5, undefined, 19_999])
  })
})
