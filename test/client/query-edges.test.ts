// query(): what a caller reads in an error, where its sockets come from, and what it leaves
// behind. Written against the survivors of a mutation run on src/client/query.ts
// (docs/testing.md); every test names the behaviour a caller would notice.
import { describe, expect, it, vi } from 'vitest'
import { query } from '../../src/client/query.js'
import type { QueryOptions } from '../../src/client/query.js'
import { flush } from '../../src/testing/fake-clock.js'
import { isDnsHaError } from '../../src/util/errors.js'
import type { DatagramSocket, Network } from '../../src/util/network.js'
import { seededRandom } from '../../src/util/random.js'
import { answer, fakeEndpoint, settle, useFakeServer } from './helpers.js'

const env = useFakeServer()
const { target, opts } = env

/** `network` with datagram sockets whose bind the test decides; counts binds and closes. */
function bindingNetwork(bind: (port: number, address: string, inner: DatagramSocket, n: number) => Promise<unknown>) {
  const counts = { binds: 0, closes: 0, ports: [] as number[] }
  const wrapped: Network = {
    ...env.network,
    createDatagramSocket: (family) => {
      const inner = env.network.createDatagramSocket(family)
      return {
        ...inner,
        bind: async (port: number, address: string) => {
          counts.ports.push(port)
          await bind(port, address, inner, ++counts.binds)
          return inner.address()
        },
        onMessage: (h) => inner.onMessage(h),
        onError: (h) => inner.onError(h),
        connect: (port, address) => inner.connect(port, address),
        setReceiveBufferSize: (bytes) => inner.setReceiveBufferSize(bytes),
        send: (msg, port, address, cb) => inner.send(msg, port, address, cb),
        address: () => inner.address(),
        close: () => {
          counts.closes++
          return inner.close()
        },
      } as DatagramSocket
    },
    createStreamServer: (h) => env.network.createStreamServer(h),
    connectStream: (address, port, o) => env.network.connectStream(address, port, o),
  }
  return { network: wrapped, counts }
}

const codeError = (code: string) => Object.assign(new Error(`bind ${code}`), { code })

describe('query() error messages name the server and the failure', () => {
  it('a UDP timeout says server, transport, attempts and timeout', async () => {
    const p = settle(query(target(), { name: 'www.example.' }, opts({ retries: 1 })))
    await env.clock.advanceAsync(2000)
    expect((await p as Error).message).toBe('no answer from 10.0.0.53:53 over udp after 2 attempt(s) of 1000 ms')
  })

  it('an IPv6 server is written in brackets, a TCP timeout says tcp', async () => {
    const v6 = await fakeEndpoint(env.network, '2001:db8::53')
    await v6.listenTcp()
    const p = settle(query({ address: '2001:db8::53' }, { name: 'www.example.' }, opts({ tcp: true })))
    await env.clock.advanceAsync(1000)
    expect((await p as Error).message).toBe('no answer from [2001:db8::53]:53 over tcp after 1 attempt(s) of 1000 ms')
    await v6.close()
  })

  it('a network error carries what failed and the cause', async () => {
    const err = await settle(query(target(), { name: 'www.example.' }, opts({ tcp: true })))
    expect(isDnsHaError(err, 'ERR_QUERY_NETWORK')).toBe(true)
    expect((err as Error).message).toMatch(/^TCP connect failed \(10\.0\.0\.53:53\): .+/)
    await env.server.listenTcp()
    env.server.onTcp = (_msg, _reply, socket) => socket.destroy()
    const closed = await settle(query(target(), { name: 'www.example.' }, opts({ tcp: true })))
    expect((closed as Error).message).toBe('TCP connection closed before an answer (10.0.0.53:53)')
    expect('cause' in (closed as Error)).toBe(false)
  })

  it.each([
    [{ address: '10.0.0.53', port: 65536 }, {}, 'server port must be 1-65535, got 65536'],
    [{ address: 'ns1.example' }, {}, 'server address must be an IP literal, got "ns1.example"'],
    [{ address: 53 }, {}, 'server address must be an IP literal, got 53'],
    [null, {}, 'server address must be an IP literal, got undefined'],
    [{ address: '10.0.0.53' }, { timeoutMs: 0 }, 'timeoutMs must be a positive number, got 0'],
    [{ address: '10.0.0.53' }, { retries: -1 }, 'retries must be a non-negative integer, got -1'],
  ])('rejects server %j with options %j as ERR_CONFIG: %s', async (srv, extra, message) => {
    const err = await settle(query(srv as never, { name: 'x.' }, opts(extra as QueryOptions)))
    expect(isDnsHaError(err, 'ERR_CONFIG')).toBe(true)
    expect((err as Error).message).toBe(message)
  })

  it('accepts the port range edges 1 and 65535', async () => {
    for (const port of [1, 65535]) {
      const ep = await fakeEndpoint(env.network, '10.0.0.54', port)
      ep.onUdp = (msg, _r, reply) => reply(answer(msg))
      const result = await query({ address: '10.0.0.54', port }, { name: 'www.example.' }, opts())
      expect(result.server.port).toBe(port)
      await ep.close()
    }
  })
})

