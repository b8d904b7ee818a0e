import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import dnsPacket from 'dns-packet'
import { UpdateResponder } from '../../src/records/update-responder.js'
import type { UpdateGrant } from '../../src/records/update-policy.js'
import { ZoneStore } from '../../src/records/zone-store.js'
import { Authority } from '../../src/authority/authority.js'
import { DnsQuery } from '../../src/server/query.js'
import { exampleZone, lines, tempDir } from './helpers.js'
import { C, T, rdata, updateMessage, updateQuery } from './update-wire.js'
import type { WireRR } from './update-wire.js'

let dir: string
let cleanup: () => void
let store: ZoneStore
let responder: UpdateResponder
const GRANTS: UpdateGrant[] = [
  { key: 'admin', names: 'zonesub' },
  { key: 'dyn.', names: ['*.dyn.example.com.', 'exact.example.com.'], types: ['A', 'TXT'] },
]

beforeEach(async () => {
  ;({ dir, cleanup } = tempDir())
  store = await ZoneStore.open({ dir, zones: [exampleZone()], fsync: false })
  responder = new UpdateResponder({ store, allowUpdate: GRANTS })
})
afterEach(async () => {
  await store.close()
  cleanup()
})

async function send(message: Buffer, key: string | null = 'admin'): Promise<string> {
  const answer = (await responder.answerUpdate(updateQuery(message, key ?? undefined))) as dnsPacket.Packet
  return rcodeOf(answer)
}
function rcodeOf(packet: dnsPacket.Packet): string {
  const names = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE']
  return names[(packet.flags ?? 0) & 0xf]!
}
const A = (name: string, address: string, ttl = 300): WireRR => ({ name, type: T.A, klass: C.IN, ttl, rdata: rdata('A', address) })

describe('UpdateResponder: the update section (RFC 2136 §2.5)', () => {
  it('adds (class IN), deletes one RR (class NONE), an RRset (ANY, type), a name (ANY, ANY)', async () => {
    expect(await send(updateMessage({ updates: [A('n.example.com.', '192.0.2.1'), { name: 'n.example.com.', type: T.TXT, klass: C.IN, ttl: 60, rdata: rdata('TXT', ['hi']) }] }))).toBe('NOERROR')
    expect(lines(store.zone('example.com.'), 'n.example.com.')).toEqual(['n.example.com. 300 A "192.0.2.1"', 'n.example.com. 60 TXT [{"type":"Buffer","data":[104,105]}]'])
    expect(store.serial('example.com.')).toBe(11)
    expect(await send(updateMessage({ updates: [{ name: 'www.example.com.', type: T.A, klass: C.NONE, rdata: rdata('A', '192.0.2.10') }] }))).toBe('NOERROR')
    expect(lines(store.zone('example.com.'), 'www.example.com.')).toEqual(['www.example.com. 300 A "192.0.2.11"'])
    expect(await send(updateMessage({ updates: [{ name: 'n.example.com.', type: T.TXT, klass: C.ANY }] }))).toBe('NOERROR')
    expect(lines(store.zone('example.com.'), 'n.example.com.')).toEqual(['n.example.com. 300 A "192.0.2.1"'])
    expect(await send(updateMessage({ updates: [{ name: 'n.example.com.', type: T.ANY, klass: C.ANY }] }))).toBe('NOERROR')
    expect(lines(store.zone('example.com.'), 'n.example.com.')).toEqual([])
    expect(store.serial('example.com.')).toBe(14)
  })

  it('ignores deleting the SOA and the last apex NS, and a CNAME beside data (§3.4.2.2–3.4.2.4): NOERROR, nothing changed', async () => {
    const before = store.zone('example.com.')
    expect(await send(updateMessage({ updates: [
      { name: 'example.com.', type: T.SOA, klass: C.ANY },
      { name: 'example.com.', type: T.NS, klass: C.ANY },
      { name: 'www.example.com.', type: T.CNAME, klass: C.IN, ttl: 300, rdata: rdata('CNAME', 'mx.example.com') },
      { name: 'alias.example.com.', type: T.A, klass: C.IN, ttl: 300, rdata: rdata('A', '192.0.2.9') },
    ] }))).toBe('NOERROR')
    expect(store.zone('example.com.')).toBe(before)
  })

  it('deleting one of two apex NS works; the last one stays', async () => {
    const ns = (target: string): WireRR => ({ name: 'example.com.', type: T.NS, klass: C.NONE, rdata: rdata('NS', target) })
    expect(await send(updateMessage({ updates: [ns('ns1.example.com'), ns('ns2.example.com')] }))).toBe('NOERROR')
    expect(store.zone('example.com.').rrset('example.com.', 'NS')!.records.map((r) => r.data)).toEqual(['ns2.example.com.'])
  })
})

