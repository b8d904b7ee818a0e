// DnsServer({ reusePort: true }) on real sockets: two servers bound to one 127.0.0.1 port each
// answer part of a stream of queries from many source ports (the kernel hashes the 4-tuple), a
// third server without reusePort gets EADDRINUSE, and reusePort with the dgram engine is refused.
import dgram from 'node:dgram'
import dnsPacket from 'dns-packet'
import { afterEach, describe, expect, it } from 'vitest'
import { DnsServer } from '../../src/server/dns-server.js'
import type { DnsQuery } from '../../src/server/query.js'
import { respond } from '../../src/server/respond.js'
import { batchedEngineUnavailable } from '../../src/util/batched-network.js'

const reason = batchedEngineUnavailable()
if (reason !== undefined) console.log(`reusePort tests skipped: ${reason}`)

const servers: DnsServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** A server whose TXT answer names it. */
function tagged(tag: string, options: Partial<ConstructorParameters<typeof DnsServer>[0]> = {}): DnsServer {
  const server = new DnsServer({ handler: (q: DnsQuery) => respond(q, { answers: [{ name: q.question!.name, type: 'TXT', ttl: 0, data: tag }] }), ...options })
  servers.push(server)
  return server
}

/** Asks once from each of `sources` fresh sockets (distinct source ports); resolves with the tag of each answer. */
async function askFromManyPorts(port: number, sources: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: sources }, (_, i) => {
      const s = dgram.createSocket('udp4')
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          s.close()
          reject(new Error(`no answer to source ${i}`))
        }, 5000)
        s.on('message', (m) => {
          clearTimeout(timer)
          s.close()
          const txt = dnsPacket.decode(m).answers![0] as unknown as { data: Buffer[] }
          resolve(String(txt.data[0]))
        })
        s.send(dnsPacket.encode({ type: 'query', id: i, questions: [{ name: `q${i}.reuse.test`, type: 'TXT' }] }), port, '127.0.0.1')
      })
    }),
  )
}

describe.skipIf(reason !== undefined)('DnsServer reusePort', () => {
  it('two servers on one port share a stream from many source ports; a third without reusePort gets EADDRINUSE', async () => {
    const a = tagged('a', { reusePort: true })
    const { port } = await a.listen({ port: 0, address: '127.0.0.1' })
    const b = tagged('b', { reusePort: true })
    // UDP only: Node 20's TCP listen cannot share the port outside node:cluster.
    expect((await b.listen({ port, address: '127.0.0.1', tcp: false })).port).toBe(port)
    expect(a.snapshot().engine).toBe('batched')
    expect(b.snapshot().engine).toBe('batched')

    const tags = await askFromManyPorts(port, 64)
    const count = (t: string) => tags.filter((x) => x === t).length
    // Every query answered once, by one of the two; each got a share (all 64 on one: p = 2^-63).
    expect(count('a') + count('b')).toBe(64)
    expect(count('a')).toBeGreaterThan(0)
    expect(count('b')).toBeGreaterThan(0)
    expect(a.snapshot().udp.queries + b.snapshot().udp.queries).toBe(64)

    const c = tagged('c', { engine: 'batched' })
    await expect(c.listen({ port, address: '127.0.0.1', tcp: false })).rejects.toThrow(/cannot bind UDP 127\.0\.0\.1:\d+: bind: Address already in use/)
    const d = tagged('d')
    await expect(d.listen({ port, address: '127.0.0.1', tcp: false })).rejects.toThrow(/EADDRINUSE/)
  })

  it('without reusePort a second batched server on the port is refused too', async () => {
    const a = tagged('a', { engine: 'batched' })
    const { port } = await a.listen({ port: 0, address: '127.0.0.1' })
    const b = tagged('b', { reusePort: true })
    await expect(b.listen({ port, address: '127.0.0.1', tcp: false })).rejects.toThrow(/Address already in use/)
  })
})

describe('reusePort and engines', () => {
  it('refuses reusePort with the dgram engine, and picks batched for it otherwise', () => {
    expect(() => new DnsServer({ handler: () => undefined, engine: 'dgram', reusePort: true })).toThrow(/reusePort needs the batched engine.*not engine 'dgram'/)
    if (reason === undefined) {
      expect(new DnsServer({ handler: () => undefined, reusePort: true }).snapshot().engine).toBe('batched')
      expect(new DnsServer({ handler: () => undefined, engine: 'auto', reusePort: true }).snapshot().engine).toBe('batched')
    }
  })
})
