// The router's order for names the forwarder must not send upstream (dnsmasq 2.90's man page:
// bogus-priv answers private reverse lookups "not found in /etc/hosts" with NXDOMAIN, and "no
// longer overrides explicit server= lines for the domain"). Each case names one branch of
// `Router.decide` that a user notices when it goes wrong: a leak upstream, or a name lost.
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { Forwarder } from '../../src/forwarder/forwarder.js'
import type { ForwarderOptions } from '../../src/forwarder/forwarder.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import { seededRandom } from '../../src/util/random.js'
import { DnsQuery } from '../../src/server/query.js'
import { answering, answerTo, ask, datas, rawUpstream, upstream } from './helpers.js'

const PRIVATE_PTR = '5.5.5.10.in-addr.arpa'

async function setup(options: ForwarderOptions) {
  const clock = new FakeClock()
  const network = new MemoryNetwork({ clock })
  const forwarder = new Forwarder({ clock, network, random: seededRandom(7), servers: [{ address: '10.0.0.53' }], ...options })
  const up = answering('192.0.2.1')
  await upstream(network, '10.0.0.53', up)
  return { network, forwarder, up }
}

describe('Router: bogusPriv', () => {
  it('keeps only PTR questions for private reverse names: other types of the same name go upstream', async () => {
    const { forwarder, up } = await setup({ bogusPriv: true })
    const ptr = await ask(forwarder, PRIVATE_PTR, 'PTR')
    expect([ptr.rcode, ptr.flag_aa, up.calls]).toEqual(['NXDOMAIN', true, 0])
    const a = await ask(forwarder, PRIVATE_PTR, 'A')
    expect([a.rcode, datas(a), up.calls]).toEqual(['NOERROR', ['192.0.2.1'], 1])
  })

  it('sends private reverse names upstream when it is off', async () => {
    const { forwarder, up } = await setup({ bogusPriv: false })
    expect((await ask(forwarder, PRIVATE_PTR, 'PTR')).rcode).toBe('NOERROR')
    expect(up.calls).toBe(1)
  })

  it('forwards public reverse names', async () => {
    const { forwarder, up } = await setup({ bogusPriv: true })
    expect((await ask(forwarder, '8.8.8.8.in-addr.arpa', 'PTR')).rcode).toBe('NOERROR')
    expect(up.calls).toBe(1)
  })

  it('yields to an explicit server= route for the reverse domain', async () => {
    const { network, forwarder, up } = await setup({ bogusPriv: true, domainServers: [{ domain: '10.in-addr.arpa', servers: [{ address: '10.9.9.9' }] }] })
    const inner = answering('192.0.2.7')
    await upstream(network, '10.9.9.9', inner)
    const r = await ask(forwarder, PRIVATE_PTR, 'PTR')
    expect([r.rcode, inner.calls, up.calls]).toEqual(['NOERROR', 1, 0])
  })

  it('answers a hosts address before bogusPriv can deny it', async () => {
    const { forwarder, up } = await setup({ bogusPriv: true, hosts: '10.5.5.5 printer.lan' })
    expect(datas(await ask(forwarder, PRIVATE_PTR, 'PTR'))).toEqual(['printer.lan'])
    expect(up.calls).toBe(0)
  })
})

describe('Router: domainNeeded', () => {
  it('keeps bare names local but forwards them when off, and never keeps dotted names', async () => {
    const on = await setup({ domainNeeded: true })
    expect((await ask(on.forwarder, 'printer', 'A')).rcode).toBe('NXDOMAIN')
    expect((await ask(on.forwarder, 'printer.example', 'A')).rcode).toBe('NOERROR')
    expect(on.up.calls).toBe(1)
    const off = await setup({ domainNeeded: false })
    expect((await ask(off.forwarder, 'printer', 'A')).rcode).toBe('NOERROR')
    expect(off.up.calls).toBe(1)
  })

  it('answers a bare name that hosts know under another type with NODATA, not NXDOMAIN', async () => {
    const { forwarder, up } = await setup({ domainNeeded: true, hosts: '10.1.1.4 printer' })
    const r = await ask(forwarder, 'printer', 'AAAA')
    expect([r.rcode, r.answers?.length, up.calls]).toEqual(['NOERROR', 0, 0])
  })
})

describe('Router: class', () => {
  it('answers hosts names only in class IN: a CH question for a hosts name goes upstream', async () => {
    const clock = new FakeClock()
    const network = new MemoryNetwork({ clock })
    const forwarder = new Forwarder({ clock, network, random: seededRandom(7), servers: [{ address: '10.0.0.53' }], hosts: '10.1.1.1 web.lan' })
    // The upstream echoes the question (class CH included), so the forwarder's answer matching accepts it.
    const up = await rawUpstream(network, '10.0.0.53', (msg) => [{ bytes: answerTo(msg, '192.0.2.99', { answers: [] }) }])
    const query = DnsQuery.from({ id: 9, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: 'web.lan', type: 'A', class: 'CH' }] })
    const bytes = await forwarder.handle(query, () => undefined as never)
    expect(bytes).toBeInstanceOf(Uint8Array)
    const r = dnsPacket.decode(Buffer.from(bytes as Uint8Array))
    expect([r.questions?.[0]?.class, r.answers?.length, r.flag_aa, up.received]).toEqual(['CH', 0, false, 1])
  })
})
