import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { MAX_KEY_LENGTH, writeAnswerCacheKey } from '../../src/authority/cache-key.js'
import { readQuestion } from '../../src/packet/wire.js'

function keyOfRaw(raw: Uint8Array, questionEnd: number, view = 0, variant: 0 | 1 | 2 = 0, size = 512): string | undefined {
  const out = new Uint8Array(MAX_KEY_LENGTH)
  const length = writeAnswerCacheKey(raw, questionEnd, view, variant, size, out)
  return length < 0 ? undefined : Buffer.from(out.subarray(0, length)).toString('hex')
}

function keyOf(name: string, type = 'A', view = 0, variant: 0 | 1 | 2 = 0, size = 512): string | undefined {
  const raw = dnsPacket.encode({ type: 'query', id: 1, questions: [{ name, type: type as 'A' }] })
  return keyOfRaw(raw, readQuestion(raw).end, view, variant, size)
}

describe('writeAnswerCacheKey', () => {
  it('is the same for names that differ only in ASCII case', () => {
    expect(keyOf('WWW.Example.TEST')).toBe(keyOf('www.example.test'))
  })

  it('tells apart bytes outside ASCII that only latin1 would call the same letter in two cases', () => {
    // 0xC0 and 0xE0 are À and à in latin1; DNS compares case in ASCII only (RFC 4343).
    const raw = (byte: number): Buffer => {
      const q = dnsPacket.encode({ type: 'query', id: 1, questions: [{ name: 'x.test', type: 'A' }] })
      q[13] = byte
      return q
    }
    const a = raw(0xc0)
    const b = raw(0xe0)
    expect(keyOfRaw(a, readQuestion(a).end)).not.toBe(keyOfRaw(b, readQuestion(b).end))
  })

  it('differs by type, view, EDNS variant and size class', () => {
    const base = keyOf('a.test')
    expect(new Set([base, keyOf('a.test', 'AAAA'), keyOf('a.test', 'A', 1), keyOf('a.test', 'A', 256), keyOf('a.test', 'A', 0, 1), keyOf('a.test', 'A', 0, 2), keyOf('a.test', 'A', 0, 0, 1232), keyOf('a.test', 'A', 0, 0, 0)]).size).toBe(8)
  })

  it('keeps label boundaries: a.bc and ab.c differ', () => {
    expect(keyOf('a.bc.test')).not.toBe(keyOf('ab.c.test'))
  })

  it('fits the longest name', () => {
    const name = ['x'.repeat(63), 'y'.repeat(63), 'z'.repeat(63), 'w'.repeat(61)].join('.') + '.'
    const raw = dnsPacket.encode({ type: 'query', id: 1, questions: [{ name, type: 'A' }] })
    expect(readQuestion(raw).end - 12).toBe(255 + 4)
    expect(keyOf(name)).toHaveLength(MAX_KEY_LENGTH * 2)
  })

  it('gives no key for a question whose name is a compression pointer', () => {
    // Header, then a question whose name points back into the header (offset 0), type A, class IN.
    const raw = Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x00, 0, 1, 0, 1])
    expect(keyOfRaw(raw, raw.length)).toBeUndefined()
  })
})
