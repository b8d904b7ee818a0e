// Forwarder's logger: an upstream going down (warn, with the reason) and back up (info), and reloads.
import { describe, expect, it } from 'vitest'
import { Forwarder } from '../../src/forwarder/index.js'
import { DnsServer, DROP, respond } from '../../src/server/index.js'
import type { DnsQuery } from '../../src/server/index.js'
import { FakeClock, flush, MemoryNetwork } from '../../src/testing/index.js'
import { seededRandom } from '../../src/util/random.js'
import { recordingLogger } from '../support/log-lines.js'
import { makeQuery } from './helpers.js'

describe('Forwarder logger', () => {
  it('logs upstream down at warn with the reason, up at info with downForMs, and the start at info', async () => {
    const clock = new FakeClock()
    const network = new MemoryNetwork({ clock })
    const { logger, lines } = recordingLogger()
    const forwarder = new Forwarder({ clock, network, random: seededRandom(3), strategy: 'strict', servers: [{ address: '10.0.0.1' }, { address: '10.0.0.2' }], timeoutMs: 1000, probeIntervalMs: 5000, cacheSize: 0, logger })
    const first = { silent: true }
    const answer = (data: string) => (q: DnsQuery) => respond(q, { answers: [{ name: q.question!.name, type: 'A', ttl: 60, data }] })
    const servers = [new DnsServer({ network, handler: (q: DnsQuery) => (first.silent ? DROP : answer('192.0.2.1')(q)) }), new DnsServer({ network, handler: answer('192.0.2.2') })]
    await servers[0]!.listen({ port: 53, address: '10.0.0.1' })
    await servers[1]!.listen({ port: 53, address: '10.0.0.2' })
    await forwarder.start()
    expect(lines).toEqual([['info', 'files loaded', { component: 'forwarder', hostsEntries: 0, defaultServers: 2 }]])
    const pending = Promise.resolve(forwarder.handle(makeQuery('a.example', 'A'), () => undefined))
    for (let i = 0; i < 8; i++) {
      await flush()
      await clock.advanceAsync(250)
    }
    await pending
    expect(lines.slice(1)).toEqual([['warn', 'upstream down', { component: 'forwarder', server: '10.0.0.1:53', reason: 'no answer from 10.0.0.1:53 over udp after 1 attempt(s) of 1000 ms' }]])
    first.silent = false
    for (let i = 0; i < 30 && lines.length < 3; i++) {
      await clock.advanceAsync(500)
      await flush()
    }
    expect(lines.slice(2)).toEqual([['info', 'upstream up', { component: 'forwarder', server: '10.0.0.1:53', downForMs: expect.any(Number) }]])
    await forwarder.close()
    for (const s of servers) await s.close()
  })
})
