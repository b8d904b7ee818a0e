import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import type { HealthChange, HealthSource, HealthState } from '../../src/pool/tracking.js'
import { UdpProxyPool } from '../../src/proxy/udp-proxy-pool.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import { batchedEngineUnavailable } from '../../src/util/batched-network.js'
import { DnsHaError, isDnsHaError } from '../../src/util/errors.js'
import { answeredBy, FakeMember, manualSource, queryBytes, rig } from './helpers.js'
import { errorOf } from '../support/error-of.js'

describe('UdpProxyPool: relaying', () => {
  it('rewrites the id towards the member and restores the client id in the answer', async () => {
    const r = await rig([{}])
    r.ask('www.example.', 0x1234)
    await r.settle()
    const seen = r.members[0]!.received[0]!.msg
    expect(seen.readUInt16BE(0)).not.toBe(0x1234)
    expect(seen.subarray(2)).toEqual(queryBytes('www.example.', 0x1234).subarray(2))
    expect(r.replies).toHaveLength(1)
    expect(r.replies[0]!.id).toBe(0x1234)
    expect(r.replies[0]!.questions).toEqual([{ name: 'www.example', type: 'A', class: 'IN' }])
    expect(answeredBy(r.replies[0]!)).toBe('10.0.1.1')
    const m = r.pool.snapshot().members[0]!
    expect(m.counters).toMatchObject({ queries: 1, answers: 1, timeouts: 0 })
    expect(m.outstanding).toBe(0)
    expect(m.latencyMs).toBe(0)
    expect(r.pool.snapshot().inFlight).toBe(0)
  })

  it('accepts the answer whatever the case of the name in it (RFC 4343)', async () => {
    const r = await rig([{}])
    r.members[0]!.mode = 'silent'
    r.ask('www.example.')
    await r.settle()
    const { msg, from } = r.members[0]!.received[0]!
    const answer = r.members[0]!.answerTo(msg)
    answer.write('WWW', 13, 'latin1')
    r.members[0]!.socket.send(answer, from.port, from.address)
    await r.settle()
    expect(r.replies).toHaveLength(1)
    expect(r.replies[0]!.questions![0]!.name).toBe('WWW.example')
  })

  it('drops spoofed answers: wrong id, wrong question, wrong type, wrong source; then takes the real one, once', async () => {
    const r = await rig([{}])
    const member = r.members[0]!
    member.mode = 'silent'
    r.ask('www.example.')
    await r.settle()
    const { msg, from } = member.received[0]!
    const good = member.answerTo(msg)
    const wrongId = Buffer.from(good)
    wrongId.writeUInt16BE((good.readUInt16BE(0) + 1) & 0xffff, 0)
    const wrongName = member.answerTo(queryBytes('wwx.example.', msg.readUInt16BE(0)))
    const wrongType = member.answerTo(queryBytes('www.example.', msg.readUInt16BE(0), 'AAAA'))
    const notResponse = Buffer.from(good)
    notResponse[2]! &= 0x7f
    for (const bad of [wrongId, wrongName, wrongType, notResponse, Buffer.from([1, 2, 3])]) member.socket.send(bad, from.port, from.address)
    // The right bytes from another host never reach the member's connected socket.
    const impostor = r.network.createDatagramSocket(4)
    await impostor.bind(53, '10.0.9.9')
    impostor.send(good, from.port, from.address)
    await r.settle()
    expect(r.replies).toEqual([])
    const counters = r.pool.snapshot().members[0]!.counters
    expect(counters.mismatches).toBe(3)
    expect(counters.garbage).toBe(1)
    expect(r.pool.snapshot().counters.unmatched).toBe(1)
    member.socket.send(good, from.port, from.address)
    member.socket.send(good, from.port, from.address)
    await r.settle()
    expect(r.replies).toHaveLength(1)
    expect(r.pool.snapshot().counters.unmatched).toBe(2)
  })

  it('answers FORMERR to a query without one readable question and drops what is not a query', async () => {
    const r = await rig([{}])
    const noQuestion = dnsPacket.encode({ type: 'query', id: 77, flags: dnsPacket.RECURSION_DESIRED, questions: [] })
    const truncated = queryBytes('www.example.', 78).subarray(0, 20)
    const response = r.members[0]!.answerTo(queryBytes('www.example.', 79))
    for (const bad of [noQuestion, truncated, response, Buffer.from([0, 1, 2])]) r.client.send(bad, r.port, '10.0.0.1')
    await r.settle()
    expect(r.replies.map((p) => [p.id, p.rcode, p.flags! & dnsPacket.RECURSION_DESIRED])).toEqual([
      [77, 'FORMERR', dnsPacket.RECURSION_DESIRED],
      [78, 'FORMERR', dnsPacket.RECURSION_DESIRED],
    ])
    expect(r.members[0]!.received).toHaveLength(0)
    expect(r.pool.snapshot().counters).toMatchObject({ formerr: 2, dropped: 2, queries: 0 })
  })

  it('keeps 60,000 queries in flight on one socket with no id collision, all answered to the right question', async () => {
    const r = await rig([{}], { socketsPerMember: 1, timeoutMs: 60_000 })
    const member = r.members[0]!
    member.mode = 'hold'
    const n = 60_000
    for (let i = 0; i < n; i++) r.ask(`q${i}.example.`, 7)
    await r.settle()
    expect(member.received).toHaveLength(n)
    expect(new Set(member.received.map((x) => x.msg.readUInt16BE(0))).size).toBe(n)
    expect(r.pool.snapshot().members[0]!.outstanding).toBe(n)
    member.release()
    await r.settle()
    expect(r.replies).toHaveLength(n)
    expect(r.replies.every((p) => p.id === 7 && p.rcode === 'NOERROR')).toBe(true)
    expect(new Set(r.replies.map((p) => p.questions![0]!.name)).size).toBe(n)
  }, 60_000)

  it('answers 1,000 queries with the same client id at once, each to its own question', async () => {
    const r = await rig([{}, {}, {}])
    for (let i = 0; i < 1000; i++) r.ask(`n${i}.example.`, 99)
    await r.settle()
    expect(r.replies).toHaveLength(1000)
    expect(r.replies.every((p) => p.id === 99 && p.answers![0]!.name === p.questions![0]!.name)).toBe(true)
    expect(new Set(r.replies.map((p) => p.questions![0]!.name)).size).toBe(1000)
  })
})

