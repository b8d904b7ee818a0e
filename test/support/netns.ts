// The root-only namespace tests' common parts: why they skip here, starting an example in
// namespaces for a describe block (and deleting them after), polling until something holds,
// and the VIP takeover measured after a SIGKILL of the master.
import { execFile, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect } from 'vitest'
import { nodeNetnsHost, startNetnsExample, type NetnsExample } from '../../src/topology/index.js'

export const exec = promisify(execFile)

/** What a namespace test may need besides root and ip (`netns`: Linux, root, iproute2). */
export type NetnsNeed = 'netns' | 'root' | 'koffi' | 'dig' | 'curl' | 'setpriv'

const CHECKS: Record<NetnsNeed, () => string | undefined> = {
  netns: () => nodeNetnsHost.unavailable(),
  root: () => (process.getuid?.() === 0 ? undefined : 'not root'),
  dig: () => (spawnSync('dig', ['-v']).error ? 'no dig (apt-get install bind9-dnsutils)' : undefined),
  curl: () => (spawnSync('curl', ['--version']).error ? 'no curl (apt-get install curl)' : undefined),
  setpriv: () => (spawnSync('setpriv', ['--version']).error ? 'no setpriv (util-linux)' : undefined),
  koffi: () => {
    try {
      createRequire(import.meta.url)('koffi')
      return undefined
    } catch {
      return 'koffi (optional dependency, raw VRRP sockets) is not installed'
    }
  },
}

/** The first of `needs` this machine lacks, as a reason to skip, or undefined when it has them all. */
export function netnsUnavailable(...needs: NetnsNeed[]): string | undefined {
  for (const need of needs) {
    const why = CHECKS[need]()
    if (why !== undefined) return why
  }
  return undefined
}

/** {@link netnsUnavailable}, printing `skipping WHAT: REASON` when something is missing. */
export function skipUnless(what: string, ...needs: NetnsNeed[]): string | undefined {
  const why = netnsUnavailable(...needs)
  if (why) console.warn(`skipping ${what}: ${why}`)
  return why
}

/** src/cli/main.ts run through tsx: the node command of a namespace example. */
export const NODE_COMMAND = [process.execPath, '--import', 'tsx', fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))]

/** One example in namespaces for the enclosing describe block. */
export interface NetnsRun {
  /** The running example (after beforeAll). */
  readonly example: NetnsExample
  /** The namespaces on this machine carrying this run's prefix. */
  ourNamespaces(): Promise<string[]>
  /** Polls `probe` every 10 ms until it gives a value; after `limitMs` throws, with the output of the nodes named at the start. */
  until<T>(what: string, limitMs: number, probe: () => Promise<T | undefined>): Promise<T>
}

/**
 * Registers beforeAll (start `name` in namespaces named `dnsha-<letter><pid>-...`) and afterAll
 * (close it: every node stopped, every namespace deleted) in the enclosing describe block.
 */
export function useNetnsExample(
  name: string,
  o: { letter: string; advertIntervalMs?: number; readyTimeoutMs: number; startTimeoutMs: number; outputOf?: string[] },
): NetnsRun {
  const prefix = `dnsha-${o.letter}${process.pid % 10000}-`
  let example: NetnsExample | undefined
  beforeAll(async () => {
    example = await startNetnsExample(name, {
      nodeCommand: NODE_COMMAND,
      ...(o.advertIntervalMs === undefined ? {} : { advertIntervalMs: o.advertIntervalMs }),
      readyTimeoutMs: o.readyTimeoutMs,
      prefix,
    })
  }, o.startTimeoutMs)
  afterAll(async () => {
    await example?.close()
  })
  return {
    get example() {
      return example!
    },
    ourNamespaces: async () =>
      (await exec('ip', ['netns', 'list'])).stdout
        .split('\n')
        .map((l) => l.split(' ')[0]!)
        .filter((n) => n.startsWith(prefix)),
    async until(what, limitMs, probe) {
      const end = Date.now() + limitMs
      for (;;) {
        const v = await probe()
        if (v !== undefined) return v
        if (Date.now() > end) throw new Error(`${what}: not within ${limitMs} ms${(o.outputOf ?? []).map((n) => `\n--- ${n}\n${example?.output(n)}`).join('')}`)
        await new Promise((r) => setTimeout(r, 10))
      }
    },
  }
}

