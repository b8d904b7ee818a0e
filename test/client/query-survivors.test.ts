// query(): the tsig option checks, the TSIG failure messages, the UDP and TCP error paths, the
// IPv6 spellings and zones an answer's source may use, and the cause kept on network errors.
// Written against the survivors of a mutation run on src/client/query.ts (docs/testing.md).
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { query } from '../../src/client/query.js'
import { flush } from '../../src/testing/fake-clock.js'
import { createKeyring, signResponse, verifyRequest } from '../../src/tsig/index.js'
import type { TsigKey } from '../../src/tsig/index.js'
import { isDnsHaError } from '../../src/util/errors.js'
import type { DatagramSocket, Network, StreamSocket } from '../../src/util/network.js'
import { answer, fakeEndpoint, settle, useFakeServer } from './helpers.js'

const env = useFakeServer()
const { target, opts } = env
const Q = { name: 'www.example.' }

/** `target`'s methods, except those `overrides` replaces (a Proxy keeps the class's `this`). */
function override<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get: (t, key) => (key in overrides ? (overrides as Record<PropertyKey, unknown>)[key] : (Reflect.get(t, key) as unknown as (...a: unknown[]) => unknown)?.bind?.(t) ?? Reflect.get(t, key)),
  })
}

/** env.network with datagram sockets and stream connections changed by the test. */
function hooked(hooks: { datagram?: (inner: DatagramSocket) => Partial<DatagramSocket>; connect?: (open: () => Promise<StreamSocket>) => Promise<StreamSocket> }): Network {
  const net = env.network
  return override<Network>(net, {
    createDatagramSocket: (family) => {
      const inner = net.createDatagramSocket(family)
      return hooks.datagram ? override(inner, hooks.datagram(inner)) : inner
    },
    connectStream: (address, port, o) => (hooks.connect ? hooks.connect(() => net.connectStream(address, port, o)) : net.connectStream(address, port, o)),
  })
}

const KEY: TsigKey = { name: 'partner-key', algorithm: 'hmac-sha256', secret: 'a2V5LWZvci10aGUtdHNpZy1pbnRlcm9wLXRlc3QtIQ==' }
const NOW = 1_700_000_000

describe('query() tsig option checks', () => {
  it.each([-1, 65536, 1.5])('rejects fudge %s as ERR_CONFIG and sends nothing', async (fudge) => {
    const err = await settle(query(target(), Q, opts({ tsig: { key: KEY, fudge } })))
    expect(isDnsHaError(err, 'ERR_CONFIG')).toBe(true)
    expect((err as Error).message).toBe(`tsig.fudge must be 0-65535, got ${fudge}`)
    expect(env.server.udp).toHaveLength(0)
  })

  it.each([0, 10, 65535])('signs with fudge %s as given', async (fudge) => {
    env.server.onUdp = (msg, _r, reply) => reply(answer(msg))
    const p = settle(query(target(), Q, opts({ tsig: { key: KEY, fudge }, retries: 0 })))
    await env.clock.advanceAsync(1000)
    expect(isDnsHaError(await p, 'ERR_QUERY_TSIG')).toBe(true)
    expect(env.server.udp).toHaveLength(1)
    const verdict = verifyRequest(env.server.udp[0]!.msg, createKeyring([KEY]), NOW)
    expect(verdict.status).toBe('ok')
    expect(verdict.status === 'ok' && verdict.context.fudge).toBe(fudge)
  })

  it('names the option in a bad key’s message', async () => {
    const err = await settle(query(target(), Q, opts({ tsig: { key: { ...KEY, name: '' } } })))
    expect(isDnsHaError(err, 'ERR_CONFIG')).toBe(true)
    expect((err as Error).message).toBe('tsig.key: a TSIG key needs a name')
  })
})

