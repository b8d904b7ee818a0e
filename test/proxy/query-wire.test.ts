import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { answersQuestion, checkClientQuery, headerAnswer, servfail } from '../../src/proxy/query-wire.js'
import { RCODE } from '../../src/packet/constants.js'

const query = (name: string, type = 'A', id = 1) => dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.CHECKING_DISABLED, questions: [{ name, type: type as 'A', class: 'IN' }] })
const answer = (name: string, type = 'A', id = 1) => dnsPacket.encode({ type: 'response', id, questions: [{ name, type: type as 'A', class: 'IN' }] })

describe('checkClientQuery', () => {
  it('relays a query with one question and says where the question ends', () => {
    const q = query('www.example.')
    expect(checkClientQuery(q)).toEqual({ kind: 'relay', questionEnd: q.length })
    const withOpt = dnsPacket.encode({ type: 'query', id: 2, questions: [{ name: 'a.', type: 'A', class: 'IN' }], additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 1232 } as never] })
    expect(checkClientQuery(withOpt)).toEqual({ kind: 'relay', questionEnd: 12 + 3 + 4 })
  })

  it('drops what is shorter than a header or is a response', () => {
    expect(checkClientQuery(new Uint8Array(11))).toEqual({ kind: 'drop' })
    expect(checkClientQuery(answer('www.example.'))).toEqual({ kind: 'drop' })
  })

  it('answers FORMERR for no question, two questions, a compressed or truncated name, a cut-off type', () => {
    const none = query('a.')
    none[5] = 0
    const two = query('a.')
    two[5] = 2
    const highCount = query('a.')
    highCount[4] = 1
    const compressed = Buffer.concat([query('a.').subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])])
    const cut = query('www.example.').subarray(0, 20)
    const noType = query('a.').subarray(0, 15)
    for (const bad of [none, two, highCount, compressed, cut, noType]) expect(checkClientQuery(bad)).toEqual({ kind: 'formerr' })
    // The type and class fit exactly: relayed.
    expect(checkClientQuery(query('a.').subarray(0, 19))).toEqual({ kind: 'relay', questionEnd: 19 })
  })
})

describe('answersQuestion', () => {
  const q = query('www.Example.')
  const end = q.length
  it('matches the same question whatever the name case', () => {
    expect(answersQuestion(answer('www.Example.'), q, end)).toBe(true)
    expect(answersQuestion(answer('WWW.EXAMPLE.'), q, end)).toBe(true)
    expect(answersQuestion(answer('www.example.'), q, end)).toBe(true)
  })

  it('refuses another name, type or class, a query, no question or two, a short message', () => {
    expect(answersQuestion(answer('wwx.example.'), q, end)).toBe(false)
    expect(answersQuestion(answer('www.Example.', 'AAAA'), q, end)).toBe(false)
    const chaos = answer('www.Example.')
    chaos[chaos.length - 1] = 3
    expect(answersQuestion(chaos, q, end)).toBe(false)
    expect(answersQuestion(query('www.Example.'), q, end)).toBe(false)
    const none = answer('www.Example.')
    none[5] = 0
    expect(answersQuestion(none, q, end)).toBe(false)
    const two = answer('www.Example.')
    two[4] = 1
    expect(answersQuestion(two, q, end)).toBe(false)
    expect(answersQuestion(answer('www.Example.').subarray(0, end - 1), q, end)).toBe(false)
  })

  it('does not fold bytes that are not letters ([ and {, @ and `)', () => {
    const odd = query('a[.')
    const other = answer('a{.')
    expect(answersQuestion(other, odd, odd.length)).toBe(false)
    expect(answersQuestion(answer('a@.'), query('a`.'), odd.length)).toBe(false)
    expect(answersQuestion(answer('aZ.'), query('az.'), odd.length)).toBe(true)
    expect(answersQuestion(answer('aA.'), query('aa.'), odd.length)).toBe(true)
  })
})

describe('headerAnswer and servfail', () => {
  it('SERVFAIL: id, QR, opcode, RD and CD copied, the question echoed, nothing else', () => {
    const q = query('www.example.', 'MX', 0xbeef)
    const out = dnsPacket.decode(servfail(q, q.length)) as ReturnType<typeof dnsPacket.decode> & { rcode?: string }
    expect(out).toMatchObject({ id: 0xbeef, type: 'response', rcode: 'SERVFAIL', questions: [{ name: 'www.example', type: 'MX', class: 'IN' }], answers: [], authorities: [], additionals: [] })
    expect(out.flags! & dnsPacket.RECURSION_DESIRED).toBe(dnsPacket.RECURSION_DESIRED)
    expect(out.flags! & dnsPacket.CHECKING_DISABLED).toBe(dnsPacket.CHECKING_DISABLED)
    expect(out.flags! & dnsPacket.AUTHORITATIVE_ANSWER).toBe(0)
  })

  it('FORMERR without a question is the bare header, opcode kept', () => {
    const q = Buffer.from(query('a.', 'A', 7))
    q[2] = q[2]! | 0x28 // opcode 5 (UPDATE)
    const out = headerAnswer(q, RCODE.FORMERR)
    expect(out.length).toBe(12)
    expect([...out]).toEqual([0, 7, 0x80 | 0x28 | 0x01 | 0x00, 0x10 | 1, 0, 0, 0, 0, 0, 0, 0, 0])
  })
})
