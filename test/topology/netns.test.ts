// Namespace mode on the real wire: dnsmasq-nginx-keepalived with each node a process in its own
// network namespace, the VIP a real address moved by raw VRRP, queried with dig from the client
// namespace. The master is killed with SIGKILL; the backup must hold the VIP and answer within
// 3 x advert + skew + margin. close() must leave no namespace. Root only; skips with a printed
// reason otherwise. Prints the measured takeover.
import { describe, expect, it } from 'vitest'
import { exec, expectCleanClose, measureTakeover, skipUnless, useNetnsExample } from '../support/netns.js'

const unavailable = skipUnless('the namespace-mode tests', 'netns', 'dig', 'koffi')

const ADVERT = 200
/** The backup's Master_Down_Interval (RFC 5798): 3 x advert + skew for priority 100. */
const MASTER_DOWN = 3 * ADVERT + ((256 - 100) * ADVERT) / 256
/** Real processes on a shared 2-core machine: lateness allowed on top of the RFC figure (as test/vrrp/namespace.test.ts). */
const MARGIN = 1000

describe.skipIf(unavailable)('dns-ha example dnsmasq-nginx-keepalived in network namespaces', () => {
  const run = useNetnsExample('dnsmasq-nginx-keepalived', { letter: 't', advertIntervalMs: ADVERT, readyTimeoutMs: 60_000, startTimeoutMs: 90_000, outputOf: ['a', 'b'] })

  /** dig from the client namespace: the answer's addresses (empty when none or no answer). */
  async function dig(name: string): Promise<string[]> {
    const { stdout } = await exec('ip', ['netns', 'exec', run.example.clientNamespace, 'dig', `@${run.example.vip}`, name, 'A', '+short', '+time=1', '+tries=1'], { timeout: 5000 }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }))
    return stdout.split('\n').filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l))
  }

  it('builds one namespace per host and a bridge, with the per-run prefix', async () => {
    expect(run.example.namespaces).toHaveLength(5)
    expect((await run.ourNamespaces()).sort()).toEqual([...run.example.namespaces].sort())
    expect(run.example.hosts.map((h) => [h.name, h.role])).toEqual([
      ['a', 'dnsmasq-nginx-keepalived-node'],
      ['b', 'dnsmasq-nginx-keepalived-node'],
      ['upstream', 'upstream-authority'],
      ['client', undefined],
    ])
  })

  it('the master (a) holds the real VIP; the client namespace gets the hosts overlay and the upstream through it', async () => {
    await run.until('node a holding the VIP', 10_000, async () => ((await run.example.holders()).join() === 'a' ? true : undefined))
    expect(await dig('xpt.redhat.cn')).toEqual(['192.168.111.111'])
    expect(await dig('www.example.test')).toEqual(['192.0.2.80'])
  })

  it('SIGKILL of the master: the backup holds the VIP and answers within 3 x advert + skew + margin', async () => {
    await measureTakeover(run, {
      master: 'a',
      backup: 'b',
      advertIntervalMs: ADVERT,
      masterDownMs: MASTER_DOWN,
      marginMs: MARGIN,
      answers: async () => (await dig('xpt.redhat.cn')).join() === '192.168.111.111',
      report: ({ takeover, answered, vipSeen }) =>
        `namespace mode, advert ${ADVERT} ms (Master_Down_Interval ${MASTER_DOWN} ms): after the SIGKILL, b master at ${takeover} ms (its own clock), first right answer from a dig started at ${answered} ms, VIP seen on b's eth0 by polling at ${vipSeen} ms`,
    })
    // b answers the upstream's names too.
    expect(await dig('www.example.test')).toEqual(['192.0.2.80'])
  })

  it('close() stops every node and leaves no namespace', async () => {
    const pids = run.example.hosts.flatMap((h) => (h.pid === undefined ? [] : [h.pid]))
    expect(pids.length).toBe(2) // b and upstream; a was killed
    await expectCleanClose(run, pids)
  })
})
