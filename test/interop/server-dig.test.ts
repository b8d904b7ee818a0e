// dig and kdig (real clients) against DnsServer on 127.0.0.1, port 0, on both datagram engines (dgram, batched): UDP and TCP, with and
// without EDNS, payload sizes, the DO bit, BADVERS, and truncation → TCP (TC seen with +ignore,
// the full answer over TCP without it). Transport is read from the tools' own +stats lines and
// cross-checked with the server's counters.
import { execFile, spawnSync } from 'node:child_process'
import { promisify } from 'node:util'
import type { Answer } from 'dns-packet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DnsServer } from '../../src/server/dns-server.js'
import type { DnsQuery } from '../../src/server/query.js'
import { respond } from '../../src/server/respond.js'
import { batchedEngineUnavailable } from '../../src/util/batched-network.js'

const run = promisify(execFile)

function installed(tool: string, versionFlag: string): boolean {
  const r = spawnSync(tool, [versionFlag], { timeout: 5000 })
  return r.status === 0
}
const haveDig = installed('dig', '-v')
const haveKdig = installed('kdig', '-V')
if (!haveDig) console.warn('skipping dig interop tests: dig is not installed (apt-get install bind9-dnsutils)')
if (!haveKdig) console.warn('skipping kdig interop tests: kdig is not installed (apt-get install knot-dnsutils)')

// 20 TXT records ≈ 1.1 KB: over 512 (no EDNS truncates) and under 1232 (EDNS does not).
const MEDIUM = 20
// 60 TXT records ≈ 3.2 KB: over the server's 1232-byte UDP cap whatever the client offers.
const BIG = 60

const txt = (name: string, count: number): Answer[] =>
  Array.from({ length: count }, (_, i) => ({ name, type: 'TXT', ttl: 60, data: `record-${String(i).padStart(2, '0')}-xxxxxxxxxxxxxxxx` }))

function handler(q: DnsQuery) {
  const name = q.question!.name
  const lower = name.toLowerCase()
  const type = q.question!.type
  if (lower === 'www.example.' && type === 'A') return respond(q, { aa: true, answers: [{ name, type: 'A', ttl: 300, data: '192.0.2.1' }] })
  if (lower === 'www.example.' && type === 'AAAA') return respond(q, { aa: true, answers: [{ name, type: 'AAAA', ttl: 300, data: '2001:db8::1' }] })
  if (lower === 'www.example.') return respond(q, { aa: true })
  if (lower === 'medium.example.') return respond(q, { aa: true, answers: txt(name, MEDIUM) })
  if (lower === 'big.example.') return respond(q, { aa: true, answers: txt(name, BIG) })
  return respond(q, { aa: true, rcode: 'NXDOMAIN' })
}

let server: DnsServer
let port: number

/** The enclosing describe's tests run against a server on `engine`. */
function serveOn(engine: 'dgram' | 'batched'): void {
  beforeAll(async () => {
    if (!haveDig && !haveKdig) return
    server = new DnsServer({ handler, engine })
    port = (await server.listen({ port: 0, address: '127.0.0.1' })).port
  })
  afterAll(async () => {
    await server?.close()
  })
}

const batchedReason = batchedEngineUnavailable()
if (batchedReason !== undefined) console.warn(`dig/kdig interop on the batched engine skipped: ${batchedReason}`)

// ---- output parsing (dig separates header fields with commas, kdig with semicolons) ----

interface Parsed {
  status: string
  flags: string[]
  counts: { query: number; answer: number; authority: number; additional: number }
  /** `; EDNS: version: 0, flags: do; udp: 1232` (dig) or `;;Version: 0; flags: do; UDP size: 1232 B` (kdig). */
  edns: { flags: string[]; udp: number } | undefined
  records: { name: string; ttl: number; class: string; type: string; data: string }[]
  /** From the +stats line: which transport the final answer came over. */
  transport: 'UDP' | 'TCP' | undefined
  retriedOverTcp: boolean
}

