/**
 * The rdata dispatch (rdata-parse.ts): limits every type shares.
 */
import { describe, expect, it } from 'vitest'
import { parseZone } from './imports.js'
import { errorOf } from './helpers.js'

describe('parseRdata', () => {
  it('refuses rdata longer than 65,535 bytes (RDLENGTH is 16 bits), at the rdata, as a syntax error', () => {
    const key = Buffer.alloc(70000, 7).toString('base64')
    const e = errorOf(() => parseZone(`$TTL 60\nk OPENPGPKEY ${key}\n`, { origin: 'example.' }))
    expect([e.code, e.line, e.column, e.reason]).toEqual(['ERR_ZONE_SYNTAX', 2, 14, 'rdata longer than 65535 bytes'])
    const collected = parseZone(`$TTL 60\nk OPENPGPKEY ${key}\nok A 192.0.2.1\n`, { origin: 'example.', collectErrors: true })
    expect(collected.errors.map((x) => x.reason)).toEqual(['rdata longer than 65535 bytes'])
    expect(collected.rrset('ok.example.', 'A')?.records.length).toBe(1)
  })
})
