// tcpCheck, udpCheck and httpCheck against small servers on 127.0.0.1.
import { createSocket } from 'node:dgram'
import type { Socket } from 'node:dgram'
import { createServer as createHttpServer } from 'node:http'
import type { Server as HttpServer } from 'node:http'
import { createServer as createTcpServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { httpCheck } from '../../src/health/http-check.js'
import { tcpCheck } from '../../src/health/tcp-check.js'
import { udpCheck } from '../../src/health/udp-check.js'
import type { CheckContext } from '../../src/health/types.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { freeLoopbackPort } from '../../src/testing/free-port.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import { realClock } from '../../src/util/clock.js'
import type { Network } from '../../src/util/network.js'

const ctx = (timeoutMs = 1000, signal = new AbortController().signal): CheckContext => ({ signal, clock: realClock, timeoutMs, target: 'x' })

describe('tcpCheck', () => {
  it('passes when the port accepts, fails when it refuses', async () => {
    let accepted = 0
    const server = createTcpServer((socket) => {
      accepted++
      socket.destroy()
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as AddressInfo).port
    try {
      expect(await tcpCheck({ address: '127.0.0.1', port })(ctx())).toMatchObject({ ok: true, reason: expect.stringContaining(`TCP connect to 127.0.0.1#${port} in`) })
      await new Promise((r) => setTimeout(r, 20))
      expect(accepted).toBe(1)
    } finally {
      await new Promise((r) => server.close(r))
    }
    const refused = await tcpCheck({ address: '127.0.0.1', port })(ctx())
    expect(refused).toMatchObject({ ok: false, reason: expect.stringContaining('ECONNREFUSED') })
  })

  it('rejects when its run is aborted', async () => {
    const controller = new AbortController()
    // 192.0.2.1 (TEST-NET-1) is not routed: the connect hangs until aborted.
    const run = tcpCheck({ address: '192.0.2.1', port: 53 })(ctx(5000, controller.signal))
    controller.abort()
    await expect(run).rejects.toThrow('TCP connect to 192.0.2.1#53 aborted')
  })
})

describe('udpCheck', () => {
  let echo: Socket
  let port: number
  beforeAll(async () => {
    echo = createSocket('udp4')
    echo.on('message', (msg, rinfo) => echo.send(Buffer.concat([Buffer.from('pong:'), msg]), rinfo.port, rinfo.address))
    await new Promise<void>((r) => echo.bind(0, '127.0.0.1', r))
    port = echo.address().port
  })
  afterAll(() => new Promise<void>((r) => echo.close(() => r())))

  it('passes on a reply, checks it against expect', async () => {
    expect(await udpCheck({ address: '127.0.0.1', port, payload: Buffer.from('ping') })(ctx())).toMatchObject({ ok: true })
    expect(await udpCheck({ address: '127.0.0.1', port, payload: Buffer.from('ping'), expect: /^pong:ping$/ })(ctx())).toMatchObject({ ok: true })
    expect(await udpCheck({ address: '127.0.0.1', port, payload: Buffer.from('ping'), expect: (r) => r.length === 9 })(ctx())).toMatchObject({ ok: true })
    expect(await udpCheck({ address: '127.0.0.1', port, payload: Buffer.from('ping'), expect: /^nope/ })(ctx())).toEqual({
      ok: false,
      reason: `UDP probe of 127.0.0.1#${port}: unexpected reply (9 bytes)`,
    })
  })

  it('a closed port fails at once (ICMP port unreachable on the connected socket), well before the timeout', async () => {
    const closed = await freeLoopbackPort()
    const started = performance.now()
    const outcome = await udpCheck({ address: '127.0.0.1', port: closed, payload: Buffer.from('ping') })(ctx(5000))
    const tookMs = performance.now() - started
    expect(outcome).toEqual({ ok: false, reason: `UDP probe of 127.0.0.1#${closed}: port unreachable (ECONNREFUSED)` })
    // A timeout would take 5,000 ms; the refusal comes back in well under a millisecond on an idle
    // machine (the bound leaves room for a starved one).
    expect(tookMs).toBeLessThan(1000)
  })

  it('hears only the target: a datagram from another port is not taken for its reply', async () => {
    const silent = createSocket('udp4')
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r))
    const other = createSocket('udp4')
    await new Promise<void>((r) => other.bind(0, '127.0.0.1', r))
    // The target takes the probe and says nothing; the other socket answers the probe's source port.
    silent.on('message', (_msg, rinfo) => other.send(Buffer.from('impostor'), rinfo.port, rinfo.address))
    const controller = new AbortController()
    try {
      const run = udpCheck({ address: '127.0.0.1', port: silent.address().port, payload: Buffer.from('ping') })(ctx(5000, controller.signal))
      setTimeout(() => controller.abort(), 300)
      await expect(run).rejects.toThrow(`UDP probe of 127.0.0.1#${silent.address().port} aborted`)
    } finally {
      await Promise.all([silent, other].map((s) => new Promise<void>((r) => s.close(() => r()))))
    }
  })

  it('is aborted with its run', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(udpCheck({ address: '127.0.0.1', port, payload: Buffer.from('ping') })(ctx(1000, controller.signal))).rejects.toThrow(`UDP probe of 127.0.0.1#${port} aborted`)
  })
})

