// Namespace mode on the real wire: dnsmasq-nginx-keepalived with each node a process in its own
// network namespace, the VIP a real address moved by raw VRRP, queried with dig from the client
// namespace. The master is killed with SIGKILL; the backup must hold the VIP and answer within
// 3 x advert + skew + margin. close() must leave no namespace. Root only; skips with a printed
// reason otherwise. Prints the measured takeover.
import { execFile, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeNetnsHost, startNetnsExample, type NetnsExample } from '../../src/topology/index.js'

const exec = promisify(execFile)

function unavailableReason(): string | undefined {
  const why = nodeNetnsHost.unavailable()
  if (why !== undefined) return why
  if (spawnSync('dig', ['-v']).error) return 'no dig (apt-get install bind9-dnsutils)'
  try {
    createRequire(import.meta.url)('koffi')
  } catch {
    return 'koffi (optional dependency, raw VRRP sockets) is not installed'
  }
  return undefined
}

const unavailable = unavailableReason()
if (unavailable) console.warn(`skipping the namespace-mode tests: ${unavailable}`)

const ADVERT = 200
/** The backup's Master_Down_Interval (RFC 5798): 3 x advert + skew for priority 100. */
const MASTER_DOWN = 3 * ADVERT + ((256 - 100) * ADVERT) / 256
/** Real processes on a shared 2-core machine: lateness allowed on top of the RFC figure (as test/vrrp/namespace.test.ts). */
const MARGIN = 1000
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
const PREFIX = `dnsha-t${process.pid % 10000}-`

let example: NetnsExample | undefined

/** dig from the client namespace: the answer's addresses (empty when none or no answer). */
async function dig(name: string): Promise<string[]> {
  const { stdout } = await exec('ip', ['netns', 'exec', example!.clientNamespace, 'dig', `@${example!.vip}`, name, 'A', '+short', '+time=1', '+tries=1'], { timeout: 5000 }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }))
  return stdout.split('\n').filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l))
}

async function until<T>(what: string, limitMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + limitMs
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`${what}: not within ${limitMs} ms\n--- a\n${example?.output('a')}\n--- b\n${example?.output('b')}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

const ourNamespaces = async (): Promise<string[]> => (await exec('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith(PREFIX))

describe.skipIf(unavailable)('dns-ha example dnsmasq-nginx-keepalived in network namespaces', () => {
  beforeAll(async () => {
    example = await startNetnsExample('dnsmasq-nginx-keepalived', { nodeCommand: [process.execPath, '--import', 'tsx', MAIN], advertIntervalMs: ADVERT, readyTimeoutMs: 60_000, prefix: PREFIX })
  }, 90_000)
  afterAll(async () => {
    await example?.close()
  })

  it('builds one namespace per host and a bridge, with the per-run prefix', async () => {
    expect(example!.namespaces).toHaveLength(5)
    expect((await ourNamespaces()).sort()).toEqual([...example!.namespaces].sort())
    expect(example!.hosts.map((h) => [h.name, h.role])).toEqual([
      ['a', 'dnsmasq-nginx-keepalived-node'],
      ['b', 'dnsmasq-nginx-keepalived-node'],
      ['upstream', 'upstream-authority'],
      ['client', undefined],
    ])
  })

  it('the master (a) holds the real VIP; the client namespace gets the hosts overlay and the upstream through it', async () => {
    await until('node a holding the VIP', 10_000, async () => ((await example!.holders()).join() === 'a' ? true : undefined))
    expect(await dig('xpt.redhat.cn')).toEqual(['192.168.111.111'])
    expect(await dig('www.example.test')).toEqual(['192.0.2.80'])
  })

  it('SIGKILL of the master: the backup holds the VIP and answers within 3 x advert + skew + margin', async () => {
    await new Promise((r) => setTimeout(r, 3 * ADVERT)) // b has heard a few adverts from a
    expect(await example!.holders()).toEqual(['a'])
    let masterAt: number | undefined
    example!.on('vrrp', ({ at, node, to }) => void (node === 'b' && to === 'master' && (masterAt ??= at)))
    const killedAt = await example!.crash('a')
    // Answers, probed by a dig started every 50 ms: the first right one's start time counts.
    let firstAnswer: number | undefined
    const probes: Promise<void>[] = []
    const prober = (async () => {
      while (firstAnswer === undefined && Date.now() - killedAt < MASTER_DOWN + MARGIN + 3000) {
        const startedAt = Date.now()
        probes.push(dig('xpt.redhat.cn').then((a) => void (a.join() === '192.168.111.111' && (firstAnswer = Math.min(firstAnswer ?? Infinity, startedAt)))))
        await new Promise((r) => setTimeout(r, 50))
      }
    })()
    // The VIP on b's interface, polled with ip (4 ip runs a poll, slower while the digs run).
    const vipAt = await until('node b holding the VIP', MASTER_DOWN + MARGIN + 3000, async () => ((await example!.holders()).includes('b') ? Date.now() : undefined))
    await prober
    await Promise.all(probes)
    const takeover = masterAt === undefined ? undefined : masterAt - killedAt
    const answered = firstAnswer === undefined ? undefined : firstAnswer - killedAt
    console.info(`namespace mode, advert ${ADVERT} ms (Master_Down_Interval ${MASTER_DOWN} ms): after the SIGKILL, b master at ${takeover} ms (its own clock), first right answer from a dig started at ${answered} ms, VIP seen on b's eth0 by polling at ${vipAt - killedAt} ms`)
    expect(takeover).toBeDefined()
    expect(takeover!).toBeGreaterThanOrEqual(Math.floor(MASTER_DOWN - ADVERT) - 5)
    expect(takeover!).toBeLessThanOrEqual(MASTER_DOWN + MARGIN)
    expect(answered).toBeDefined()
    expect(answered!).toBeLessThanOrEqual(MASTER_DOWN + MARGIN)
    expect(vipAt - killedAt).toBeLessThanOrEqual(MASTER_DOWN + MARGIN + 3000)
    // The VIP is really on b's interface, and b answers the upstream's names too.
    const { stdout } = await exec('ip', ['-n', example!.hosts.find((h) => h.name === 'b')!.namespace, '-4', 'addr', 'show', 'dev', 'eth0'])
    expect(stdout).toContain(`inet ${example!.vip}/32`)
    expect(await dig('www.example.test')).toEqual(['192.0.2.80'])
  })

  it('close() stops every node and leaves no namespace', async () => {
    const pids = example!.hosts.flatMap((h) => (h.pid === undefined ? [] : [h.pid]))
    expect(pids.length).toBe(2) // b and upstream; a was killed
    await example!.close()
    expect(await ourNamespaces()).toEqual([])
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow()
  })
})
