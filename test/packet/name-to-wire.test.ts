import { describe, expect, it } from 'vitest'
import { canonicalName, nameToWire } from '../../src/packet/names.js'
import { isDnsHaError } from '../../src/util/errors.js'

const canonicalNameWire = (name: string) => nameToWire(name, { lowerCase: true })

describe('nameToWire', () => {
  it('keeps case unless asked to lower it', () => {
    expect(nameToWire('Key.Example.')).toEqual(Buffer.from('\x03Key\x07Example\x00', 'latin1'))
  })

  it('lower-cases ASCII, decodes escapes, and treats the trailing dot as optional', () => {
    expect(canonicalNameWire('Key.Example.')).toEqual(Buffer.from('\x03key\x07example\x00', 'latin1'))
    expect(canonicalNameWire('key.example')).toEqual(canonicalNameWire('KEY.EXAMPLE.'))
    expect(canonicalNameWire('a\\.B.x.')).toEqual(Buffer.from('\x03a.b\x01x\x00', 'latin1'))
    expect(canonicalNameWire('\\065\\255.x')).toEqual(Buffer.from([2, 0x61, 0xff, 1, 0x78, 0]))
    expect(canonicalNameWire('.')).toEqual(Buffer.from([0]))
  })

  it('refuses names DNS cannot carry', () => {
    expect(() => canonicalNameWire(`${'a'.repeat(63)}.`.repeat(4))).toThrow(/longer than 255/)
    expect(() => canonicalNameWire('\\300.x')).toThrow(/bad escape/)
    expect(() => nameToWire('a..b.')).toThrow(/empty label/)
    expect(() => nameToWire(`${'a'.repeat(64)}.x.`)).toThrow(/longer than 63/)
    expect(nameToWire(`${'a'.repeat(63)}.x.`)).toHaveLength(63 + 1 + 2 + 1)
    // 255 bytes exactly is the limit: 3 labels of 63 + one of 61 = 4*1 + 250 + 1 root byte.
    const longest = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}.`
    expect(nameToWire(longest)).toHaveLength(255)
    expect(() => nameToWire('e' + longest)).toThrow(/longer than 255/)
    let error: unknown
    try {
      nameToWire('a..b.')
    } catch (e) {
      error = e
    }
    expect(isDnsHaError(error, 'ERR_NAME')).toBe(true)
  })
})

describe('key names compare in canonicalName form', () => {
  it('is lower case with a trailing dot', () => {
    expect(canonicalName('Partner-Key')).toBe('partner-key.')
    expect(canonicalName('partner-key.')).toBe('partner-key.')
  })
})