describe('UdpProxyPool: failures', () => {
  it('takes a member whose port is unreachable down at once and retries its query on another member', async () => {
    const r = await rig([{}, {}], { policy: 'first' })
    await r.members[0]!.close()
    const downs: string[] = []
    r.pool.on('member-down', (e) => downs.push(`${e.member.key}: ${e.reason}`))
    r.ask('www.example.')
    await r.settle()
    expect(r.replies.map(answeredBy)).toEqual(['10.0.1.2'])
    expect(downs).toEqual(['10.0.1.1#53: port unreachable (ECONNREFUSED)'])
    expect(r.pool.snapshot().counters.retries).toBe(1)
    r.ask('www.example.')
    await r.settle()
    expect(r.replies.map(answeredBy)).toEqual(['10.0.1.2', '10.0.1.2'])
  })

  it('hedges a query a silent member leaves unanswered, marks the member frozen, then probes it back', async () => {
    const r = await rig([{}, {}], { policy: 'first', hedgeMs: 50, unansweredToDown: 3 })
    const frozen = r.members[0]!
    frozen.mode = 'silent'
    const events: string[] = []
    r.pool.on('member-down', (e) => events.push(`down ${e.member.key} ${e.reason}`))
    r.pool.on('member-up', (e) => events.push(`up ${e.member.key}`))
    r.ask('a.example.')
    await r.settle()
    expect(r.replies).toHaveLength(0)
    r.clock.advance(49)
    await r.settle()
    expect(r.replies).toHaveLength(0)
    r.clock.advance(1)
    await r.settle()
    expect(r.replies.map(answeredBy)).toEqual(['10.0.1.2'])
    r.ask('b.example.')
    r.ask('c.example.')
    await r.settle()
    r.clock.advance(50)
    await r.settle()
    expect(r.replies).toHaveLength(3)
    expect(events).toEqual(['down 10.0.1.1#53 frozen: 3 queries in a row unanswered'])
    // The third miss took the member down, which moved its query on at once (a retry, not a hedge).
    expect(r.pool.snapshot().counters).toMatchObject({ hedges: 2, retries: 1 })
    // Down: traffic goes elsewhere at once, no hedge wait.
    r.ask('d.example.')
    await r.settle()
    expect(r.replies).toHaveLength(4)
    expect(frozen.received).toHaveLength(3)
    // Thawed: the next probe (`. NS`) brings it back within the probe interval.
    frozen.mode = 'answer'
    r.clock.advance(1000)
    await r.settle()
    const probe = dnsPacket.decode(frozen.received[3]!.msg)
    expect(probe.questions).toEqual([{ name: '.', type: 'NS', class: 'IN' }])
    expect(events.at(-1)).toBe('up 10.0.1.1#53')
    r.ask('e.example.')
    await r.settle()
    expect(answeredBy(r.replies.at(-1)!)).toBe('10.0.1.1')
  })

  it('a member frozen, then dead, under steady traffic: every query answered right, by the live member, with the query and send slots reused', async () => {
    const r = await rig([{}, {}], { hedgeMs: 50, unansweredToDown: 3 })
    const victim = r.members[0]!
    victim.mode = 'silent'
    const events: string[] = []
    r.pool.on('member-down', (e) => events.push(e.reason))
    let asked = 0
    const round = async (n: number) => {
      for (let i = 0; i < n; i++) r.ask(`q${asked++}.example.`, asked & 0xffff)
      await r.settle()
      r.clock.advance(60)
      await r.settle()
    }
    for (let i = 0; i < 5; i++) await round(20)
    await victim.close()
    for (let i = 0; i < 40; i++) await round(20)
    r.clock.advance(3000)
    await r.settle()
    expect(events[0]).toMatch(/^frozen/)
    expect(r.replies).toHaveLength(asked)
    // Each reply carries its own question, answered by the live member (no SERVFAIL, no mix-up).
    expect(r.replies.filter((x) => x.rcode !== 'NOERROR' || answeredBy(x) !== '10.0.1.2')).toEqual([])
    expect(new Set(r.replies.map((x) => x.questions![0]!.name)).size).toBe(asked)
    expect(r.replies.filter((x) => x.id !== (Number(x.questions![0]!.name.slice(1, -8)) + 1) % 0x10000)).toEqual([])
    const snap = r.pool.snapshot()
    expect(snap.inFlight).toBe(0)
    expect(snap.members.map((m) => m.outstanding)).toEqual([0, 0])
  })

  it('does not take members down as frozen when all of them go quiet together (the cause is not theirs)', async () => {
    const r = await rig([{}, {}], { hedgeMs: 50, unansweredToDown: 2 })
    for (const m of r.members) m.mode = 'hold'
    for (let i = 0; i < 6; i++) r.ask(`q${i}.example.`)
    await r.settle()
    r.clock.advance(50)
    await r.settle()
    expect(r.pool.snapshot().members.map((m) => [m.state, m.unanswered])).toEqual([
      ['up', 3],
      ['up', 3],
    ])
    for (const m of r.members) m.release()
    await r.settle()
    expect(r.replies.map((p) => p.rcode)).toEqual(Array(6).fill('NOERROR'))
  })

  it('does not count an answer read late, to a query sent before the run of misses began, as the others answering (a stalled receive path)', async () => {
    const r = await rig([{}, {}], { policy: 'first', hedgeMs: 50, unansweredToDown: 3 })
    const [a, b] = r.members
    a!.mode = 'hold'
    b!.mode = 'hold'
    const downs: string[] = []
    r.pool.on('member-down', (e) => downs.push(`${e.member.key}: ${e.reason}`))
    // One query to 10.0.1.1, then it is drained: the next three go to 10.0.1.2.
    r.ask('first.example.', 1)
    await r.settle()
    r.pool.drain('10.0.1.1#53')
    r.clock.advance(10)
    for (let i = 2; i <= 4; i++) r.ask(`q${i}.example.`, i)
    await r.settle()
    // The old query's answer is read only now, after 10.0.1.2's three were sent.
    r.clock.advance(10)
    a!.release()
    await r.settle()
    r.clock.advance(40)
    await r.settle()
    expect(r.pool.snapshot().members[1]!.unanswered).toBe(3)
    expect(downs).toEqual([])
    b!.release()
    a!.release()
    await r.settle()
    expect(r.replies.map((p) => p.rcode)).toEqual(Array(4).fill('NOERROR'))
  })

  it('a member that answers late is not marked down by one slow query', async () => {
    const r = await rig([{}, {}], { policy: 'first', hedgeMs: 50 })
    const slow = r.members[0]!
    slow.mode = 'hold'
    r.ask('a.example.')
    await r.settle()
    r.clock.advance(50)
    await r.settle()
    slow.release()
    await r.settle()
    expect(r.replies).toHaveLength(1)
    expect(r.pool.snapshot().counters.duplicates).toBe(1)
    expect(r.pool.snapshot().members[0]!).toMatchObject({ state: 'up', unanswered: 0 })
  })

  it('marks a member down after maxFails timeouts within failTimeoutMs', async () => {
    const r = await rig([{ maxFails: 2 }], { timeoutMs: 1000, hedgeMs: 400, unansweredToDown: 100, servfailOnTimeout: false })
    r.members[0]!.mode = 'silent'
    r.ask('a.example.')
    await r.settle()
    r.clock.advance(1000)
    expect(r.pool.snapshot().members[0]!.state).toBe('up')
    r.ask('b.example.')
    await r.settle()
    r.clock.advance(1000)
    const m = r.pool.snapshot().members[0]!
    expect(m).toMatchObject({ state: 'down', reason: '2 timeout(s) within 10000 ms' })
    expect(m.counters.timeouts).toBe(2)
    expect(r.replies).toEqual([])
    expect(r.pool.snapshot().counters.timeouts).toBe(2)
  })

  it('answers SERVFAIL at once, question echoed and RD copied, when no member can be asked', async () => {
    const r = await rig([{ down: true }, {}])
    const alls: number[] = []
    r.pool.on('all-down', (e) => alls.push(e.members.length))
    await r.members[1]!.close()
    r.ask('www.example.', 5)
    await r.settle()
    expect(alls).toEqual([2])
    r.ask('www.example.', 6)
    await r.settle()
    expect(r.replies.map((p) => [p.id, p.rcode])).toEqual([
      [5, 'SERVFAIL'],
      [6, 'SERVFAIL'],
    ])
    expect(r.replies[1]!.questions).toEqual([{ name: 'www.example', type: 'A', class: 'IN' }])
    expect(r.replies[1]!.flags! & dnsPacket.RECURSION_DESIRED).toBe(dnsPacket.RECURSION_DESIRED)
    expect(r.members[0]!.received).toHaveLength(0)
  })

  it('answers SERVFAIL when the budget runs out, or nothing with servfailOnTimeout false', async () => {
    for (const servfailOnTimeout of [true, false]) {
      const r = await rig([{ maxFails: 0 }], { timeoutMs: 500, servfailOnTimeout })
      r.members[0]!.mode = 'silent'
      r.ask('www.example.')
      await r.settle()
      r.clock.advance(499)
      await r.settle()
      expect(r.replies).toHaveLength(0)
      r.clock.advance(1)
      await r.settle()
      expect(r.replies.map((p) => p.rcode)).toEqual(servfailOnTimeout ? ['SERVFAIL'] : [])
      expect(r.pool.snapshot().members[0]!.state).toBe('up')
    }
  })

  it('asks backups only while every primary is down', async () => {
    const r = await rig([{}, { backup: true }])
    for (let i = 0; i < 4; i++) r.ask(`p${i}.example.`)
    await r.settle()
    expect(r.replies.map(answeredBy)).toEqual(['10.0.1.1', '10.0.1.1', '10.0.1.1', '10.0.1.1'])
    await r.members[0]!.close()
    r.ask('x.example.')
    r.ask('y.example.')
    await r.settle()
    expect(r.replies.slice(4).map(answeredBy)).toEqual(['10.0.1.2', '10.0.1.2'])
  })
})

