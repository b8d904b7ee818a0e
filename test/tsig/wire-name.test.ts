import { describe, expect, it } from 'vitest'
import { canonicalNameWire } from '../../src/tsig/wire-name.js'
import { canonicalName } from '../../src/zone/names.js'

describe('canonicalNameWire', () => {
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
  })
})

describe('key names compare in canonicalName form', () => {
  it('is lower case with a trailing dot', () => {
    expect(canonicalName('Partner-Key')).toBe('partner-key.')
    expect(canonicalName('partner-key.')).toBe('partner-key.')
  })
})
