/**
 * Zone files from disk (node-files.ts through parse.ts): bytes as they are, a missing file a
 * DnsHaError naming its path (the main file and an `$INCLUDE`d one), and no zone without its name.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { isDnsHaErrorLike, nodeFiles, parseZone, readZoneFile, ZoneFileError, zoneRecords, ZoneSyntaxError } from './imports.js'

const dir = mkdtempSync(join(tmpdir(), 'dns-ha-zone-files-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const ZONE = '$TTL 300\n@ SOA ns hostmaster 1 7200 900 1209600 300\n@ NS ns\nns A 192.0.2.1\n'

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (e) {
    return e
  }
  throw new Error('expected a rejection')
}

describe('nodeFiles', () => {
  it('reads files as bytes', async () => {
    const file = join(dir, 'bytes.zone')
    writeFileSync(file, Buffer.from([0x61, 0xc3, 0xa9, 0xff]))
    expect(nodeFiles.readFileSync(file)).toEqual(Buffer.from([0x61, 0xc3, 0xa9, 0xff]))
    expect(await nodeFiles.readFile(file)).toEqual(Buffer.from([0x61, 0xc3, 0xa9, 0xff]))
  })

  it('gives readZoneFile the bytes of a UTF-8 file', async () => {
    const file = join(dir, 'utf8.zone')
    writeFileSync(file, `${ZONE}txt TXT "café"\n`, 'utf8')
    const zone = await readZoneFile(file, { origin: 'example.' })
    expect(zone.rrset('txt.example.', 'TXT')?.records[0]?.data).toEqual([Buffer.from('café', 'utf8')])
  })
})

describe('zoneRecords over a file source', () => {
  it('closes the file when the consumer stops early', async () => {
    let closed = false
    const files = {
      readFileSync: () => '',
      readFile: async () => '',
      async *stream() {
        try {
          yield Buffer.from(ZONE)
          yield Buffer.from('more A 192.0.2.9\n')
        } finally {
          closed = true
        }
      },
    }
    for await (const rr of zoneRecords('/z/db', { origin: 'example.', files })) {
      expect(rr.type).toBe('SOA')
      break
    }
    expect(closed).toBe(true)
  })
})

describe('a zone file that cannot be read', () => {
  const missing = join(dir, 'no-such.zone')

  it('is a ZoneFileError naming the path (readZoneFile, zoneRecords)', async () => {
    for (const attempt of [
      () => readZoneFile(missing, { origin: 'example.' }),
      async () => {
        for await (const _ of zoneRecords(missing, { origin: 'example.' })) void _
      },
    ]) {
      const e = await rejection(attempt())
      expect(e).toBeInstanceOf(ZoneFileError)
      expect(isDnsHaErrorLike(e, 'ERR_ZONE_FILE')).toBe(true)
      expect((e as ZoneFileError).file).toBe(missing)
      expect((e as Error).message).toContain(missing)
      expect(((e as Error).cause as NodeJS.ErrnoException).code).toBe('ENOENT')
    }
  })

  it('as an $INCLUDE is ERR_ZONE_FILE at the including file, line and column, naming the path', async () => {
    const file = join(dir, 'includer.zone')
    writeFileSync(file, `${ZONE}$INCLUDE gone.inc\n`)
    for (const e of [
      await rejection(readZoneFile(file, { origin: 'example.' })),
      (() => {
        try {
          parseZone(`${ZONE}$INCLUDE gone.inc\n`, { origin: 'example.', fileName: file, include: 'allow' })
        } catch (err) {
          return err
        }
        throw new Error('expected an error')
      })(),
    ]) {
      expect(e).toBeInstanceOf(ZoneSyntaxError)
      const s = e as ZoneSyntaxError
      expect([s.code, s.file, s.line, s.column]).toEqual(['ERR_ZONE_FILE', file, 5, 1])
      expect(s.message).toContain(join(dir, 'gone.inc'))
    }
  })
})

describe('the zone origin', () => {
  it('is required: parseZone, readZoneFile and zoneRecords refuse to guess the root zone', async () => {
    const file = join(dir, 'no-origin.zone')
    writeFileSync(file, ZONE)
    let e: unknown
    try {
      // @ts-expect-error the type requires it; a JavaScript caller can still leave it out
      parseZone(ZONE)
    } catch (err) {
      e = err
    }
    expect(isDnsHaErrorLike(e, 'ERR_ZONE_ORIGIN')).toBe(true)
    // @ts-expect-error the type requires it; a JavaScript caller can still leave it out
    const fromFile = await rejection(readZoneFile(file))
    expect(isDnsHaErrorLike(fromFile, 'ERR_ZONE_ORIGIN')).toBe(true)
    expect((fromFile as Error).message).toContain(file)
    const streamed = await rejection((async () => {
      // @ts-expect-error the type requires it; a JavaScript caller can still leave it out
      for await (const _ of zoneRecords(file)) void _
    })())
    expect(isDnsHaErrorLike(streamed, 'ERR_ZONE_ORIGIN')).toBe(true)
  })

  it("is '.' for the root zone when asked for", () => {
    expect(parseZone(ZONE, { origin: '.' }).origin).toBe('.')
  })
})