describe('UdpProxyPool: run-time changes', () => {
  it('removes, drains and adds members while queries are in flight, dropping none', async () => {
    const r = await rig([{}, {}])
    const [a, b] = r.members as [NonNullable<(typeof r.members)[0]>, NonNullable<(typeof r.members)[0]>]
    a.mode = 'hold'
    b.mode = 'hold'
    for (let i = 0; i < 4; i++) r.ask(`q${i}.example.`)
    await r.settle()
    expect([a.received.length, b.received.length]).toEqual([2, 2])
    expect(r.pool.removeMember('10.0.1.1#53')).toBe(true)
    expect(r.pool.removeMember('10.0.1.1#53')).toBe(false)
    expect(r.pool.drain('10.0.1.2#53')).toBe(true)
    const c = r.network.createDatagramSocket(4)
    await c.bind(53, '10.0.1.3')
    const { FakeMember } = await import('./helpers.js')
    const third = new FakeMember(c, '10.0.1.3')
    r.pool.addMember({ address: '10.0.1.3' })
    expect(() => r.pool.addMember({ address: '10.0.1.3' })).toThrow(/already/)
    await r.settle()
    r.ask('new.example.')
    await r.settle()
    expect(third.received).toHaveLength(1)
    a.release()
    b.release()
    await r.settle()
    expect(r.replies).toHaveLength(5)
    expect(r.replies.map(answeredBy).sort()).toEqual(['10.0.1.1', '10.0.1.1', '10.0.1.2', '10.0.1.2', '10.0.1.3'])
    expect(r.pool.snapshot().members.map((m) => [m.key, m.weight])).toEqual([
      ['10.0.1.2#53', 0],
      ['10.0.1.3#53', 1],
    ])
    // The removed member's sockets closed once its last query was answered.
    a.mode = 'answer'
    r.ask('later.example.')
    await r.settle()
    expect(a.received).toHaveLength(2)
  })

  it('closes a removed member\'s sockets on close() even with its queries still in flight', async () => {
    const r = await rig([{}, {}])
    r.members[0]!.mode = 'hold'
    r.ask('q.example.')
    await r.settle()
    r.pool.removeMember('10.0.1.1#53')
    await r.pool.close()
    r.members[0]!.release()
    await r.settle()
    expect(r.replies).toEqual([])
    expect(r.network.snapshot().unreachable).toBe(1)
  })

  it('re-weights at run time', async () => {
    const r = await rig([{}, {}])
    expect(r.pool.setWeight('10.0.1.1#53', 3)).toBe(true)
    expect(r.pool.setWeight('nope#53', 3)).toBe(false)
    expect(() => r.pool.setWeight('10.0.1.1#53', -1)).toThrow(/weight/)
    for (let i = 0; i < 8; i++) r.ask(`w${i}.example.`)
    await r.settle()
    expect(r.members.map((m) => m.received.length)).toEqual([6, 2])
  })

  it('follows a tracked health source: down, up, weight; stops when told', async () => {
    const listeners = new Set<(c: HealthChange) => void>()
    const states = new Map<string, HealthState>([['m1', 'down']])
    const source: HealthSource = {
      watch: (l) => {
        listeners.add(l)
        return () => listeners.delete(l)
      },
      state: (t) => states.get(t),
    }
    const r = await rig([{}, {}])
    const events: string[] = []
    r.pool.on('member-down', (e) => events.push(`down ${e.member.key} ${e.reason}`))
    r.pool.on('member-up', (e) => events.push(`up ${e.member.key}`))
    const stop = r.pool.track(source, { target: (m) => (m.address === '10.0.1.1' ? 'm1' : 'm2') })
    expect(events).toEqual(['down 10.0.1.1#53 health: down'])
    for (let i = 0; i < 2; i++) r.ask(`a${i}.example.`)
    await r.settle()
    expect(r.replies.map(answeredBy)).toEqual(['10.0.1.2', '10.0.1.2'])
    for (const l of listeners) l({ target: 'm1', state: 'up', reason: 'script ok', weight: 3 })
    expect(events.at(-1)).toBe('up 10.0.1.1#53')
    for (let i = 0; i < 4; i++) r.ask(`b${i}.example.`)
    await r.settle()
    expect(r.replies.slice(2).map(answeredBy).filter((x) => x === '10.0.1.1')).toHaveLength(3)
    for (const l of listeners) l({ target: 'm2', state: 'down', reason: 'script exit 1' })
    expect(events.at(-1)).toBe('down 10.0.1.2#53 health: script exit 1')
    expect(r.pool.snapshot().members[1]).toMatchObject({ state: 'down', reason: 'health: script exit 1' })
    stop()
    expect(listeners.size).toBe(0)
    // What it held down is the pool's own health's to judge again.
    expect(events.at(-1)).toBe('up 10.0.1.2#53')
    expect(r.pool.snapshot().members.map((m) => m.state)).toEqual(['up', 'up'])
  })
})

