// parseRecord: one record read without building a zone gives what parseZone's zone holds for the
// same text, and fails with parseZone's error (same message, line and column).
import { describe, expect, it } from 'vitest'
import { parseRecord, parseZone, ZoneSyntaxError } from './imports.js'

const ORIGIN = 'example.com.'
const LINES = [
  'www 300 IN A 192.0.2.1',
  'WWW.Example.COM. 60 IN AAAA 2001:db8::1',
  '@ 300 IN MX 10 mail',
  'txt 300 IN TXT "one" "two words" three',
  '_sip._tcp 300 IN SRV 10 60 5060 sip.example.net.',
  '@ 300 IN CAA 0 issue "ca.example.net"',
  'svc 300 IN HTTPS 1 . alpn=h2,h3 port=8443',
  'u 300 IN TYPE65534 \\# 3 abcdef',
  'a 300 IN A \\# 4 c0000201',
  '@ 300 IN SOA ( ns1 hostmaster\n 2026120401 7200 900\n 1209600 300 )',
  'ptr 300 IN PTR host.example.net.',
  '*.wild 300 IN CNAME target',
]

const viaZone = (text: string) => parseZone(`${text}\n`, { origin: ORIGIN, fileName: '<record>' }).records[0]
const errorOf = (f: () => unknown): ZoneSyntaxError => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(ZoneSyntaxError)
    return e as ZoneSyntaxError
  }
  throw new Error('did not throw')
}

describe('parseRecord', () => {
  it.each(LINES)('reads %j as the zone parser does', (line) => {
    const record = parseRecord(line, ORIGIN)
    expect(record).toEqual(viaZone(line))
    expect(Object.keys(record)).toEqual(Object.keys(viaZone(line)!))
  })

  it('takes a default TTL and a class', () => {
    expect(parseRecord('www A 192.0.2.1', ORIGIN, { defaultTtl: 42 }).ttl).toBe(42)
    expect(parseRecord('www 5 CH A \\# 2 0102', ORIGIN, { class: 'CH' }).class).toBe('CH')
  })

  it.each([
    'www 300 IN A 192.0.2.300',
    'www 300 IN MX mail',
    'www 300 IN BOGUS x',
    'www 300 IN TXT "unterminated',
    '@ 300 IN SOA ( ns1 hostmaster\n 1 2 3\n 4 x )',
    'www 300 CH A 192.0.2.1',
  ])('fails on %j with parseZone\'s error', (line) => {
    const mine = errorOf(() => parseRecord(line, ORIGIN))
    const theirs = errorOf(() => parseZone(`${line}\n`, { origin: ORIGIN, fileName: '<record>' }))
    expect(mine.message).toBe(theirs.message)
    expect([mine.code, mine.file, mine.line, mine.column]).toEqual([theirs.code, theirs.file, theirs.line, theirs.column])
  })

  it('names the file given, and the line of a record continued over lines', () => {
    const e = errorOf(() => parseRecord('@ 300 IN SOA ( ns1 hostmaster\n 1 2 3\n 4 x )', ORIGIN, { fileName: 'j#7' }))
    expect([e.file, e.line]).toEqual(['j#7', 3])
  })

  it('refuses text with no record or more than one', () => {
    expect(errorOf(() => parseRecord('; a comment only', ORIGIN)).code).toBe('ERR_ZONE_SYNTAX')
    expect(errorOf(() => parseRecord('', ORIGIN)).code).toBe('ERR_ZONE_SYNTAX')
    const two = errorOf(() => parseRecord('a 1 IN A 192.0.2.1\nb 1 IN A 192.0.2.2', ORIGIN))
    expect([two.code, two.line]).toEqual(['ERR_ZONE_SYNTAX', 2])
  })

  it('refuses $INCLUDE as zone text does', () => {
    expect(errorOf(() => parseRecord('$INCLUDE /etc/passwd', ORIGIN)).code).toBe(errorOf(() => parseZone('$INCLUDE /etc/passwd\n', { origin: ORIGIN })).code)
  })
})
