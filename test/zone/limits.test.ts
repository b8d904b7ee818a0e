/**
 * Safe defaults for untrusted zone text: `$INCLUDE` denied for text and jailed for files, and the
 * zone limits (maxRecords, maxRecordsPerType, maxTypesPerName, maxGenerate, maxIncludeDepth,
 * maxZoneBytes), each crossed at the line that crossed it with the limit named.
 */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZONE_FILE_LIMITS, ZONE_TEXT_LIMITS, Zone, ZoneSyntaxError, checkZoneLimits, isDnsHaErrorLike, parseZone, readZoneFile, zoneRecords } from './imports.js'
import type { ZoneFileSource } from './imports.js'
import { errorOf } from './helpers.js'

const HEAD = '$TTL 1h\n@ SOA ns hostmaster 1 7200 900 1209600 300\n@ NS ns\n'

async function rejection(p: Promise<unknown>): Promise<ZoneSyntaxError> {
  try {
    await p
  } catch (e) {
    if (e instanceof ZoneSyntaxError) return e
    throw e
  }
  throw new Error('expected a ZoneSyntaxError')
}

function memoryFiles(map: Record<string, string>): ZoneFileSource {
  const read = (p: string): string => {
    const t = map[p]
    if (t === undefined) throw new Error(`ENOENT ${p}`)
    return t
  }
  return { readFileSync: read, readFile: async (p) => read(p) }
}

describe('$INCLUDE defaults', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dns-ha-limits-'))
    mkdirSync(join(dir, 'zones'))
    writeFileSync(join(dir, 'secret.txt'), 'secret A 192.0.2.66\n')
    writeFileSync(join(dir, 'zones', 'hosts.inc'), 'www A 192.0.2.1\n')
    symlinkSync(join(dir, 'secret.txt'), join(dir, 'zones', 'link.inc'))
    writeFileSync(join(dir, 'zones', 'db.ok'), `${HEAD}$INCLUDE hosts.inc\n`)
    writeFileSync(join(dir, 'zones', 'db.up'), `${HEAD}$INCLUDE ../secret.txt\n`)
    writeFileSync(join(dir, 'zones', 'db.abs'), `${HEAD}$INCLUDE ${join(dir, 'secret.txt')}\n`)
    writeFileSync(join(dir, 'zones', 'db.link'), `${HEAD}$INCLUDE link.inc\n`)
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('parseZone on a string refuses $INCLUDE, naming the directive and the policy, not the target', () => {
    const e = errorOf(() => parseZone(`${HEAD}$INCLUDE ${join(dir, 'secret.txt')}\n`, { origin: 'example.' }))
    expect([e.code, e.file, e.line, e.column]).toEqual(['ERR_ZONE_INCLUDE', '<zone>', 4, 1])
    expect(e.reason).toMatch(/^\$INCLUDE is not allowed \(include policy 'deny'/)
    expect(e.message).not.toContain('192.0.2.66')
    expect(e.message).not.toContain('secret A')
    // /etc/passwd is not read either: the error is at the zone text, not inside /etc/passwd.
    expect(errorOf(() => parseZone('$INCLUDE /etc/passwd\n', { origin: 'example.' })).file).toBe('<zone>')
  })

  it('parseZone still follows $INCLUDE when the caller allows it (the old option keeps working)', () => {
    const zone = parseZone(`${HEAD}$INCLUDE hosts.inc\n`, { origin: 'example.', fileName: join(dir, 'zones', 'db'), include: 'allow' })
    expect(zone.rrset('www.example.', 'A')?.records.length).toBe(1)
  })

  it('readZoneFile includes inside the zone file\'s directory', async () => {
    const zone = await readZoneFile(join(dir, 'zones', 'db.ok'), { origin: 'example.' })
    expect(zone.rrset('www.example.', 'A')?.records[0]?.data).toBe('192.0.2.1')
  })

  it('readZoneFile refuses ../, absolute paths and symbolic links out of the directory', async () => {
    for (const name of ['db.up', 'db.abs', 'db.link']) {
      const e = await rejection(readZoneFile(join(dir, 'zones', name), { origin: 'example.' }))
      expect([e.code, e.line, e.column]).toEqual(['ERR_ZONE_INCLUDE', 4, 1])
      expect(e.reason).toMatch(/is outside .*\(include policy jail\)$/)
      expect(e.message).not.toContain('192.0.2.66')
    }
  })

  it('zoneRecords of a path jails too, and of a stream denies', async () => {
    const collect = async (source: string | AsyncIterable<string>): Promise<unknown> => {
      try {
        for await (const _ of zoneRecords(source, { origin: 'example.' })) { /* drain */ }
      } catch (e) {
        return e
      }
      return undefined
    }
    expect((await collect(join(dir, 'zones', 'db.up')) as ZoneSyntaxError).reason).toMatch(/outside/)
    async function* stream(): AsyncGenerator<string> {
      yield `${HEAD}$INCLUDE ${join(dir, 'zones', 'hosts.inc')}\n`
    }
    expect((await collect(stream()) as ZoneSyntaxError).reason).toMatch(/include policy 'deny'/)
  })

  it('readZoneFile with include: \'allow\' or another jail follows the caller\'s policy', async () => {
    const zone = await readZoneFile(join(dir, 'zones', 'db.up'), { origin: 'example.', include: 'allow' })
    expect(zone.rrset('secret.example.', 'A')?.records.length).toBe(1)
    const jailed = await readZoneFile(join(dir, 'zones', 'db.up'), { origin: 'example.', include: { jail: dir } })
    expect(jailed.rrset('secret.example.', 'A')?.records.length).toBe(1)
  })
})

