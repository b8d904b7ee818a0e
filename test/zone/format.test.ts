import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ZoneSyntaxError, formatZone, parseZone } from './imports.js'
import { lines } from './helpers.js'
import { formatZoneChunks } from '../../src/zone/format.js'

const features = fileURLToPath(new URL('../fixtures/zones/features.zone', import.meta.url))

describe('formatZone', () => {
  it('round-trips parse → format → parse to the same records, relative and absolute', () => {
    const zone = parseZone(readFileSync(features, 'latin1'), { origin: 'example.org.' })
    for (const options of [{}, { relative: false, defaultTtl: false, ownerWidth: 0 }]) {
      const again = parseZone(formatZone(zone, options), { origin: 'example.org.' })
      expect(lines(again)).toEqual(lines(zone))
      expect([...again.eachRecord()]).toEqual([...zone.eachRecord()])
    }
  })

  it('writes SOA first, $ORIGIN/$TTL, relative names, grouped owners and aligned columns', () => {
    const zone = parseZone('$TTL 300\nwww A 192.0.2.1\n@ SOA ns h 1 2 3 4 5\nwww 60 TXT "x"\n@ NS ns.other.\n', { origin: 'example.' })
    expect(formatZone(zone, { ownerWidth: 8 })).toBe(
      '$ORIGIN example.\n$TTL 300\n' +
        '@               IN SOA    ns h 1 2 3 4 5\n' +
        '                IN NS     ns.other.\n' +
        'www             IN A      192.0.2.1\n' +
        '             60 IN TXT    "x"\n',
    )
  })

  it('round-trips arbitrary TXT bytes and escaped names', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 255 }), fc.uint8Array({ minLength: 1, maxLength: 20 }), (bytes, label) => {
        const name = [...label].map((b) => '\\' + String(b).padStart(3, '0')).join('')
        const zone = parseZone(`${name} 60 TXT \\# ${bytes.length + 1} ${Buffer.from([bytes.length, ...bytes]).toString('hex')}\n`, { origin: 'example.' })
        const again = parseZone(formatZone(zone), { origin: 'example.' })
        expect([...again.eachRecord()]).toEqual([...zone.eachRecord()])
      }),
      { numRuns: 200 },
    )
  })
})

describe('formatZoneChunks', () => {
  it('gives formatZone\'s text in pieces of at most the lines asked for', () => {
    const zone = parseZone('$TTL 300\n@ SOA ns hm 1 1 1 1 1\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.2\nwww TXT "x"\nmail MX 10 www\n', { origin: 'example.' })
    for (const options of [{}, { relative: false }]) {
      for (const per of [1, 2, 3, 100]) {
        const pieces = [...formatZoneChunks(zone, options, per)]
        expect(pieces.join('')).toBe(formatZone(zone, options))
        for (const piece of pieces) {
          expect(piece.endsWith('\n')).toBe(true)
          expect(piece.split('\n').length - 1).toBeLessThanOrEqual(per + 2)
        }
      }
    }
    expect([...formatZoneChunks(zone, {}, 2)].length).toBeGreaterThan(3)
  })
})

describe('fuzz: the parser throws nothing but ZoneSyntaxError', () => {
  const pieces = ['@', '$TTL', '$ORIGIN', '$GENERATE', '$INCLUDE', 'IN', 'CH', 'A', 'MX', 'TXT', 'SOA', 'SVCB', 'NSEC3', 'RRSIG', 'CAA', 'TYPE65', '\\#', '(', ')', '"', ';', '\n', ' ', '\t', '\\', '1h', '10', 'a.b', 'x.', '..', '192.0.2.1', '::1', 'alpn=h2', '${0,3,x}', '1-3', 'AA==', '-']
  it('on token soup and on random strings', () => {
    const check = (text: string): void => {
      for (const collectErrors of [false, true]) {
        try {
          parseZone(text, { origin: 'example.', collectErrors, include: 'deny' })
        } catch (e) {
          if (!(e instanceof ZoneSyntaxError)) throw e
        }
      }
    }
    fc.assert(fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((a) => a.join(' ')), (t) => check(t)), { numRuns: 2000 })
    fc.assert(fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((a) => a.join('')), (t) => check(t)), { numRuns: 2000 })
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (t) => check(t)), { numRuns: 2000 })
  })
})
