// Split-horizon in network namespaces: the views match on real source addresses. The internal
// client's namespace (.3, inside <subnet>.0/25) and the external one's (.200) ask the Authority
// directly and through the pool (which inserts their address as ECS); each must get its own side's
// answers, an outsider's own ECS claim must change nothing, and close() must leave no namespace.
// Root only; skips with a printed reason otherwise.
import { describe, expect, it } from 'vitest'
import { exec, expectCleanClose, skipUnless, useNetnsExample } from '../support/netns.js'

const unavailable = skipUnless('the split-horizon namespace-mode tests', 'netns', 'dig')

describe.skipIf(unavailable)('dns-ha example split-horizon in network namespaces', () => {
  const run = useNetnsExample('split-horizon', { letter: 's', readyTimeoutMs: 60_000, startTimeoutMs: 90_000 })

  /** dig from host `from`'s namespace to host `to` port 53: the status and the answer's A addresses. */
  async function dig(from: string, to: string, name: string, ...extra: string[]): Promise<{ status: string; addresses: string[] }> {
    const argv = run.example.tryCommand({ name, from, to, comment: '' })
    const { stdout } = await exec(argv[0]!, [...argv.slice(1), 'A', '+time=2', '+tries=2', '+noall', '+comments', '+answer', ...extra], { timeout: 10_000 }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }))
    const status = /status: ([A-Z]+)/.exec(stdout)?.[1] ?? 'no answer'
    const addresses = [...stdout.matchAll(/\sIN\s+A\s+(\d+\.\d+\.\d+\.\d+)$/gm)].map((m) => m[1]!).sort()
    return { status, addresses }
  }

  it('puts the authority, the pool and each client in its own namespace; the external client outside <subnet>.0/25', async () => {
    expect(run.example.namespaces).toHaveLength(5)
    expect((await run.ourNamespaces()).sort()).toEqual([...run.example.namespaces].sort())
    const subnet = run.example.vip.split('.').slice(0, 3).join('.')
    expect(run.example.hosts.map((h) => [h.name, h.role, h.address])).toEqual([
      ['authority', 'split-horizon-authority', `${subnet}.1`],
      ['pool', 'split-horizon-pool', `${subnet}.2`],
      ['internal', undefined, `${subnet}.3`],
      ['external', undefined, `${subnet}.200`],
    ])
  })

  it("each client gets its own side's answers, directly and through the pool", async () => {
    for (const to of ['authority', 'pool']) {
      expect(await dig('internal', to, 'www.example.test'), `internal -> ${to}`).toEqual({ status: 'NOERROR', addresses: ['10.0.0.80'] })
      expect(await dig('internal', to, 'img2.example.test'), `internal -> ${to}`).toEqual({ status: 'NOERROR', addresses: ['10.0.0.82', '10.0.0.83'] })
      expect(await dig('internal', to, 'intranet.example.test'), `internal -> ${to}`).toEqual({ status: 'NOERROR', addresses: ['10.0.0.10'] })
      expect(await dig('internal', to, 'wiki.corp.test'), `internal -> ${to}`).toEqual({ status: 'NOERROR', addresses: ['10.0.2.10'] })
      expect(await dig('external', to, 'www.example.test'), `external -> ${to}`).toEqual({ status: 'NOERROR', addresses: ['203.0.113.80'] })
      expect(await dig('external', to, 'img2.example.test'), `external -> ${to}`).toEqual({ status: 'NOERROR', addresses: ['203.0.113.82', '203.0.113.83'] })
      expect(await dig('external', to, 'intranet.example.test'), `external -> ${to}`).toEqual({ status: 'NXDOMAIN', addresses: [] })
      expect(await dig('external', to, 'wiki.corp.test'), `external -> ${to}`).toEqual({ status: 'REFUSED', addresses: [] })
    }
  }, 60_000)

  it("the suggested queries answer what the example says", async () => {
    for (const q of run.example.definition.tryQueries) {
      expect(await dig(q.from!, q.to!, q.name), `${q.from} -> ${q.to} ${q.name}`).toEqual({ status: 'NOERROR', addresses: [...q.expect!].sort() })
    }
  }, 60_000)

  it("an external client's own ECS claim to be the internal client changes nothing, directly or through the pool", async () => {
    const claim = `+subnet=${run.example.hosts.find((h) => h.name === 'internal')!.address}/32`
    for (const to of ['authority', 'pool']) {
      expect(await dig('external', to, 'www.example.test', claim), `external -> ${to}`).toEqual({ status: 'NOERROR', addresses: ['203.0.113.80'] })
      expect(await dig('external', to, 'wiki.corp.test', claim), `external -> ${to}`).toEqual({ status: 'REFUSED', addresses: [] })
    }
  }, 30_000)

  it('over TCP straight to the authority, too', async () => {
    expect(await dig('internal', 'authority', 'www.example.test', '+tcp')).toEqual({ status: 'NOERROR', addresses: ['10.0.0.80'] })
    expect(await dig('external', 'authority', 'www.example.test', '+tcp')).toEqual({ status: 'NOERROR', addresses: ['203.0.113.80'] })
  }, 30_000)

  it('close() stops both node processes and leaves no namespace', async () => {
    const pids = run.example.hosts.flatMap((h) => (h.pid === undefined ? [] : [h.pid]))
    expect(pids.length).toBe(2)
    await expectCleanClose(run, pids)
  }, 30_000)
})
