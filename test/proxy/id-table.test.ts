import { describe, expect, it } from 'vitest'
import { IdTable } from '../../src/proxy/id-table.js'
import type { Random } from '../../src/util/random.js'
import { seededRandom } from '../../src/util/random.js'

describe('IdTable', () => {
  it('files 60,000 entries under distinct ids, each found under its id', () => {
    const table = new IdTable(seededRandom(3))
    const ids: number[] = []
    for (let i = 0; i < 60_000; i++) ids.push(table.add(i))
    // One assertion over all of them (60,000 expect() calls take seconds, and far longer under
    // mutation testing's instrumentation).
    expect(new Set(ids).size).toBe(60_000)
    expect(table.size).toBe(60_000)
    expect(ids.filter((id, entry) => table.get(id) !== entry)).toEqual([])
  })

  it('fills all 65,536 ids even when the random source gets stuck on a taken id, then refuses', () => {
    // Sequential draws fill every id but 9 (ids 10..65535, then 0..8) in linear time; then the
    // source sticks on 5, taken, and only the walk onward from the last draw can find 9.
    let next = 10
    let stuck = false
    const random: Random = { int: () => (stuck ? 5 : next++ & 0xffff) }
    const table = new IdTable(random)
    const ids = new Set<number>()
    for (let i = 0; i < 0xffff; i++) ids.add(table.add(i))
    expect(ids.size).toBe(0xffff)
    expect(ids.has(9)).toBe(false)
    stuck = true
    expect(table.add(70_000)).toBe(9)
    expect(table.size).toBe(0x10000)
    expect(table.add(70_001)).toBe(-1)
    table.delete(9, 70_000)
    expect(table.add(70_002)).toBe(9)
    expect(table.get(9)).toBe(70_002)
  })

  it('deletes only the entry filed under the id', () => {
    const table = new IdTable({ int: () => 100 })
    expect(table.add(0)).toBe(100)
    table.delete(100, 1)
    expect(table.get(100)).toBe(0)
    table.delete(100, 0)
    expect(table.get(100)).toBe(-1)
    expect(table.size).toBe(0)
    table.delete(100, 0)
    expect(table.size).toBe(0)
  })

  it('collects the handles in flight, in id order', () => {
    let next = 5
    const table = new IdTable({ int: () => next-- })
    for (const handle of [7, 0, 3]) table.add(handle)
    const into = [42]
    table.collect(into)
    expect(into).toEqual([42, 3, 0, 7])
  })
})
