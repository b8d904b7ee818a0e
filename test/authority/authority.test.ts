import dnsPacket from 'dns-packet'
import { describe, expect, it, vi } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { DnsQuery } from '../../src/server/query.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { ask, lines, queryOf, rrs, zoneOf } from './helpers.js'
import { EXAMPLE, example, other } from './fixtures.js'

const O = 'example.test.'

function authority(options: ConstructorParameters<typeof Authority>[0] = {}): Authority {
  return new Authority({ zones: [example(), other()], ...options })
}

describe('Authority answers', () => {
  it('positive answer: AA, the RRset, apex NS in authority and their addresses in additional (like NSD)', async () => {
    const r = await ask(authority(), 'www.example.test.', 'A')
    expect(r.rcode).toBe('NOERROR')
    expect(r.flag_aa).toBe(true)
    expect(r.flag_qr).toBe(true)
    expect(r.flag_rd).toBe(true)
    expect(lines(r.answers)).toEqual(rrs(O, 'www 3600 IN A 192.0.2.80'))
    expect(lines(r.authorities)).toEqual(rrs(O, '@ 3600 IN NS ns1', '@ 3600 IN NS ns.other.test.'))
    // ns.other.test. is in a zone we also serve, but NSD and BIND take addresses from the answering zone only.
    expect(lines(r.additionals)).toEqual(rrs(O, 'ns1 3600 IN A 192.0.2.53', 'ns1 3600 IN AAAA 2001:db8::53'))
  })

  it('minimalResponses leaves the apex NS out, like Knot', async () => {
    const r = await ask(authority({ minimalResponses: true }), 'www.example.test.', 'A')
    expect(lines(r.answers)).toEqual(rrs(O, 'www 3600 IN A 192.0.2.80'))
    expect(r.authorities).toEqual([])
    expect(r.additionals).toEqual([])
  })

  it('NS at the apex is not repeated in authority', async () => {
    const r = await ask(authority(), 'example.test.', 'NS')
    expect(lines(r.answers)).toEqual(rrs(O, '@ 3600 IN NS ns1', '@ 3600 IN NS ns.other.test.'))
    expect(r.authorities).toEqual([])
    expect(lines(r.additionals)).toContain(rrs(O, 'ns1 3600 IN A 192.0.2.53')[0])
  })

  it('NXDOMAIN and NODATA carry the SOA with TTL = min(SOA TTL, MINIMUM) (RFC 2308)', async () => {
    const soa = rrs(O, '@ 300 IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300')
    const nx = await ask(authority(), 'nope.example.test.', 'A')
    expect(nx.rcode).toBe('NXDOMAIN')
    expect(nx.flag_aa).toBe(true)
    expect(nx.answers).toEqual([])
    expect(lines(nx.authorities)).toEqual(soa)
    const nodata = await ask(authority(), 'www.example.test.', 'MX')
    expect(nodata.rcode).toBe('NOERROR')
    expect(nodata.answers).toEqual([])
    expect(lines(nodata.authorities)).toEqual(soa)
    const ent = await ask(authority(), 'b.example.test.', 'A')
    expect(ent.rcode).toBe('NOERROR')
    expect(lines(ent.authorities)).toEqual(soa)
  })

  it('referrals: AA=0, NS in authority, in-bailiwick glue in additional (no out-of-bailiwick addresses from other zones)', async () => {
    const r = await ask(authority(), 'host.sub.example.test.', 'A')
    expect(r.rcode).toBe('NOERROR')
    expect(r.flag_aa).toBe(false)
    expect(r.answers).toEqual([])
    expect(lines(r.authorities)).toEqual(rrs(O, 'sub 3600 IN NS ns1.sub', 'sub 3600 IN NS ns.other.test.'))
    expect(lines(r.additionals)).toEqual(rrs(O, 'ns1.sub 3600 IN A 192.0.2.153'))
  })

  it('DS at a cut is answered from the parent side, authoritatively', async () => {
    const r = await ask(authority(), 'sub.example.test.', 'DS')
    expect(r.flag_aa).toBe(true)
    expect(r.answers).toHaveLength(1)
    expect(r.answers![0]!.type).toBe('DS')
  })

  it('CNAME chains: every link in the answer, target data last; across zones too', async () => {
    const r = await ask(authority(), 'chain1.example.test.', 'A')
    expect(lines(r.answers)).toEqual(rrs(O, 'chain1 3600 IN CNAME chain2', 'chain2 3600 IN CNAME www', 'www 3600 IN A 192.0.2.80'))
    const cross = await ask(authority(), 'cross.example.test.', 'A')
    expect(lines(cross.answers)).toEqual(rrs(O, 'cross 3600 IN CNAME host.other.test.', 'host.other.test. 600 IN A 198.51.100.2'))
    expect(lines(cross.authorities)).toEqual(rrs('other.test.', '@ 600 IN NS ns'))
    const gone = await ask(authority(), 'gone.example.test.', 'A')
    expect(gone.rcode).toBe('NXDOMAIN')
    expect(lines(gone.answers)).toEqual(rrs(O, 'gone 3600 IN CNAME nothing'))
    const loop = await ask(authority(), 'loop1.example.test.', 'A')
    expect(loop.rcode).toBe('NOERROR')
    expect(loop.answers).toHaveLength(2)
    const out = await ask(authority(), 'out.example.test.', 'A')
    expect(out.rcode).toBe('NOERROR')
    expect(lines(out.answers)).toEqual(rrs(O, 'out 3600 IN CNAME www.elsewhere.example.'))
  })

  it('wildcard answers carry the query name as owner', async () => {
    const r = await ask(authority(), 'anything.apps.example.test.', 'TXT')
    expect(lines(r.answers)).toEqual(rrs(O, 'anything.apps 3600 IN TXT "wildcard"'))
  })

  it('MX and SRV targets inside the zones get A/AAAA in additional', async () => {
    const mx = await ask(authority({ minimalResponses: true }), 'example.test.', 'MX')
    expect(lines(mx.additionals)).toEqual(rrs(O, 'mail 3600 IN A 192.0.2.25'))
    const srv = await ask(authority({ minimalResponses: true }), '_sip._udp.example.test.', 'SRV')
    expect(lines(srv.additionals)).toEqual(rrs(O, 'sip 3600 IN A 192.0.2.60'))
  })

  it('echoes the query name case (0x20), also when the answer comes from the cache', async () => {
    const auth = authority()
    const first = await ask(auth, 'www.example.test.', 'A')
    const second = await ask(auth, 'wWw.ExAmPlE.tEsT.', 'A')
    expect(second.questions![0]!.name).toBe('wWw.ExAmPlE.tEsT')
    expect(second.answers![0]!.name).toBe('wWw.ExAmPlE.tEsT')
    expect(lines(second.answers)).toEqual(lines(first.answers))
    expect(auth.snapshot().cache).toMatchObject({ hits: 1, misses: 1, entries: 1 })
  })

  it('a question compressed into the header is answered correctly and not cached', async () => {
    const auth = new Authority({ zones: [zoneOf('a.', '$TTL 60\n@ SOA ns h 1 1 1 1 60\n@ NS ns\n@ A 192.0.2.9\nns A 192.0.2.53\n')] })
    // id 0x0161 reads as the label "a", flags 0x0000 end the name: the question points at offset 0.
    const raw = Buffer.from([0x01, 0x61, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x00, 0, 1, 0, 1])
    for (let i = 0; i < 2; i++) {
      const out = (await auth.handle(new DnsQuery(raw, { address: '127.0.0.1', port: 1, family: 'IPv4' }, 'udp'), () => undefined)) as Uint8Array
      const decoded = dnsPacket.decode(Buffer.from(out))
      expect(decoded.answers!.map((r) => (r as { data?: unknown }).data)).toEqual(['192.0.2.9'])
    }
    expect(auth.snapshot().cache!.entries).toBe(0)
  })

  it('never decodes the whole query (query.packet) on the answer path, cached or not', async () => {
    const auth = authority()
    for (const [name, type] of [['www.example.test.', 'A'], ['www.example.test.', 'A'], ['nope.example.test.', 'MX'], ['host.sub.example.test.', 'A']] as const) {
      const q = queryOf(name, type, { edns: true })
      Object.defineProperty(q, 'packet', { get: () => { throw new Error('query.packet touched') } })
      expect(await auth.handle(q, () => undefined)).toBeInstanceOf(Uint8Array)
    }
  })

  it('RD and CD are copied from each query, cached or not', async () => {
    const auth = authority()
    const flagsOf = async (flags: number) => {
      const q = DnsQuery.from({ id: 7, flags, questions: [{ name: 'www.example.test.', type: 'A' }] })
      const out = (await auth.handle(q, () => undefined)) as Uint8Array
      return (out[2]! << 8) | out[3]!
    }
    expect((await flagsOf(dnsPacket.RECURSION_DESIRED)) & 0x0110).toBe(0x0100)
    expect((await flagsOf(0)) & 0x0110).toBe(0)
    expect((await flagsOf(dnsPacket.CHECKING_DISABLED)) & 0x0110).toBe(0x0010)
    expect((await flagsOf(0)) & 0x0400).toBe(0x0400) // AA kept
    expect(auth.snapshot().cache!.hits).toBe(3)
  })

  it('the cache keys on id-independent fields only: different ids get their own id back', async () => {
    const auth = authority()
    const a = await ask(auth, 'www.example.test.', 'A', { id: 1 })
    const b = await ask(auth, 'www.example.test.', 'A', { id: 2 })
    expect(a.id).toBe(1)
    expect(b.id).toBe(2)
  })

  it('EDNS: OPT only when asked with EDNS, DO echoed', async () => {
    const plain = await ask(authority(), 'www.example.test.', 'A')
    expect(plain.additionals!.some((r) => r.type === 'OPT')).toBe(false)
    const withDo = await ask(authority(), 'www.example.test.', 'A', { dnssecOk: true })
    const opt = withDo.additionals!.find((r) => r.type === 'OPT') as unknown as { udpPayloadSize: number; flags: number }
    expect(opt.udpPayloadSize).toBe(1232)
    expect(opt.flags & 0x8000).toBe(0x8000)
    expect(withDo.additionals![withDo.additionals!.length - 1]!.type).toBe('OPT')
  })

  it('ANY: one RRset by default (RFC 8482), all with any: full', async () => {
    const minimal = await ask(authority(), 'www.example.test.', 'ANY')
    expect(new Set(minimal.answers!.map((r) => r.type)).size).toBe(1)
    const full = await ask(authority({ any: 'full' }), 'www.example.test.', 'ANY')
    expect(full.answers!.map((r) => r.type).sort()).toEqual(['A', 'AAAA'])
  })

  it('serves DNSSEC types as plain data when asked for by type', async () => {
    const auth = new Authority({
      zones: [zoneOf(O, `${EXAMPLE}\n@ DNSKEY 257 3 8 AwEAAcX6s0rU8F1nGq9o2c6G3H0oZx4p7r5d0s1Y2u8I1l3Q5w==`)],
    })
    const r = await ask(auth, 'example.test.', 'DNSKEY')
    expect(r.answers).toHaveLength(1)
    expect(r.answers![0]!.type).toBe('DNSKEY')
  })

  it('out of zone: REFUSED, or next() with refuseOutOfZone: false', async () => {
    const refused = await ask(authority(), 'www.example.org.', 'A')
    expect(refused.rcode).toBe('REFUSED')
    expect(refused.flag_aa).toBe(false)
    const auth = authority({ refuseOutOfZone: false })
    const next = vi.fn(() => undefined)
    expect(await auth.handle(queryOf('www.example.org.', 'A'), next)).toBeUndefined()
    expect(next).toHaveBeenCalledOnce()
    expect(auth.snapshot().outOfZone).toBe(1)
  })

  it('NOTIFY goes to next first; unhandled, it is REFUSED for our zones (NSD) and NOTAUTH elsewhere (BIND); UPDATE stays NOTIMP', async () => {
    const withOpcode = (name: string, opcode: number): DnsQuery =>
      DnsQuery.from({ id: 7, flags: opcode << 11, questions: [{ name, type: 'SOA', class: 'IN' }] }, { transport: 'udp' })
    const decoded = (result: unknown): ReturnType<typeof dnsPacket.decode> & { rcode?: string; opcode?: string } => dnsPacket.decode(dnsPacket.encode(result as dnsPacket.Packet))
    const auth = authority()
    const next = vi.fn(() => undefined)
    const notify = decoded(await auth.handle(withOpcode('example.test.', 4), next))
    expect(next).toHaveBeenCalledOnce()
    expect(notify.rcode).toBe('REFUSED')
    expect(notify.opcode).toBe('NOTIFY')
    expect(notify.flag_aa).toBe(false)
    expect(notify.questions).toEqual([expect.objectContaining({ name: 'example.test', type: 'SOA' })])
    expect(decoded(await auth.handle(withOpcode('other.test.', 4), async () => undefined)).rcode).toBe('REFUSED')
    expect(decoded(await auth.handle(withOpcode('example.org.', 4), next)).rcode).toBe('NOTAUTH')
    // A transfer handler behind the authority still gets the NOTIFY and answers it.
    const handled = dnsPacket.encode({ type: 'response', id: 7, opcode: 'NOTIFY', flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: [{ name: 'example.test', type: 'SOA' }] } as never)
    expect(await auth.handle(withOpcode('example.test.', 4), () => handled)).toBe(handled)
    // UPDATE (and the other opcodes) are not ours: next, which a server answers NOTIMP, as NSD does.
    expect(await auth.handle(withOpcode('example.test.', 5), () => undefined)).toBeUndefined()
  })

  it('the longest matching zone answers', async () => {
    const child = zoneOf('sub.example.test.', '@ SOA ns1 h 7 1 1 1 60\n@ NS ns1\nns1 A 192.0.2.153\nhost A 192.0.2.200\n')
    const auth = new Authority({ zones: [example(), child] })
    const r = await ask(auth, 'host.sub.example.test.', 'A')
    expect(r.flag_aa).toBe(true)
    expect(lines(r.answers)).toEqual(rrs('sub.example.test.', 'host 60 IN A 192.0.2.200'))
    // DS for the child apex still comes from the parent.
    const ds = await ask(auth, 'sub.example.test.', 'DS')
    expect(ds.answers![0]!.type).toBe('DS')
  })

  it('CH TXT version.bind / hostname.bind from options, REFUSED otherwise', async () => {
    const auth = authority({ version: 'dns-ha 0.1', hostname: 'ns-a' })
    const v = await ask(auth, 'version.bind.', 'TXT', { klass: 'CH' })
    expect(v.rcode).toBe('NOERROR')
    // NSD's shape: the TXT alone, AA=0, no authority (BIND adds AA and a CH NS; a mix of both matches neither).
    expect(v.flag_aa).toBe(false)
    expect(v.authorities).toEqual([])
    expect(v.answers![0]).toMatchObject({ type: 'TXT', class: 'CH' })
    expect(String((v.answers![0] as unknown as { data: Buffer[] }).data[0])).toBe('dns-ha 0.1')
    const h = await ask(auth, 'hostname.bind.', 'TXT', { klass: 'CH' })
    expect(String((h.answers![0] as unknown as { data: Buffer[] }).data[0])).toBe('ns-a')
    const hidden = await ask(authority(), 'version.bind.', 'TXT', { klass: 'CH' })
    expect(hidden.rcode).toBe('REFUSED')
  })

  it('a referral whose in-domain glue does not fit: TC=1 with what fits (RFC 9471), or silently (NSD 4.6)', async () => {
    const glue = Array.from({ length: 12 }, (_, i) => `big NS ns-${i}.big\nns-${i}.big A 192.0.2.${i + 1}\nns-${i}.big AAAA 2001:db8::${i + 1}`).join('\n')
    const zone = (): ReturnType<typeof example> => zoneOf(O, `${EXAMPLE}\n${glue}\n`)
    const rfc = await ask(new Authority({ zones: [zone()] }), 'x.big.example.test.', 'A')
    expect(rfc.flag_tc).toBe(true)
    expect(rfc.authorities).toHaveLength(12)
    expect(rfc.additionals!.length).toBeGreaterThan(0)
    expect(rfc.additionals!.length).toBeLessThan(24)
    expect(rfc.bytes.length).toBeLessThanOrEqual(512)
    const nsd = await ask(new Authority({ zones: [zone()], glueTruncation: 'silent' }), 'x.big.example.test.', 'A')
    expect(nsd.flag_tc).toBe(false)
    expect(lines(nsd.additionals)).toEqual(lines(rfc.additionals))
    const tcp = await ask(new Authority({ zones: [zone()] }), 'x.big.example.test.', 'A', { transport: 'tcp' })
    expect(tcp.flag_tc).toBe(false)
    expect(tcp.additionals).toHaveLength(24)
  })

  it('large UDP answers: optional additionals dropped to fit, else left for the server to truncate', async () => {
    const many = Array.from({ length: 40 }, (_, i) => `big TXT "${'x'.repeat(30)}${i}"`).join('\n')
    const auth = new Authority({ zones: [zoneOf(O, `${EXAMPLE}\n${many}\n`)] })
    const udp = await ask(auth, 'www.example.test.', 'A', { edns: false })
    expect(udp.bytes.length).toBeLessThanOrEqual(512)
    const big = await auth.handle(queryOf('big.example.test.', 'TXT'), () => undefined)
    expect((big as Uint8Array).length).toBeGreaterThan(512)
    const tcp = await ask(auth, 'big.example.test.', 'TXT', { transport: 'tcp' })
    expect(tcp.answers).toHaveLength(40)
  })
})

