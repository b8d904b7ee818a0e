// Differential test against Knot DNS, which leaves the apex NS out of positive answers: our
// Authority with `minimalResponses: true` must give the same rcode, AA/TC, answer and authority
// sections for the generated query set (TC=1 included when in-domain glue does not fit, RFC 9471,
// our default). Which RRset answers ANY is left to the server by RFC 8482: those are listed.
import { spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { parseZone } from '../../src/zone/index.js'
import { brief, diffZone, exchange, ORIGIN, questions } from '../authority/differential.js'
import { startPeer, stopPeer } from '../support/peers.js'

const have = spawnSync('knotd', ['-V']).status === 0
if (!have) console.warn('skipping authority-knot: knotd is not installed (apt-get install knot)')

describe.skipIf(!have)('Authority (minimalResponses) vs Knot (differential)', () => {
  let dir = ''
  let knot: ChildProcess | undefined
  let knotPort = 0
  let server: DnsServer | undefined
  let ourPort = 0

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dns-ha-knot-'))
    const text = diffZone()
    writeFileSync(join(dir, 'diff.test.zone'), text)
    const started = await startPeer('knot', dir, [{ name: ORIGIN.slice(0, -1), file: join(dir, 'diff.test.zone') }])
    knot = started.child
    knotPort = started.port
    server = new DnsServer({ handler: new Authority({ zones: [parseZone(text, { origin: ORIGIN })], minimalResponses: true }) })
    ourPort = (await server.listen({ port: 0, address: '127.0.0.1' })).port
  }, 20_000)

  afterAll(async () => {
    await stopPeer(knot)
    await server?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('same rcode, AA/TC, answer and authority as Knot', async () => {
    const mismatches: string[] = []
    let compared = 0
    let id = 300
    const policy: string[] = []
    for (const q of questions()) {
      const [theirs, mine] = await Promise.all([exchange(knotPort, q, id++), exchange(ourPort, q, id++)])
      const what = `${q.name} ${q.type}${q.edns ? ' +edns' : ''}${q.tcp ? ' +tcp' : ''}`
      if (q.type === 'ANY') {
        // RFC 8482 lets the server pick the RRset: we take the first in zone order (as NSD),
        // Knot its own. Same rcode and flags, one RRset each; the choice is listed.
        expect(`${what} ${mine.rcode}${mine.aa}${mine.tc}`).toBe(`${what} ${theirs.rcode}${theirs.aa}${theirs.tc}`)
        expect(new Set(mine.answers.map((l) => l.split(' ')[3])).size).toBeLessThanOrEqual(1)
        if (JSON.stringify(mine.answers) !== JSON.stringify(theirs.answers)) policy.push(`${what}: knot ${theirs.answers[0] ?? '-'} / ours ${mine.answers[0] ?? '-'}`)
        continue
      }
      const a = { rcode: theirs.rcode, aa: theirs.aa, tc: theirs.tc, answers: theirs.answers, authorities: theirs.authorities }
      const b = { rcode: mine.rcode, aa: mine.aa, tc: mine.tc, answers: mine.answers, authorities: mine.authorities }
      compared++
      if (JSON.stringify(a) !== JSON.stringify(b)) mismatches.push(`${what}\n  knot: ${brief(theirs)}\n  ours: ${brief(mine)}`)
    }
    expect(compared).toBeGreaterThan(750)
    if (policy.length > 0) console.info(`ANY answered with a different RRset (policy, not failed): ${policy.length}\n  ${policy.join('\n  ')}`)
    expect(mismatches.slice(0, 30).join('\n')).toBe('')
  }, 60_000)
})
