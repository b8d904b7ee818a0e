// Differential test: the same zone served by NSD and by our Authority, the same queries sent to
// both, and the answers compared: rcode, AA/TC, answer and authority sections as sets of RRs in
// canonical text. Additional-section differences are printed, not failed (RFC 1034 leaves
// additional data to policy). Skips with a message when nsd is not installed.
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
import type { Question } from '../authority/differential.js'

const have = spawnSync('nsd', ['-v']).status === 0
if (!have) console.warn('skipping authority-nsd: nsd is not installed (apt-get install nsd)')

describe.skipIf(!have)('Authority vs NSD (differential)', () => {
  let dir = ''
  let nsd: ChildProcess | undefined
  let nsdPort = 0
  const servers: { label: string; server: DnsServer; port: number }[] = []

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dns-ha-nsd-'))
    const text = diffZone()
    writeFileSync(join(dir, 'diff.test.zone'), text)
    const started = await startPeer('nsd', dir, [{ name: 'diff.test', file: 'diff.test.zone' }])
    nsd = started.child
    nsdPort = started.port
    for (const minimal of [false, true]) {
      // NSD 4.6 predates RFC 9471: it drops in-domain glue that does not fit without TC.
      const authority = new Authority({ zones: [parseZone(text, { origin: ORIGIN })], minimalResponses: minimal, glueTruncation: 'silent' })
      const server = new DnsServer({ handler: authority })
      const bound = await server.listen({ port: 0, address: '127.0.0.1' })
      servers.push({ label: minimal ? 'minimal' : 'default', server, port: bound.port })
    }
  }, 20_000)

  afterAll(async () => {
    await stopPeer(nsd)
    for (const s of servers) await s.server.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('gives the same rcode, AA/TC, answer and authority as NSD for every generated query', async () => {
    const qs = questions()
    expect(qs.length).toBeGreaterThan(800)
    const ours = servers.find((s) => s.label === 'default')!
    const mismatches: string[] = []
    const additionalDiffs: string[] = []
    let id = 100
    for (const q of qs) {
      const [theirs, mine] = await Promise.all([exchange(nsdPort, q, id++), exchange(ours.port, q, id++)])
      const what = `${q.name} ${q.type}${q.edns ? ' +edns' : ''}${q.tcp ? ' +tcp' : ''}`
      const a = { rcode: theirs.rcode, aa: theirs.aa, tc: theirs.tc, answers: theirs.answers, authorities: theirs.authorities }
      const b = { rcode: mine.rcode, aa: mine.aa, tc: mine.tc, answers: mine.answers, authorities: mine.authorities }
      if (JSON.stringify(a) !== JSON.stringify(b)) mismatches.push(`${what}\n  nsd:  ${brief(theirs)}\n  ours: ${brief(mine)}`)
      else if (JSON.stringify(theirs.additionals) !== JSON.stringify(mine.additionals)) {
        additionalDiffs.push(`${what}: nsd ${theirs.additionals.length} vs ours ${mine.additionals.length}`)
      }
    }
    if (additionalDiffs.length > 0) console.info(`additional-section differences (policy, not failed): ${additionalDiffs.length}\n  ${additionalDiffs.slice(0, 20).join('\n  ')}`)
    expect(mismatches.slice(0, 30).join('\n')).toBe('')
  }, 60_000)

  it('minimalResponses: positive answers differ from NSD only by the apex NS in authority', async () => {
    const ours = servers.find((s) => s.label === 'minimal')!
    let compared = 0
    let id = 5000
    for (const q of questions().filter((x) => !x.name.toLowerCase().includes('other') && x.type !== 'NS')) {
      const [theirs, mine] = await Promise.all([exchange(nsdPort, q, id++), exchange(ours.port, q, id++)])
      expect(mine.rcode).toBe(theirs.rcode)
      expect(mine.answers).toEqual(theirs.answers)
      if (theirs.rcode === 'NOERROR' && theirs.aa && theirs.answers.length > 0) {
        const apexNs = theirs.authorities.filter((l) => l.startsWith(`${ORIGIN} `) && l.includes(' NS '))
        expect(theirs.authorities.filter((l) => !apexNs.includes(l))).toEqual(mine.authorities)
        compared++
      } else expect(mine.authorities).toEqual(theirs.authorities)
    }
    expect(compared).toBeGreaterThan(50)
  }, 60_000)
})