describe('query() TSIG failure messages', () => {
  /** The server signs its answer with our key, after `tamper` sets its TSIG error or bytes. */
  function signingServer(options: { error?: number; tamper?: (signed: Buffer) => Buffer } = {}): void {
    env.server.onUdp = (msg, _r, reply) => {
      const verdict = verifyRequest(msg, createKeyring([KEY]), NOW)
      if (verdict.status !== 'ok') throw new Error('request did not verify')
      const signed = signResponse(answer(msg), verdict.context, NOW, options.error === undefined ? {} : { error: options.error })
      reply(options.tamper ? options.tamper(signed) : signed)
    }
  }
  const ask = () => settle(query(target(), Q, opts({ tsig: { key: KEY }, clock: env.clock, retries: 0 })))

  it.each([
    [18, 'server-badtime'],
    [22, 'server-error'],
  ])('a server TSIG error %s reads as %s with its number', async (error, failure) => {
    signingServer({ error })
    const err = await ask()
    expect(err).toMatchObject({ code: 'ERR_QUERY_TSIG', details: { tsig: failure, key: 'partner-key.' } })
    expect((err as Error).message).toBe(`answer from 10.0.0.53:53 failed TSIG: ${failure} (TSIG error ${error})`)
  })

  it('an unsigned answer says just "unsigned"', async () => {
    env.server.onUdp = (msg, _r, reply) => reply(answer(msg))
    const err = await ask()
    expect((err as Error).message).toBe('answer from 10.0.0.53:53 failed TSIG: unsigned')
  })

  it('a malformed TSIG record says formerr and why', async () => {
    signingServer({ tamper: (signed) => signed.subarray(0, signed.length - 1) })
    const err = await ask()
    expect(err).toMatchObject({ code: 'ERR_QUERY_TSIG', details: { tsig: 'formerr' } })
    expect((err as Error).message).toMatch(/^answer from 10\.0\.0\.53:53 failed TSIG: formerr: .+/)
  })
})

const boom = (message: string) => Object.assign(new Error(message), { code: 'EHOSTUNREACH' })

describe('query() UDP error paths keep what failed and the cause', () => {
  it('a socket error', async () => {
    const cause = boom('recv EHOSTUNREACH')
    const network = hooked({ datagram: () => ({ onError: (h) => void queueMicrotask(() => h(cause)) }) })
    const err = await settle(query(target(), Q, opts({ network })))
    expect(isDnsHaError(err, 'ERR_QUERY_NETWORK')).toBe(true)
    expect((err as Error).message).toBe('UDP socket error (10.0.0.53:53): recv EHOSTUNREACH')
    expect((err as Error).cause).toBe(cause)
  })

  it('a send that fails in its callback', async () => {
    const cause = boom('send EHOSTUNREACH')
    const network = hooked({ datagram: () => ({ send: (_m, _p, _a, cb) => queueMicrotask(() => cb?.(cause)) }) })
    const err = await settle(query(target(), Q, opts({ network })))
    expect((err as Error).message).toBe('UDP send failed (10.0.0.53:53): send EHOSTUNREACH')
    expect((err as Error).cause).toBe(cause)
  })

  it('a send that throws', async () => {
    const cause = boom('Not running')
    const network = hooked({
      datagram: () => ({
        send: () => {
          throw cause
        },
      }),
    })
    const err = await settle(query(target(), Q, opts({ network })))
    expect((err as Error).message).toBe('UDP send failed (10.0.0.53:53): Not running')
    expect((err as Error).cause).toBe(cause)
  })

  it('binds an IPv6 query’s sockets to the IPv6 wildcard', async () => {
    const v6 = await fakeEndpoint(env.network, '2001:db8::53')
    v6.onUdp = (msg, _r, reply) => reply(answer(msg))
    const binds: string[] = []
    const network = hooked({ datagram: (inner) => ({ bind: (port, address) => (binds.push(address), inner.bind(port, address)) }) })
    const result = await query({ address: '2001:db8::53' }, Q, opts({ network }))
    expect(result.transport).toBe('udp')
    expect(binds).toEqual(['::'])
    await v6.close()
  })

  it('rejects with the last bind error, the socket closed, when even the OS-picked port fails', async () => {
    let closes = 0
    const network = hooked({
      datagram: (inner) => ({
        bind: () => Promise.reject(Object.assign(new Error('bind EADDRINUSE'), { code: 'EADDRINUSE' })),
        close: () => (closes++, inner.close()),
      }),
    })
    const err = await settle(query(target(), Q, opts({ network })))
    expect((err as Error).message).toBe('cannot open a UDP socket (10.0.0.53:53): bind EADDRINUSE')
    expect(closes).toBe(9)
    expect(env.server.udp).toHaveLength(0)
  })

  it('closes each socket once when a late attempt fails to open after the answer', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    let binds = 0
    let closes = 0
    const network = hooked({
      datagram: (inner) => ({
        bind: async (port, address) => {
          if (++binds === 2) {
            await gate
            throw Object.assign(new Error('bind ENETDOWN'), { code: 'ENETDOWN' })
          }
          return inner.bind(port, address)
        },
        close: () => (closes++, inner.close()),
      }),
    })
    env.server.onUdp = (msg, _r, reply) => void env.clock.setTimeout(() => reply(answer(msg)), 1500)
    const p = query(target(), Q, opts({ network }))
    await env.clock.advanceAsync(1000)
    expect(binds).toBe(2)
    await env.clock.advanceAsync(500)
    expect((await p).transport).toBe('udp')
    release()
    await flush()
    expect(closes).toBe(2)
  })
})