function parse(stdout: string): Parsed {
  const headers = [...stdout.matchAll(/->>HEADER<<- opcode: (\w+)[,;] status: (\w+)[,;] id: (\d+)/g)]
  const flagLines = [...stdout.matchAll(/;; [Ff]lags:([^;]*); QUERY: (\d+)[,;] ANSWER: (\d+)[,;] AUTHORITY: (\d+)[,;] ADDITIONAL: (\d+)/g)]
  const header = headers.at(-1)
  const flagLine = flagLines.at(-1)
  if (!header || !flagLine) throw new Error(`no header in output:\n${stdout}`)
  const dig = stdout.match(/; EDNS: version: \d+, flags:([^;]*); udp: (\d+)/)
  const kdig = stdout.match(/;;\s*Version: \d+; flags:([^;]*); UDP size: (\d+) B/)
  const ednsMatch = dig ?? kdig
  const records = stdout
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith(';'))
    .map((l) => {
      const [name, ttl, klass, type, ...rest] = l.trim().split(/\s+/)
      return { name: name!, ttl: Number(ttl), class: klass!, type: type!, data: rest.join(' ') }
    })
  const transport = stdout.match(/;; SERVER: \S+ \((UDP|TCP)\)/)?.[1] ?? stdout.match(/;; From \S+\((UDP|TCP)\)/)?.[1]
  return {
    status: header[2]!,
    flags: flagLine[1]!.trim().split(/\s+/).filter(Boolean),
    counts: { query: Number(flagLine[2]), answer: Number(flagLine[3]), authority: Number(flagLine[4]), additional: Number(flagLine[5]) },
    edns: ednsMatch ? { flags: ednsMatch[1]!.trim().split(/\s+/).filter(Boolean), udp: Number(ednsMatch[2]) } : undefined,
    records,
    transport: transport as Parsed['transport'],
    retriedOverTcp: /Truncated, retrying in TCP mode/.test(stdout),
  }
}

async function dig(...args: string[]): Promise<Parsed> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=2', '+noall', '+comments', '+answer', '+stats', ...args], { timeout: 10_000 })
  return parse(stdout)
}

async function digShort(...args: string[]): Promise<string[]> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=2', '+short', ...args], { timeout: 10_000 })
  return stdout.split('\n').filter(Boolean)
}

async function kdig(...args: string[]): Promise<Parsed> {
  const { stdout } = await run('kdig', ['@127.0.0.1', '-p', String(port), '+retry=0', '+time=2', '+noall', '+header', '+opt', '+answer', '+stats', ...args], { timeout: 10_000 })
  return parse(stdout)
}

/** What the server counted during `fn`. */
async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; udp: number; tcp: number; truncated: number }> {
  const before = server.snapshot()
  const result = await fn()
  const after = server.snapshot()
  return { result, udp: after.udp.queries - before.udp.queries, tcp: after.tcp.queries - before.tcp.queries, truncated: after.udp.truncated - before.udp.truncated }
}

const txtData = (i: number) => `"record-${String(i).padStart(2, '0')}-xxxxxxxxxxxxxxxx"`

