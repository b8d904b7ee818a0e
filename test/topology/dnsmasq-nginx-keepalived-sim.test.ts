// The seed topology in memory (MemoryNetwork + FakeClock): the same program as on loopback, with
// failover times asserted to the RFC's figure, and the queries lost counted exactly.
import { afterEach, describe, expect, it } from 'vitest'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import type { DnsmasqNginxKeepalived, NodeName } from '../../src/topology/index.js'
import { startDnsmasqNginxKeepalived } from '../../src/topology/index.js'
import { masterDown, VipClient } from './vip-client.js'


const expected: Record<string, string[]> = { 'xpt.redhat.cn': ['192.168.111.111'], 'www.example.test': ['192.0.2.80'], 'app.corp.example': ['10.0.0.10'] }
const names = Object.keys(expected)

let running: DnsmasqNginxKeepalived | undefined
afterEach(async () => {
  await running?.close()
  running = undefined
})

async function boot(): Promise<{ topology: DnsmasqNginxKeepalived; clock: FakeClock; network: MemoryNetwork; client: VipClient; states: { at: number; node: NodeName; to: string }[] }> {
  const clock = new FakeClock()
  const network = new MemoryNetwork({ clock })
  const topology = await startDnsmasqNginxKeepalived({ network, clock })
  running = topology
  const states: { at: number; node: NodeName; to: string }[] = []
  topology.on('vrrp', ({ at, node, to }) => states.push({ at, node, to }))
  const socket = network.createDatagramSocket(4)
  await socket.bind(0, '127.0.0.1')
  return { topology, clock, network, client: new VipClient(socket, topology, clock, { recursionDesired: true }), states }
}

/** Steps the clock `ms` in `step` increments, asking one name per step. */
async function load(client: VipClient, clock: FakeClock, ms: number, step = 10): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    client.ask(names[(t / step) % names.length]!)
    await clock.advanceAsync(step)
  }
}

describe('dnsmasq-nginx-keepalived in memory', () => {
  it('node A takes the VIP exactly Master_Down_Interval after start (keepalived state MASTER, priority 150), and answers the seed names through it', async () => {
    const { topology, clock, client, states } = await boot()
    const start = clock.now()
    expect(topology.holder).toBeUndefined()
    await clock.advanceAsync(masterDown(150) - 1)
    expect(topology.holder).toBeUndefined()
    await clock.advanceAsync(1)
    expect(topology.holder).toBe('a')
    expect(states.find((s) => s.to === 'master')).toEqual({ at: start + masterDown(150), node: 'a', to: 'master' })
    expect(topology.snapshot().nodes.map((n) => n.vrrp)).toEqual(['master', 'backup'])

    for (const name of names) client.ask(name)
    await clock.advanceAsync(50)
    const answers = [...client.asked.values()]
    expect(answers.map((q) => [q.name, q.answer?.rcode, q.answer?.data])).toEqual(names.map((n) => [n, 'NOERROR', expected[n]]))
  })

  it('kill the master: B takes over exactly 3 x advert + skew(100) after the last advert, queries are lost only in that gap, then A fails back', async () => {
    const { topology, clock, network, client, states } = await boot()
    await clock.advanceAsync(masterDown(150) + 2500)
    expect(topology.holder).toBe('a')
    await load(client, clock, 1000)

    // The last advert B heard from A before the machine died.
    const bVrrp = topology.snapshot().nodes[1]!.endpoints.vrrpPort
    let lastAdvert = 0
    const untap = network.onDatagram((r) => {
      if (r.to.port === bVrrp && r.fate === 'delivered') lastAdvert = clock.now()
    })
    await load(client, clock, 500)
    const killedAt = clock.now()
    await topology.kill('a')
    untap()
    expect(lastAdvert).toBeGreaterThan(0)
    await load(client, clock, 5000)

    const takeover = states.find((s) => s.node === 'b' && s.to === 'master')!
    expect(takeover.at - lastAdvert).toBeCloseTo(masterDown(100), 6)
    expect(topology.holder).toBe('b')

    const asked = [...client.asked.values()]
    const wrong = asked.filter((q) => q.answer && (q.answer.rcode !== 'NOERROR' || JSON.stringify(q.answer.data) !== JSON.stringify(expected[q.name])))
    expect(wrong).toEqual([])
    const lost = asked.filter((q) => !q.answer)
    // Nothing is lost before the kill; everything asked while nobody held the VIP is; nothing after B holds it.
    expect(lost.every((q) => q.at >= killedAt && q.at < takeover.at)).toBe(true)
    const inGap = asked.filter((q) => q.at >= killedAt && q.at < takeover.at)
    expect(lost.length).toBe(inGap.length)
    console.log(`simulated failover: A killed, B master ${(takeover.at - killedAt).toFixed(3)} ms later (${(takeover.at - lastAdvert).toFixed(3)} ms after A's last advert); ${lost.length} of ${asked.length} queries lost, 0 wrong`)

    // A boots again: it waits its own Master_Down_Interval ignoring B's lower-priority adverts, then preempts.
    const restoredAt = clock.now()
    await topology.restore('a')
    await load(client, clock, 5000)
    const failback = states.filter((s) => s.node === 'a' && s.to === 'master').at(-1)!
    expect(failback.at - restoredAt).toBeCloseTo(masterDown(150), 6)
    expect(states.filter((s) => s.at >= restoredAt && s.node === 'b').map((s) => s.to)).toEqual(['backup'])
    expect(topology.holder).toBe('a')
    const afterFailback = [...client.asked.values()].filter((q) => q.at >= restoredAt)
    expect(afterFailback.filter((q) => !q.answer)).toEqual([])
  })

  it('a 10-minute soak with random machine deaths and returns: never a wrong answer, and losses only while nobody holds the VIP', async () => {
    const { topology, clock, client } = await boot()
    await clock.advanceAsync(masterDown(150))
    const vipless: { from: number; to: number }[] = []
    let since: number | undefined
    topology.on('vip', ({ at, to }) => {
      if (to === undefined && since === undefined) since = at
      if (to !== undefined && since !== undefined) {
        vipless.push({ from: since, to: at })
        since = undefined
      }
    })
    // Deterministic "random" faults: a small LCG, so a failure replays.
    let seed = 20261203
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const end = clock.now() + 600_000
    let faults = 0
    while (clock.now() < end) {
      const name: NodeName = rand() < 0.5 ? 'a' : 'b'
      if (topology.snapshot().nodes.find((n) => n.name === name)!.alive) {
        await topology.kill(name)
        faults++
      } else await topology.restore(name)
      await load(client, clock, 10_000 + Math.floor(rand() * 20_000), 100)
    }
    if (since !== undefined) vipless.push({ from: since, to: Infinity })
    const asked = [...client.asked.values()]
    const wrong = asked.filter((q) => q.answer && (q.answer.rcode !== 'NOERROR' || JSON.stringify(q.answer.data) !== JSON.stringify(expected[q.name])))
    expect(wrong).toEqual([])
    const lost = asked.filter((q) => !q.answer)
    const unexplained = lost.filter((q) => !vipless.some((g) => q.at >= g.from && q.at < g.to))
    expect(unexplained).toEqual([])
    expect(faults).toBeGreaterThan(5)
    expect(asked.length).toBeGreaterThan(5000)
    console.log(`simulated soak: 600 s, ${faults} machine deaths, ${asked.length} queries, ${lost.length} lost (all while nobody held the VIP), 0 wrong`)
  })
})