// Several zones served side by side: NSD and BIND take additional data from the answering zone
// only (not from a sibling or child zone they also serve), use glue for NS targets only, and
// synthesize wildcard addresses for targets; chains cross between the zones. Here the additional
// section is compared too.
const PARENT = `$ORIGIN example.test.
$TTL 3600
@ SOA ns1 hostmaster 2024010101 7200 3600 1209600 300
@ NS ns1
@ NS ns.other.test.
@ MX 10 mail
ns1 A 192.0.2.1
ns1 AAAA 2001:db8::1
mail A 192.0.2.2
www A 192.0.2.3
c-sub CNAME www.sub.example.test.
c-other CNAME www.other.test.
c-deleg CNAME host.deleg.example.test.
*.wild A 192.0.2.6
deleg NS ns.deleg
deleg NS ns.other.test.
ns.deleg A 192.0.2.10
host.deleg A 192.0.2.11
sub NS ns1.sub
sub DS 23456 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE49FD46E6C4B45C55D4AC69CB
ns1.sub A 192.0.2.20
oob NS ns.other.test.
oob NS ns1.example.test.
oob2 NS ns.deleg.example.test.
oob2 NS ns1.sub.example.test.
wns NS foo.wild.example.test.
srv SRV 0 0 80 www
srv SRV 0 0 80 www.other.test.
mxsub MX 10 www.sub.example.test.
mxocc MX 10 host.deleg.example.test.
srvw SRV 0 0 1 x.wild.example.test.
`
const CHILD = `$ORIGIN sub.example.test.
$TTL 600
@ SOA ns1 hostmaster 5 7200 3600 1209600 900
@ NS ns1
ns1 A 192.0.2.20
www A 192.0.2.21
`
const OTHER = `$ORIGIN other.test.
$TTL 1800
@ 60 SOA ns hostmaster 7 7200 3600 1209600 120
@ NS ns
ns A 192.0.2.30
www A 192.0.2.31
back CNAME www.example.test.
`
const ZONES = [
  { name: 'example.test', text: PARENT },
  { name: 'sub.example.test', text: CHILD },
  { name: 'other.test', text: OTHER },
]

describe.skipIf(!have)('Authority vs NSD, several zones (additional section compared too)', () => {
  let dir = ''
  let nsd: ChildProcess | undefined
  let nsdPort = 0
  let server: DnsServer | undefined
  let port = 0

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dns-ha-nsd-zones-'))
    for (const z of ZONES) writeFileSync(join(dir, `${z.name}.zone`), z.text)
    const started = await startPeer(
      'nsd',
      dir,
      ZONES.map((z) => ({ name: z.name, file: `${z.name}.zone` })),
    )
    nsd = started.child
    nsdPort = started.port
    server = new DnsServer({ handler: new Authority({ zones: ZONES.map((z) => parseZone(z.text, { origin: `${z.name}.` })) }) })
    port = (await server.listen({ port: 0, address: '127.0.0.1' })).port
  }, 20_000)

  afterAll(async () => {
    await stopPeer(nsd)
    await server?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('gives the same rcode, flags and all three sections as NSD', async () => {
    const asked: [string, string][] = [
      ['www.example.test.', 'A'], ['example.test.', 'MX'], ['example.test.', 'NS'], ['c-sub.example.test.', 'A'],
      ['c-other.example.test.', 'A'], ['back.other.test.', 'A'], ['c-deleg.example.test.', 'A'], ['host.deleg.example.test.', 'A'],
      ['deleg.example.test.', 'NS'], ['sub.example.test.', 'DS'], ['sub.example.test.', 'NS'], ['www.sub.example.test.', 'A'],
      ['oob.example.test.', 'A'], ['x.oob2.example.test.', 'A'], ['x.wns.example.test.', 'A'], ['srv.example.test.', 'SRV'],
      ['mxsub.example.test.', 'MX'], ['mxocc.example.test.', 'MX'], ['srvw.example.test.', 'SRV'], ['nx.other.test.', 'A'],
    ]
    const mismatches: string[] = []
    let id = 9000
    for (const [name, type] of asked) {
      for (const edns of [true, false]) {
        const q: Question = { name, type, edns, tcp: false }
        const [theirs, mine] = await Promise.all([exchange(nsdPort, q, id++), exchange(port, q, id++)])
        if (JSON.stringify(theirs) !== JSON.stringify(mine)) mismatches.push(`${name} ${type}${edns ? ' +edns' : ''}\n  nsd:  ${JSON.stringify(theirs)}\n  ours: ${JSON.stringify(mine)}`)
      }
    }
    expect(mismatches.join('\n')).toBe('')
  }, 30_000)
})