describe('UdpProxyPool: a tracked source taking a member down', () => {
  const manual = () => manualSource('10.0.1.1#53', 'wrong answer')

  it('moves the member\'s queries in flight to another member at once, and takes no late answer from it', async () => {
    const r = await rig([{}, {}])
    const checker = manual()
    r.pool.track(checker.source)
    r.members[0]!.mode = 'hold'
    r.ask('held.example.')
    await r.settle()
    expect(r.members[0]!.received).toHaveLength(1)
    expect(r.replies).toEqual([])
    checker.say('down')
    await r.settle()
    expect(r.replies.map(answeredBy)).toEqual(['10.0.1.2'])
    r.members[0]!.release()
    await r.settle()
    expect(r.replies).toHaveLength(1)
    expect(r.pool.snapshot().members[0]!.outstanding).toBe(0)
  })
  it('probes a released member that is still down by the pool\'s own verdict at once, not at the next interval', async () => {
    const r = await rig([{}, {}], { probeIntervalMs: 60_000 })
    const checker = manual()
    r.pool.track(checker.source)
    await r.members[0]!.close()
    r.ask('refused.example.')
    await r.settle()
    expect(r.pool.snapshot().members[0]!.state).toBe('down')
    checker.say('down')
    const socket = r.network.createDatagramSocket(4)
    await socket.bind(53, '10.0.1.1')
    const back = new FakeMember(socket, '10.0.1.1')
    checker.say('up')
    await r.settle()
    expect(back.received.map((x) => dnsPacket.decode(x.msg).questions![0]!.type)).toEqual(['NS'])
    expect(r.pool.snapshot().members[0]!.state).toBe('up')
  })
})

