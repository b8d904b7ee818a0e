// The split-horizon topology in memory (MemoryNetwork + FakeClock): internal and external clients
// get their own answers directly and through the pool (which inserts ECS), and an ECS option is
// believed only when it comes from the pool.
import { afterEach, describe, expect, it } from 'vitest'
import type { QueryOptions, QueryResult } from '../../src/client/index.js'
import { query } from '../../src/client/index.js'
import { decodeClientSubnet } from '../../src/packet/client-subnet.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import type { SplitHorizon } from '../../src/topology/index.js'
import { startSplitHorizon } from '../../src/topology/index.js'
import { isDnsHaError } from '../../src/util/errors.js'
import type { BoundAddress } from '../../src/util/network.js'

const INSIDE = '10.1.2.3'
const OUTSIDE = '198.51.100.7'

let running: SplitHorizon | undefined
afterEach(async () => {
  await running?.close()
  running = undefined
})

async function boot(options: Parameters<typeof startSplitHorizon>[0] = {}): Promise<{ topology: SplitHorizon; clock: FakeClock; network: MemoryNetwork; views: string[] }> {
  const clock = new FakeClock()
  const network = new MemoryNetwork({ clock })
  const topology = await startSplitHorizon({ network, clock, ...options })
  running = topology
  const views: string[] = []
  topology.authority.on('query', (e) => views.push(e.view))
  return { topology, clock, network, views }
}

/** One question from `from` to `to`, the fake clock stepped until it settles. */
async function ask(env: { clock: FakeClock; network: MemoryNetwork }, from: string, to: BoundAddress, name: string, type = 'A', extra: QueryOptions = {}): Promise<QueryResult> {
  let settled = false
  const p = query({ address: to.address, port: to.port }, { name, type }, { network: env.network, clock: env.clock, localAddress: from, timeoutMs: 500, retries: 0, ...extra }).finally(() => (settled = true))
  for (let i = 0; i < 100 && !settled; i++) await env.clock.advanceAsync(1)
  return p
}

/** The answer as zone text, rcode first. */
function text(r: QueryResult): string {
  const rrs = (r.packet.answers ?? []).map((a) => `${a.name}. ${(a as { ttl?: number }).ttl} IN ${a.type} ${String((a as { data: unknown }).data)}`)
  return [`;; ${r.packet.rcode ?? 'NOERROR'}`, ...rrs].join('\n')
}

const INTERNAL_ANSWERS: Record<string, string> = {
  'www.example.test': ';; NOERROR\nwww.example.test. 300 IN A 10.0.0.80',
  'img2.example.test': ';; NOERROR\nimg2.example.test. 300 IN A 10.0.0.82\nimg2.example.test. 300 IN A 10.0.0.83',
  'intranet.example.test': ';; NOERROR\nintranet.example.test. 300 IN A 10.0.0.10',
  'wiki.corp.test': ';; NOERROR\nwiki.corp.test. 300 IN A 10.0.2.10',
}
const EXTERNAL_ANSWERS: Record<string, string> = {
  'www.example.test': ';; NOERROR\nwww.example.test. 300 IN A 203.0.113.80',
  'img2.example.test': ';; NOERROR\nimg2.example.test. 300 IN A 203.0.113.82\nimg2.example.test. 300 IN A 203.0.113.83',
  'intranet.example.test': ';; NXDOMAIN',
  'wiki.corp.test': ';; REFUSED',
}
const NAMES = Object.keys(INTERNAL_ANSWERS)

/** A query carrying an ECS option of its own: "answer me as if I were in `ip`/24". */
const claim = (ip: string): QueryOptions => ({ edns: { options: [{ code: 8, family: 1, sourcePrefixLength: 24, ip }] } })

async function answers(env: { clock: FakeClock; network: MemoryNetwork }, from: string, to: BoundAddress): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const name of NAMES) out[name] = text(await ask(env, from, to, name))
  return out
}

