import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import type { ExpectedAnswer } from '../../src/client/match-response.js'
import { isTruncated, matchResponse } from '../../src/client/match-response.js'

const expected: ExpectedAnswer = { id: 0x1234, question: { name: 'WwW.example.', type: 1, class: 1 }, exactCase: false }

const response = (over: { id?: number; name?: string; type?: string; flags?: number; type_?: 'query' | 'response'; questions?: number } = {}) =>
  dnsPacket.encode({
    type: over.type_ ?? 'response',
    id: over.id ?? 0x1234,
    flags: over.flags ?? 0,
    questions: Array.from({ length: over.questions ?? 1 }, () => ({ name: over.name ?? 'WwW.example', type: (over.type ?? 'A') as never, class: 'IN' as const })),
  })

describe('matchResponse', () => {
  it.each([
    ['ok', response()],
    ['ok', response({ name: 'www.EXAMPLE' })],
    ['short', Buffer.alloc(11)],
    ['not-response', response({ type_: 'query' })],
    ['wrong-id', response({ id: 0x1235 })],
    ['wrong-question', response({ name: 'www.example.net' })],
    ['wrong-question', response({ type: 'AAAA' })],
    ['wrong-question', response({ questions: 0 })],
    ['wrong-question', response({ questions: 2 })],
    ['wrong-question', Buffer.concat([response().subarray(0, 14)])],
  ])('%s', (verdict, bytes) => {
    expect(matchResponse(bytes, expected)).toBe(verdict)
  })

  it('compares the name exactly under 0x20', () => {
    const exact = { ...expected, exactCase: true }
    expect(matchResponse(response(), exact)).toBe('ok')
    expect(matchResponse(response({ name: 'www.example' }), exact)).toBe('wrong-question')
  })

  it('reads TC', () => {
    expect(isTruncated(response({ flags: dnsPacket.TRUNCATED_RESPONSE }))).toBe(true)
    expect(isTruncated(response())).toBe(false)
  })
})
