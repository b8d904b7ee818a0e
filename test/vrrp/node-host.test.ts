// The real host seam where it needs no root: the command runner (exit status, output, a timeout
// that kills the whole process group, a command that cannot start) and the interface table; and,
// when we are root, the raw socket opened on lo by root and refused to an unprivileged user.
import { execFile, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { nodeVrrpHost } from '../../src/vrrp/node-host.js'

const exec = promisify(execFile)
const fixture = fileURLToPath(new URL('./fixtures/open-raw.ts', import.meta.url))
const rawSkip = (() => {
  if (process.getuid?.() !== 0) return 'not root'
  if (spawnSync('setpriv', ['--version']).error) return 'no setpriv (util-linux)'
  try {
    createRequire(import.meta.url)('koffi')
  } catch {
    return 'koffi is not installed'
  }
  return undefined
})()
if (rawSkip) console.warn(`skipping the raw socket permission test: ${rawSkip}`)

describe('nodeVrrpHost.run', () => {
  it('resolves with the exit status, stdout and stderr', async () => {
    const r = await nodeVrrpHost.run('sh', ['-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 10_000 })
    expect(r).toEqual({ code: 3, signal: null, stdout: 'out\n', stderr: 'err\n', timedOut: false })
  })

  it('kills the whole process group after the timeout: a child of the script dies with it', async () => {
    const started = Date.now()
    // The script's own child holds stdout open: if only the shell were killed, 'close' would wait 20 s.
    const r = await nodeVrrpHost.run('sh', ['-c', 'sleep 20 & sleep 20'], { timeoutMs: 200 })
    expect(r.timedOut).toBe(true)
    expect(r.signal).toBe('SIGKILL')
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('rejects when the command cannot start', async () => {
    await expect(nodeVrrpHost.run('/nonexistent/dns-ha-notify', [])).rejects.toThrow(/ENOENT/)
  })
})

describe('nodeVrrpHost.interfaceInfo', () => {
  it('reads lo: index 1 here, its MAC, 127.0.0.1', () => {
    const lo = nodeVrrpHost.interfaceInfo('lo')
    expect(lo).toBeDefined()
    expect(lo!.index).toBeGreaterThan(0)
    expect(lo!.mac).toBe('00:00:00:00:00:00')
    expect(lo!.ipv4).toContain('127.0.0.1')
  })

  it('is undefined for a missing interface or a name that would leave /sys/class/net', () => {
    expect(nodeVrrpHost.interfaceInfo('dnsha-none0')).toBeUndefined()
    expect(nodeVrrpHost.interfaceInfo('../lo')).toBeUndefined()
    expect(nodeVrrpHost.interfaceInfo('..')).toBeUndefined()
    expect(nodeVrrpHost.interfaceInfo('')).toBeUndefined()
  })
})

describe.skipIf(rawSkip !== undefined)('the raw socket and permissions', () => {
  it('root opens and closes a protocol 112 socket on lo; an unprivileged user gets ERR_VRRP_PERMISSION', async () => {
    const asRoot = await exec(process.execPath, ['--import', 'tsx', fixture], { timeout: 30_000 })
    expect(asRoot.stdout).toBe('opened\n')
    const asNobody = await exec('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'env', 'HOME=/tmp', process.execPath, '--import', 'tsx', fixture], { timeout: 30_000 })
    expect(asNobody.stdout).toBe('ERR_VRRP_PERMISSION raw IP protocol 112 socket on lo: socket: Operation not permitted (raw sockets need root or CAP_NET_RAW)\n')
  }, 60_000)
})
