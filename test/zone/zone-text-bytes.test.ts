/**
 * Zone text is bytes (parse.ts, rdata-codecs-packet.ts, format.ts): a string is read as its
 * UTF-8 bytes, a Buffer as it is, and every stage after the lexer sees bytes. What a record
 * serves is checked on the wire, through dns-packet, as the authority encodes it.
 */
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { formatZone, parseZone, ZoneSyntaxError } from './imports.js'
import type { Zone } from './imports.js'
import { errorOf } from './helpers.js'

const HEAD = '$TTL 300\n@ SOA ns hostmaster 1 7200 900 1209600 300\n@ NS ns\n'

/** The rdata bytes the zone's records of `name`/`type` put on the wire. */
function wireRdata(zone: Zone, name: string, type: string): Buffer[] {
  const set = zone.rrset(name, type)
  if (set === undefined) throw new Error(`no ${type} at ${name}`)
  const msg = dnsPacket.encode({ type: 'response', id: 1, answers: set.records as never })
  // Header 12 bytes, then each answer: owner, type, class, TTL, rdlength, rdata.
  const out: Buffer[] = []
  let p = 12
  for (let i = 0; i < set.records.length; i++) {
    while (msg[p] !== 0) p += 1 + (msg[p] as number)
    p += 1 + 8
    const len = msg.readUInt16BE(p)
    out.push(msg.subarray(p + 2, p + 2 + len))
    p += 2 + len
  }
  return out
}

const str = (s: string): Buffer => Buffer.concat([Buffer.from([Buffer.byteLength(s)]), Buffer.from(s, 'utf8')])

describe('UTF-8 in zone text', () => {
  it('serves a TXT typed as "café ü" as its UTF-8 bytes, as BIND does', () => {
    const zone = parseZone(`${HEAD}txt IN TXT "café ü"\n`, { origin: 'example.' })
    expect(wireRdata(zone, 'txt.example.', 'TXT')).toEqual([str('café ü')])
  })

  it('reads a string and the Buffer of its UTF-8 alike', () => {
    const text = `${HEAD}txt TXT "naïve" ü\n`
    const fromString = parseZone(text, { origin: 'example.' })
    const fromBytes = parseZone(Buffer.from(text, 'utf8'), { origin: 'example.' })
    expect(wireRdata(fromBytes, 'txt.example.', 'TXT')).toEqual([Buffer.concat([str('naïve'), str('ü')])])
    expect(wireRdata(fromString, 'txt.example.', 'TXT')).toEqual(wireRdata(fromBytes, 'txt.example.', 'TXT'))
  })

  it('serves HINFO, NAPTR, CAA and SPF strings as their UTF-8 bytes', () => {
    const zone = parseZone(
      `${HEAD}h HINFO "Ünïx" "ösé"\nn NAPTR 100 10 "u" "E2U+sip" "!^.*$!sip:café@example.com!" .\nc CAA 0 tbs "wért"\ns SPF "v=spf1 ü"\n`,
      { origin: 'example.' },
    )
    expect(wireRdata(zone, 'h.example.', 'HINFO')).toEqual([Buffer.concat([str('Ünïx'), str('ösé')])])
    const naptr = wireRdata(zone, 'n.example.', 'NAPTR')[0] as Buffer
    expect(naptr.includes(str('!^.*$!sip:café@example.com!'))).toBe(true)
    expect(wireRdata(zone, 'c.example.', 'CAA')).toEqual([Buffer.concat([Buffer.from([0]), str('tbs'), Buffer.from('wért', 'utf8')])])
    expect(wireRdata(zone, 's.example.', 'SPF')).toEqual([str('v=spf1 ü')])
  })

  it('keeps character-strings that are not UTF-8 byte for byte (\\DDD escapes), and writes them back as BIND does', () => {
    const zone = parseZone(`${HEAD}bin HINFO "\\255\\254" "x\\128"\nc CAA 0 tbs "\\200"\n`, { origin: 'example.' })
    expect(wireRdata(zone, 'bin.example.', 'HINFO')).toEqual([Buffer.from([2, 0xff, 0xfe, 2, 0x78, 0x80])])
    expect(wireRdata(zone, 'c.example.', 'CAA')).toEqual([Buffer.from([0, 3, 0x74, 0x62, 0x73, 200])])
    const text = formatZone(zone)
    expect(text).toMatch(/HINFO +"\\255\\254" "x\\128"/)
    expect(text).toMatch(/CAA +0 tbs "\\200"/)
  })

  it('makes non-ASCII bytes of names \\DDD escapes of their UTF-8', () => {
    const zone = parseZone(`${HEAD}café A 192.0.2.2\n`, { origin: 'example.' })
    expect(zone.rrset('caf\\195\\169.example.', 'A')?.records.length).toBe(1)
  })

  it('formats UTF-8 as \\DDD escapes (what named-compilezone writes), which read back to the same bytes', () => {
    const zone = parseZone(`${HEAD}txt TXT "café ü"\nh HINFO "ösé" x\n`, { origin: 'example.' })
    const text = formatZone(zone)
    expect(text).toContain('"caf\\195\\169 \\195\\188"')
    expect(text).toContain('"\\195\\182s\\195\\169"')
    expect(/[^\x00-\x7f]/.test(text)).toBe(false)
    const again = parseZone(text, { origin: 'example.' })
    expect(wireRdata(again, 'txt.example.', 'TXT')).toEqual(wireRdata(zone, 'txt.example.', 'TXT'))
    expect(wireRdata(again, 'h.example.', 'HINFO')).toEqual(wireRdata(zone, 'h.example.', 'HINFO'))
  })

  it('reports errors after UTF-8 with the text as written, the column counting bytes', () => {
    const e = errorOf(() => parseZone(`${HEAD}café BOGUS 1\nnaïve TXT "x" ( \n`, { origin: 'example.', collectErrors: false }))
    expect(e).toBeInstanceOf(ZoneSyntaxError)
    expect([e.line, e.column, e.text]).toEqual([4, 7, 'BOGUS'])
    const bad = errorOf(() => parseZone(`${HEAD}x TXT "ü\\999"\n`, { origin: 'example.' }))
    expect(bad.text).toBe('ü\\999')
  })
})