describe('UpdateResponder: prerequisites (RFC 2136 §2.4)', () => {
  const add = A('p.example.com.', '192.0.2.5')
  const cases: [string, WireRR[], string][] = [
    ['RRset exists (value-independent), present', [{ name: 'www.example.com.', type: T.A, klass: C.ANY }], 'NOERROR'],
    ['RRset exists (value-independent), absent', [{ name: 'www.example.com.', type: T.TXT, klass: C.ANY }], 'NXRRSET'],
    ['RRset exists (value-dependent), equal', [A('www.example.com.', '192.0.2.11', 0), A('www.example.com.', '192.0.2.10', 0)], 'NOERROR'],
    ['RRset exists (value-dependent), different', [A('www.example.com.', '192.0.2.10', 0)], 'NXRRSET'],
    ['RRset does not exist, absent', [{ name: 'www.example.com.', type: T.TXT, klass: C.NONE }], 'NOERROR'],
    ['RRset does not exist, present', [{ name: 'www.example.com.', type: T.A, klass: C.NONE }], 'YXRRSET'],
    ['name in use, used', [{ name: 'www.example.com.', type: T.ANY, klass: C.ANY }], 'NOERROR'],
    ['name in use, unused', [{ name: 'nope.example.com.', type: T.ANY, klass: C.ANY }], 'NXDOMAIN'],
    ['name not in use, unused', [{ name: 'nope.example.com.', type: T.ANY, klass: C.NONE }], 'NOERROR'],
    ['name not in use, used', [{ name: 'www.example.com.', type: T.ANY, klass: C.NONE }], 'YXDOMAIN'],
    ['a prerequisite outside the zone', [{ name: 'www.example.org.', type: T.ANY, klass: C.ANY }], 'NOTZONE'],
    ['a prerequisite with a TTL', [{ name: 'www.example.com.', type: T.A, klass: C.ANY, ttl: 5 }], 'FORMERR'],
    ['a class ANY prerequisite with rdata', [{ name: 'www.example.com.', type: T.A, klass: C.ANY, rdata: rdata('A', '192.0.2.1') }], 'FORMERR'],
    ['a prerequisite of another class', [{ name: 'www.example.com.', type: T.A, klass: C.CH }], 'FORMERR'],
  ]
  for (const [what, prereqs, rcode] of cases) {
    it(`${what}: ${rcode}`, async () => {
      const before = store.zone('example.com.')
      expect(await send(updateMessage({ prereqs, updates: [add] }))).toBe(rcode)
      if (rcode === 'NOERROR') expect(store.zone('example.com.').rrset('p.example.com.', 'A')).toBeDefined()
      else expect(store.zone('example.com.')).toBe(before)
    })
  }
})

