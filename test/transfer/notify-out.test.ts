import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import type { AuthorityOptions } from '../../src/authority/authority.js'
import { FakeClock, flush } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import { nsTargets } from '../../src/transfer/index.js'
import { createKeyring, signResponse, verifyRequest } from '../../src/tsig/index.js'
import { seededRandom } from '../../src/util/random.js'
import { version } from './helpers.js'

const KEY = { name: 'notify-key.', algorithm: 'hmac-sha256' as const, secret: Buffer.alloc(32, 9).toString('base64') }

type Reply = 'ack' | 'ack-no-aa' | 'refused' | 'silent'

/**
 * A secondary at `address`:53 on the memory network: records every NOTIFY it gets (at what fake
 * time, for which serial) and answers as `reply` says (verifying and signing with TSIG when asked).
 */
async function secondary(network: MemoryNetwork, clock: FakeClock, address: string, reply: () => Reply, tsig = false) {
  const socket = network.createDatagramSocket(4)
  await socket.bind(53, address)
  const got: { at: number; serial: number; signed: boolean }[] = []
  const keyring = createKeyring([KEY])
  socket.onMessage((msg, rinfo) => {
    const q = dnsPacket.decode(msg)
    got.push({ at: clock.now(), serial: ((q.answers![0] as { data: { serial: number } }).data).serial, signed: (q.additionals ?? []).some((a) => a.type === ('TSIG' as never)) })
    const how = reply()
    if (how === 'silent') return
    const flags = (4 << 11) | (how === 'ack-no-aa' ? 0 : 0x400) | (how === 'refused' ? 5 : 0)
    let answer: Uint8Array = dnsPacket.encode({ type: 'response', id: q.id, flags, questions: q.questions })
    if (tsig) {
      const verdict = verifyRequest(msg, keyring, Math.floor(clock.now() / 1000))
      if (verdict.status !== 'ok') return
      answer = signResponse(answer, verdict.context, Math.floor(clock.now() / 1000))
    }
    socket.send(answer, rinfo.port, rinfo.address)
  })
  return got
}

async function setup(options: AuthorityOptions, reply: () => Reply = () => 'ack', tsig = false) {
  const clock = new FakeClock({ now: 1_700_000_000_000 })
  const network = new MemoryNetwork({ clock })
  const got = await secondary(network, clock, '127.0.0.2', reply, tsig)
  const auth = new Authority({ zones: [version(1)], clock, network, random: seededRandom(1), ...options })
  const events: { name: string; serial: number; attempt: number; reason?: string }[] = []
  for (const name of ['notify-sent', 'notify-acked', 'notify-failed'] as const) {
    auth.transfer.on(name, (e: { serial: number; attempt: number; reason?: string }) => events.push({ name, serial: e.serial, attempt: e.attempt, ...(e.reason ? { reason: e.reason } : {}) }))
  }
  const step = async (ms: number) => {
    await flush()
    await clock.advanceAsync(ms)
    for (let i = 0; i < 5; i++) await flush()
  }
  return { clock, network, auth, got, events, step }
}

const target = [{ address: '127.0.0.2', port: 53 }]

