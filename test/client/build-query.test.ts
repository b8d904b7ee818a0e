import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { buildQuery, prepareAttempt, randomizeNameCase, templateFromMessage } from '../../src/client/build-query.js'
import { readId, readQuestion } from '../../src/packet/wire.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { seededRandom } from '../../src/util/random.js'

describe('buildQuery', () => {
  it('builds a query dns-packet decodes to the same question, with RD and EDNS by default', () => {
    const t = buildQuery('www.example.', 'AAAA', 'IN')
    const d = dnsPacket.decode(t.bytes)
    expect(d.id).toBe(0)
    expect(d.flag_rd).toBe(true)
    expect(d.questions).toEqual([{ name: 'www.example', type: 'AAAA', class: 'IN' }])
    expect(d.additionals).toEqual([expect.objectContaining({ type: 'OPT', udpPayloadSize: 1232 })])
    expect(t.question).toMatchObject({ name: 'www.example.', type: 28, class: 1 })
  })

  it('encodes numeric TYPEnnn and CLASSnnn', () => {
    const t = buildQuery('x.example', 'TYPE4660', 'CLASS254', { edns: false })
    const q = readQuestion(t.bytes)
    expect([q.type, q.class]).toEqual([4660, 254])
    expect(t.bytes.length).toBe(q.end)
  })

  it('rejects names dns-packet would encode but DNS does not allow', () => {
    const long = Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.') + '.'
    expect(() => buildQuery(long, 'A', 'IN')).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }))
    try {
      buildQuery('', 'A', 'IN')
    } catch (e) {
      expect(isDnsHaError(e, 'ERR_CONFIG')).toBe(true)
    }
  })
})

describe('prepareAttempt', () => {
  it('copies the template with a fresh id and leaves the template alone', () => {
    const t = buildQuery('www.example.', 'A', 'IN')
    const random = seededRandom(3)
    const one = prepareAttempt(t, random, false)
    const two = prepareAttempt(t, random, false)
    expect(readId(one.bytes)).toBe(one.id)
    expect(one.id).not.toBe(two.id)
    expect(readId(t.bytes)).toBe(0)
    expect(one.bytes.subarray(2).equals(t.bytes.subarray(2))).toBe(true)
  })

  it('with 0x20 changes only the case of letters, and reports the name as sent', () => {
    const t = templateFromMessage(buildQuery('a1-b2.Example-9.', 'A', 'IN').bytes)
    const p = prepareAttempt(t, seededRandom(11), true)
    expect(p.question.name.toLowerCase()).toBe('a1-b2.example-9.')
    expect(readQuestion(p.bytes).name).toBe(p.question.name)
    expect(p.bytes.subarray(p.question.end).equals(t.bytes.subarray(t.question.end))).toBe(true)
  })
})

describe('randomizeNameCase', () => {
  it('over many draws yields both cases of every letter and never touches other bytes', () => {
    const base = buildQuery('ab.c-d.', 'A', 'IN', { edns: false }).bytes
    const random = seededRandom(5)
    const seen = new Set<string>()
    for (let i = 0; i < 64; i++) {
      const b = Buffer.from(base)
      randomizeNameCase(b, 12, random)
      for (let j = 0; j < b.length; j++) if (b[j]! !== base[j]!) expect(b[j]! ^ base[j]!).toBe(0x20)
      seen.add(readQuestion(b).name)
    }
    // 4 letters, 16 case patterns; 64 draws see them all.
    expect(seen.size).toBe(16)
  })
})