describe('limits', () => {
  it('$GENERATE over maxGenerate fails at once at the range, naming the limit', () => {
    const started = Date.now()
    const e = errorOf(() => parseZone(`${HEAD}$GENERATE 1-2000000000 h$ A 10.0.0.1\n`, { origin: 'example.' }))
    expect(Date.now() - started).toBeLessThan(1000)
    expect([e.code, e.line, e.column, e.details?.limit, e.details?.value]).toEqual(['ERR_ZONE_LIMIT', 4, 11, 'maxGenerate', 65536])
    expect(e.reason).toBe("$GENERATE range '1-2000000000' makes 2000000000 records (maxGenerate 65536)")
    expect(parseZone(`${HEAD}$GENERATE 0-20/2 h$ A 10.0.0.1\n`, { origin: 'example.', maxGenerate: 11 }).size).toBe(2 + 11)
    expect(errorOf(() => parseZone(`${HEAD}$GENERATE 0-20/2 h$ A 10.0.0.1\n`, { origin: 'example.', maxGenerate: 10 })).details?.limit).toBe('maxGenerate')
  })

  it('maxRecordsPerType defaults to 100 (BIND 9.18) and is checked at the record that crossed it', () => {
    const a = (n: number): string => Array.from({ length: n }, (_, i) => `www A 10.0.${i >> 8}.${i & 255}\n`).join('')
    expect(parseZone(`${HEAD}${a(100)}www A 10.0.0.0\n`, { origin: 'example.' }).rrset('www.example.', 'A')?.records.length).toBe(100)
    const e = errorOf(() => parseZone(`${HEAD}${a(101)}`, { origin: 'example.' }))
    expect([e.code, e.line, e.details?.limit]).toEqual(['ERR_ZONE_LIMIT', 3 + 101, 'maxRecordsPerType'])
    expect(e.reason).toBe('too many A records at www.example. (maxRecordsPerType 100)')
    expect(parseZone(`${HEAD}${a(300)}`, { origin: 'example.', maxRecordsPerType: 0 }).rrset('www.example.', 'A')?.records.length).toBe(300)
    expect(errorOf(() => parseZone(`${HEAD}${a(3)}`, { origin: 'example.', maxRecordsPerType: 2 })).line).toBe(6)
  })

  it('both per-name bounds hold at a name first made an empty non-terminal (kept as objects)', () => {
    // `x.www` first makes `www` an empty non-terminal node, so its records take the other path.
    const a = Array.from({ length: 101 }, (_, i) => `www A 10.0.0.${i}\n`).join('')
    expect(errorOf(() => parseZone(`${HEAD}x.www A 10.0.0.1\n${a}`, { origin: 'example.' })).details?.limit).toBe('maxRecordsPerType')
    expect(parseZone(`${HEAD}x.www A 10.0.0.1\n${a}www A 10.0.0.0\n`, { origin: 'example.', maxRecordsPerType: 101 }).rrset('www.example.', 'A')?.records.length).toBe(101)
    const e = errorOf(() => parseZone(`${HEAD}x.www A 10.0.0.1\nwww A 10.0.0.1\nwww AAAA ::1\nwww TXT x\n`, { origin: 'example.', maxTypesPerName: 2 }))
    expect([e.line, e.details?.limit]).toEqual([7, 'maxTypesPerName'])
  })

  it('maxTypesPerName defaults to 100 (BIND 9.18)', () => {
    const types = (n: number): string => Array.from({ length: n }, (_, i) => `multi TYPE${65280 + i} \\# 0\n`).join('')
    expect(parseZone(`${HEAD}${types(100)}`, { origin: 'example.' }).get('multi.example.')?.rrsets.size).toBe(100)
    const e = errorOf(() => parseZone(`${HEAD}${types(101)}`, { origin: 'example.' }))
    expect([e.code, e.line, e.details?.limit]).toEqual(['ERR_ZONE_LIMIT', 3 + 101, 'maxTypesPerName'])
    expect(e.reason).toBe('too many RR types at multi.example. (maxTypesPerName 100)')
    expect(parseZone(`${HEAD}${types(150)}`, { origin: 'example.', maxTypesPerName: 150 }).get('multi.example.')?.rrsets.size).toBe(150)
  })

  it('maxRecords bounds the zone, also with collectErrors', () => {
    const text = `${HEAD}a A 10.0.0.1\nb A 10.0.0.2\nc A 10.0.0.3\n`
    const e = errorOf(() => parseZone(text, { origin: 'example.', maxRecords: 4 }))
    expect([e.code, e.line, e.details?.limit, e.details?.value]).toEqual(['ERR_ZONE_LIMIT', 6, 'maxRecords', 4])
    expect(errorOf(() => parseZone(`bad line\n${text}`, { origin: 'example.', maxRecords: 4, collectErrors: true })).details?.limit).toBe('maxRecords')
    expect(parseZone(text, { origin: 'example.', maxRecords: 5 }).size).toBe(5)
  })

  it('defaults: bounded records and bytes for text, unbounded for files (as BIND), per-name bounds for both', () => {
    expect(ZONE_TEXT_LIMITS).toEqual({ maxRecords: 1_000_000, maxRecordsPerType: 100, maxTypesPerName: 100, maxGenerate: 65_536, maxIncludeDepth: 20, maxZoneBytes: 64 * 1024 * 1024 })
    expect(ZONE_FILE_LIMITS).toEqual({ maxRecords: 0, maxRecordsPerType: 100, maxTypesPerName: 100, maxGenerate: 65_536, maxIncludeDepth: 20, maxZoneBytes: 0 })
    const big = `${HEAD}${'; padding comment line to make the text long\n'.repeat(2000)}`
    expect(errorOf(() => parseZone(big, { origin: 'example.', maxZoneBytes: 1000 })).details?.limit).toBe('maxZoneBytes')
    expect(() => parseZone(`${HEAD}a A 10.0.0.1\n`, { origin: 'example.', maxRecords: -1 })).toThrow(/maxRecords must be a non-negative integer/)
  })

  it('maxIncludeDepth bounds nested $INCLUDEs, at the directive that went one deeper', () => {
    const files = memoryFiles({ '/z/i1': '$INCLUDE i2\n', '/z/i2': '$INCLUDE i3\n', '/z/i3': 'x A 10.0.0.1\n' })
    const options = { origin: 'example.', fileName: '/z/db', files, include: 'allow' as const }
    expect(parseZone(`${HEAD}$INCLUDE i1\n`, { ...options, maxIncludeDepth: 3 }).rrset('x.example.', 'A')).toBeDefined()
    const e = errorOf(() => parseZone(`${HEAD}$INCLUDE i1\n`, { ...options, maxIncludeDepth: 2 }))
    expect([e.code, e.file, e.line, e.details?.limit]).toEqual(['ERR_ZONE_LIMIT', '/z/i2', 1, 'maxIncludeDepth'])
  })

  it('maxZoneBytes counts the text and its includes, and names the line holding the first byte too many', async () => {
    const text = 'a A 10.0.0.1\nb A 10.0.0.2\nc A 10.0.0.3\n' // 13 bytes a line
    const e = errorOf(() => parseZone(`$TTL 1h\n${text}`, { origin: 'example.', maxZoneBytes: 8 + 13 + 5 }))
    expect([e.code, e.line, e.column, e.details?.limit]).toEqual(['ERR_ZONE_LIMIT', 3, 1, 'maxZoneBytes'])
    const files = memoryFiles({ '/z/inc': text })
    const inc = errorOf(() => parseZone('$TTL 1h\n$INCLUDE inc\n', { origin: 'example.', fileName: '/z/db', files, include: 'allow', maxZoneBytes: 21 + 13 * 2 }))
    expect([inc.file, inc.line]).toEqual(['/z/inc', 3])
    const streamed = await rejection(readZoneFile('/z/db', { origin: 'example.', files: memoryFiles({ '/z/db': `$TTL 1h\n${text}` }), maxZoneBytes: 8 + 13 * 2 + 1 }))
    expect([streamed.file, streamed.line, streamed.details?.limit]).toEqual(['/z/db', 4, 'maxZoneBytes'])
  })
})

