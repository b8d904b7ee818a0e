// The split-horizon topology on real loopback sockets (port 0): 127.0.0.2 plays an internal client
// and 127.0.0.3 an external one (Linux loopback takes any 127/8 source), asking the servers
// directly and through the pool; dig -b does the same when it is installed.
import { execFile, spawnSync } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { QueryResult } from '../../src/client/index.js'
import { query } from '../../src/client/index.js'
import type { SplitHorizon } from '../../src/topology/index.js'
import { startSplitHorizon } from '../../src/topology/index.js'
import type { BoundAddress } from '../../src/util/network.js'

const run = promisify(execFile)
const haveDig = spawnSync('dig', ['-v']).error === undefined
if (!haveDig) console.warn('skipping the split-horizon dig interop: dig is not installed (apt-get install bind9-dnsutils)')

const INSIDE = '127.0.0.2'
const OUTSIDE = '127.0.0.3'

let topology: SplitHorizon
const views: string[] = []

beforeAll(async () => {
  topology = await startSplitHorizon()
  topology.authority.on('query', (e) => views.push(`${e.client.address} ${e.view}`))
})
afterAll(async () => {
  await topology?.close()
})

const ask = (from: string, to: BoundAddress, name: string, type = 'A'): Promise<QueryResult> => query({ address: to.address, port: to.port }, { name, type }, { localAddress: from, timeoutMs: 2000, retries: 1 })

/** The answer as zone text, rcode first. */
function text(r: QueryResult): string {
  const rrs = (r.packet.answers ?? []).map((a) => `${a.name}. ${(a as { ttl?: number }).ttl} IN ${a.type} ${String((a as { data: unknown }).data)}`)
  return [`;; ${r.packet.rcode ?? 'NOERROR'}`, ...rrs].join('\n')
}

describe('split-horizon on loopback', () => {
  it('listens on 127.0.0.1: two servers and the pool, each on its own port', () => {
    expect(topology.servers.map((s) => s.address)).toEqual(['127.0.0.1', '127.0.0.1'])
    expect(new Set([topology.pool.port, ...topology.servers.map((s) => s.port)]).size).toBe(3)
  })

  it('a client bound to 127.0.0.2 is internal, one bound to 127.0.0.3 external, asking a server directly', async () => {
    views.length = 0
    expect(text(await ask(INSIDE, topology.servers[0]!, 'www.example.test'))).toBe(';; NOERROR\nwww.example.test. 300 IN A 10.0.0.80')
    expect(text(await ask(OUTSIDE, topology.servers[0]!, 'www.example.test'))).toBe(';; NOERROR\nwww.example.test. 300 IN A 203.0.113.80')
    expect(text(await ask(INSIDE, topology.servers[1]!, 'intranet.example.test'))).toBe(';; NOERROR\nintranet.example.test. 300 IN A 10.0.0.10')
    expect(text(await ask(OUTSIDE, topology.servers[1]!, 'intranet.example.test'))).toBe(';; NXDOMAIN')
    expect(text(await ask(OUTSIDE, topology.servers[1]!, 'wiki.corp.test'))).toBe(';; REFUSED')
    expect(views).toEqual(['127.0.0.2 internal', '127.0.0.3 external', '127.0.0.2 internal', '127.0.0.3 external', '127.0.0.3 external'])
  })

  it('through the pool the servers see 127.0.0.1, and the views still tell the clients apart by the ECS the pool adds', async () => {
    views.length = 0
    expect(text(await ask(INSIDE, topology.pool, 'www.example.test'))).toBe(';; NOERROR\nwww.example.test. 300 IN A 10.0.0.80')
    expect(text(await ask(OUTSIDE, topology.pool, 'www.example.test'))).toBe(';; NOERROR\nwww.example.test. 300 IN A 203.0.113.80')
    expect(text(await ask(INSIDE, topology.pool, 'wiki.corp.test'))).toBe(';; NOERROR\nwiki.corp.test. 300 IN A 10.0.2.10')
    expect(text(await ask(OUTSIDE, topology.pool, 'wiki.corp.test'))).toBe(';; REFUSED')
    expect(views).toEqual(['127.0.0.1 internal-via-pool', '127.0.0.1 external-via-pool', '127.0.0.1 internal-via-pool', '127.0.0.1 external-via-pool'])
  })

  describe.skipIf(!haveDig)('dig -b', () => {
    const dig = async (from: string, to: BoundAddress, name: string): Promise<string> =>
      (await run('dig', ['-b', from, `@${to.address}`, '-p', String(to.port), '+time=2', '+tries=1', '+noall', '+answer', '+comments', name, 'A'])).stdout

    it('dig -b 127.0.0.2 gets the private address and dig -b 127.0.0.3 the public one, directly and through the pool', async () => {
      for (const to of [topology.servers[0]!, topology.pool]) {
        const inside = await dig(INSIDE, to, 'www.example.test')
        expect(inside).toMatch(/status: NOERROR/)
        expect(inside).toMatch(/^www\.example\.test\.\s+300\s+IN\s+A\s+10\.0\.0\.80$/m)
        const outside = await dig(OUTSIDE, to, 'www.example.test')
        expect(outside).toMatch(/^www\.example\.test\.\s+300\s+IN\s+A\s+203\.0\.113\.80$/m)
        expect(await dig(OUTSIDE, to, 'intranet.example.test')).toMatch(/status: NXDOMAIN/)
      }
    })

    it('dig through the pool gets no ECS option back (the pool takes out what it added)', async () => {
      const out = (await run('dig', ['-b', INSIDE, `@${topology.pool.address}`, '-p', String(topology.pool.port), '+time=2', '+tries=1', 'www.example.test', 'A'])).stdout
      expect(out).toMatch(/status: NOERROR/)
      expect(out).not.toMatch(/CLIENT-SUBNET/)
    })
  })
})