describe('Authority operations', () => {
  it('counts queries per zone by qtype and rcode, cache hits included', async () => {
    const auth = authority()
    await ask(auth, 'www.example.test.', 'A')
    await ask(auth, 'www.example.test.', 'A')
    await ask(auth, 'nope.example.test.', 'AAAA')
    await ask(auth, 'host.other.test.', 'A')
    const zones = auth.snapshot().views[0]!.zones
    const ex = zones.find((z) => z.origin === 'example.test.')!
    expect(ex).toMatchObject({ queries: 3, qtypes: { A: 2, AAAA: 1 }, rcodes: { NOERROR: 2, NXDOMAIN: 1 }, serial: 2024010101, loaded: true })
    expect(zones.find((z) => z.origin === 'other.test.')!.queries).toBe(1)
  })

  it('emits a query event per query', async () => {
    const auth = authority()
    const seen: unknown[] = []
    auth.on('query', (e) => seen.push(e))
    await ask(auth, 'www.example.test.', 'A')
    await ask(auth, 'www.example.test.', 'A')
    expect(seen).toEqual([
      expect.objectContaining({ view: 'default', zone: 'example.test.', qname: 'www.example.test.', qtype: 'A', rcode: 'NOERROR', cached: false, transport: 'udp' }),
      expect.objectContaining({ cached: true }),
    ])
  })

  it('replaceZone swaps atomically and invalidates the cache', async () => {
    const auth = authority()
    expect(lines((await ask(auth, 'www.example.test.', 'A')).answers)).toEqual(rrs(O, 'www 3600 IN A 192.0.2.80'))
    auth.replaceZone(zoneOf(O, EXAMPLE.replace('192.0.2.80', '192.0.2.81')))
    expect(lines((await ask(auth, 'www.example.test.', 'A')).answers)).toEqual(rrs(O, 'www 3600 IN A 192.0.2.81'))
    expect(() => auth.replaceZone(zoneOf('x.test.', 'a 60 A 192.0.2.1\n'))).toThrow(/SOA/)
  })

  it('reloadZone: a raised serial loads; an edit without one loads with a warning (as named); an identical zone is skipped unless forced; a bad file keeps the old zone', async () => {
    const files: Record<string, string> = { '/zones/example.test': EXAMPLE }
    const auth = new Authority({ zones: [{ file: '/zones/example.test', origin: O }], readFile: async (p) => files[p]! })
    const loaded: { serial: number | undefined; warning?: string }[] = []
    auth.on('zone-loaded', (e) => loaded.push({ serial: e.serial, ...(e.warning !== undefined ? { warning: e.warning } : {}) }))
    await auth.ready()
    loaded.length = 0
    expect(lines((await ask(auth, 'www.example.test.', 'A')).answers)).toEqual(rrs(O, 'www 3600 IN A 192.0.2.80'))

    // Byte-for-byte the same zone: nothing to do.
    expect(await auth.reloadZone(O)).toMatchObject({ loaded: false, serial: 2024010101, previousSerial: 2024010101, views: [] })
    expect(loaded).toEqual([])

    // Edited, serial not raised: served, with a warning that secondaries will not see it.
    files['/zones/example.test'] = EXAMPLE.replace('192.0.2.80', '192.0.2.82')
    const same = await auth.reloadZone(O)
    expect(same).toMatchObject({ loaded: true, serial: 2024010101, previousSerial: 2024010101, views: ['default'] })
    expect(same.warning).toMatch(/serial 2024010101 is unchanged.*secondaries/)
    expect(loaded).toEqual([{ serial: 2024010101, warning: same.warning }])
    expect(lines((await ask(auth, 'www.example.test.', 'A')).answers)).toEqual(rrs(O, 'www 3600 IN A 192.0.2.82'))

    files['/zones/example.test'] = EXAMPLE.replace('192.0.2.80', '192.0.2.82').replace('2024010101', '2024010102')
    const raised = await auth.reloadZone(O)
    expect(raised).toMatchObject({ loaded: true, serial: 2024010102, views: ['default'] })
    expect(raised.warning).toBeUndefined()
    expect(lines((await ask(auth, 'www.example.test.', 'A')).answers)).toEqual(rrs(O, 'www 3600 IN A 192.0.2.82'))

    files['/zones/example.test'] = EXAMPLE.replace('192.0.2.80', '192.0.2.83') // older serial
    const back = await auth.reloadZone(O)
    expect(back).toMatchObject({ loaded: true, serial: 2024010101, previousSerial: 2024010102 })
    expect(back.warning).toMatch(/went backwards \(2024010102 -> 2024010101\)/)
    expect(lines((await ask(auth, 'www.example.test.', 'A')).answers)).toEqual(rrs(O, 'www 3600 IN A 192.0.2.83'))
    expect((await auth.reloadZone(O)).loaded).toBe(false)
    expect((await auth.reloadZone(O, { force: true })).loaded).toBe(true)

    const errors: unknown[] = []
    auth.on('zone-error', (e) => errors.push(e))
    files['/zones/example.test'] = EXAMPLE.replace('2024010101', '2024010199') + '\nbroken IN A not-an-address\n'
    await expect(auth.reloadZone(O)).rejects.toThrow()
    expect(errors).toHaveLength(1)
    expect(lines((await ask(auth, 'www.example.test.', 'A')).answers)).toEqual(rrs(O, 'www 3600 IN A 192.0.2.83'))
    expect(auth.snapshot().views[0]!.zones[0]!.error).toBeTruthy()
  })

  it('a reload warning nobody listens to goes to the logger, or else to process.emitWarning', async () => {
    const files: Record<string, string> = { '/zones/example.test': EXAMPLE }
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    try {
      const auth = new Authority({ zones: [{ file: '/zones/example.test', origin: O }], readFile: async (p) => files[p]! })
      await auth.ready()
      files['/zones/example.test'] = EXAMPLE.replace('192.0.2.80', '192.0.2.82')
      await auth.reloadZone(O)
      expect(warn).toHaveBeenCalledTimes(1)
      expect(String(warn.mock.calls[0]![0])).toMatch(/example\.test\. changed but its serial 2024010101 is unchanged/)

      const logged: string[] = []
      const withLogger = new Authority({ zones: [{ file: '/zones/example.test', origin: O }], readFile: async (p) => files[p]!, logger: { warn: (m) => logged.push(m) } })
      await withLogger.ready()
      files['/zones/example.test'] = EXAMPLE.replace('192.0.2.80', '192.0.2.84')
      await withLogger.reloadZone(O)
      expect(logged).toHaveLength(1)
      expect(warn).toHaveBeenCalledTimes(1)
    } finally {
      warn.mockRestore()
    }
  })

  it('zone load failures nobody listens to (no zone-error listener, no logger) surface as process.emitWarning', async () => {
    const files: Record<string, string> = { '/zones/example.test': EXAMPLE + '\nbroken IN A not-an-address\n' }
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    try {
      const auth = new Authority({ zones: [{ file: '/zones/example.test', origin: O }], readFile: async (p) => files[p]! })
      await expect(auth.ready()).rejects.toThrow()
      expect(warn).toHaveBeenCalledTimes(1)
      expect(String(warn.mock.calls[0]![0])).toMatch(/zone example\.test\. \(view default, file \/zones\/example\.test\) failed to load/)

      // A listener, or a logger, takes the report instead.
      const seen: unknown[] = []
      const listened = new Authority({ zones: [{ file: '/zones/example.test', origin: O }], readFile: async (p) => files[p]! })
      listened.on('zone-error', (e) => seen.push(e))
      await listened.start()
      const logged: string[] = []
      const withLogger = new Authority({ zones: [{ file: '/zones/example.test', origin: O }], readFile: async (p) => files[p]!, logger: { error: (m) => logged.push(m) } })
      await withLogger.start()
      expect(seen).toHaveLength(1)
      expect(logged).toHaveLength(1)
      expect(warn).toHaveBeenCalledTimes(1)
    } finally {
      warn.mockRestore()
    }
  })

  it('reloadZone across views is all or nothing: one bad file leaves every view on the old zone, cached answers included', async () => {
    const v = (serial: number, address: string): string => EXAMPLE.replace('2024010101', String(serial)).replace('192.0.2.80', address)
    const files: Record<string, string> = { a: v(1, '192.0.2.80'), b: v(1, '192.0.2.80') }
    const auth = new Authority({
      views: [
        { name: 'inside', match: { clients: ['10.0.0.0/8'] }, zones: [{ file: 'a', origin: O }] },
        { name: 'outside', zones: [{ file: 'b', origin: O }] },
      ],
      readFile: async (p) => files[p]!,
    })
    const failed: string[] = []
    auth.on('zone-error', (e) => failed.push(e.view))
    await auth.ready()
    const inside = { client: { address: '10.1.2.3' } }
    const www = async (o: Parameters<typeof ask>[3] = {}): Promise<string[]> => lines((await ask(auth, 'www.example.test.', 'A', { ...inside, ...o })).answers)
    expect(await www()).toEqual(rrs(O, 'www 3600 IN A 192.0.2.80'))

    files.a = v(2, '192.0.2.81')
    files.b = v(2, '192.0.2.81') + '\nbroken IN A not-an-address\n'
    await expect(auth.reloadZone(O)).rejects.toThrow()
    expect(failed).toEqual(['outside'])
    expect((auth.getZone(O, 'inside')!.soa!.data as { serial: number }).serial).toBe(1)
    // The cached answer and a fresh one (DO=1 is another cache key) agree: both from the old zone.
    expect(await www()).toEqual(rrs(O, 'www 3600 IN A 192.0.2.80'))
    expect(await www({ dnssecOk: true })).toEqual(rrs(O, 'www 3600 IN A 192.0.2.80'))

    files.b = v(2, '192.0.2.81')
    expect(await auth.reloadZone(O)).toMatchObject({ loaded: true, views: ['inside', 'outside'] })
    expect(await www()).toEqual(rrs(O, 'www 3600 IN A 192.0.2.81'))
    expect(lines((await ask(auth, 'www.example.test.', 'A')).answers)).toEqual(rrs(O, 'www 3600 IN A 192.0.2.81'))
  })

  it('serial wrap-around counts as an increase', async () => {
    const text = (serial: number) => EXAMPLE.replace('2024010101', String(serial))
    const files: Record<string, string> = { f: text(4294967295) }
    const auth = new Authority({ zones: [{ file: 'f', origin: O }], readFile: async (p) => files[p]! })
    await auth.ready()
    files.f = text(1)
    expect((await auth.reloadZone(O)).loaded).toBe(true)
  })

  it('a zone that fails its first load answers SERVFAIL and ready() rejects', async () => {
    const auth = new Authority({ zones: [{ file: 'bad', origin: O }, other()], readFile: async () => 'garbage line here\n' })
    const failed: string[] = []
    auth.on('zone-error', (e) => failed.push(`${e.view} ${e.origin} ${e.file}`))
    await expect(auth.ready()).rejects.toThrow()
    expect(failed).toEqual([`default ${O} bad`])
    expect((await ask(auth, 'www.example.test.', 'A')).rcode).toBe('SERVFAIL')
    expect((await ask(auth, 'host.other.test.', 'A')).rcode).toBe('NOERROR')
  })

  it('configuration mistakes throw ERR_CONFIG', () => {
    const check = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        return isDnsHaError(e, 'ERR_CONFIG')
      }
      return false
    }
    expect(check(() => new Authority({ views: [{ name: 'a', zones: [] }, { name: 'a', zones: [] }] }))).toBe(true)
    expect(check(() => new Authority({ views: [{ name: 'a', match: { clients: ['10.0.0.0/33'] }, zones: [] }] }))).toBe(true)
    expect(check(() => new Authority({ zones: [example(), example()] }))).toBe(true)
    expect(check(() => new Authority({ ednsUdpSize: 100 }))).toBe(true)
    expect(check(() => new Authority({ maxUdpSize: 100 }))).toBe(true)
  })

  it('maxUdpSize sets the payload size our OPT advertises; ednsUdpSize still works as its deprecated alias', async () => {
    const advertised = async (options: ConstructorParameters<typeof Authority>[0]) => {
      const auth = new Authority({ zones: [example()], ...options })
      const r = await ask(auth, 'www.example.test.', 'A', { dnssecOk: true })
      return (r.additionals!.find((x) => x.type === 'OPT') as unknown as { udpPayloadSize: number }).udpPayloadSize
    }
    expect(await advertised({ maxUdpSize: 1400 })).toBe(1400)
    expect(await advertised({ ednsUdpSize: 1300 })).toBe(1300)
    expect(await advertised({ maxUdpSize: 1400, ednsUdpSize: 1300 })).toBe(1400)
    expect(() => new Authority({ maxUdpSize: 100 })).toThrow(/maxUdpSize must be/)
  })
})