describe('checkZoneLimits (a zone built another way: by transfer, update or hand)', () => {
  it('refuses a zone over a limit, naming it; accepts one within', () => {
    const zone = new Zone('example.')
    zone.add({ name: 'example.', type: 'SOA', class: 'IN', ttl: 60, data: { mname: 'ns.example.', rname: 'h.example.', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 1 } })
    for (let i = 0; i < 101; i++) zone.add({ name: 'www.example.', type: 'A', class: 'IN', ttl: 60, data: `10.0.0.${i}` })
    const e = errorOf2(() => checkZoneLimits(zone))
    expect([e.code, e.details?.limit]).toEqual(['ERR_ZONE_LIMIT', 'maxRecordsPerType'])
    expect(() => checkZoneLimits(zone, { maxRecordsPerType: 101 })).not.toThrow()
    expect(errorOf2(() => checkZoneLimits(zone, { maxRecordsPerType: 101, maxRecords: 50 })).details?.limit).toBe('maxRecords')
  })

  it('places the error at the record\'s line when the zone was parsed', () => {
    const zone = parseZone(`${HEAD}www A 10.0.0.1\nwww A 10.0.0.2\nwww A 10.0.0.3\n`, { origin: 'example.' })
    const e = errorOf(() => checkZoneLimits(zone, { maxRecordsPerType: 2 }))
    expect([e.line, e.details?.limit]).toEqual([6, 'maxRecordsPerType'])
  })
})

