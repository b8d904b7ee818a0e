// SecondaryZone on a fake clock and a memory network, against a scripted primary: the timers
// (refresh, retry, expire), RFC 1982 serials, NOTIFY in, and every bad stream keeping the old copy.
import { afterEach, describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { FakeClock, flush, MemoryNetwork } from '../../src/testing/index.js'
import type { TsigKey } from '../../src/tsig/key.js'
import type { TransferFiles } from '../../src/transfer/node-files.js'
import { SecondaryZone } from '../../src/transfer/secondary-zone.js'
import type { SecondaryFailedEvent, SecondaryTransferredEvent, SecondaryZoneOptions } from '../../src/transfer/secondary-zone.js'
import { formatZoneState, parseZoneState } from '../../src/transfer/zone-state-file.js'
import { seededRandom } from '../../src/util/random.js'
import { ask, queryOf } from '../authority/helpers.js'
import { FakePrimary } from './fake-primary.js'
import type { ScriptedReply } from './fake-primary.js'

const ORIGIN = 'example.com.'
const KEY: TsigKey = { name: 'xfr-key', algorithm: 'hmac-sha256', secret: Buffer.alloc(32, 7).toString('base64') }

/** The zone at `serial`: refresh 3600, retry 600, expire 86400. */
function zoneText(serial: number, extra = ''): string {
  return `$ORIGIN example.com.\n$TTL 300\n@ SOA ns1 hostmaster ${serial} 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.10\nmail A 192.0.2.20\n${extra}`
}

function memoryFiles(): TransferFiles & { store: Map<string, string> } {
  const store = new Map<string, string>()
  return {
    store,
    read: async (path) => store.get(path),
    writeAtomic: async (path, text) => void store.set(path, text),
    join: (dir, name) => `${dir}/${name}`,
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await flush()
}

interface Rig {
  clock: FakeClock
  network: MemoryNetwork
  primary: FakePrimary
  secondary: SecondaryZone
  auth: Authority
  files: ReturnType<typeof memoryFiles>
  transferred: SecondaryTransferredEvent[]
  failed: SecondaryFailedEvent[]
  upToDate: number[]
  expired: number
}

const rigs: Rig[] = []
afterEach(async () => {
  for (const r of rigs.splice(0)) {
    r.secondary.stop()
    await r.primary.stop()
  }
})

async function rig(options: { serial?: number; key?: TsigKey; secondary?: Partial<SecondaryZoneOptions>; files?: ReturnType<typeof memoryFiles>; start?: boolean } = {}): Promise<Rig> {
  const clock = new FakeClock()
  const network = new MemoryNetwork({ clock })
  const primary = new FakePrimary({ network, clock, origin: ORIGIN, zone: zoneText(options.serial ?? 1), ...(options.key ? { key: options.key } : {}) })
  await primary.start()
  const files = options.files ?? memoryFiles()
  const secondary = new SecondaryZone({
    origin: ORIGIN,
    primaries: [{ address: '10.0.0.1', port: 53 }],
    clock,
    network,
    random: seededRandom(7),
    stateDir: '/state',
    files,
    timers: { minRefreshSec: 0, minRetrySec: 0 },
    idleTimeoutMs: 5000,
    ...(options.key ? { tsig: options.key } : {}),
    ...options.secondary,
  })
  const auth = new Authority({ secondaries: [secondary] })
  const r: Rig = { clock, network, primary, secondary, auth, files, transferred: [], failed: [], upToDate: [], expired: 0 }
  secondary.on('transferred', (e) => r.transferred.push(e))
  secondary.on('failed', (e) => r.failed.push(e))
  secondary.on('up-to-date', (e) => r.upToDate.push(e.serial))
  secondary.on('expired', () => r.expired++)
  rigs.push(r)
  if (options.start !== false) {
    await auth.start()
    await settle()
  }
  return r
}

async function rcodeOf(auth: Authority, name = 'www.example.com.'): Promise<string> {
  return (await ask(auth, name, 'A')).rcode ?? 'NOERROR'
}

async function addressOf(auth: Authority, name: string): Promise<string[]> {
  return ((await ask(auth, name, 'A')).answers ?? []).map((a) => String((a as { data?: unknown }).data))
}

describe('SecondaryZone: first load and timers', () => {
  it('answers SERVFAIL before the first transfer, then serves the AXFR copy', async () => {
    const r = await rig({ start: false })
    r.primary.down = true
    await r.auth.start()
    await settle()
    await r.clock.advanceAsync(10_000) // the SOA query's timeouts
    await settle()
    expect(await rcodeOf(r.auth)).toBe('SERVFAIL')
    expect(r.failed).toHaveLength(1)
    expect(r.secondary.snapshot()).toMatchObject({ state: 'loading', primarySerial: undefined })
    r.primary.down = false
    await r.clock.advanceAsync(53_000) // the failure came at 4 s (two SOA attempts of 2 s)
    await settle()
    expect(r.transferred).toHaveLength(0)
    await r.clock.advanceAsync(1000) // noCopyRetrySec: 60 s after the failure, at 64 s
    await settle()
    expect(r.transferred.map((e) => [e.kind, e.serial])).toEqual([['axfr', 1]])
    expect(await addressOf(r.auth, 'www.example.com.')).toEqual(['192.0.2.10'])
    expect(r.secondary.snapshot()).toMatchObject({ state: 'serving', serial: 1, primarySerial: 1, transfers: 1 })
  })

  it('checks again after refresh, and fetches a change by IXFR', async () => {
    const r = await rig()
    expect(r.transferred.map((e) => e.kind)).toEqual(['axfr'])
    r.primary.setZone(zoneText(2, 'new A 192.0.2.99').replace('mail A 192.0.2.20\n', ''))
    await r.clock.advanceAsync(3_599_000)
    await settle()
    expect(r.transferred).toHaveLength(1)
    await r.clock.advanceAsync(1000)
    await settle()
    expect(r.transferred.map((e) => [e.kind, e.serial])).toEqual([['axfr', 1], ['ixfr', 2]])
    expect(r.secondary.snapshot()).toMatchObject({ serial: 2, primarySerial: 2 })
    expect(r.primary.requests.map((q) => [q.type, q.serial])).toEqual([['AXFR', undefined], ['IXFR', 1]])
    expect(await addressOf(r.auth, 'new.example.com.')).toEqual(['192.0.2.99'])
    expect(await rcodeOf(r.auth, 'mail.example.com.')).toBe('NXDOMAIN')
  })

  it('reports up-to-date when the serial has not moved', async () => {
    const r = await rig()
    await r.clock.advanceAsync(3_600_000)
    await settle()
    expect(r.upToDate).toEqual([1])
    expect(r.primary.requests).toHaveLength(1)
  })

  it('retries after the SOA retry when the primary is unreachable, not before', async () => {
    const r = await rig()
    r.primary.down = true
    await r.clock.advanceAsync(3_600_000)
    await settle()
    await r.clock.advanceAsync(10_000) // the SOA query's own timeouts
    await settle()
    expect(r.failed).toHaveLength(1)
    expect(r.failed[0]!.code).toBe('query')
    const queries = r.primary.soaQueries
    await r.clock.advanceAsync(500_000)
    await settle()
    expect(r.primary.soaQueries).toBe(queries)
    r.primary.down = false
    r.primary.setZone(zoneText(2))
    await r.clock.advanceAsync(100_000)
    await settle()
    expect(r.transferred.map((e) => e.serial)).toEqual([1, 2])
  })

  it('asks the SOA over TCP when UDP times out (UDP filtered)', async () => {
    const r = await rig()
    r.primary.udpDown = true
    r.primary.setZone(zoneText(2))
    const done = r.secondary.refresh()
    await settle()
    await r.clock.advanceAsync(4000) // two UDP attempts of 2 s
    await done
    expect(r.primary.tcpSoaQueries).toBe(1)
    expect(r.transferred.map((e) => e.serial)).toEqual([1, 2])
  })

  it('expires after the SOA expire without a successful check: SERVFAIL, then back on success', async () => {
    const r = await rig()
    r.primary.down = true
    await r.clock.advanceAsync(86_399_000)
    await settle()
    expect(r.expired).toBe(0)
    expect(await rcodeOf(r.auth)).toBe('NOERROR')
    await r.clock.advanceAsync(2000)
    await settle()
    expect(r.expired).toBe(1)
    expect(await rcodeOf(r.auth)).toBe('SERVFAIL')
    expect(r.secondary.snapshot().state).toBe('expired')
    r.primary.down = false
    await r.clock.advanceAsync(600_000)
    await settle()
    expect(r.upToDate).toContain(1)
    expect(await rcodeOf(r.auth)).toBe('NOERROR')
  })

  it('clamps the SOA timers (minRefreshSec)', async () => {
    const r = await rig({ secondary: { timers: { minRefreshSec: 7200, minRetrySec: 0 } } })
    const next = r.secondary.snapshot().nextRefresh!
    expect(next - r.clock.now()).toBe(7_200_000)
  })

  it('compares serials by RFC 1982: 4294967295 -> 1 is newer, 4294967295 -> 4294967294 is older', async () => {
    const r = await rig({ serial: 4294967295 })
    expect(r.secondary.serial).toBe(4294967295)
    r.primary.setZone(zoneText(1))
    await r.secondary.refresh()
    expect(r.transferred.map((e) => [e.kind, e.serial])).toEqual([['axfr', 4294967295], ['ixfr', 1]])
    r.primary.setZone(zoneText(0xfffffffe))
    await r.secondary.refresh()
    expect(r.failed.at(-1)!.code).toBe('serial-backwards')
    expect(r.secondary.serial).toBe(1)
  })
})

describe('SecondaryZone: NOTIFY in', () => {
  it('accepts NOTIFY from a primary (any port): NOERROR+AA, and checks at once', async () => {
    const r = await rig()
    r.primary.setZone(zoneText(5))
    const query = withOpcode(ORIGIN, 4, '10.0.0.1')
    const answer = await r.auth.handle(query, () => undefined)
    expect(answer).toMatchObject({ flags: expect.any(Number) })
    const flags = (answer as { flags: number }).flags
    expect(flags & 0x0400).toBe(0x0400) // AA
    expect(flags & 0xf).toBe(0)
    await settle()
    expect(r.transferred.map((e) => e.serial)).toEqual([1, 5])
  })

  it('refuses NOTIFY from anyone else and does not check', async () => {
    const r = await rig()
    r.primary.setZone(zoneText(5))
    const queries = r.primary.soaQueries
    const answer = await r.auth.handle(withOpcode(ORIGIN, 4, '10.9.9.9'), () => undefined)
    expect((answer as { flags: number }).flags & 0xf).toBe(5) // REFUSED
    await settle()
    expect(r.primary.soaQueries).toBe(queries)
    expect(r.transferred).toHaveLength(1)
  })
})

describe('SecondaryZone: bad streams keep the old copy', () => {
  const soaOf = (p: FakePrimary) => p.zone.soa!
  const rec = (name: string, type: string, data: unknown) => ({ name, type, class: 'IN', ttl: 300, data })

  const cases: [string, string, (p: FakePrimary) => ScriptedReply][] = [
    ['not-soa-first', 'not the SOA', (p) => ({ messages: [[rec('www.example.com.', 'A', '192.0.2.1'), soaOf(p)]] })],
    ['truncated', 'closed before the closing SOA', (p) => ({ messages: [[soaOf(p), rec('www.example.com.', 'A', '192.0.2.1')]] })],
    ['outside-zone', 'outside the zone', (p) => ({ messages: [[soaOf(p), rec('www.example.net.', 'A', '192.0.2.1'), soaOf(p)]] })],
    ['ixfr-mismatch', 'which our copy does not have', (p) => ({ messages: [[soaOf(p), { ...soaOf(p), data: { ...soaOf(p).data, serial: 1 } }, rec('gone.example.com.', 'A', '192.0.2.1'), soaOf(p), soaOf(p)]] })],
  ]

  for (const [code, words, script] of cases) {
    it(`${code}: fails with the reason, keeps serving serial 1`, async () => {
      const r = await rig()
      r.primary.setZone(zoneText(2, 'new A 192.0.2.99'))
      r.primary.script = (req) => (req.type === 'IXFR' || code !== 'ixfr-mismatch' ? script(r.primary) : undefined)
      await r.secondary.refresh()
      expect(r.failed).toHaveLength(1)
      expect(r.failed[0]!.code).toBe(code)
      expect(r.failed[0]!.reason).toContain(words)
      expect(r.secondary.serial).toBe(1)
      expect(await addressOf(r.auth, 'www.example.com.')).toEqual(['192.0.2.10'])
      expect(await rcodeOf(r.auth, 'new.example.com.')).toBe('NXDOMAIN')
      // Retried on the retry timer; a correct answer then lands.
      r.primary.script = undefined
      await r.clock.advanceAsync(600_000)
      await settle()
      expect(r.transferred.map((e) => e.serial)).toEqual([1, 2])
    })
  }

  it('after an IXFR that does not fit, the retry asks for AXFR', async () => {
    const r = await rig()
    r.primary.setZone(zoneText(2))
    r.primary.script = (req) => (req.type === 'IXFR' ? { messages: [[r.primary.zone.soa!, { ...r.primary.zone.soa!, data: { ...r.primary.zone.soa!.data, serial: 1 } }, rec('gone.example.com.', 'A', '192.0.2.1'), r.primary.zone.soa!, r.primary.zone.soa!]] } : undefined)
    await r.secondary.refresh()
    await r.secondary.refresh()
    expect(r.primary.requests.map((q) => q.type)).toEqual(['AXFR', 'IXFR', 'AXFR'])
    expect(r.transferred.map((e) => [e.kind, e.serial])).toEqual([['axfr', 1], ['axfr', 2]])
  })

  it('a primary answering IXFR with NOTIMP is asked for AXFR at once', async () => {
    const r = await rig()
    r.primary.setZone(zoneText(2))
    r.primary.script = (req) => (req.type === 'IXFR' ? { messages: [], rcode: 4 } : undefined)
    await r.secondary.refresh()
    expect(r.primary.requests.map((q) => q.type)).toEqual(['AXFR', 'IXFR', 'AXFR'])
    expect(r.transferred.map((e) => [e.kind, e.serial])).toEqual([['axfr', 1], ['axfr', 2]])
    expect(r.failed).toHaveLength(0)
  })

  it('serial going backwards in the stream: the SOA query said newer, the transfer brings older', async () => {
    const r = await rig({ serial: 10 })
    r.primary.soaSerialOverride = 11
    r.primary.setZone(zoneText(9))
    await r.secondary.refresh()
    expect(r.failed.at(-1)!.code).toBe('serial-backwards')
    expect(r.secondary.serial).toBe(10)
  })

  it('a stalled transfer fails after the idle timeout', async () => {
    const r = await rig()
    r.primary.setZone(zoneText(2))
    r.primary.script = () => ({ messages: [[r.primary.zone.soa!, rec('a.example.com.', 'A', '192.0.2.1')]], then: 'stall' })
    const done = r.secondary.refresh()
    await settle()
    await r.clock.advanceAsync(4999)
    await settle()
    expect(r.failed).toHaveLength(0)
    await r.clock.advanceAsync(1)
    await done
    expect(r.failed[0]!.code).toBe('stalled')
    expect(r.failed[0]!.reason).toContain('stalled')
    expect(r.secondary.serial).toBe(1)
  })

  it('TSIG: a transfer signed with the key lands; a message whose MAC is broken mid-stream fails', async () => {
    const r = await rig({ key: KEY })
    expect(r.transferred.map((e) => e.serial)).toEqual([1])
    r.primary.setZone(zoneText(2, 'new A 192.0.2.99'))
    r.primary.script = () => {
      r.primary.script = undefined
      const all = [r.primary.zone.soa!, ...[...r.primary.zone.eachRecord()].filter((x) => x.type !== 'SOA'), r.primary.zone.soa!]
      return { messages: r.primary.chunk(all), tamper: (i: number, b: Buffer) => (i === 1 ? flipLastMacByte(b) : b) }
    }
    await r.secondary.refresh()
    expect(r.failed.at(-1)!.code).toBe('tsig')
    expect(r.failed.at(-1)!.reason).toContain('message 2')
    expect(r.secondary.serial).toBe(1)
    await r.secondary.refresh()
    expect(r.transferred.map((e) => [e.kind, e.serial])).toEqual([['axfr', 1], ['ixfr', 2]])
    expect(await addressOf(r.auth, 'new.example.com.')).toEqual(['192.0.2.99'])
  })

  it('TSIG: a primary that does not sign is refused', async () => {
    const r = await rig({ start: false })
    const unsigned = new SecondaryZone({ origin: ORIGIN, primaries: [{ address: '10.0.0.1' }], tsig: KEY, clock: r.clock, network: r.network, random: seededRandom(3) })
    const failed: SecondaryFailedEvent[] = []
    unsigned.on('failed', (e) => failed.push(e))
    await unsigned.start()
    await settle()
    unsigned.stop()
    expect(failed[0]!.reason).toMatch(/TSIG/)
    expect(unsigned.zone).toBeUndefined()
  })
})

describe('SecondaryZone: state on disk', () => {
  it('writes each copy and a restart serves it at once, before the primary answers', async () => {
    const r = await rig()
    const file = r.files.store.get('/state/example.com.zone')!
    expect(file).toContain('; serial 1')
    expect(file.trimEnd().endsWith('; end of zone state')).toBe(true)
    r.secondary.stop()
    r.primary.down = true
    const again = new SecondaryZone({ origin: ORIGIN, primaries: [{ address: '10.0.0.1' }], clock: r.clock, network: r.network, random: seededRandom(9), stateDir: '/state', files: r.files })
    again.on('failed', () => {})
    const auth = new Authority({ secondaries: [again] })
    await auth.start()
    expect(await addressOf(auth, 'www.example.com.')).toEqual(['192.0.2.10'])
    again.stop()
  })

  it('writes the copy piece by piece when the files offer it (never one string)', async () => {
    const files = memoryFiles()
    const pieces: string[][] = []
    const chunked = { ...files, writeAtomic: async () => expect.fail('writeAtomic used'), writeAtomicChunks: async (path: string, chunks: Iterable<string>) => {
      const list = [...chunks]
      pieces.push(list)
      files.store.set(path, list.join(''))
    } }
    const r = await rig({ files: chunked as never })
    expect(pieces).toHaveLength(1)
    expect(pieces[0]!.length).toBeGreaterThan(2)
    const text = r.files.store.get('/state/example.com.zone')!
    expect(text).toBe(formatZoneState(r.secondary.zone!, parseZoneState(text, ORIGIN, 'f').savedAt))
    r.secondary.stop()
  })

  it('ignores a state file without its end line (a torn write)', async () => {
    const r = await rig()
    const path = '/state/example.com.zone'
    r.files.store.set(path, r.files.store.get(path)!.replace('; end of zone state\n', ''))
    r.secondary.stop()
    r.primary.down = true
    const again = new SecondaryZone({ origin: ORIGIN, primaries: [{ address: '10.0.0.1' }], clock: r.clock, network: r.network, random: seededRandom(9), stateDir: '/state', files: r.files })
    const reasons: string[] = []
    again.on('failed', (e) => reasons.push(e.reason))
    const auth = new Authority({ secondaries: [again] })
    await auth.start()
    expect(await rcodeOf(auth)).toBe('SERVFAIL')
    expect(reasons[0]).toContain('incomplete')
    again.stop()
  })
})

function withOpcode(name: string, opcode: number, address: string) {
  const q = queryOf(name, 'SOA', { client: { address, port: 40001 } })
  const raw = Buffer.from(q.raw)
  raw.writeUInt16BE((raw.readUInt16BE(2) & ~0x7900) | (opcode << 11), 2)
  return new (q.constructor as new (raw: Buffer, client: unknown, transport: string) => typeof q)(raw, { address, port: 40001, family: 'IPv4' }, 'udp')
}

function flipLastMacByte(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes)
  // The MAC ends 6 bytes before the end (original id, error, other length 0).
  out[out.length - 7]! ^= 0xff
  return out
}
