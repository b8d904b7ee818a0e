import { describe, expect, it } from 'vitest'
import {
  canonicalName,
  canonicalSortKey,
  compareNames,
  escapeLabel,
  hasEscapes,
  isAbsolute,
  isCanonicalSubdomain,
  isSubdomain,
  labelBytes,
  labelCount,
  nameLabels,
  nameToWire,
  parentName,
  splitLabels,
} from '../../src/packet/names.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { errorOf } from '../support/error-of.js'

describe('canonicalName folds exactly A-Z', () => {
  it('lowers the first and last capital letters and adds the root dot once', () => {
    expect(canonicalName('A')).toBe('a.')
    expect(canonicalName('Z.')).toBe('z.')
    expect(canonicalName('xA.')).toBe('xa.')
    expect(canonicalName('@[`{.')).toBe('@[`{.')
    expect(canonicalName('.')).toBe('.')
    expect(canonicalName('')).toBe('.')
    // An escaped trailing dot is part of the label, not the root.
    expect(canonicalName('a\\.')).toBe('a\\..')
    expect(canonicalName('a\\\\.')).toBe('a\\\\.')
  })
})

describe('isAbsolute', () => {
  it('is true only for a name ending in an unescaped dot', () => {
    expect(isAbsolute('')).toBe(false)
    expect(isAbsolute('a')).toBe(false)
    expect(isAbsolute('.')).toBe(true)
    expect(isAbsolute('a.')).toBe(true)
    expect(isAbsolute('a\\.')).toBe(false)
    expect(isAbsolute('a\\\\.')).toBe(true)
    expect(isAbsolute('a\\\\\\.')).toBe(false)
    expect(isAbsolute('\\.')).toBe(false)
  })
})

describe('parentName and labelCount', () => {
  it('walks up one label, skipping escaped dots', () => {
    expect(parentName('.')).toBeUndefined()
    expect(parentName('a.')).toBe('.')
    expect(parentName('a.b.')).toBe('b.')
    expect(parentName('www.example.test.')).toBe('example.test.')
    expect(parentName('a\\.b.c.')).toBe('c.')
    expect(parentName('a\\\\.b.')).toBe('b.')
    expect(parentName('a\\.')).toBe('.')
    expect(parentName('a')).toBe('.')
  })

  it('counts labels, not escaped dots, and the root as none', () => {
    expect(labelCount('.')).toBe(0)
    expect(labelCount('a.')).toBe(1)
    expect(labelCount('www.example.test.')).toBe(3)
    expect(labelCount('a\\.b.c.')).toBe(2)
    expect(labelCount('a\\\\.b.')).toBe(2)
  })
})

describe('isSubdomain', () => {
  it('ignores case and a missing trailing dot', () => {
    expect(isSubdomain('WWW.Example.TEST', 'example.test.')).toBe(true)
    expect(isSubdomain('example.test.', 'EXAMPLE.test')).toBe(true)
    expect(isSubdomain('example.test.', 'www.example.test.')).toBe(false)
    expect(isSubdomain('badexample.test.', 'example.test.')).toBe(false)
  })

  it('cuts only at an unescaped dot', () => {
    expect(isCanonicalSubdomain('a\\\\.example.test.', 'example.test.')).toBe(true)
    expect(isCanonicalSubdomain('a\\\\\\.example.test.', 'example.test.')).toBe(false)
    expect(isCanonicalSubdomain('\\.example.test.', 'example.test.')).toBe(false)
    expect(isCanonicalSubdomain('\\\\.example.test.', 'example.test.')).toBe(true)
    expect(isCanonicalSubdomain('example.test.', 'example.test.')).toBe(true)
    expect(isCanonicalSubdomain('test.', 'example.test.')).toBe(false)
    expect(isCanonicalSubdomain('.', 'test.')).toBe(false)
    expect(isCanonicalSubdomain('.', '.')).toBe(true)
  })
})

describe('nameLabels decodes escapes', () => {
  it('turns \\DDD into one byte and \\X into X', () => {
    expect(nameLabels('.')).toEqual([])
    expect(nameLabels('a.b')).toEqual(['a', 'b'])
    expect(nameLabels('\\065b.')).toEqual(['Ab'])
    expect(nameLabels('\\000.')).toEqual(['\x00'])
    expect(nameLabels('\\048.')).toEqual(['0'])
    expect(nameLabels('\\199.')).toEqual(['\xc7'])
    expect(nameLabels('\\255.')).toEqual(['\xff'])
    expect(nameLabels('\\123\\.x.y.')).toEqual(['{.x', 'y'])
    // Not three digits: each escaped character stands for itself.
    expect(nameLabels('\\06.')).toEqual(['06'])
    expect(nameLabels('\\/12.')).toEqual(['/12'])
    expect(nameLabels('\\:12.')).toEqual([':12'])
    expect(nameLabels('\\1/2.')).toEqual(['1/2'])
    expect(nameLabels('\\12:.')).toEqual(['12:'])
    expect(nameLabels('a\\\\b.')).toEqual(['a\\b'])
  })
})

