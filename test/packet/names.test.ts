import { describe, expect, it } from 'vitest'
import { canonicalName, isCanonicalSubdomain, labelBytes, splitLabels } from '../../src/packet/names.js'

describe('packet name helpers', () => {
  it('splits labels without being fooled by escaped dots', () => {
    expect(splitLabels('www.example.test.')).toEqual(['www', 'example', 'test'])
    expect(splitLabels('a\\.b.example.')).toEqual(['a\\.b', 'example'])
    expect(splitLabels('a\\\\.b.')).toEqual(['a\\\\', 'b'])
    expect(splitLabels('.')).toEqual([])
  })

  it('decodes label escapes to wire bytes', () => {
    expect([...labelBytes('a\\.b')]).toEqual([0x61, 0x2e, 0x62])
    expect([...labelBytes('\\065z')]).toEqual([65, 0x7a])
  })

  it('compares names case-insensitively, subdomains on label boundaries only', () => {
    expect(canonicalName('WWW.Example.TEST')).toBe('www.example.test.')
    expect(isCanonicalSubdomain('a.example.test.', 'example.test.')).toBe(true)
    expect(isCanonicalSubdomain('aexample.test.', 'example.test.')).toBe(false)
    expect(isCanonicalSubdomain('a\\.example.test.', 'example.test.')).toBe(false) // one label 'a.example' under test.
    expect(isCanonicalSubdomain('x.a\\.example.test.', 'a\\.example.test.')).toBe(true)
    expect(isCanonicalSubdomain('anything.', '.')).toBe(true)
  })
})
