// Differential test: the same zone served by NSD and by our Authority, the same queries sent to
// both, and the answers compared: rcode, AA/TC, answer and authority sections as sets of RRs in
// canonical text. Additional-section differences are printed, not failed (RFC 1034 leaves
// additional data to policy). Skips with a message when nsd is not installed.
import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { parseZone } from '../../src/zone/index.js'
import { brief, diffZone, exchange, freePort, ORIGIN, questions } from '../authority/differential.js'
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
    nsdPort = await freePort()
    writeFileSync(
      join(dir, 'nsd.conf'),
      [
        'server:',
        '  ip-address: 127.0.0.1',
        `  port: ${nsdPort}`,
        '  server-count: 1',
        '  rrl-ratelimit: 0',
        `  zonesdir: "${dir}"`,
        `  pidfile: "${dir}/nsd.pid"`,
        '  username: ""',
        '  chroot: ""',
        '  database: ""',
        `  xfrdfile: "${dir}/xfrd.state"`,
        `  zonelistfile: "${dir}/zone.list"`,
        `  logfile: "${dir}/nsd.log"`,
        '  verbosity: 0',
        'remote-control:',
        '  control-enable: no',
        'zone:',
        '  name: diff.test',
        '  zonefile: diff.test.zone',
        '',
      ].join('\n'),
    )
    nsd = spawn('nsd', ['-c', join(dir, 'nsd.conf'), '-d'], { stdio: 'ignore' })
    // Wait until NSD answers (at most ~5 s).
    const probe: Question = { name: ORIGIN, type: 'SOA', edns: false, tcp: false }
    for (let i = 0; ; i++) {
      try {
        const r = await exchange(nsdPort, probe, 1)
        if (r.rcode === 'NOERROR') break
      } catch (e) {
        if (i > 20) throw e
      }
      await new Promise((r) => setTimeout(r, 250))
    }
    for (const minimal of [false, true]) {
      // NSD 4.6 predates RFC 9471: it drops in-domain glue that does not fit without TC.
      const authority = new Authority({ zones: [parseZone(text, { origin: ORIGIN })], minimalResponses: minimal, glueTruncation: 'silent' })
      const server = new DnsServer({ handler: authority })
      const bound = await server.listen({ port: 0, address: '127.0.0.1' })
      servers.push({ label: minimal ? 'minimal' : 'default', server, port: bound.port })
    }
  }, 20_000)

  afterAll(async () => {
    if (nsd?.pid) process.kill(nsd.pid, 'SIGTERM')
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