describe('query() TCP error paths', () => {
  it('a connection error keeps its cause', async () => {
    await env.server.listenTcp()
    const cause = boom('read ECONNRESET')
    const network = hooked({ connect: async (open) => override(await open(), { onError: (h) => void queueMicrotask(() => h(cause)) }) })
    const err = await settle(query(target(), Q, opts({ network, tcp: true })))
    expect(isDnsHaError(err, 'ERR_QUERY_NETWORK')).toBe(true)
    expect((err as Error).message).toBe('TCP connection error (10.0.0.53:53): read ECONNRESET')
    expect((err as Error).cause).toBe(cause)
  })

  it('a write that throws fails at once', async () => {
    await env.server.listenTcp()
    const cause = boom('write EPIPE')
    const network = hooked({
      connect: async (open) =>
        override(await open(), {
          write: () => {
            throw cause
          },
        }),
    })
    const p = settle(query(target(), Q, opts({ network, tcp: true })))
    await flush()
    await env.clock.advanceAsync(1000)
    const err = await p
    expect((err as Error).message).toBe('TCP write failed (10.0.0.53:53): write EPIPE')
    expect((err as Error).cause).toBe(cause)
  })

  it('a connect rejected with a non-Error that says it timed out is a timeout', async () => {
    const network = hooked({ connect: () => Promise.reject({ message: 'connect ETIMEDOUT 10.0.0.53:53' }) })
    const err = await settle(query(target(), Q, opts({ network, tcp: true })))
    expect(isDnsHaError(err, 'ERR_QUERY_TIMEOUT')).toBe(true)
  })

  it('a connect rejected with nothing is a network error at once', async () => {
    const network = hooked({ connect: () => Promise.reject(undefined) })
    const err = await settle(query(target(), Q, opts({ network, tcp: true })))
    expect((err as Error).message).toBe('TCP connect failed (10.0.0.53:53)')
    expect(env.clock.pending).toBe(0)
  })

  it('destroys a connection that opens after the query was aborted, and writes nothing on it', async () => {
    await env.server.listenTcp()
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    let destroyed = 0
    const network = hooked({
      connect: async (open) => {
        await gate
        const s = await open()
        return override(s, { destroy: () => (destroyed++, s.destroy()) })
      },
    })
    const controller = new AbortController()
    const p = settle(query(target(), Q, opts({ network, tcp: true, signal: controller.signal })))
    controller.abort()
    expect(isDnsHaError(await p, 'ERR_QUERY_ABORTED')).toBe(true)
    release()
    await flush()
    await env.clock.advanceAsync(100)
    expect(destroyed).toBe(1)
    expect(env.server.tcp).toHaveLength(0)
  })

  it('does not start TCP when the signal fires as the truncated UDP phase ends', async () => {
    await env.server.listenTcp()
    const controller = new AbortController()
    env.server.onUdp = (msg, _r, reply) => reply(answer(msg, [], { flags: dnsPacket.TRUNCATED_RESPONSE }))
    env.server.onTcp = (msg, reply) => reply(answer(msg))
    // The UDP phase closes its socket as it ends: abort right then, after its listener is gone.
    const network = hooked({ datagram: (inner) => ({ close: () => (controller.abort(), inner.close()) }) })
    const err = await settle(query(target(), Q, opts({ network, signal: controller.signal })))
    expect(isDnsHaError(err, 'ERR_QUERY_ABORTED')).toBe(true)
    expect(env.server.tcp).toHaveLength(0)
  })
})

describe('query() accepts an IPv6 answer from another spelling of the server’s address', () => {
  /** Asks `asked`; the answer comes from a socket bound to `from`, port 53. */
  async function answerFrom(asked: string, from: string): Promise<unknown> {
    const ep = await fakeEndpoint(env.network, asked)
    const other = await fakeEndpoint(env.network, from)
    ep.onUdp = (msg, rinfo) => other.udpSocket.send(answer(msg), rinfo.port, rinfo.address)
    const p = settle(query({ address: asked }, Q, opts({ retries: 0 })))
    await env.clock.advanceAsync(1000)
    await ep.close()
    await other.close()
    return p
  }

  it('a longer spelling ending in ::', async () => {
    expect(await answerFrom('2001:db8:5:0::', '2001:db8:5::')).toMatchObject({ transport: 'udp', ignored: 0 })
  })

  it('the address without the zone the query named', async () => {
    expect(await answerFrom('fe80::53%lo', 'fe80::53')).toMatchObject({ transport: 'udp', ignored: 0 })
  })

  it('not another address', async () => {
    expect(isDnsHaError(await answerFrom('fe80::53%lo', 'fe80::54'), 'ERR_QUERY_TIMEOUT')).toBe(true)
  })
})
