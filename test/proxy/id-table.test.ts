import { describe, expect, it } from 'vitest'
import { IdTable } from '../../src/proxy/id-table.js'
import type { Random } from '../../src/util/random.js'
import { seededRandom } from '../../src/util/random.js'

describe('IdTable', () => {
  it('files 60,000 entries under distinct ids, each found under its id', () => {
    const table = new IdTable<number>(seededRandom(3))
    const ids = new Map<number, number>()
    for (let i = 0; i < 60_000; i++) {
      const id = table.add(i)!
      expect(ids.has(id)).toBe(false)
      ids.set(id, i)
    }
    expect(table.size).toBe(60_000)
    for (const [id, entry] of ids) expect(table.get(id)).toBe(entry)
  })

  it('fills all 65,536 ids even with a random source stuck on one value, then refuses', () => {
    const stuck: Random = { int: () => 5 }
    const table = new IdTable<number>(stuck)
    const ids = new Set<number>()
    for (let i = 0; i < 0x10000; i++) ids.add(table.add(i)!)
    expect(ids.size).toBe(0x10000)
    expect(table.add(-1)).toBeUndefined()
    table.delete(9, 4)
    expect(table.add(-2)).toBe(9)
  })

  it('deletes only the entry filed under the id', () => {
    const table = new IdTable<string>({ int: () => 100 })
    expect(table.add('a')).toBe(100)
    table.delete(100, 'b')
    expect(table.get(100)).toBe('a')
    table.delete(100, 'a')
    expect(table.get(100)).toBeUndefined()
    expect(table.size).toBe(0)
    table.delete(100, 'a')
    expect(table.size).toBe(0)
  })
})
