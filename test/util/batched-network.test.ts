// The batched datagram engine on real sockets: exact client addresses on IPv4 and IPv6, sends
// copied at once, a blocked receive woken by close (the process exits), the socket cap, and a
// clear error where koffi is missing.
import { execFile } from 'node:child_process'
import dgram from 'node:dgram'
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { batchedEngineUnavailable, batchedNetwork, maxBatchedSockets } from '../../src/util/batched-network.js'
import type { DatagramSocket } from '../../src/util/network.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const reason = batchedEngineUnavailable()
if (reason !== undefined) console.log(`batched engine tests skipped: ${reason}`)

const opened: DatagramSocket[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()))
})

async function echo(family: 4 | 6, address: string): Promise<{ socket: DatagramSocket; port: number; seen: { address: string; port: number; family: string }[] }> {
  const socket = batchedNetwork().createDatagramSocket(family)
  opened.push(socket)
  const { port } = await socket.bind(0, address)
  const seen: { address: string; port: number; family: string }[] = []
  socket.onMessage((msg, rinfo) => {
    seen.push({ ...rinfo })
    socket.send(msg, rinfo.port, rinfo.address)
  })
  return { socket, port, seen }
}

async function client(type: 'udp4' | 'udp6', address: string): Promise<dgram.Socket> {
  const c = dgram.createSocket(type)
  await new Promise<void>((resolve) => c.bind(0, address, () => resolve()))
  return c
}

function nextMessage(c: dgram.Socket, timeoutMs = 2000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no datagram')), timeoutMs)
    c.once('message', (msg) => {
      clearTimeout(timer)
      resolve(msg)
    })
  })
}

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now()
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr, ms: Date.now() - started })
    })
  })
}

