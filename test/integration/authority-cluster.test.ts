// serveCluster: two worker processes serving the same UDP/TCP port on 127.0.0.1.
import { fileURLToPath } from 'node:url'
import dnsPacket from 'dns-packet'
import { afterAll, describe, expect, it } from 'vitest'
import { serveCluster } from '../../src/authority/cluster.js'
import type { ClusterPrimary } from '../../src/authority/cluster.js'
import { query } from '../../src/client/query.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { freeLoopbackPort as freePort } from '../../src/testing/free-port.js'
import { batchedEngineUnavailable, batchedNetwork } from '../../src/util/batched-network.js'
import { udpAsk } from './udp-ask.js'

const worker = fileURLToPath(new URL('../authority/cluster-worker.ts', import.meta.url))

describe('serveCluster', () => {
  let primary: ClusterPrimary | undefined

  afterAll(async () => {
    await primary?.close()
  })

  it('rejects a port-0 or non-integer configuration', async () => {
    await expect(serveCluster({ listen: { port: 0 }, setup: () => () => undefined })).rejects.toThrow(/fixed listen port/)
    await expect(serveCluster({ workers: 0, listen: { port: 5300 }, setup: () => () => undefined })).rejects.toThrow(/workers/)
  })

  it('starts two workers on one port; both answer; close stops them', async () => {
    const port = await freePort()
    const handle = await serveCluster({ workers: 2, listen: { port, address: '127.0.0.1' }, setup: () => () => undefined, exec: worker, execArgv: ['--import', 'tsx'], startTimeoutMs: 20_000 })
    expect(handle.role).toBe('primary')
    primary = handle as ClusterPrimary
    expect(primary.pids).toHaveLength(2)
    const tcp = await query({ address: '127.0.0.1', port }, { name: 'www.cluster.test.', type: 'TXT' }, { tcp: true, timeoutMs: 2000 })
    expect(tcp.transport).toBe('tcp')
    expect(tcp.packet.answers).toHaveLength(1)
    const seen = new Set<string>()
    {
      for (let i = 0; i < 20; i++) {
        const reply = await udpAsk('127.0.0.1', port, dnsPacket.encode({ type: 'query', id: i, questions: [{ name: 'www.cluster.test', type: 'TXT' }] }))
        const txt = dnsPacket.decode(reply).answers![0] as unknown as { data: Buffer[] }
        seen.add(String(txt.data[0]))
      }
      // Every answer came from one of our workers (which one is the kernel's choice).
      expect([...seen].every((s) => primary!.pids.includes(Number(s.slice(4))))).toBe(true)
    }
    await primary.close()
    primary = undefined
    for (const pid of handle.role === 'primary' ? handle.pids : []) expect(() => process.kill(pid, 0)).toThrow()
  }, 30_000)

  it.skipIf(batchedEngineUnavailable() !== undefined)('reusePort: each of two workers binds its own socket on the port; both answer; TCP still shared', async () => {
    const port = await freePort()
    const handle = (await serveCluster({ workers: 2, reusePort: true, listen: { port, address: '127.0.0.1' }, setup: () => () => undefined, exec: worker, execArgv: ['--import', 'tsx'], startTimeoutMs: 20_000 })) as ClusterPrimary
    primary = handle
    const tcp = await query({ address: '127.0.0.1', port }, { name: 'www.cluster.test.', type: 'TXT' }, { tcp: true, timeoutMs: 2000 })
    expect(tcp.packet.answers).toHaveLength(1)
    // 40 source ports: the kernel's 4-tuple hash sends some to each worker (all to one: p = 2^-39).
    const pids = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const reply = await udpAsk('127.0.0.1', port, dnsPacket.encode({ type: 'query', id: i, questions: [{ name: 'www.cluster.test', type: 'TXT' }] }), 5000)
        const txt = dnsPacket.decode(reply).answers![0] as unknown as { data: Buffer[] }
        return Number(String(txt.data[0]).slice(4))
      }),
    )
    expect(new Set(pids)).toEqual(new Set(handle.pids))
    // The workers' sockets carry SO_REUSEPORT (Node's shared handle would not): one more joins.
    const extra = batchedNetwork(undefined, { reusePort: true }).createDatagramSocket(4)
    expect((await extra.bind(port, '127.0.0.1')).port).toBe(port)
    await extra.close()
    await handle.close()
    primary = undefined
  }, 30_000)

  it('times out on the injected clock, and kills a worker that ignores close after 5 s of that clock', async () => {
    const clock = new FakeClock()
    const port = await freePort()
    let outcome: unknown
    const started = serveCluster({ workers: 1, listen: { port, address: '127.0.0.1' }, setup: () => () => undefined, exec: worker, args: ['hang'], execArgv: ['--import', 'tsx'], startTimeoutMs: 20_000, clock })
    started.then((v) => (outcome = v), (e: unknown) => (outcome = e))
    // Nothing real-time: the start timeout fires only when the fake clock says so.
    await new Promise((r) => setTimeout(r, 200))
    expect(outcome).toBeUndefined()
    clock.advance(20_000)
    for (let i = 0; i < 100 && outcome === undefined; i++) {
      await new Promise((r) => setTimeout(r, 50))
      clock.advance(5000)
    }
    expect(String(outcome)).toMatch(/did not listen within 20000 ms/)
  }, 30_000)
})