describe('NOTIFY out', () => {
  it('sends a NOTIFY with the new SOA when the serial changes, and stops once it is acknowledged', async () => {
    const s = await setup({ notify: 'explicit', alsoNotify: target })
    s.auth.replaceZone(version(2))
    await s.step(0)
    await s.step(60_000)
    expect(s.got).toEqual([{ at: 1_700_000_000_000, serial: 2, signed: false }])
    expect(s.events).toEqual([
      { name: 'notify-sent', serial: 2, attempt: 1 },
      { name: 'notify-acked', serial: 2, attempt: 1 },
    ])
    expect(s.auth.transfer.snapshot().notifiesInFlight).toBe(0)
  })

  it('retries after 1, 2, 4 and 8 s without an answer, then reports the failure', async () => {
    const s = await setup({ notify: target }, () => 'silent')
    s.auth.replaceZone(version(2))
    for (let i = 0; i < 40; i++) await s.step(1000)
    expect(s.got.map((g) => g.at - 1_700_000_000_000)).toEqual([0, 1000, 3000, 7000, 15000])
    expect(s.events.filter((e) => e.name === 'notify-failed')).toEqual([{ name: 'notify-failed', serial: 2, attempt: 5, reason: 'no answer after 5 tries' }])
  })

  it('a late answer stops the retries; one without AA counts too', async () => {
    let n = 0
    const s = await setup({ notify: target }, () => (++n < 3 ? 'silent' : 'ack-no-aa'))
    s.auth.replaceZone(version(2))
    for (let i = 0; i < 40; i++) await s.step(1000)
    expect(s.got).toHaveLength(3)
    expect(s.events.map((e) => e.name)).toEqual(['notify-sent', 'notify-sent', 'notify-sent', 'notify-acked'])
  })

  it('ends on an error answer (REFUSED) with the reason', async () => {
    const s = await setup({ notify: target }, () => 'refused')
    s.auth.replaceZone(version(2))
    for (let i = 0; i < 10; i++) await s.step(1000)
    expect(s.got).toHaveLength(1)
    expect(s.events[1]).toEqual({ name: 'notify-failed', serial: 2, attempt: 1, reason: 'answered REFUSED' })
  })

  it('coalesces changes landing within notifyDelayMs into one NOTIFY of the newest serial', async () => {
    const s = await setup({ notify: target, notifyDelayMs: 500 })
    s.auth.replaceZone(version(2))
    await s.step(200)
    s.auth.replaceZone(version(3))
    await s.step(200)
    s.auth.replaceZone(version(4))
    await s.step(99)
    expect(s.got).toEqual([])
    await s.step(1)
    await s.step(10_000)
    expect(s.got.map((g) => g.serial)).toEqual([4])
  })

  it('a newer serial replaces the NOTIFY still being retried for an older one', async () => {
    let answering = false
    const s = await setup({ notify: target }, () => (answering ? 'ack' : 'silent'))
    s.auth.replaceZone(version(2))
    await s.step(500)
    answering = true
    s.auth.replaceZone(version(3))
    for (let i = 0; i < 40; i++) await s.step(1000)
    expect(s.got.map((g) => g.serial)).toEqual([2, 3])
    expect(s.events.filter((e) => e.name !== 'notify-sent')).toEqual([{ name: 'notify-acked', serial: 3, attempt: 1 }])
  })

  it('sends nothing when the serial is unchanged, or with notify: false', async () => {
    const same = await setup({ notify: target })
    same.auth.replaceZone(version(1, 'x A 192.0.2.7'))
    await same.step(5000)
    expect(same.got).toEqual([])
    const off = await setup({ notify: false, alsoNotify: target })
    off.auth.replaceZone(version(2))
    await off.step(5000)
    expect(off.got).toEqual([])
  })

  it('signs the NOTIFY with the target key and checks the signed answer', async () => {
    const s = await setup({ notify: 'explicit', alsoNotify: [{ address: '127.0.0.2', port: 53, key: 'notify-key' }], tsig: createKeyring([KEY]) }, () => 'ack', true)
    s.auth.replaceZone(version(2))
    await s.step(0)
    await s.step(10_000)
    expect(s.got).toEqual([{ at: 1_700_000_000_000, serial: 2, signed: true }])
    expect(s.events.map((e) => e.name)).toEqual(['notify-sent', 'notify-acked'])
  })

  it('rejects a target whose key is not in the tsig keyring', () => {
    expect(() => new Authority({ zones: [version(1)], alsoNotify: [{ address: '127.0.0.2', key: 'nope' }] })).toThrow(/not in the tsig keyring/)
  })
})

describe('nsTargets', () => {
  it('lists the NS hosts other than the SOA MNAME at the addresses the zone holds, port 53', () => {
    const zone = version(1, 'ns2 AAAA 2001:db8::2', '@ NS ns3.elsewhere.net.')
    expect(nsTargets(zone)).toEqual([
      { address: '192.0.2.2', port: 53 },
      { address: '2001:db8::2', port: 53 },
    ])
  })

  it('notifies them by default (notify: true) with alsoNotify added', async () => {
    const clock = new FakeClock({ now: 1_700_000_000_000 })
    const network = new MemoryNetwork({ clock })
    const zone = (serial: number) => version(serial, 'ns2 A 127.0.0.2')
    const got = await secondary(network, clock, '127.0.0.2', () => 'ack')
    const also = await secondary(network, clock, '127.0.0.3', () => 'ack')
    const auth = new Authority({ zones: [zone(1)], clock, network, alsoNotify: [{ address: '127.0.0.3', port: 53 }] })
    auth.replaceZone(zone(2))
    await flush()
    await clock.advanceAsync(0)
    for (let i = 0; i < 5; i++) await flush()
    expect(got.map((g) => g.serial)).toEqual([2])
    expect(also.map((g) => g.serial)).toEqual([2])
    await auth.close()
  })
})
