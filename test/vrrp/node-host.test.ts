// The real host seam where it needs no root: the command runner (exit status, output, a timeout
// that kills the whole process group, a command that cannot start) and the interface table; and,
// when we are root, the raw socket opened on lo by root and refused to an unprivileged user.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { nodeVrrpHost, parseIpv6Control } from '../../src/vrrp/node-host.js'
import { skipUnless } from '../support/netns.js'

const exec = promisify(execFile)
const fixture = fileURLToPath(new URL('./fixtures/open-raw.ts', import.meta.url))
const rawSkip = skipUnless('the raw socket permission test', 'root', 'setpriv', 'koffi')

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

describe('parseIpv6Control', () => {
  /** One cmsghdr as 64-bit Linux lays it out: size_t length, int level, int type, data padded to 8. */
  function cmsg(type: number, data: Uint8Array): Uint8Array {
    const length = 16 + data.length
    const out = new Uint8Array((length + 7) & ~7)
    const view = new DataView(out.buffer)
    view.setBigUint64(0, BigInt(length), true)
    view.setInt32(8, 41, true) // IPPROTO_IPV6
    view.setInt32(12, type, true)
    out.set(data, 16)
    return out
  }

  it('reads IPV6_PKTINFO (destination) and IPV6_HOPLIMIT in either order, padded', () => {
    const pktinfo = new Uint8Array(20)
    pktinfo.set([0xff, 0x02], 0)
    pktinfo[15] = 0x12
    pktinfo[16] = 3 // ifindex
    const hop = new Uint8Array(new Int32Array([255]).buffer)
    for (const control of [Uint8Array.from([...cmsg(50, pktinfo), ...cmsg(52, hop)]), Uint8Array.from([...cmsg(52, hop), ...cmsg(50, pktinfo)])]) {
      const got = parseIpv6Control(control)
      expect(got.hopLimit).toBe(255)
      expect([...got.destination!]).toEqual([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12])
    }
  })

  it('stops at a truncated or nonsensical header, never throws', () => {
    expect(parseIpv6Control(new Uint8Array(0))).toEqual({ hopLimit: undefined, destination: undefined })
    const bad = cmsg(52, new Uint8Array(new Int32Array([64]).buffer))
    new DataView(bad.buffer).setBigUint64(0, 4096n, true)
    expect(parseIpv6Control(bad)).toEqual({ hopLimit: undefined, destination: undefined })
    const other = cmsg(52, new Uint8Array(new Int32Array([64]).buffer))
    new DataView(other.buffer).setInt32(8, 0, true) // SOL_IP, not IPv6
    expect(parseIpv6Control(other).hopLimit).toBeUndefined()
  })
})
