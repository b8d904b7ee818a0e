// The pool's datagram mode and TCP over real sockets (127.0.0.1, port 0) with real DnsServers
// as members: weights, a closed member port, DNS over TCP, a member refusing TCP, the PROXY v2
// header on the wire, and a process that exits by itself after close().
import { execFile } from 'node:child_process'
import { connect, createServer } from 'node:net'
import type { Server, Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { query } from '../../src/client/index.js'
import { PROXY_V2_SIGNATURE, UdpProxyPool } from '../../src/proxy/index.js'
import type { UdpProxyPoolOptions } from '../../src/proxy/index.js'
import { DnsServer } from '../../src/server/dns-server.js'

const cleanups: (() => Promise<void>)[] = []
afterAll(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()))
})

async function member(data: string): Promise<number> {
  const server = new DnsServer({ handler: (q) => ({ answers: [{ name: q.question!.name, type: 'A', class: 'IN', ttl: 60, data }] }) })
  const { port } = await server.listen({ port: 0, address: '127.0.0.1' })
  cleanups.push(() => server.close())
  return port
}

/** A port nothing listens on (UDP or TCP): a DnsServer's, after it closed. */
async function closedPort(): Promise<number> {
  const server = new DnsServer({ handler: () => ({}) })
  const { port } = await server.listen({ port: 0, address: '127.0.0.1' })
  await server.close()
  return port
}

async function startPool(options: UdpProxyPoolOptions, tcp?: boolean): Promise<{ pool: UdpProxyPool; port: number }> {
  const pool = new UdpProxyPool(options)
  const { port } = await pool.listen({ port: 0, address: '127.0.0.1', ...(tcp === undefined ? {} : { tcp }) })
  cleanups.push(() => pool.close())
  return { pool, port }
}

async function ask(port: number, name: string, tcp = false): Promise<string> {
  const r = await query({ address: '127.0.0.1', port }, { name, type: 'A' }, { tcp, timeoutMs: 3000, retries: 0 })
  return String((r.packet.answers?.[0] as { data?: unknown } | undefined)?.data)
}

describe('UdpProxyPool datagram mode over loopback', () => {
  it('relays each client in its own session, spread 2:1 by weight', async () => {
    const [a, b] = await Promise.all([member('192.0.2.1'), member('192.0.2.2')])
    const { pool, port } = await startPool({
      mode: 'datagram',
      members: [
        { address: '127.0.0.1', port: a, weight: 2 },
        { address: '127.0.0.1', port: b, weight: 1 },
      ],
    })
    const counts: Record<string, number> = {}
    for (let i = 0; i < 300; i++) {
      const by = await ask(port, `d${i}.test`)
      counts[by] = (counts[by] ?? 0) + 1
    }
    expect(counts).toEqual({ '192.0.2.1': 200, '192.0.2.2': 100 })
    const snap = pool.snapshot()
    expect(snap.datagram).toMatchObject({ opened: 300, relayed: 300, retried: 0, sessions: 0 })
    expect(snap.members.map((m) => m.counters.answers)).toEqual([200, 100])
  }, 30_000)

  it('takes a closed member port down at once and retries the datagram on the other member', async () => {
    const dead = await closedPort()
    const live = await member('192.0.2.2')
    const { pool, port } = await startPool({
      mode: 'datagram',
      policy: 'first',
      members: [
        { address: '127.0.0.1', port: dead },
        { address: '127.0.0.1', port: live },
      ],
    })
    const downs: string[] = []
    pool.on('member-down', (e) => downs.push(`${e.member.port} ${e.reason}`))
    expect(await ask(port, 'first.test')).toBe('192.0.2.2')
    expect(downs).toEqual([`${dead} port unreachable`])
    expect(pool.snapshot().datagram.retried).toBe(1)
    for (let i = 0; i < 5; i++) expect(await ask(port, `after${i}.test`)).toBe('192.0.2.2')
    // Resting: not asked again, so no second retry.
    expect(pool.snapshot().datagram.retried).toBe(1)
    expect(pool.snapshot().members[0]!.state).toBe('down')
  })
})

describe('UdpProxyPool TCP over loopback', () => {
  it('answers DNS over TCP on the UDP port (both by default in DNS mode)', async () => {
    const a = await member('192.0.2.1')
    const { pool, port } = await startPool({ members: [{ address: '127.0.0.1', port: a }] })
    expect(await ask(port, 'udp.test')).toBe('192.0.2.1')
    expect(await ask(port, 'tcp.test', true)).toBe('192.0.2.1')
    expect(pool.snapshot().tcp).toMatchObject({ accepted: 1, relayed: 1, connectFailures: 0 })
    expect(pool.snapshot().tcp.bytesDown).toBeGreaterThan(12)
  })

  it('moves a TCP connection on from a member refusing TCP', async () => {
    const dead = await closedPort()
    const live = await member('192.0.2.2')
    const { pool, port } = await startPool({
      policy: 'first',
      members: [
        { address: '127.0.0.1', port: dead },
        { address: '127.0.0.1', port: live },
      ],
    })
    expect(await ask(port, 'tcp.test', true)).toBe('192.0.2.2')
    expect(pool.snapshot().tcp).toMatchObject({ connectFailures: 1, relayed: 1 })
    expect(pool.snapshot().members[0]!.state).toBe('down')
  })

  it('sends the PROXY v2 header, naming the client, to a raw TCP member when enabled', async () => {
    const seen: Buffer[] = []
    const raw: Server = createServer((socket: Socket) => socket.on('data', (chunk) => seen.push(chunk)))
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise<void>((resolve) => raw.close(() => resolve())))
    const rawPort = (raw.address() as { port: number }).port
    const { port } = await startPool({ members: [{ address: '127.0.0.1', port: rawPort }], proxyProtocol: true, timeoutMs: 500 })
    const client = connect(port, '127.0.0.1')
    await new Promise<void>((resolve) => client.once('connect', () => resolve()))
    const clientPort = client.localPort
    client.write('hello')
    const deadline = Date.now() + 3000
    while (Buffer.concat(seen).length < 28 + 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    client.destroy()
    const bytes = Buffer.concat(seen)
    expect(bytes.subarray(0, 12)).toEqual(Buffer.from(PROXY_V2_SIGNATURE))
    expect(bytes[13]).toBe(0x11)
    expect([...bytes.subarray(16, 20)]).toEqual([127, 0, 0, 1])
    expect(bytes.readUInt16BE(24)).toBe(clientPort)
    expect(bytes.readUInt16BE(26)).toBe(port)
    expect(bytes.subarray(28).toString()).toBe('hello')
  })
})

describe('UdpProxyPool close()', () => {
  it('leaves no socket or timer: a process that used UDP, TCP and datagram mode exits by itself', async () => {
    const script = fileURLToPath(new URL('./fixtures/pool-exit.ts', import.meta.url))
    const started = Date.now()
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', script], { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
    )
    expect(JSON.parse(out.trim()).answers).toEqual(['dns udp 192.0.2.1', 'dns tcp 192.0.2.1', 'datagram udp 192.0.2.1', 'datagram tcp 192.0.2.1'])
    // Exited on its own, well before any lingering timer (probe interval, 10 s TCP idle) would let it.
    expect(Date.now() - started).toBeLessThan(20_000)
  }, 40_000)
})