describe('query() source ports', () => {
  it('sends every attempt from a port of the dynamic range 49152-65535', async () => {
    const p = settle(query(target(), { name: 'www.example.' }, opts({ retries: 40, random: seededRandom(99) })))
    await env.clock.advanceAsync(41_000)
    await p
    expect(env.server.udp).toHaveLength(41)
    for (const { rinfo } of env.server.udp) {
      expect(rinfo.port).toBeGreaterThanOrEqual(49152)
      expect(rinfo.port).toBeLessThanOrEqual(65535)
    }
  })

  it('falls back to a port the OS picks after 8 taken ones, closing each failed socket', async () => {
    const { network: busy, counts } = bindingNetwork((port, address, inner) => (port === 0 ? inner.bind(0, address) : Promise.reject(codeError(counts.binds % 2 ? 'EADDRINUSE' : 'EACCES'))))
    env.server.onUdp = (msg, _r, reply) => reply(answer(msg))
    const result = await query(target(), { name: 'www.example.' }, opts({ network: busy }))
    expect(result.transport).toBe('udp')
    expect(counts.ports).toEqual([...counts.ports.slice(0, 8), 0])
    expect(counts.binds).toBe(9)
    expect(counts.closes).toBeGreaterThanOrEqual(8)
  })

  it('rejects with ERR_QUERY_NETWORK when a socket cannot be bound for another reason', async () => {
    const { network: down, counts } = bindingNetwork(() => Promise.reject(codeError('ENETDOWN')))
    const err = await settle(query(target(), { name: 'www.example.' }, opts({ network: down })))
    expect(isDnsHaError(err, 'ERR_QUERY_NETWORK')).toBe(true)
    expect((err as Error).message).toBe('cannot open a UDP socket (10.0.0.53:53): bind ENETDOWN')
    expect(counts.binds).toBe(1)
    expect(counts.closes).toBe(1)
    expect(env.clock.pending).toBe(0)
  })
})

describe('query() leaves nothing behind', () => {
  it('closes a socket that finishes opening after the query was aborted, and sends nothing from it', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const { network: slow, counts } = bindingNetwork(async (port, address, inner, n) => {
      if (n === 2) await gate
      await inner.bind(port, address)
    })
    const controller = new AbortController()
    const p = settle(query(target(), { name: 'www.example.' }, opts({ network: slow, signal: controller.signal })))
    await env.clock.advanceAsync(1000) // the second attempt starts opening its socket
    expect(counts.binds).toBe(2)
    controller.abort()
    expect(isDnsHaError(await p, 'ERR_QUERY_ABORTED')).toBe(true)
    release()
    await flush()
    await env.clock.advanceAsync(5000)
    expect(env.server.udp).toHaveLength(1)
    expect(counts.closes).toBe(2)
    expect(env.clock.pending).toBe(0)
  })

  it.each([false, true])('removes its abort listener from the caller’s signal when it ends (tcp: %s)', async (tcp) => {
    if (tcp) {
      await env.server.listenTcp()
      env.server.onTcp = (msg, reply) => reply(answer(msg))
    } else env.server.onUdp = (msg, _r, reply) => reply(answer(msg))
    const signal = new AbortController().signal
    const add = vi.spyOn(signal, 'addEventListener')
    const remove = vi.spyOn(signal, 'removeEventListener')
    await query(target(), { name: 'www.example.' }, opts({ tcp, signal }))
    const added = add.mock.calls.filter((c) => c[0] === 'abort').map((c) => c[1])
    expect(added.length).toBeGreaterThan(0)
    for (const listener of added) expect(remove.mock.calls.some((c) => c[0] === 'abort' && c[1] === listener)).toBe(true)
  })
})

describe('query() over TCP', () => {
  it('measures rtt from the connect on the injected clock', async () => {
    await env.server.listenTcp()
    env.server.onTcp = (msg, reply) => void env.clock.setTimeout(() => reply(answer(msg)), 30)
    await env.clock.advanceAsync(5000)
    const p = query(target(), { name: 'www.example.' }, opts({ tcp: true }))
    await flush()
    await env.clock.advanceAsync(30)
    expect((await p).rttMs).toBe(30)
  })

  it('rejects an empty length-prefixed frame as a mismatch at once, without waiting for the timeout', async () => {
    await env.server.listenTcp()
    env.server.onTcp = (_msg, _reply, socket) => socket.write(Buffer.from([0, 0]))
    const startedAt = env.clock.now()
    const err = await settle(query(target(), { name: 'www.example.' }, opts({ tcp: true })))
    expect(isDnsHaError(err, 'ERR_QUERY_MISMATCH')).toBe(true)
    expect((err as Error).message).toMatch(/^TCP answer from 10\.0\.0\.53:53 does not match the query \(.+\)$/)
    expect(env.clock.now()).toBe(startedAt)
  })

  it('rejects a matching but undecodable TCP answer as ERR_QUERY_MISMATCH (undecodable)', async () => {
    await env.server.listenTcp()
    env.server.onTcp = (msg, reply) => {
      const bytes = answer(msg)
      bytes[7] = 1 // ANCOUNT 1 with no answer record
      reply(bytes)
    }
    const err = await settle(query(target(), { name: 'www.example.' }, opts({ tcp: true })))
    expect(isDnsHaError(err, 'ERR_QUERY_MISMATCH')).toBe(true)
    expect((err as Error).message).toBe('TCP answer from 10.0.0.53:53 does not decode')
    expect((err as { details?: unknown }).details).toEqual({ verdict: 'undecodable' })
  })
})

describe('query() answer source over IPv6', () => {
  it('ignores an answer from another IPv6 address', async () => {
    const v6 = await fakeEndpoint(env.network, '2001:db8::53')
    const impostor = await fakeEndpoint(env.network, '2001:db8::66')
    v6.onUdp = (msg, rinfo) => impostor.udpSocket.send(answer(msg), rinfo.port, rinfo.address)
    const p = settle(query({ address: '2001:db8::53' }, { name: 'www.example.' }, opts({ retries: 0 })))
    await env.clock.advanceAsync(1000)
    const err = await p
    expect(isDnsHaError(err, 'ERR_QUERY_TIMEOUT')).toBe(true)
    expect((err as { details?: Record<string, unknown> }).details).toMatchObject({ ignored: 1, lastIgnored: 'wrong-source' })
    await v6.close()
    await impostor.close()
  })
})
