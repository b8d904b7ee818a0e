// The answer memo's table: buckets by name, told apart by name, type, class and header variant;
// bounded. (Byte-for-byte agreement with the full path is answer-plain.test.ts's.)
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { AnswerMemo, nameHash } from '../../src/forwarder/answer-memo.js'
import { DnsQuery } from '../../src/server/query.js'
import { seededRandom } from '../../src/util/random.js'

function query(name: string, type = 'A', klass = 'IN'): DnsQuery {
  return DnsQuery.from({ id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as never, class: klass as never }] })
}

const VARIANT = 0x0100 // RD, no EDNS

function remember(memo: AnswerMemo, q: DnsQuery, tag: number): void {
  memo.set(q, 'hosts', 0, Uint8Array.of(tag), Infinity)
}

function recall(memo: AnswerMemo, q: DnsQuery, variant = VARIANT): number | undefined {
  return memo.get(q.raw, q.wireQuestion!.end, variant, 0)?.bytes[0]
}

describe('AnswerMemo', () => {
  it('tells apart two names that share a bucket', () => {
    const memo = new AnswerMemo(1 << 20, seededRandom(3))
    // A birthday search for two names of one length with one hash under this memo's seed.
    const seen = new Map<number, string>()
    let pair: [string, string] | undefined
    for (let i = 0; pair === undefined; i++) {
      const name = `n${String(i).padStart(7, '0')}.example`
      const q = query(name)
      const h = nameHash(q.raw, q.wireQuestion!.end - 4, memo.seed)
      const other = seen.get(h)
      if (other !== undefined) pair = [other, name]
      else seen.set(h, name)
    }
    remember(memo, query(pair[0]), 1)
    expect(recall(memo, query(pair[0]))).toBe(1)
    expect(recall(memo, query(pair[1]))).toBeUndefined()
    remember(memo, query(pair[1]), 2)
    expect([recall(memo, query(pair[0])), recall(memo, query(pair[1]))]).toEqual([1, 2])
  })

  it('keeps a name’s types, classes and variants apart, any case spelling finding them', () => {
    const memo = new AnswerMemo(100)
    remember(memo, query('web.lan', 'A'), 1)
    remember(memo, query('web.lan', 'AAAA'), 2)
    remember(memo, query('web.lan', 'A', 'CH'), 3)
    expect([recall(memo, query('WEB.lan', 'A')), recall(memo, query('web.LAN', 'AAAA')), recall(memo, query('Web.Lan', 'A', 'CH'))]).toEqual([1, 2, 3])
    expect(recall(memo, query('web.lan', 'TXT'))).toBeUndefined()
    expect(recall(memo, query('web.lan', 'A'), VARIANT | 1)).toBeUndefined()
    expect(recall(memo, query('web.lan', 'A'), 0)).toBeUndefined()
  })

  it('replaces the entry for the same question rather than adding a second', () => {
    const memo = new AnswerMemo(2)
    remember(memo, query('a.lan'), 1)
    remember(memo, query('A.lan'), 2)
    expect(recall(memo, query('a.lan'))).toBe(2)
    remember(memo, query('b.lan'), 3)
    expect([recall(memo, query('a.lan')), recall(memo, query('b.lan'))]).toEqual([2, 3])
  })

  it('starts over when full', () => {
    const memo = new AnswerMemo(2)
    remember(memo, query('a.lan'), 1)
    remember(memo, query('b.lan'), 2)
    remember(memo, query('c.lan'), 3)
    expect([recall(memo, query('a.lan')), recall(memo, query('b.lan')), recall(memo, query('c.lan'))]).toEqual([undefined, undefined, 3])
  })
})