describe('checkZoneLimits after parsing', () => {
  const wide = `${HEAD}${Array.from({ length: 150 }, (_, i) => `www A 10.0.0.${i}\n`).join('')}`

  it('walks a zone parsed under looser limits, and one edited since it was parsed', () => {
    const loose = parseZone(wide, { origin: 'example.', maxRecordsPerType: 200 })
    expect(errorOf(() => checkZoneLimits(loose)).details?.limit).toBe('maxRecordsPerType')
    const strict = parseZone(`${HEAD}www A 10.0.0.1\n`, { origin: 'example.' })
    expect(() => checkZoneLimits(strict)).not.toThrow()
    for (let i = 2; i < 102; i++) strict.add({ name: 'www.example.', type: 'A', class: 'IN', ttl: 60, data: `10.0.0.${i}` })
    expect(errorOf2(() => checkZoneLimits(strict)).details?.limit).toBe('maxRecordsPerType')
  })
})

function errorOf2(fn: () => unknown): { code: string; details: Record<string, unknown> | undefined } {
  try {
    fn()
  } catch (e) {
    if (isDnsHaErrorLike(e)) return e
    throw e
  }
  throw new Error('expected an error')
}

describe('fuzz: random directives and sizes end within the limits', () => {
  const piece = fc.oneof(
    fc.tuple(fc.nat(3_000_000), fc.nat(3_000_000), fc.integer({ min: 1, max: 5 })).map(([a, b, s]) => `$GENERATE ${Math.min(a, b)}-${Math.max(a, b)}/${s} g$ A 10.0.0.1\n`),
    fc.tuple(fc.nat(40), fc.nat(200)).map(([a, b]) => `$GENERATE ${a}-${a + b} h${'${0,3,x}'} TXT "t$"\n`),
    fc.constantFrom('$INCLUDE /etc/passwd\n', '$INCLUDE ../x\n', '$INCLUDE self\n', '$INCLUDE deep\n', '$TTL 60\n', '$ORIGIN sub.example.\n', '$ORIGIN example.\n', 'bad line here\n'),
    fc.tuple(fc.constantFrom('a', 'b', '@', 'c.d'), fc.nat(300), fc.nat(120)).map(([owner, n, t]) => `${owner} 60 A 10.0.${n >> 8}.${n & 255}\n${owner} 60 TYPE${65280 + t} \\# 0\n`),
    fc.tuple(fc.constantFrom('a', 'b'), fc.integer({ min: 1, max: 400 })).map(([owner, n]) => Array.from({ length: n }, (_, i) => `${owner} 60 AAAA ::${i.toString(16)}\n`).join('')),
  )
  const files = memoryFiles({ '/z/self': '$INCLUDE self\n', '/z/deep': '$INCLUDE deep2\n', '/z/deep2': '$INCLUDE deep\n' })

  it('parseZone returns a zone within the limits or throws a DnsHaError, never hangs', () => {
    const started = Date.now()
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 30 }),
        fc.record({ maxRecords: fc.integer({ min: 1, max: 20_000 }), maxRecordsPerType: fc.integer({ min: 1, max: 150 }), maxTypesPerName: fc.integer({ min: 1, max: 150 }), maxGenerate: fc.integer({ min: 1, max: 5_000 }), maxZoneBytes: fc.integer({ min: 1, max: 200_000 }) }),
        fc.constantFrom<'allow' | 'deny'>('allow', 'deny'),
        fc.boolean(),
        (pieces, limits, include, collectErrors) => {
          const text = `$TTL 60\n${pieces.join('')}`
          const t0 = Date.now()
          let zone: Zone | undefined
          try {
            zone = parseZone(text, { origin: 'example.', fileName: '/z/db', files, include, collectErrors, ...limits })
          } catch (e) {
            expect(isDnsHaErrorLike(e)).toBe(true)
          }
          expect(Date.now() - t0).toBeLessThan(5000)
          if (zone !== undefined) {
            expect(zone.size).toBeLessThanOrEqual(limits.maxRecords)
            expect(() => checkZoneLimits(zone, limits)).not.toThrow()
          }
        },
      ),
      { numRuns: 150, seed: 17 },
    )
    expect(Date.now() - started).toBeLessThan(60_000)
  })
})