describe.each(['dgram', 'batched'] as const)('%s engine', (engine) => {
  if (engine === 'batched' && batchedReason !== undefined) {
    it.skip(`needs the batched engine (${batchedReason})`, () => {})
    return
  }
  serveOn(engine)

  describe.skipIf(!haveDig)('dig → DnsServer', () => {
    it('UDP with EDNS (dig default): answer, flags and our OPT', async () => {
      const { result: r, udp, tcp } = await counted(() => dig('www.example', 'A'))
      expect(r.status).toBe('NOERROR')
      expect(r.flags).toEqual(['qr', 'aa', 'rd'])
      expect(r.counts).toEqual({ query: 1, answer: 1, authority: 0, additional: 1 })
      expect(r.edns).toEqual({ flags: [], udp: 1232 })
      expect(r.records).toEqual([{ name: 'www.example.', ttl: 300, class: 'IN', type: 'A', data: '192.0.2.1' }])
      expect(r.transport).toBe('UDP')
      expect([udp, tcp]).toEqual([1, 0])
    })

    it('+noedns: no OPT in the answer', async () => {
      const r = await dig('www.example', 'AAAA', '+noedns')
      expect(r.edns).toBeUndefined()
      expect(r.counts.additional).toBe(0)
      expect(r.records).toEqual([{ name: 'www.example.', ttl: 300, class: 'IN', type: 'AAAA', data: '2001:db8::1' }])
    })

    it('+tcp: the same answer over TCP', async () => {
      const { result: r, udp, tcp } = await counted(() => dig('www.example', 'A', '+tcp'))
      expect(r.transport).toBe('TCP')
      expect(r.records.map((x) => x.data)).toEqual(['192.0.2.1'])
      expect([udp, tcp]).toEqual([0, 1])
    })

    it('+short, NODATA and NXDOMAIN', async () => {
      expect(await digShort('www.example', 'A')).toEqual(['192.0.2.1'])
      const nodata = await dig('www.example', 'MX')
      expect([nodata.status, nodata.counts.answer]).toEqual(['NOERROR', 0])
      const nx = await dig('nope.example', 'A')
      expect(nx.status).toBe('NXDOMAIN')
      expect(nx.flags).toContain('aa')
      expect(nx.records).toEqual([])
    })

    it('keeps the qname case as asked and echoes the DO bit (+dnssec)', async () => {
      const r = await dig('WwW.ExAmPlE', 'A', '+dnssec')
      expect(r.records[0]!.name).toBe('WwW.ExAmPlE.')
      expect(r.edns?.flags).toEqual(['do'])
    })

    it('answers BADVERS to EDNS version 1 (+edns=1 +noednsnegotiation)', async () => {
      const r = await dig('www.example', 'A', '+edns=1', '+noednsnegotiation')
      expect(r.status).toBe('BADVERS')
      expect(r.counts.answer).toBe(0)
    })

    it('+noedns +ignore on a >512-byte answer shows TC with empty sections', async () => {
      const { result: r, udp, tcp, truncated } = await counted(() => dig('medium.example', 'TXT', '+noedns', '+ignore'))
      expect(r.flags).toContain('tc')
      expect(r.counts).toEqual({ query: 1, answer: 0, authority: 0, additional: 0 })
      expect(r.transport).toBe('UDP')
      expect([udp, tcp, truncated]).toEqual([1, 0, 1])
    })

    it('+noedns without +ignore retries over TCP and gets every record', async () => {
      const { result: r, udp, tcp } = await counted(() => dig('medium.example', 'TXT', '+noedns'))
      expect(r.retriedOverTcp).toBe(true)
      expect(r.transport).toBe('TCP')
      expect(r.flags).not.toContain('tc')
      expect(r.records.map((x) => x.data)).toEqual(Array.from({ length: MEDIUM }, (_, i) => txtData(i)))
      expect([udp, tcp]).toEqual([1, 1])
    })

    it('with EDNS 1232 the same answer fits in UDP', async () => {
      const { result: r, tcp } = await counted(() => dig('medium.example', 'TXT', '+bufsize=1232'))
      expect(r.transport).toBe('UDP')
      expect(r.counts.answer).toBe(MEDIUM)
      expect(tcp).toBe(0)
    })

    it('+bufsize=4096 is capped at the server limit: a 3 KB answer goes TC → TCP', async () => {
      const ignored = await dig('big.example', 'TXT', '+bufsize=4096', '+ignore')
      expect(ignored.flags).toContain('tc')
      expect(ignored.edns?.udp).toBe(1232)
      const { result: r, tcp } = await counted(() => dig('big.example', 'TXT', '+bufsize=4096'))
      expect(r.transport).toBe('TCP')
      expect(r.counts.answer).toBe(BIG)
      expect(tcp).toBe(1)
    })

    it('+bufsize below 512 is treated as 512', async () => {
      const r = await dig('medium.example', 'TXT', '+bufsize=100', '+ignore')
      expect(r.flags).toContain('tc')
      const small = await dig('www.example', 'A', '+bufsize=100')
      expect(small.transport).toBe('UDP')
      expect(small.counts.answer).toBe(1)
    })
  })

  describe.skipIf(!haveKdig)('kdig → DnsServer', () => {
    it('UDP without EDNS (kdig default)', async () => {
      const r = await kdig('www.example', 'A')
      expect(r.status).toBe('NOERROR')
      expect(r.flags).toEqual(['qr', 'aa', 'rd'])
      expect(r.edns).toBeUndefined()
      expect(r.records).toEqual([{ name: 'www.example.', ttl: 300, class: 'IN', type: 'A', data: '192.0.2.1' }])
      expect(r.transport).toBe('UDP')
    })

    it('+edns with +bufsize and +dnssec: our OPT echoes DO and caps the size', async () => {
      const r = await kdig('www.example', 'A', '+bufsize=4096', '+dnssec')
      expect(r.edns).toEqual({ flags: ['do'], udp: 1232 })
      expect(r.counts.additional).toBe(1)
    })

    it('+tcp and NXDOMAIN', async () => {
      const { result: r, tcp } = await counted(() => kdig('nope.example', 'A', '+tcp'))
      expect(r.status).toBe('NXDOMAIN')
      expect(r.transport).toBe('TCP')
      expect(tcp).toBe(1)
    })

    it('+ignore shows TC; without it kdig retries over TCP and gets every record', async () => {
      const ignored = await kdig('medium.example', 'TXT', '+ignore')
      expect(ignored.flags).toContain('tc')
      expect(ignored.counts.answer).toBe(0)
      const { result: r, udp, tcp } = await counted(() => kdig('medium.example', 'TXT'))
      expect(r.transport).toBe('TCP')
      expect(r.records.map((x) => x.data)).toEqual(Array.from({ length: MEDIUM }, (_, i) => txtData(i)))
      expect([udp, tcp]).toEqual([1, 1])
    })

    it('with +edns the medium answer fits in UDP', async () => {
      const r = await kdig('medium.example', 'TXT', '+edns', '+bufsize=1232')
      expect(r.transport).toBe('UDP')
      expect(r.counts.answer).toBe(MEDIUM)
    })
  })
})
