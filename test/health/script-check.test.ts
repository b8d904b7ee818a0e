// scriptCheck with real shell scripts in a temp dir: MISC_CHECK exit codes, dynamic weights,
// failures to start, and a hung script killed with its whole process group.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { HealthProber } from '../../src/health/prober.js'
import { scriptCheck } from '../../src/health/script-check.js'
import type { CheckContext, HealthProberChange, HealthResultEvent } from '../../src/health/types.js'
import { realClock } from '../../src/util/clock.js'

const dir = mkdtempSync(join(tmpdir(), 'dns-ha-health-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function script(name: string, body: string): string {
  const path = join(dir, name)
  writeFileSync(path, `#!/bin/sh\n${body}\n`)
  chmodSync(path, 0o755)
  return path
}

const ctx = (signal = new AbortController().signal): CheckContext => ({ signal, clock: realClock, timeoutMs: 5000, target: 's' })

/** True once `pid` no longer runs (gone, or a zombie waiting for its reaper). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return true
  }
}

async function eventually(test: () => boolean, limitMs = 2000): Promise<boolean> {
  const end = Date.now() + limitMs
  while (Date.now() < end) {
    if (test()) return true
    await new Promise((r) => setTimeout(r, 20))
  }
  return test()
}

/** A script that records its own pid and a background sleep's, then hangs. */
function hung(name: string): { path: string; pids: () => number[] } {
  const pidFile = join(dir, `${name}.pids`)
  const path = script(name, `echo $$ > ${pidFile}\nsleep 30 &\necho $! >> ${pidFile}\nwait`)
  return { path, pids: () => readFileSync(pidFile, 'utf8').trim().split('\n').map(Number) }
}

describe('scriptCheck exit codes (MISC_CHECK)', () => {
  it('exit 0 is up, 1 down, other codes down without dynamic', async () => {
    expect(await scriptCheck({ command: script('ok.sh', 'exit 0') })(ctx())).toEqual({ ok: true, reason: `${dir}/ok.sh exited 0` })
    expect(await scriptCheck({ command: script('down.sh', 'echo "www.test.com: no ip" >&2; exit 1') })(ctx())).toEqual({
      ok: false,
      reason: `${dir}/down.sh exited 1: www.test.com: no ip`,
    })
    expect(await scriptCheck({ command: script('seven.sh', 'exit 7') })(ctx())).toMatchObject({ ok: false, reason: expect.stringContaining('exited 7') })
  })

  it('dynamic: exit 2..255 is up with weight code - 2; 1 is still down', async () => {
    const code = script('code.sh', 'exit "$1"')
    const run = (n: number) => scriptCheck({ command: code, args: [String(n)], dynamic: true })(ctx())
    expect(await run(2)).toEqual({ ok: true, reason: `${code} ${2} exited 2: weight 0`, weight: 0 })
    expect(await run(7)).toMatchObject({ ok: true, weight: 5 })
    expect(await run(255)).toMatchObject({ ok: true, weight: 253 })
    expect(await run(1)).toMatchObject({ ok: false })
    expect(await run(0)).toEqual({ ok: true, reason: `${code} 0 exited 0` })
  })

  it('passes arguments and environment; a script that cannot start is a failure, never a pass', async () => {
    const env = script('env.sh', '[ "$TARGET" = "$1" ]')
    expect((await scriptCheck({ command: env, args: ['a'], env: { TARGET: 'a' } })(ctx())).ok).toBe(true)
    expect((await scriptCheck({ command: env, args: ['a'], env: { TARGET: 'b' } })(ctx())).ok).toBe(false)
    const missing = await scriptCheck({ command: join(dir, 'missing.sh') })(ctx())
    expect(missing).toMatchObject({ ok: false, reason: expect.stringContaining('ENOENT') })
    const notExecutable = join(dir, 'plain.sh')
    writeFileSync(notExecutable, '#!/bin/sh\nexit 0\n')
    expect(await scriptCheck({ command: notExecutable, dynamic: true })(ctx())).toMatchObject({ ok: false, reason: expect.stringContaining('EACCES') })
    expect(() => scriptCheck({ command: '' })).toThrow(/needs a command/)
    expect(() => scriptCheck({ command: env, timeoutMs: 0 })).toThrow(/timeoutMs/)
  })

  it('a script killed by a signal is down', async () => {
    expect(await scriptCheck({ command: script('self-kill.sh', 'kill -TERM $$') })(ctx())).toMatchObject({ ok: false, reason: expect.stringContaining('ended by SIGTERM') })
  })
})

describe('hung scripts are killed with their process group', () => {
  it("scriptCheck's own timeoutMs kills the script and its background child", async () => {
    const h = hung('hung-own.sh')
    const started = Date.now()
    const outcome = await scriptCheck({ command: h.path, timeoutMs: 300 })(ctx())
    const took = Date.now() - started
    expect(outcome).toMatchObject({ ok: false, reason: expect.stringContaining('killed with its process group: script timed out after 300 ms') })
    expect(took).toBeLessThan(2000)
    const pids = h.pids()
    expect(pids).toHaveLength(2)
    expect(await eventually(() => pids.every(gone))).toBe(true)
  })

  it("the prober's run timeout aborts the script and kills the group, and the next run starts", async () => {
    const h = hung('hung-prober.sh')
    const prober = new HealthProber({ clock: realClock })
    const results: HealthResultEvent[] = []
    prober.on('result', (r) => results.push(r))
    prober.add({ name: 'hung', check: scriptCheck({ command: h.path }), intervalMs: 60_000, timeoutMs: 300, initialState: 'unknown' })
    try {
      expect(await eventually(() => results.length === 1, 3000)).toBe(true)
      expect(results[0]).toMatchObject({ ok: false, reason: 'timed out after 300 ms' })
      const pids = h.pids()
      expect(await eventually(() => pids.every(gone))).toBe(true)
      expect(await eventually(() => prober.snapshot().targets[0]!.running === false)).toBe(true)
    } finally {
      prober.close()
    }
  })

  it('an abort before start spawns nothing', async () => {
    const controller = new AbortController()
    controller.abort()
    const marker = join(dir, 'ran')
    const outcome = await scriptCheck({ command: script('touch.sh', `touch ${marker}`) })(ctx(controller.signal))
    expect(outcome.ok).toBe(false)
    await new Promise((r) => setTimeout(r, 100))
    expect(existsSync(marker)).toBe(false)
  })
})

describe('dynamic weights through the prober', () => {
  it('a weight the script asks for is reported as a change', async () => {
    const weightFile = join(dir, 'weight')
    writeFileSync(weightFile, '12')
    const prober = new HealthProber({ clock: realClock })
    const changes: HealthProberChange[] = []
    prober.watch((c) => changes.push(c))
    prober.add({ name: 'w', check: scriptCheck({ command: script('weight.sh', `exit $(cat ${weightFile})`), dynamic: true }), intervalMs: 50, timeoutMs: 2000, initialState: 'unknown' })
    try {
      expect(await eventually(() => changes.length === 1, 3000)).toBe(true)
      expect(changes[0]).toMatchObject({ target: 'w', state: 'up', weight: 10 })
      writeFileSync(weightFile, '4')
      expect(await eventually(() => changes.length === 2, 3000)).toBe(true)
      expect(changes[1]).toMatchObject({ state: 'up', weight: 2, previous: 'up' })
    } finally {
      prober.close()
    }
  })
})