describe.skipIf(reason !== undefined)('batched datagram socket', () => {
  it('receives and answers with the exact client address and port, IPv4 and IPv6', async () => {
    for (const [family, type, server, from] of [
      [4, 'udp4', '127.0.0.1', '127.0.0.2'],
      [6, 'udp6', '::1', '::1'],
    ] as const) {
      const { port, seen } = await echo(family, server)
      const c = await client(type, from)
      const reply = nextMessage(c)
      c.send(Buffer.from(`hello over IPv${family}`), port, server)
      expect((await reply).toString()).toBe(`hello over IPv${family}`)
      expect(seen).toEqual([{ address: from, port: c.address().port, family: `IPv${family}` }])
      c.close()
    }
  })

  it('copies a datagram when sent: the caller may reuse its bytes at once', async () => {
    const socket = batchedNetwork().createDatagramSocket(4)
    opened.push(socket)
    await socket.bind(0, '127.0.0.1')
    expect(socket.borrowsMessages).toBe(true)
    const c = await client('udp4', '127.0.0.1')
    const got: string[] = []
    c.on('message', (msg) => got.push(msg.toString()))
    const bytes = Buffer.from('first')
    const sent: (Error | null)[] = []
    socket.send(bytes, c.address().port, '127.0.0.1', (err) => sent.push(err))
    bytes.write('XXXXX')
    socket.send(bytes, c.address().port, '127.0.0.1', (err) => sent.push(err))
    for (let i = 0; i < 200 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 5))
    expect(got).toEqual(['first', 'XXXXX'])
    expect(sent).toEqual([null, null])
    c.close()
  })

  it('fails a send to an address of the other family through its callback', async () => {
    const socket = batchedNetwork().createDatagramSocket(4)
    opened.push(socket)
    await socket.bind(0, '127.0.0.1')
    const err = await new Promise<Error | null>((resolve) => socket.send(Buffer.from('x'), 53, '::1', resolve))
    expect(err?.message).toMatch(/not an IPv4 address/)
  })

  it('reports a port in use as a bind error', async () => {
    const { port } = await echo(4, '127.0.0.1')
    const second = batchedNetwork().createDatagramSocket(4)
    opened.push(second)
    await expect(second.bind(port, '127.0.0.1')).rejects.toThrow(/bind: Address already in use/)
  })

  it('answers the datagrams of a burst, many per batch', async () => {
    const { port, seen } = await echo(4, '127.0.0.1')
    const c = await client('udp4', '127.0.0.1')
    const replies = new Set<string>()
    c.on('message', (msg) => replies.add(msg.toString()))
    // Rounds of 100: loopback loses nothing while both receive buffers have room for a round.
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 100; i++) c.send(`d${round * 100 + i}`, port, '127.0.0.1')
      for (let i = 0; i < 400 && replies.size < (round + 1) * 100; i++) await new Promise((r) => setTimeout(r, 2))
    }
    expect(replies.size).toBe(500)
    expect(seen).toHaveLength(500)
    c.close()
  })

  it('still answers the batch being handed out when close() is called from it', async () => {
    const socket = batchedNetwork().createDatagramSocket(4)
    const { port } = await socket.bind(0, '127.0.0.1')
    let closed: Promise<void> | undefined
    socket.onMessage((msg, rinfo) => {
      closed ??= socket.close()
      socket.send(msg, rinfo.port, rinfo.address)
    })
    const c = await client('udp4', '127.0.0.1')
    const reply = nextMessage(c)
    c.send('last words', port, '127.0.0.1')
    expect((await reply).toString()).toBe('last words')
    await closed
    const err = await new Promise<Error | null>((resolve) => socket.send(Buffer.from('x'), c.address().port, '127.0.0.1', resolve))
    expect(err?.message).toMatch(/not bound or is closed/)
    c.close()
  })

  it('caps the bound sockets at the threadpool size less one, and frees the place on close', async () => {
    const limit = maxBatchedSockets()
    const sockets: DatagramSocket[] = []
    for (let i = 0; i < limit; i++) {
      const s = batchedNetwork().createDatagramSocket(4)
      sockets.push(s)
      await s.bind(0, '127.0.0.1')
    }
    const extra = batchedNetwork().createDatagramSocket(4)
    await expect(extra.bind(0, '127.0.0.1')).rejects.toThrow(/UV_THREADPOOL_SIZE/)
    await sockets.pop()!.close()
    await extra.bind(0, '127.0.0.1')
    sockets.push(extra)
    await Promise.all(sockets.map((s) => s.close()))
  })

  it('close() wakes a blocked receive at once and the process exits on its own', async () => {
    const script = `
      import { batchedNetwork } from './src/util/batched-network.ts'
      const s = batchedNetwork().createDatagramSocket(4)
      await s.bind(0, '127.0.0.1')
      await new Promise((r) => setTimeout(r, 100)) // the receive is now blocked in the kernel
      const t = performance.now()
      await s.close()
      console.log('closed in', Math.round(performance.now() - t), 'ms')
    `
    const r = await run(['--import', 'tsx', '--input-type=module', '-e', script])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const closeMs = Number(/closed in (\d+) ms/.exec(r.stdout)?.[1])
    expect(closeMs).toBeLessThan(100)
    expect(r.ms).toBeLessThan(10_000)
  }, 30_000)

  it('process.exit() with a socket still bound and its receive blocked does not hang', async () => {
    const script = `
      import { batchedNetwork } from './src/util/batched-network.ts'
      const s = batchedNetwork().createDatagramSocket(4)
      await s.bind(0, '127.0.0.1')
      await new Promise((r) => setTimeout(r, 100))
      console.log('exiting')
      process.exit(3)
    `
    const r = await run(['--import', 'tsx', '--input-type=module', '-e', script])
    expect(r.stdout).toBe('exiting\n')
    expect(r.code).toBe(3) // the child's own status, not the 20 s timeout's kill
  }, 30_000)
})