describe('httpCheck', () => {
  let server: HttpServer
  let base: string
  beforeAll(async () => {
    server = createHttpServer((req, res) => {
      if (req.url === '/health') return void res.writeHead(200).end('status: serving zones')
      if (req.url === '/hang') return // never answers
      res.writeHead(503).end('maintenance')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => {
    server.closeAllConnections()
    return new Promise<void>((r) => server.close(() => r()))
  })

  it('passes on 2xx by default, or the given status; checks the body when asked', async () => {
    expect(await httpCheck({ url: `${base}/health` })(ctx())).toEqual({ ok: true, reason: `GET ${base}/health: status 200` })
    expect(await httpCheck({ url: `${base}/down` })(ctx())).toEqual({ ok: false, reason: `GET ${base}/down: status 503` })
    expect((await httpCheck({ url: `${base}/down`, status: 503 })(ctx())).ok).toBe(true)
    expect((await httpCheck({ url: `${base}/down`, status: [200, 503] })(ctx())).ok).toBe(true)
    expect((await httpCheck({ url: `${base}/down`, status: (s) => s < 500 })(ctx())).ok).toBe(false)
    expect((await httpCheck({ url: `${base}/health`, body: /serving/ })(ctx())).ok).toBe(true)
    expect((await httpCheck({ url: `${base}/health`, body: 'zones' })(ctx())).ok).toBe(true)
    expect(await httpCheck({ url: `${base}/health`, body: /stopped/ })(ctx())).toEqual({ ok: false, reason: `GET ${base}/health: status 200, body does not match /stopped/` })
  })

  it('is aborted with its run', async () => {
    const controller = new AbortController()
    const run = httpCheck({ url: `${base}/hang` })(ctx(5000, controller.signal))
    setTimeout(() => controller.abort(), 50)
    await expect(run).rejects.toThrow()
  })
})

describe('udpCheck on a MemoryNetwork (no real time)', () => {
  it('a closed port fails at once, with no time passing; an echo passes; only the target is heard', async () => {
    const clock = new FakeClock({ now: 0 })
    const network = new MemoryNetwork({ clock })
    const context: CheckContext = { signal: new AbortController().signal, clock, timeoutMs: 2000, target: 'x' }
    const closed = await udpCheck({ address: '10.0.0.1', port: 9, payload: Buffer.from('ping'), network })(context)
    expect(closed).toEqual({ ok: false, reason: 'UDP probe of 10.0.0.1#9: port unreachable (ECONNREFUSED)' })
    expect(clock.now()).toBe(0)
    const echo = network.createDatagramSocket(4)
    await echo.bind(7, '10.0.0.1')
    echo.onMessage((msg, from) => echo.send(Buffer.concat([Buffer.from('pong:'), msg]), from.port, from.address))
    expect(await udpCheck({ address: '10.0.0.1', port: 7, payload: Buffer.from('ping'), expect: /^pong:ping$/, network })(context)).toEqual({
      ok: true,
      reason: 'UDP reply from 10.0.0.1#7 in 0 ms',
    })
    await echo.close()
  })
})

describe('udpCheck failure paths (a scripted socket)', () => {
  /** A Network whose one datagram socket connects or not, and whose send fails or not, as told. */
  function scriptedNetwork(behaviour: { connect?: Error; send?: Error; error?: Error }) {
    const log: string[] = []
    let errorHandler: (error: Error) => void = () => {}
    const socket = {
      bind: async () => ({ address: '0.0.0.0', port: 1, family: 'IPv4' }),
      connect: async (port: number, address: string) => {
        log.push(`connect ${address}#${port}`)
        if (behaviour.connect) throw behaviour.connect
      },
      send: (_msg: Uint8Array, _port: number, _address: string, callback?: (error: Error | null) => void) => {
        log.push('send')
        if (behaviour.error) errorHandler(behaviour.error)
        else callback?.(behaviour.send ?? null)
      },
      onMessage: () => {},
      onError: (handler: (error: Error) => void) => {
        errorHandler = handler
      },
      close: async () => void log.push('close'),
      address: () => ({ address: '0.0.0.0', port: 1, family: 'IPv4' }),
      setReceiveBufferSize: () => {},
    }
    const network = { createDatagramSocket: () => socket } as unknown as Network
    return { network, log }
  }
  const run = (network: Network) => udpCheck({ address: '192.0.2.1', port: 7, payload: Buffer.from('ping'), network })(ctx(5000))

  it('a send error fails at once with its message, and the socket is closed', async () => {
    const { network, log } = scriptedNetwork({ send: new Error('send EPERM') })
    expect(await run(network)).toEqual({ ok: false, reason: 'UDP probe of 192.0.2.1#7 failed: send EPERM' })
    expect(log).toEqual(['connect 192.0.2.1#7', 'send', 'close'])
  })

  it('a socket error other than a refusal is told as it is', async () => {
    const { network } = scriptedNetwork({ error: Object.assign(new Error('recvmsg EHOSTUNREACH'), { code: 'EHOSTUNREACH' }) })
    expect(await run(network)).toEqual({ ok: false, reason: 'UDP probe of 192.0.2.1#7 failed: recvmsg EHOSTUNREACH' })
  })

  it('a socket that cannot connect fails without sending, and is closed', async () => {
    const { network, log } = scriptedNetwork({ connect: new Error('connect EINVAL') })
    expect(await run(network)).toEqual({ ok: false, reason: 'UDP probe of 192.0.2.1#7: cannot connect: connect EINVAL' })
    expect(log).toEqual(['connect 192.0.2.1#7', 'close'])
  })

  it('reports the latency measured on the prober clock', async () => {
    const clock = new FakeClock({ now: 5000 })
    const network = new MemoryNetwork({ clock })
    const echo = network.createDatagramSocket(4)
    await echo.bind(7, '10.0.0.1')
    echo.onMessage((msg, from) => echo.send(msg, from.port, from.address))
    const context: CheckContext = { signal: new AbortController().signal, clock, timeoutMs: 2000, target: 'x' }
    expect(await udpCheck({ address: '10.0.0.1', port: 7, payload: Buffer.from('ping'), network })(context)).toEqual({ ok: true, reason: 'UDP reply from 10.0.0.1#7 in 0 ms' })
    await echo.close()
  })
})