describe('UdpProxyPool: two health sources', () => {
  it('a member is down while any tracked source holds it down', async () => {
    const make = () => manualSource()
    const r = await rig([{}, {}])
    const a = make()
    const b = make()
    r.pool.track(a.source)
    r.pool.track(b.source)
    a.say('down')
    b.say('down')
    a.say('up')
    expect(r.pool.snapshot().members[0]!.state).toBe('down')
    b.say('up')
    expect(r.pool.snapshot().members[0]!.state).toBe('up')
  })
})

describe('UdpProxyPool: lifecycle and options', () => {
  it('engine: dgram by default and with a custom network under auto; batched refused for datagram mode; a bad name refused', async () => {
    const network = new MemoryNetwork()
    const members = [{ address: '10.0.1.1' }]
    expect(new UdpProxyPool({ members, network }).snapshot().engine).toBe('dgram')
    expect(new UdpProxyPool({ members, network, engine: 'auto' }).snapshot().engine).toBe('dgram')
    expect(() => new UdpProxyPool({ members, network, mode: 'datagram', engine: 'batched' })).toThrow(/datagram mode/)
    expect(new UdpProxyPool({ members, network, mode: 'datagram', engine: 'auto' }).snapshot().engine).toBe('dgram')
    expect(() => new UdpProxyPool({ members, network, engine: 'fast' as never })).toThrow(DnsHaError)
    const reason = batchedEngineUnavailable()
    if (reason === undefined) expect(new UdpProxyPool({ members, engine: 'auto' }).snapshot().engine).toBe('batched')
    else expect(() => new UdpProxyPool({ members, engine: 'batched' })).toThrow(reason)
  })

  it('rejects bad options with ERR_CONFIG', () => {
    const bad = [
      () => new UdpProxyPool(undefined as never),
      () => new UdpProxyPool({ members: [], timeoutMs: 0 }),
      () => new UdpProxyPool({ members: [], mode: 'stream' as never }),
      () => new UdpProxyPool({ members: [], mode: 'datagram', responses: -1 }),
      () => new UdpProxyPool({ members: [], responses: 1.5 }),
      () => new UdpProxyPool({ members: [], connectTimeoutMs: 0 }),
      () => new UdpProxyPool({ members: [], nextUpstreamTries: -1 }),
      () => new UdpProxyPool({ members: [], nextUpstreamTimeoutMs: Number.NaN }),
      () => new UdpProxyPool({ members: [{ address: '' }] }),
      () => new UdpProxyPool({ members: [{ address: '10.0.0.1', port: 70000 }] }),
      () => new UdpProxyPool({ members: [{ address: '10.0.0.1', weight: Number.NaN }] }),
    ]
    for (const f of bad) expect(isDnsHaError(errorOf(f), 'ERR_CONFIG')).toBe(true)
  })

  it('closes everything: no timers left, no listening, later listen refused', async () => {
    const r = await rig([{}])
    r.members[0]!.mode = 'silent'
    r.ask('www.example.')
    await r.settle()
    expect(r.pool.addresses()).toEqual([{ address: '10.0.0.1', port: 53, family: 'IPv4' }])
    await r.pool.close()
    expect(r.clock.pending).toBe(0)
    expect(r.pool.addresses()).toEqual([])
    await expect(r.pool.listen({ port: 0 })).rejects.toThrow(/closed/)
  })
})