/** What {@link measureTakeover} saw, in ms after the SIGKILL. */
export interface Takeover {
  /** When the backup reported itself master (its own clock), if it did. */
  takeover: number | undefined
  /** When the first dig that got the right answer was started, if one did. */
  answered: number | undefined
  /** When polling first saw the VIP on the backup. */
  vipSeen: number
}

/**
 * Kills `master` with SIGKILL once the backup has heard a few adverts, then measures the
 * backup's takeover three ways: its own `vrrp` event, the first right answer of a dig started
 * every 50 ms (`answers`), and the VIP seen on it by polling; prints `report` of them. Expects the takeover no earlier
 * than the Master_Down_Interval less one advert (less 5 ms of rounding), it and the first answer
 * within Master_Down_Interval + `marginMs`, and the VIP then on the backup's eth0.
 */
export async function measureTakeover(
  run: NetnsRun,
  o: { master: string; backup: string; advertIntervalMs: number; masterDownMs: number; marginMs: number; answers: () => Promise<boolean>; report: (seen: Takeover) => string },
): Promise<Takeover> {
  const example = run.example
  await new Promise((r) => setTimeout(r, 3 * o.advertIntervalMs)) // the backup has heard a few adverts
  expect(await example.holders()).toEqual([o.master])
  let masterAt: number | undefined
  example.on('vrrp', ({ at, node, to }) => void (node === o.backup && to === 'master' && (masterAt ??= at)))
  const killedAt = await example.crash(o.master)
  // Answers, probed by a dig started every 50 ms: the first right one's start time counts.
  let firstAnswer: number | undefined
  const probes: Promise<void>[] = []
  const bound = o.masterDownMs + o.marginMs
  const limit = bound + 3000
  const prober = (async () => {
    while (firstAnswer === undefined && Date.now() - killedAt < limit) {
      const startedAt = Date.now()
      probes.push(o.answers().then((ok) => void (ok && (firstAnswer = Math.min(firstAnswer ?? Infinity, startedAt)))))
      await new Promise((r) => setTimeout(r, 50))
    }
  })()
  // The VIP on the backup's interface, polled with ip (slower while the digs run).
  const vipAt = await run.until(`${o.backup} holding the VIP`, limit, async () => ((await example.holders()).includes(o.backup) ? Date.now() : undefined))
  await prober
  await Promise.all(probes)
  const seen: Takeover = {
    takeover: masterAt === undefined ? undefined : masterAt - killedAt,
    answered: firstAnswer === undefined ? undefined : firstAnswer - killedAt,
    vipSeen: vipAt - killedAt,
  }
  console.info(o.report(seen))
  expect(seen.takeover).toBeDefined()
  expect(seen.takeover!).toBeGreaterThanOrEqual(Math.floor(o.masterDownMs - o.advertIntervalMs) - 5)
  expect(seen.takeover!).toBeLessThanOrEqual(bound)
  expect(seen.answered).toBeDefined()
  expect(seen.answered!).toBeLessThanOrEqual(bound)
  expect(seen.vipSeen).toBeLessThanOrEqual(limit)
  const { stdout } = await exec('ip', ['-n', example.hosts.find((h) => h.name === o.backup)!.namespace, '-4', 'addr', 'show', 'dev', 'eth0'])
  expect(stdout).toContain(`inet ${example.vip}/32`)
  return seen
}

/** close() of the example: afterwards no namespace of the run is left and none of `pids` runs. */
export async function expectCleanClose(run: NetnsRun, pids: number[]): Promise<void> {
  await run.example.close()
  expect(await run.ourNamespaces()).toEqual([])
  for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow()
}

/**
 * Runs the dig command `argv` (`+short`, one try of 1 s) until it prints `expected` or
 * `limitMs` has passed, and gives what it printed last: until the election is over (3 x advert
 * + skew after the routers start) nobody holds the VIP, and a pool answers once its checks ran.
 */
export async function digUntil(argv: string[], expected: string, limitMs: number): Promise<string> {
  let answer = ''
  for (const end = Date.now() + limitMs; answer !== expected && Date.now() < end; ) {
    answer = (await exec(argv[0]!, [...argv.slice(1), '+short', '+time=1', '+tries=1'], { timeout: 10_000 }).catch((e: { stdout: string }) => e)).stdout.trim()
  }
  return answer
}
