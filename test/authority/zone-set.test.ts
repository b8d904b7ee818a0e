/**
 * The zone set bounds every zone it takes (ZoneLimits), however the zone arrives: a zone file
 * loaded or reloaded, a Zone handed to replaceZone (as transfer and update will): one over a
 * limit is refused with ERR_ZONE_LIMIT, and the zone served before is kept.
 */
import { describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { ZoneSet } from '../../src/authority/zone-set.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { parseZone } from '../../src/zone/index.js'
import { ask, lines, rrs, zoneOf } from './helpers.js'

const O = 'example.test.'
const HEAD = '$TTL 3600\n@ SOA ns hostmaster 1 7200 900 1209600 300\n@ NS ns\nns A 192.0.2.53\nwww A 192.0.2.80\n'
const wide = (n: number): string => HEAD.replace(' 1 7200', ' 2 7200') + Array.from({ length: n }, (_, i) => `www A 10.0.${i >> 8}.${i & 255}\n`).join('')

function limitOf(fn: () => unknown): unknown {
  try {
    fn()
  } catch (e) {
    return isDnsHaError(e, 'ERR_ZONE_LIMIT') ? (e.details as { limit: string }).limit : e
  }
  return 'no error'
}

describe('zone limits in the zone set', () => {
  it('replaceZone refuses a zone over the default maxRecordsPerType (100) and keeps serving the old one', async () => {
    const auth = new Authority({ zones: [zoneOf(O, HEAD)] })
    // Built without the parser's check (as a transfer would build it), then handed in.
    const big = zoneOf(O, HEAD.replace(' 1 7200', ' 2 7200'))
    for (let i = 0; i < 101; i++) big.add({ name: 'www.example.test.', type: 'A', class: 'IN', ttl: 60, data: `10.0.0.${i}` })
    expect(limitOf(() => auth.replaceZone(big))).toBe('maxRecordsPerType')
    expect(lines((await ask(auth, 'www.example.test.', 'A')).answers)).toEqual(rrs(O, 'www 3600 IN A 192.0.2.80'))
  })

  it('zoneLimits override the defaults, for maxRecords too', async () => {
    const auth = new Authority({ zones: [zoneOf(O, HEAD)], zoneLimits: { maxRecords: 10, maxRecordsPerType: 200 } })
    expect(limitOf(() => auth.replaceZone(parseWide(150)))).toBe('maxRecords')
    const roomy = new Authority({ zones: [zoneOf(O, HEAD)], zoneLimits: { maxRecordsPerType: 200 } })
    roomy.replaceZone(parseWide(150))
    expect((await ask(roomy, 'www.example.test.', 'A', { transport: 'tcp' })).answers).toHaveLength(151)
  })

  it('a zone file over a limit fails at its line, and a reload over one keeps the old zone', async () => {
    const files: Record<string, string> = { '/zones/example.test': HEAD }
    const auth = new Authority({ zones: [{ file: '/zones/example.test', origin: O }], readFile: async (p) => files[p]!, zoneLimits: { maxRecords: 20 } })
    const errors: unknown[] = []
    auth.on('zone-error', (e) => errors.push(e.error))
    await auth.ready()
    files['/zones/example.test'] = wide(30)
    // The 21st record: 4 in the head (lines 2-5), then one a line from line 6.
    await expect(auth.reloadZone(O)).rejects.toMatchObject({ code: 'ERR_ZONE_LIMIT', line: 22, details: expect.objectContaining({ limit: 'maxRecords' }) })
    expect(errors).toHaveLength(1)
    expect(lines((await ask(auth, 'www.example.test.', 'A')).answers)).toEqual(rrs(O, 'www 3600 IN A 192.0.2.80'))
  })

  it('zones given at construction are checked, and a bad limit value is a config error', () => {
    expect(limitOf(() => new ZoneSet({ views: [{ name: 'v', zones: [zoneOf(O, HEAD)] }], limits: { maxRecords: 3 } }))).toBe('maxRecords')
    expect(() => new ZoneSet({ views: [], limits: { maxTypesPerName: -5 } })).toThrow(/maxTypesPerName must be a non-negative integer/)
  })
})

/** The wide zone, parsed with room for it (parseZone itself holds the default 100 per RRset). */
function parseWide(n: number): ReturnType<typeof zoneOf> {
  return parseZone(wide(n), { origin: O, maxRecordsPerType: 200 })
}
