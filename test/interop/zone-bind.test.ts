/**
 * Differential test against BIND: for each zone of the corpus, BIND's reading of the original
 * file must equal BIND's reading of parseZone → formatZone of it.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { formatRecord, formatZone, parseZone, readZoneFile } from '../../src/zone/index.js'

const available = spawnSync('named-compilezone', ['-v']).status === 0
if (!available) console.warn('zone-bind interop: named-compilezone not found (apt-get install bind9-utils); skipping')

const fixtures = fileURLToPath(new URL('../fixtures/zones/', import.meta.url))
/** The shared testdata corpus, vendored from ../shared/testdata (see its README). */
const shared = fileURLToPath(new URL('../fixtures/testdata/zones/', import.meta.url))

const corpus: Array<[string, string]> = [
  [join(fixtures, 'features.zone'), 'example.org.'],
  [join(fixtures, 'bind-parity.zone'), 'example.net.'],
  [join(shared, 'vipshop.zone'), 'vipshop.com.'],
  [join(shared, 'db.local'), 'localhost.'],
  [join(shared, 'db.127'), '127.in-addr.arpa.'],
  [join(shared, 'db.empty'), 'example.'],
]

const dir = mkdtempSync(join(tmpdir(), 'dns-ha-zone-bind-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** BIND's reading of a file: named-compilezone's full text output, sorted. */
function compile(origin: string, file: string, out: string, checkNames = true): string[] {
  const args = [...(checkNames ? [] : ['-k', 'ignore']), '-i', 'local', '-f', 'text', '-F', 'text', '-s', 'full', '-o', out, origin, file]
  execFileSync('named-compilezone', args, { stdio: 'pipe' })
  return readFileSync(out, 'latin1').split('\n').filter((l) => l !== '' && !l.startsWith(';')).map((l) => l.replace(/\s+/g, ' ')).sort()
}

describe.skipIf(!available)('parseZone → formatZone agrees with named-compilezone', () => {
  it.each(corpus)('%s', (file, origin) => {
    const zone = parseZone(readFileSync(file), { origin, fileName: file })
    const formatted = join(dir, 'formatted.zone')
    writeFileSync(formatted, formatZone(zone), 'latin1')
    const expected = compile(origin, file, join(dir, 'expected.txt'))
    const actual = compile(origin, formatted, join(dir, 'actual.txt'))
    expect(actual).toEqual(expected)
    expect(expected.length).toBeGreaterThan(0)
  })

  it('absolute-name output (relative: false) agrees too', () => {
    const file = join(fixtures, 'features.zone')
    const zone = parseZone(readFileSync(file), { origin: 'example.org.', fileName: file })
    const formatted = join(dir, 'absolute.zone')
    writeFileSync(formatted, formatZone(zone, { relative: false, defaultTtl: false, ownerWidth: 0 }), 'latin1')
    expect(compile('example.org.', formatted, join(dir, 'b.txt'))).toEqual(compile('example.org.', file, join(dir, 'a.txt')))
  })
})

/**
 * Raw UTF-8 in character-strings and names, as people type it into zone files. BIND reads the
 * bytes as they are (and writes bytes outside printable ASCII as \DDD).
 */
const UTF8_ZONE = `$TTL 300
@ IN SOA ns hostmaster 1 7200 900 1209600 300
@ NS ns
ns A 192.0.2.1
txt IN TXT "café ü" naïve
hinfo HINFO "Ünïx CPU" "ösé"
naptr NAPTR 100 10 "u" "E2U+sip" "!^.*$!sip:café@example.com!" .
caa CAA 0 tbs "ünïcode wert"
caa CAA 0 issue "ca.example.net; note=ä"
spf SPF "v=spf1 -all ü"
café A 192.0.2.2
bin HINFO "\\255\\254" "x\\128"
`

describe.skipIf(!available)('UTF-8 zone text agrees with named-compilezone', () => {
  const file = join(dir, 'utf8.zone')
  writeFileSync(file, UTF8_ZONE, 'utf8')

  it('reads raw UTF-8 TXT, HINFO, NAPTR, CAA, SPF and owner names to the bytes BIND reads', async () => {
    const expected = compile('example.', file, join(dir, 'utf8-expected.txt'), false)
    expect(expected.some((l) => l.includes('"caf\\195\\169 \\195\\188" "na\\195\\175ve"'))).toBe(true)
    // Our records, written absolute, line for line as BIND writes them.
    const ours = (zone: ReturnType<typeof parseZone>): string[] => [...zone.eachRecord()].map((r) => formatRecord(r).replace(/\s+/g, ' ')).sort()
    const fromString = parseZone(UTF8_ZONE, { origin: 'example.' })
    expect(ours(fromString)).toEqual(expected)
    expect(ours(parseZone(readFileSync(file), { origin: 'example.' }))).toEqual(expected)
    expect(ours(await readZoneFile(file, { origin: 'example.' }))).toEqual(expected)
    // formatZone's text reads in BIND to the same records.
    const formatted = join(dir, 'utf8-formatted.zone')
    writeFileSync(formatted, formatZone(fromString), 'latin1')
    expect(compile('example.', formatted, join(dir, 'utf8-actual.txt'), false)).toEqual(expected)
  })
})
