/**
 * Differential test on dnspython's torture zone: BIND 9.18's reading of the file without the
 * lines it rejects must equal BIND's reading of parseZone → formatZone of that same text.
 * Both sides go through named-compilezone, which canonicalises each type to its own form.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import dnsPacket from 'dns-packet'
import { formatZone, parseZone, typeNumber } from '../../src/zone/index.js'

const source = fileURLToPath(new URL('../fixtures/testdata/zones/dnspython-example.zone', import.meta.url))
const haveBind = spawnSync('named-compilezone', ['-v']).status === 0
const have = haveBind
if (!have) console.warn('skipping zone-dnspython interop: named-compilezone not found (apt-get install bind9-utils)')

/**
 * Lines BIND 9.18 rejects (1-based): a NAPTR regexp that is not a substitution expression
 * (110), a 7-character base32hex NSEC3 hash (183) and the `ohttp` SvcParam of RFC 9540 (265).
 */
const BIND_REJECTS = [110, 183, 265]

const dir = mkdtempSync(join(tmpdir(), 'dns-ha-zone-dnspython-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** named-compilezone's full text output of a file (check-names off: dnspython's owners fail it). */
function compile(file: string): { status: number | null; lines: string[]; stderr: string } {
  const r = spawnSync('named-compilezone', ['-k', 'ignore', '-i', 'local', '-f', 'text', '-F', 'text', '-s', 'full', '-o', join(dir, 'out.txt'), 'example.', file], { encoding: 'latin1' })
  const lines = r.status === 0 ? readFileSync(join(dir, 'out.txt'), 'latin1').split('\n').filter((l) => l !== '' && !l.startsWith(';')).map((l) => l.replace(/\s+/g, ' ')).sort() : []
  return { status: r.status, lines, stderr: r.stdout + r.stderr }
}

describe.skipIf(!have)('dnspython example zone against named-compilezone', () => {
  const original = have ? readFileSync(source, 'latin1') : ''
  const stripped = original.split('\n').filter((_, i) => !BIND_REJECTS.includes(i + 1)).join('\n')

  it('BIND 9.18 rejects exactly the lines we strip', () => {
    const r = compile(source)
    expect(r.status).not.toBe(0)
    const rejected = [...r.stderr.matchAll(/dnspython-example\.zone:(\d+): (?:near '[^']*': )?(?:syntax error|out of range)/g)].map((m) => Number(m[1]))
    expect([...new Set(rejected)].sort((a, b) => a - b)).toEqual(BIND_REJECTS)
  })

  it('parse → format of the rest reads in BIND exactly as the rest itself', () => {
    const strippedFile = join(dir, 'stripped.zone')
    writeFileSync(strippedFile, stripped, 'latin1')
    const zone = parseZone(Buffer.from(stripped, 'latin1'), { origin: 'example.', fileName: strippedFile })
    expect(zone.errors).toEqual([])
    const formatted = join(dir, 'formatted.zone')
    writeFileSync(formatted, formatZone(zone), 'latin1')
    const expected = compile(strippedFile)
    const actual = compile(formatted)
    expect(expected.status).toBe(0)
    expect(actual.stderr).not.toMatch(/syntax error|not loaded/)
    expect(actual.lines).toEqual(expected.lines)
    expect(expected.lines.length).toBeGreaterThan(150)
  })

  it('our parser accepts the three lines too (valid by RFC 3403 wire rules, RFC 4648 and RFC 9540)', () => {
    const zone = parseZone(original, { origin: 'example.', fileName: source, collectErrors: true })
    expect(zone.errors).toEqual([])
    expect(zone.rrset('naptr02.example.', 'NAPTR')?.records[0]?.data.regexp).toBe('blegh')
    expect(zone.rrset('nsec303.example.', 'NSEC3')?.records).toHaveLength(1)
    expect(zone.rrset('svcb05.example.', 'SVCB')?.records).toHaveLength(1)
  })

  it('keeps the types without a dns-packet codec as wire rdata that dns-packet encodes', () => {
    const zone = parseZone(stripped, { origin: 'example.' })
    const records = [...zone.eachRecord()]
    for (const type of ['LOC', 'WKS', 'APL', 'IPSECKEY', 'HIP', 'AMTRELAY', 'DSYNC', 'HHIT', 'BRID']) {
      const found = records.filter((r) => typeNumber(r.type) === typeNumber(type))
      expect(found.length, type).toBeGreaterThan(0)
      for (const r of found) expect(Buffer.isBuffer(r.data), type).toBe(true)
    }
    expect(() => dnsPacket.encode({ type: 'response', id: 1, answers: records as never })).not.toThrow()
  })
})