describe('UpdateResponder: zone section, class rules, policy', () => {
  const add = A('p.example.com.', '192.0.2.5')
  const cases: [string, Buffer, string, string | null][] = [
    ['no zone', updateMessage({ zones: [], updates: [add] }), 'FORMERR', 'admin'],
    ['two zones', updateMessage({ zones: [{ name: 'example.com.' }, { name: 'example.com.' }], updates: [add] }), 'FORMERR', 'admin'],
    ['zone type not SOA', updateMessage({ zones: [{ name: 'example.com.', type: T.A }], updates: [add] }), 'FORMERR', 'admin'],
    ['a zone we do not have', updateMessage({ zones: [{ name: 'example.org.' }], updates: [A('p.example.org.', '192.0.2.5')] }), 'NOTAUTH', 'admin'],
    ['a name below our zone is not a zone', updateMessage({ zones: [{ name: 'www.example.com.' }], updates: [add] }), 'NOTAUTH', 'admin'],
    ['zone class CH', updateMessage({ zones: [{ name: 'example.com.', klass: C.CH }], updates: [add] }), 'NOTAUTH', 'admin'],
    ['an update outside the zone', updateMessage({ updates: [A('p.example.org.', '192.0.2.5')] }), 'NOTZONE', 'admin'],
    ['an add of type ANY', updateMessage({ updates: [{ name: 'p.example.com.', type: T.ANY, klass: C.IN, ttl: 1, rdata: Buffer.from([1]) }] }), 'FORMERR', 'admin'],
    ['an add of type AXFR', updateMessage({ updates: [{ name: 'p.example.com.', type: T.AXFR, klass: C.IN, ttl: 1 }] }), 'FORMERR', 'admin'],
    ['a class ANY delete with a TTL', updateMessage({ updates: [{ name: 'www.example.com.', type: T.A, klass: C.ANY, ttl: 1 }] }), 'FORMERR', 'admin'],
    ['a class ANY delete with rdata', updateMessage({ updates: [{ name: 'www.example.com.', type: T.A, klass: C.ANY, rdata: rdata('A', '192.0.2.10') }] }), 'FORMERR', 'admin'],
    ['a class NONE delete with a TTL', updateMessage({ updates: [{ name: 'www.example.com.', type: T.A, klass: C.NONE, ttl: 3, rdata: rdata('A', '192.0.2.10') }] }), 'FORMERR', 'admin'],
    ['a class NONE delete of type ANY', updateMessage({ updates: [{ name: 'www.example.com.', type: T.ANY, klass: C.NONE }] }), 'FORMERR', 'admin'],
    ['an update of class CH', updateMessage({ updates: [{ name: 'www.example.com.', type: T.A, klass: C.CH, rdata: rdata('A', '192.0.2.10') }] }), 'FORMERR', 'admin'],
    ['rdata longer than its type', updateMessage({ updates: [{ name: 'p.example.com.', type: T.A, klass: C.IN, ttl: 1, rdata: Buffer.from([1, 2, 3, 4, 5]) }] }), 'FORMERR', 'admin'],
    ['unsigned', updateMessage({ updates: [add] }), 'REFUSED', null],
    ['a key with no grant', updateMessage({ updates: [add] }), 'REFUSED', 'stranger'],
    ['a granted key, a name outside its grant', updateMessage({ updates: [add] }), 'REFUSED', 'dyn'],
    ['a granted key, a type outside its grant', updateMessage({ updates: [{ name: 'h.dyn.example.com.', type: T.MX, klass: C.IN, ttl: 1, rdata: rdata('MX', { preference: 1, exchange: 'mx.example.com' }) }] }), 'REFUSED', 'dyn'],
    ['a granted key deleting a whole name (needs every type)', updateMessage({ updates: [{ name: 'h.dyn.example.com.', type: T.ANY, klass: C.ANY }] }), 'REFUSED', 'dyn'],
    ['*.name does not cover the name itself', updateMessage({ updates: [A('dyn.example.com.', '192.0.2.1')] }), 'REFUSED', 'dyn'],
    ['an add the zone refuses (apex NS with no address)', updateMessage({ updates: [{ name: 'example.com.', type: T.NS, klass: C.IN, ttl: 300, rdata: rdata('NS', 'ns9.example.com') }] }), 'REFUSED', 'admin'],
  ]
  for (const [what, message, rcode, key] of cases) {
    it(`${what}: ${rcode}`, async () => {
      const before = store.zone('example.com.')
      expect(await send(message, key)).toBe(rcode)
      expect(store.zone('example.com.')).toBe(before)
    })
  }

  it('grants: *.name below it, an exact name, trailing dots optional on key names', async () => {
    expect(await send(updateMessage({ updates: [A('h.dyn.example.com.', '192.0.2.1'), A('exact.example.com.', '192.0.2.2')] }), 'dyn')).toBe('NOERROR')
    expect(store.serial('example.com.')).toBe(11)
  })

  it('the answer echoes the id, opcode UPDATE and the zone section', async () => {
    const answer = (await responder.answerUpdate(updateQuery(updateMessage({ id: 777, updates: [A('p.example.com.', '192.0.2.5')] }), 'admin'))) as dnsPacket.Packet
    expect(answer).toMatchObject({ id: 777, type: 'response', questions: [{ name: 'example.com.', type: 'SOA' }] })
    expect((answer.flags! >> 11) & 0xf).toBe(5)
    expect(responder.snapshot().rcodes).toEqual({ NOERROR: 1 })
  })
})

describe('Authority({ store, update })', () => {
  it('serves the store zones, swaps on every update, and hands UPDATE messages to the responder', async () => {
    const authority = new Authority({ store, update: responder })
    const ask = async (name: string): Promise<dnsPacket.Packet> => {
      const q = DnsQuery.from({ id: 1, questions: [{ name, type: 'A' }] })
      return dnsPacket.decode(Buffer.from((await authority.handle(q, () => undefined)) as Uint8Array))
    }
    expect(rcodeOf(await ask('p.example.com'))).toBe('NXDOMAIN')
    const answer = await authority.handle(updateQuery(updateMessage({ updates: [A('p.example.com.', '192.0.2.5')] }), 'admin'), () => undefined)
    expect(rcodeOf(answer as dnsPacket.Packet)).toBe('NOERROR')
    expect((await ask('p.example.com')).answers).toMatchObject([{ name: 'p.example.com', data: '192.0.2.5' }])
    await store.update('example.com.', [{ op: 'delete-name', name: 'p.example.com.' }])
    expect(rcodeOf(await ask('p.example.com'))).toBe('NXDOMAIN')
    expect(authority.snapshot().views[0]!.zones[0]).toMatchObject({ origin: 'example.com.', serial: 12 })
  })

  it('without `update`, UPDATE messages go to the next handler', async () => {
    const authority = new Authority({ store })
    const result = await authority.handle(updateQuery(updateMessage({ updates: [] }), 'admin'), () => 'next' as never)
    expect(result).toBe('next')
  })
})