describe('where koffi cannot load', () => {
  it('engine "batched" throws a DnsHaError saying so, and "auto" serves on dgram', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dns-ha-no-koffi-'))
    try {
      // Makes `require('koffi')` fail as it does where the optional dependency is not installed.
      const blocker = join(dir, 'no-koffi.cjs')
      writeFileSync(blocker, `const M = require('node:module'); const resolve = M._resolveFilename; M._resolveFilename = function (req, ...rest) { if (req === 'koffi') { const e = new Error("Cannot find module 'koffi'"); e.code = 'MODULE_NOT_FOUND'; throw e } return resolve.call(this, req, ...rest) }`)
      const script = `
        import { DnsServer } from './src/server/dns-server.ts'
        try { new DnsServer({ handler: () => undefined, engine: 'batched' }); console.log('no error') }
        catch (e) { console.log(e.code, e.message) }
        const auto = new DnsServer({ handler: () => undefined, engine: 'auto' })
        console.log('auto:', auto.snapshot().engine)
        try { new DnsServer({ handler: () => undefined, reusePort: true }); console.log('no error') }
        catch (e) { console.log('reusePort:', e.code, e.message) }
        const { serveCluster } = await import('./src/authority/cluster.ts')
        try { await serveCluster({ reusePort: true, listen: { port: 5300 }, setup: () => () => undefined }); console.log('no error') }
        catch (e) { console.log('cluster:', e.code, e.message) }
      `
      const r = await run(['--require', blocker, '--import', 'tsx', '--input-type=module', '-e', script])
      expect(r.stderr).toBe('')
      expect(r.stdout).toMatch(/^ERR_CONFIG engine 'batched' cannot run here: .*koffi is not installed \(npm install koffi\)/m)
      expect(r.stdout).toMatch(/^auto: dgram$/m)
      expect(r.stdout).toMatch(/^reusePort: ERR_CONFIG reusePort needs the batched engine, which cannot run here: .*koffi is not installed/m)
      expect(r.stdout).toMatch(/^cluster: ERR_CONFIG reusePort needs the batched engine, which cannot run here: .*koffi is not installed/m)
      expect(r.stdout).not.toMatch(/no error/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 30_000)
})

describe.skipIf(batchedEngineUnavailable() !== undefined)('batched sockets and connect', () => {
  it('refuse to connect (connected sockets are the dgram engine’s)', async () => {
    const socket = batchedNetwork().createDatagramSocket(4)
    await expect(socket.connect(53, '127.0.0.1')).rejects.toThrow(/batched sockets do not connect \(127\.0\.0\.1:53\)/)
    await socket.close()
  })
})

describe.skipIf(batchedEngineUnavailable() !== undefined)('batched sockets and ICMP errors (IP_RECVERR)', () => {
  /** A port nobody listens on: bound, noted, closed. */
  async function closedPort(type: 'udp4' | 'udp6', address: string): Promise<number> {
    const c = await client(type, address)
    const port = c.address().port
    await new Promise<void>((resolve) => c.close(() => resolve()))
    return port
  }

  it.each([
    [4 as const, 'udp4' as const, '0.0.0.0', '127.0.0.1'],
    [6 as const, 'udp6' as const, '::', '::1'],
  ])('IPv%s: a datagram to a closed port comes back as an UnreachableError naming it, and the socket still receives', async (family, type, any, loopback) => {
    const socket = batchedNetwork().createDatagramSocket(family)
    opened.push(socket)
    expect(socket.reportUnreachable?.()).toBe(true)
    const errors: Error[] = []
    const heard = new Promise<Error>((resolve) => socket.onError((e) => (errors.push(e), resolve(e))))
    const got = new Promise<string>((resolve) => socket.onMessage((msg) => resolve(msg.toString())))
    const { port } = await socket.bind(0, any)
    const closed = await closedPort(type, loopback)
    socket.send(Buffer.from('anyone?'), closed, loopback)
    const error = await heard
    expect(error).toMatchObject({ code: 'ECONNREFUSED', destination: { address: loopback, port: closed }, offender: loopback })
    const peer = await client(type, loopback)
    peer.send('after', port, loopback)
    expect(await got).toBe('after')
    peer.close()
    expect(errors).toHaveLength(1)
  })

  it('without reportUnreachable an unconnected batched socket hears nothing of a closed port', async () => {
    const socket = batchedNetwork().createDatagramSocket(4)
    opened.push(socket)
    const errors: Error[] = []
    socket.onError((e) => errors.push(e))
    await socket.bind(0, '0.0.0.0')
    socket.send(Buffer.from('anyone?'), await closedPort('udp4', '127.0.0.1'), '127.0.0.1')
    await new Promise((r) => setTimeout(r, 100))
    expect(errors).toEqual([])
  })
})
