// bind-lvs-keepalived in network namespaces: the primary, both secondaries, both directors and a
// client each in their own namespace, the VIP a real address moved by raw VRRP. Asserts the seed's
// answers via the VIP (dig from the client namespace), an edit through the primary's HTTP API
// reaching the VIP's answers (NOTIFY + IXFR to both slaves), and after SIGKILL of the master
// director the backup holding the VIP and answering within 3 x advert + skew + margin. close()
// must leave no namespace. Root only; skips with a printed reason otherwise. Prints the takeover.
import { describe, expect, it } from 'vitest'
import { exec, expectCleanClose, measureTakeover, skipUnless, useNetnsExample } from '../support/netns.js'

const unavailable = skipUnless('the bind-lvs-keepalived namespace-mode tests', 'netns', 'dig', 'curl', 'koffi')

const ADVERT = 200
/** director2's Master_Down_Interval (RFC 5798): 3 x advert + skew for priority 90. */
const MASTER_DOWN = 3 * ADVERT + ((256 - 90) * ADVERT) / 256
/** Real processes on a shared 2-core machine: lateness allowed on top of the RFC figure (as test/topology/netns.test.ts). */
const MARGIN = 1000

describe.skipIf(unavailable)('dns-ha example bind-lvs-keepalived in network namespaces', () => {
  const run = useNetnsExample('bind-lvs-keepalived', { letter: 'l', advertIntervalMs: ADVERT, readyTimeoutMs: 90_000, startTimeoutMs: 120_000, outputOf: ['director1', 'director2'] })

  /** dig from the client namespace: the answer's addresses, sorted (empty when none or no answer). */
  async function dig(name: string, to?: string): Promise<string[]> {
    const argv = run.example.tryCommand({ name, comment: '', ...(to === undefined ? {} : { to }) })
    const { stdout } = await exec(argv[0]!, [...argv.slice(1), 'A', '+short', '+time=1', '+tries=1'], { timeout: 5000 }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }))
    return stdout.split('\n').filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l)).sort()
  }

  it('builds one namespace per machine and a bridge; every node runs its role', async () => {
    expect(run.example.namespaces).toHaveLength(7)
    expect((await run.ourNamespaces()).sort()).toEqual([...run.example.namespaces].sort())
    expect(run.example.hosts.map((h) => [h.name, h.role, h.pid !== undefined])).toEqual([
      ['primary', 'bind-lvs-primary', true],
      ['secondary1', 'bind-lvs-secondary', true],
      ['secondary2', 'bind-lvs-secondary', true],
      ['director1', 'bind-lvs-director', true],
      ['director2', 'bind-lvs-director', true],
      ['client', undefined, false],
    ])
  })

  it("director1 holds the real VIP; the seed's names answer through it and from each slave", async () => {
    await run.until('director1 holding the VIP', 15_000, async () => ((await run.example.holders()).join() === 'director1' ? true : undefined))
    // The pool answers once its checks have seen a slave up (delay_loop 2 s).
    await run.until('an answer via the VIP', 10_000, async () => ((await dig('dns1.vipshop.com')).join() === '192.0.2.53' ? true : undefined))
    for (let i = 0; i < 4; i++) expect(await dig('img2.vipshop.com')).toEqual(['192.0.2.12', '192.0.2.22'])
    expect(await dig('nope.vipshop.com')).toEqual([])
    for (const slave of ['secondary1', 'secondary2']) expect(await dig('dns1.vipshop.com', slave)).toEqual(['192.0.2.53'])
  }, 40_000)

  it("an edit through the primary's HTTP API reaches the VIP's answers (NOTIFY + IXFR to both slaves)", async () => {
    const api = run.example.hosts.find((h) => h.name === 'primary')!.describe.flatMap((l) => /^HTTP API (\S+) token ([0-9a-f]{32})$/.exec(l) ?? [])
    expect(api).toHaveLength(3)
    const [, url, token] = api as [string, string, string]
    const body = JSON.stringify({ record: { name: 'img5', type: 'A', ttl: 300, data: '198.51.100.5' }, ifSerial: 2013051501 })
    const editedAt = Date.now()
    const { stdout } = await exec('ip', ['netns', 'exec', run.example.clientNamespace, 'curl', '-sS', '--max-time', '5', '-X', 'POST', '-H', `authorization: Bearer ${token}`, '-H', 'content-type: application/json', '-d', body, url], { timeout: 10_000 })
    expect(JSON.parse(stdout)).toMatchObject({ previousSerial: 2013051501, serial: 2013051502 })
    // Both slaves have it (asked directly), then every answer through the VIP does (round robin over both).
    for (const slave of ['secondary1', 'secondary2']) await run.until(`${slave} serving img5`, 10_000, async () => ((await dig('img5.vipshop.com', slave)).join() === '198.51.100.5' ? true : undefined))
    const reachedAt = Date.now()
    for (let i = 0; i < 4; i++) expect(await dig('img5.vipshop.com')).toEqual(['198.51.100.5'])
    console.info(`namespace mode bind-lvs: an API edit served by both slaves ${reachedAt - editedAt} ms after the POST was sent`)
  }, 40_000)

  it('SIGKILL of director1: director2 holds the VIP and answers within 3 x advert + skew + margin', async () => {
    await measureTakeover(run, {
      master: 'director1',
      backup: 'director2',
      advertIntervalMs: ADVERT,
      masterDownMs: MASTER_DOWN,
      marginMs: MARGIN,
      answers: async () => (await dig('dns1.vipshop.com')).join() === '192.0.2.53',
      report: ({ takeover, answered, vipSeen }) =>
        `namespace mode bind-lvs, advert ${ADVERT} ms (Master_Down_Interval ${MASTER_DOWN} ms): after the SIGKILL, director2 master at ${takeover} ms (its own clock), first right answer from a dig started at ${answered} ms, VIP seen on director2's eth0 by polling at ${vipSeen} ms`,
    })
    // director2's pool answers the edited zone too.
    expect(await dig('img5.vipshop.com')).toEqual(['198.51.100.5'])
  }, 30_000)

  it('close() stops every node and leaves no namespace', async () => {
    const pids = run.example.hosts.flatMap((h) => (h.pid === undefined ? [] : [h.pid]))
    expect(pids.length).toBe(4) // director1 was killed
    await expectCleanClose(run, pids)
  }, 30_000)
})
