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
import { formatZone, parseZone } from '../../src/zone/index.js'

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
function compile(origin: string, file: string, out: string): string[] {
  execFileSync('named-compilezone', ['-i', 'local', '-f', 'text', '-F', 'text', '-s', 'full', '-o', out, origin, file], { stdio: 'pipe' })
  return readFileSync(out, 'latin1').split('\n').filter((l) => l !== '' && !l.startsWith(';')).map((l) => l.replace(/\s+/g, ' ')).sort()
}

describe.skipIf(!available)('parseZone → formatZone agrees with named-compilezone', () => {
  it.each(corpus)('%s', (file, origin) => {
    const text = readFileSync(file, 'latin1')
    const zone = parseZone(text, { origin, fileName: file })
    const formatted = join(dir, 'formatted.zone')
    writeFileSync(formatted, formatZone(zone), 'latin1')
    const expected = compile(origin, file, join(dir, 'expected.txt'))
    const actual = compile(origin, formatted, join(dir, 'actual.txt'))
    expect(actual).toEqual(expected)
    expect(expected.length).toBeGreaterThan(0)
  })

  it('absolute-name output (relative: false) agrees too', () => {
    const file = join(fixtures, 'features.zone')
    const zone = parseZone(readFileSync(file, 'latin1'), { origin: 'example.org.', fileName: file })
    const formatted = join(dir, 'absolute.zone')
    writeFileSync(formatted, formatZone(zone, { relative: false, defaultTtl: false, ownerWidth: 0 }), 'latin1')
    expect(compile('example.org.', formatted, join(dir, 'b.txt'))).toEqual(compile('example.org.', file, join(dir, 'a.txt')))
  })
})
