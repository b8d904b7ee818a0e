import { describe, expect, it } from 'vitest'
import { compareSerial, serialIncreased } from '../../src/authority/serial.js'

describe('RFC 1982 serial arithmetic', () => {
  it.each([
    [1, 2, -1],
    [2, 1, 1],
    [7, 7, 0],
    [4294967295, 0, -1],
    [4294967295, 1, -1],
    [1, 4294967295, 1],
    [0, 2147483647, -1],
    [0, 2147483648, 0], // exactly half way round: undefined, treated as "not newer"
    [2147483648, 0, 0],
  ])('compareSerial(%i, %i) = %i', (a, b, expected) => {
    expect(compareSerial(a, b)).toBe(expected)
  })

  it('serialIncreased only for strictly later serials', () => {
    expect(serialIncreased(2024010101, 2024010102)).toBe(true)
    expect(serialIncreased(2024010101, 2024010101)).toBe(false)
    expect(serialIncreased(2024010102, 2024010101)).toBe(false)
    expect(serialIncreased(4294967000, 5)).toBe(true)
  })
})