describe('canonical order (RFC 4034 §6.1)', () => {
  it('sorts the RFC example exactly', () => {
    const sorted = ['example.', 'a.example.', 'yljkjljk.a.example.', 'Z.a.example.', 'zABC.a.EXAMPLE.', 'z.example.', '\\001.z.example.', '*.z.example.', '\\200.z.example.']
    const shuffled = [sorted[4], sorted[8], sorted[0], sorted[6], sorted[2], sorted[7], sorted[1], sorted[5], sorted[3]] as string[]
    expect([...shuffled].sort(compareNames)).toEqual(sorted)
    expect([...shuffled].sort((a, b) => (canonicalSortKey(a) < canonicalSortKey(b) ? -1 : 1))).toEqual(sorted)
  })

  it('returns exactly -1, 0 or 1', () => {
    expect(compareNames('a.', 'A.')).toBe(0)
    expect(compareNames('a.', 'b.')).toBe(-1)
    expect(compareNames('b.', 'a.')).toBe(1)
    expect(compareNames('.', 'a.')).toBe(-1)
  })

  it('folds A-Z only, comparing the lower-cased bytes', () => {
    expect(compareNames('[.', 'A.')).toBe(-1) // 0x5b < 'a' (0x61)
    expect(compareNames('Z.', '[.')).toBe(1)
    expect(compareNames('A.', '_.')).toBe(1)
    expect(compareNames('Z.', 'y.')).toBe(1)
    expect(compareNames('@.', '`.')).toBe(-1)
    expect(compareNames('\\000.', '\\001.')).toBe(-1)
    // A label sorts before a longer label it is a prefix of, bytes 0 included.
    expect(compareNames('a.\\000.', '\\000\\000.')).toBe(-1)
    expect(compareNames('a.', 'aa.')).toBe(-1)
    expect(compareNames('b.a.', 'aa.')).toBe(-1)
  })
})

describe('escapeLabel', () => {
  it('keeps printable ASCII, backslash-escapes the specials, \\DDD for the rest', () => {
    expect(escapeLabel('azAZ09-_*!~')).toBe('azAZ09-_*!~')
    expect(escapeLabel('.\\"();@$')).toBe('\\.\\\\\\"\\(\\)\\;\\@\\$')
    expect(escapeLabel(' ')).toBe('\\032')
    expect(escapeLabel('\x00\x09\x1f')).toBe('\\000\\009\\031')
    expect(escapeLabel('\x7f\x80\xff')).toBe('\\127\\128\\255')
    expect(escapeLabel('')).toBe('')
  })

  it('round-trips every byte through nameLabels', () => {
    const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i))
    for (const c of all) expect(nameLabels(`${escapeLabel(`x${c}`)}.`)).toEqual([`x${c}`])
  })
})

describe('hasEscapes, splitLabels, labelBytes', () => {
  it('sees a backslash anywhere', () => {
    expect(hasEscapes('\\065.')).toBe(true)
    expect(hasEscapes('a\\.b.')).toBe(true)
    expect(hasEscapes('a.b.')).toBe(false)
  })

  it('splits relative, empty and escaped names', () => {
    expect(splitLabels('')).toEqual([])
    expect(splitLabels('a.b')).toEqual(['a', 'b'])
    expect(splitLabels('a..b.')).toEqual(['a', '', 'b'])
    expect(splitLabels('a\\.b')).toEqual(['a\\.b'])
    expect(splitLabels('\\065.b.')).toEqual(['\\065', 'b'])
    expect(splitLabels('\\046.\\..')).toEqual(['\\046', '\\.'])
  })

  it('gives the wire bytes of a label', () => {
    expect([...labelBytes('abc')]).toEqual([0x61, 0x62, 0x63])
    expect([...labelBytes('\\.')]).toEqual([0x2e])
    expect([...labelBytes('\\\\')]).toEqual([0x5c])
    expect([...labelBytes('\\000\\255')]).toEqual([0, 255])
    expect([...labelBytes('')]).toEqual([])
  })
})

describe('nameToWire limits and case', () => {
  it('lowers A-Z only, and only when asked', () => {
    expect(nameToWire('@[AZ`{.', { lowerCase: true })).toEqual(Buffer.from('\x06@[az`{\x00', 'latin1'))
    expect(nameToWire('@[AZ`{.', { lowerCase: false })).toEqual(Buffer.from('\x06@[AZ`{\x00', 'latin1'))
    expect(nameToWire('AZ.')).toEqual(Buffer.from('\x02AZ\x00', 'latin1'))
  })

  it('takes a 63-byte label made of escapes and refuses 64', () => {
    expect(nameToWire(`${'\\065'.repeat(63)}.`)).toEqual(Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0x41), Buffer.from([0])]))
    const error = errorOf(() => nameToWire(`${'\\065'.repeat(64)}.`))
    expect(isDnsHaError(error, 'ERR_NAME')).toBe(true)
    expect((error as Error).message).toBe(`name ${JSON.stringify(`${'\\065'.repeat(64)}.`)} has a label longer than 63 bytes`)
  })

  it('counts escaped bytes, not characters, against 255', () => {
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.`
    expect(nameToWire(`${long}${'\\100'.repeat(61)}.`)).toHaveLength(255)
    const error = errorOf(() => nameToWire(`${long}${'\\100'.repeat(62)}.`))
    expect(isDnsHaError(error, 'ERR_NAME')).toBe(true)
    expect((error as Error).message).toMatch(/is longer than 255 bytes$/)
  })

  it('writes bytes up to 0xff and refuses characters past Latin-1', () => {
    expect(nameToWire('\xff.')).toEqual(Buffer.from([1, 0xff, 0]))
    const error = errorOf(() => nameToWire('\u0100.'))
    expect(isDnsHaError(error, 'ERR_NAME')).toBe(true)
    expect((error as Error).message).toMatch(/not a byte/)
    expect(() => nameToWire('.a.')).toThrow(/empty label/)
  })
})
