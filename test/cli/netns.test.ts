// `dns-ha example NAME --netns`: refused with one line and exit 69 where namespaces cannot be made;
// as root, it prints the client namespace's dig lines, they answer, and Ctrl-C deletes every
// namespace. Also the hidden node side (`netns-node`) rejecting a bad spec.
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { digUntil, exec, NODE_COMMAND, skipUnless } from '../support/netns.js'
import { startCli } from './helpers.js'

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const noRoot = skipUnless('the root run of example --netns', 'netns', 'dig', 'koffi')

/**
 * `dns-ha example ARGS` as root: waits for its last line, gives `check` the lines and the
 * namespaces it names (`count` of them), then Ctrl-C must exit 0 and leave none of them.
 */
async function asRoot(args: string[], count: number, check: (out: string[], namespaces: string[]) => Promise<void>): Promise<void> {
  const run = startCli(['example', ...args, '--netns'], { selfCommand: NODE_COMMAND })
  try {
    await run.line(/^Ctrl-C to stop/)
    const namespaces = run.out.flatMap((l) => /namespace (dnsha-[a-z0-9-]+)/.exec(l)?.[1] ?? [])
    expect(namespaces.length).toBe(count)
    await check(run.out, namespaces)
    run.signal('SIGINT')
    expect(await run.status).toBe(0)
    const left = (await exec('ip', ['netns', 'list'])).stdout
    for (const ns of namespaces) expect(left).not.toContain(ns)
  } finally {
    // (The serve loop listens once the command has printed its last line and returned.)
    await new Promise((r) => setTimeout(r, 100))
    run.signal('SIGINT')
    await run.status.catch(() => {})
  }
}

describe('dns-ha example --netns', () => {
  it('refuses with one line and exit 69 when namespaces cannot be made (here: no ip in PATH)', async () => {
    const r = await exec(process.execPath, ['--import', 'tsx', MAIN, 'example', 'dnsmasq-nginx-keepalived', '--netns'], { cwd: ROOT, env: { ...process.env, PATH: '/nonexistent' }, timeout: 60_000 }).then(
      (ok) => ({ code: 0, stderr: ok.stderr, stdout: ok.stdout }),
      (e: { code: number; stderr: string; stdout: string }) => e,
    )
    expect(r.code).toBe(69)
    expect(r.stdout).toBe('')
    const lines = r.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^dns-ha: example --netns: (no ip command|not root|network namespaces need Linux).*without --netns the example runs on loopback$/)
  }, 60_000)

  it('netns-node (the hidden node side) rejects a bad spec with one line and exit 65', async () => {
    const run = startCli(['netns-node', '{"role":"dnsmasq-nginx-keepalived-node"}'])
    expect(await run.status).toBe(65)
    expect(run.err).toEqual([expect.stringMatching(/^dns-ha: netns-node: the spec's node is missing or wrong$/)])
    const unknown = startCli(['netns-node', JSON.stringify({ role: 'nope', node: 'a', interface: 'eth0', address: '10.9.9.1', vip: '10.9.9.100', hosts: {}, advertIntervalMs: 1000 })])
    expect(await unknown.status).toBe(65)
    expect(unknown.err[0]).toMatch(/no role "nope" \(there is upstream-authority, dnsmasq-nginx-keepalived-node, split-horizon-authority, split-horizon-pool\b/)
  })

  it.skipIf(noRoot)('as root: prints the dig lines for the client namespace, they answer through the real VIP, Ctrl-C deletes every namespace', async () => {
    await asRoot(['dnsmasq-nginx-keepalived', '--advert-ms', '200'], 5, async (out) => {
      const digLine = out.find((l) => /^ {2}ip netns exec \S+ dig @\S+ xpt\.redhat\.cn/.test(l))!
      expect(digLine).toBeDefined()
      const argv = digLine.trim().split('#')[0]!.trim().split(/\s+/)
      expect(await digUntil(argv, '192.168.111.111', 15_000)).toBe('192.168.111.111')
    })
  }, 120_000)

  it.skipIf(noRoot)("as root, bind-lvs-keepalived: prints the primary's API and token and director2's takeover bound; the VIP answers; Ctrl-C deletes every namespace", async () => {
    await asRoot(['bind-lvs-keepalived', '--advert-ms', '200'], 7, async (out) => {
      // director2 (priority 90) is the backup: 3 x 200 + (256 - 90) x 200 / 256 = 729.7 ms.
      expect(out).toContain('The VIP moves to the backup within 3 x advert_int + skew (0.730 s) of the master\'s death. Try:')
      expect(out.some((l) => /^ {6}HTTP API http:\/\/[\d.]+:8053\/api\/zones\/vipshop\.com\.\/records token [0-9a-f]{32}$/.test(l))).toBe(true)
      const digLine = out.find((l) => /^ {2}ip netns exec \S+-client dig @\S+\.100 dns1\.vipshop\.com/.test(l))!
      expect(digLine).toBeDefined()
      const argv = digLine.trim().split('#')[0]!.trim().split(/\s+/)
      expect(await digUntil(argv, '192.0.2.53', 20_000)).toBe('192.0.2.53')
    })
  }, 150_000)

  it.skipIf(noRoot)('as root, split-horizon: prints a dig line from each client namespace to the authority and the pool; each answers as its comment says', async () => {
    await asRoot(['split-horizon'], 5, async (out) => {
      expect(out.some((l) => l.includes('VIP'))).toBe(false)
      const digLines = out.filter((l) => /^ {2}ip netns exec \S+ dig @/.test(l))
      expect(new Set(digLines.map((l) => /exec dnsha-[a-z0-9]+-(\w+) /.exec(l)?.[1]))).toEqual(new Set(['internal', 'external']))
      const expected: Record<string, string> = { 'private address': '10.0.0.80', 'public address': '203.0.113.80', 'ECS carries its address': '10.0.0.80', 'external client through the pool': '203.0.113.80', 'internal only': '10.0.2.10' }
      for (const line of digLines) {
        const [command, comment] = line.trim().split(/\s+#\s+/)
        const want = Object.entries(expected).find(([k]) => comment!.includes(k))?.[1]
        expect(want, comment).toBeDefined()
        const argv = command!.split(/\s+/)
        const answer = (await exec(argv[0]!, [...argv.slice(1), '+short', '+time=2', '+tries=2'], { timeout: 10_000 }).catch((e: { stdout: string }) => e)).stdout.trim()
        expect(answer, line).toBe(want)
      }
    })
  }, 120_000)
})