describe('split-horizon in memory', () => {
  it('answers internal and external clients differently when they ask a server directly', async () => {
    const env = await boot()
    expect(await answers(env, INSIDE, env.topology.servers[0]!)).toEqual(INTERNAL_ANSWERS)
    expect(await answers(env, OUTSIDE, env.topology.servers[1]!)).toEqual(EXTERNAL_ANSWERS)
    expect(env.views).toEqual([...NAMES.map(() => 'internal'), ...NAMES.map(() => 'external')])
  })

  it('the NXDOMAIN outside is the external zone speaking (its SOA in authority), not a missing zone', async () => {
    const env = await boot()
    const r = await ask(env, OUTSIDE, env.topology.servers[0]!, 'intranet.example.test')
    expect(r.packet.flag_aa).toBe(true)
    expect((r.packet.authorities ?? []).map((a) => `${a.name}. ${a.type}`)).toEqual(['example.test. SOA'])
  })

  it('gives the same answers through the pool: the views see the client the pool names in ECS', async () => {
    const env = await boot()
    expect(await answers(env, INSIDE, env.topology.pool)).toEqual(INTERNAL_ANSWERS)
    expect(await answers(env, OUTSIDE, env.topology.pool)).toEqual(EXTERNAL_ANSWERS)
    expect(env.views).toEqual([...NAMES.map(() => 'internal-via-pool'), ...NAMES.map(() => 'external-via-pool')])
    // Both servers answered: the pool spreads the load.
    const members = env.topology.snapshot().pool.members
    expect(members).toHaveLength(2)
    expect(members.map((m) => m.counters.answers).every((n) => n > 0)).toBe(true)
    expect(members.reduce((n, m) => n + m.counters.answers, 0)).toBe(2 * NAMES.length)
  })

  it('takes back the ECS option it added: the client gets no ECS it did not send', async () => {
    const env = await boot()
    const r = await ask(env, INSIDE, env.topology.pool, 'www.example.test')
    expect(text(r)).toBe(INTERNAL_ANSWERS['www.example.test'])
    expect(decodeClientSubnet(r.raw)).toBeUndefined()
  })

  it('ignores the ECS claim of a client that is not the pool: an outsider claiming 10.9.9.0/24 directly still gets the external answer', async () => {
    const env = await boot()
    const claimInside = claim('10.9.9.0')
    const r = await ask(env, OUTSIDE, env.topology.servers[0]!, 'www.example.test', 'A', claimInside)
    expect(text(r)).toBe(EXTERNAL_ANSWERS['www.example.test'])
    // The Authority echoes the option with scope 0: the subnet played no part in the answer.
    expect(decodeClientSubnet(r.raw)).toMatchObject({ address: '10.9.9.0', sourcePrefix: 24, scopePrefix: 0 })
    expect(env.views).toEqual(['external'])
  })

  it('believes the same claim from the pool address, the one source whose ECS is trusted', async () => {
    const env = await boot()
    const claimInside = claim('10.9.9.0')
    const r = await ask(env, '127.0.0.1', env.topology.servers[0]!, 'www.example.test', 'A', claimInside)
    expect(text(r)).toBe(INTERNAL_ANSWERS['www.example.test'])
    expect(decodeClientSubnet(r.raw)).toMatchObject({ address: '10.9.9.0', sourcePrefix: 24, scopePrefix: 24 })
    expect(env.views).toEqual(['internal-via-pool'])
  })

  it('through the pool a client cannot claim another subnet either: the pool replaces its ECS with the real address', async () => {
    const env = await boot()
    const claimInside = claim('10.9.9.0')
    const out = await ask(env, OUTSIDE, env.topology.pool, 'www.example.test', 'A', claimInside)
    expect(text(out)).toBe(EXTERNAL_ANSWERS['www.example.test'])
    expect(decodeClientSubnet(out.raw)).toMatchObject({ address: OUTSIDE, sourcePrefix: 32 })
    const claimOutside = claim('203.0.113.0')
    const inside = await ask(env, INSIDE, env.topology.pool, 'www.example.test', 'A', claimOutside)
    expect(text(inside)).toBe(INTERNAL_ANSWERS['www.example.test'])
    expect(env.views).toEqual(['external-via-pool', 'internal-via-pool'])
  })

  it('passes only `clientSubnet.ipv4Prefix` bits: with 24, a /32 internal entry no longer matches through the pool, 10.0.0.0/8 still does', async () => {
    const env = await boot({ internal: ['10.0.0.0/8', '192.0.2.9/32'], clientSubnet: { ipv4Prefix: 24 } })
    expect(text(await ask(env, '192.0.2.9', env.topology.servers[0]!, 'www.example.test'))).toBe(INTERNAL_ANSWERS['www.example.test'])
    expect(text(await ask(env, '192.0.2.9', env.topology.pool, 'www.example.test'))).toBe(EXTERNAL_ANSWERS['www.example.test'])
    expect(text(await ask(env, INSIDE, env.topology.pool, 'www.example.test'))).toBe(INTERNAL_ANSWERS['www.example.test'])
  })

  it('counts each view apart in the snapshot (BIND zone-statistics per view)', async () => {
    const env = await boot()
    await ask(env, INSIDE, env.topology.servers[0]!, 'www.example.test')
    await ask(env, OUTSIDE, env.topology.pool, 'www.example.test')
    await ask(env, OUTSIDE, env.topology.pool, 'img1.example.test')
    const queries = Object.fromEntries(env.topology.snapshot().authority.views.map((v) => [v.name, v.zones.reduce((n, z) => n + z.queries, 0)]))
    expect(queries).toEqual({ internal: 1, external: 0, 'internal-via-pool': 0, 'external-via-pool': 2 })
  })

  it('rejects a malformed address list with ERR_CONFIG naming the option, and a bad server count', async () => {
    const clock = new FakeClock()
    const network = new MemoryNetwork({ clock })
    const bad = await startSplitHorizon({ network, clock, internal: ['10.0.0.0/33'] }).catch((e: unknown) => e)
    expect(isDnsHaError(bad, 'ERR_CONFIG')).toBe(true)
    expect((bad as Error).message).toMatch(/^internal: /)
    const proxies = await startSplitHorizon({ network, clock, proxies: ['pool.example'] }).catch((e: unknown) => e)
    expect((proxies as Error).message).toMatch(/^proxies: /)
    const none = await startSplitHorizon({ network, clock, servers: 0 }).catch((e: unknown) => e)
    expect(isDnsHaError(none, 'ERR_CONFIG')).toBe(true)
  })
})
