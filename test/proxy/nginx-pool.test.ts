import { describe, expect, it } from 'vitest'
import { SEED_STREAM as SEED } from './fixtures/seed-stream.js'
import { parseNginxStream, poolOptionsFromNginx, startNginxPool } from '../../src/proxy/index.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'


describe('poolOptionsFromNginx', () => {
  it('turns the seed block into pool options and a UDP-only listen', () => {
    const server = parseNginxStream(SEED).servers[0]!
    expect(poolOptionsFromNginx(server)).toEqual({
      options: {
        members: [
          { address: '172.22.10.237', port: 5353, weight: 1 },
          { address: '172.22.10.50', port: 5354, weight: 1 },
        ],
        connectTimeoutMs: 1000,
        timeoutMs: 20_000,
      },
      listen: { address: '0.0.0.0', port: 53, udp: true, tcp: false },
    })
  })

  it('merges overrides and copies the members, leaving the parsed server as it was', () => {
    const server = parseNginxStream(SEED).servers[0]!
    const setup = poolOptionsFromNginx(server, { hedgeMs: 20, timeoutMs: 500 })
    expect(setup.options).toMatchObject({ hedgeMs: 20, timeoutMs: 500, connectTimeoutMs: 1000 })
    setup.options.members[0]!.port = 1
    expect(server.options.members[0]!.port).toBe(5353)
    expect(server.options.timeoutMs).toBe(20_000)
  })

  it('keeps nginx listen meanings: plain listen is TCP only, both directives both', () => {
    const conf = `stream { server { listen 127.0.0.1:5300; proxy_pass 10.0.0.1:53; } server { listen 10.0.0.9:53 udp; listen 10.0.0.9:53; proxy_pass 10.0.0.1:53; } }`
    const [tcpOnly, both] = parseNginxStream(conf).servers
    expect(poolOptionsFromNginx(tcpOnly!).listen).toEqual({ address: '127.0.0.1', port: 5300, udp: false, tcp: true })
    expect(poolOptionsFromNginx(both!).listen).toEqual({ address: '10.0.0.9', port: 53, udp: true, tcp: true })
  })
})

describe('startNginxPool', () => {
  it('starts the pool listening where the block says, over UDP only for listen ... udp', async () => {
    const clock = new FakeClock()
    const network = new MemoryNetwork({ clock })
    const server = parseNginxStream(SEED.replace('listen 53 udp', 'listen 10.0.0.100:53 udp')).servers[0]!
    const pool = await startNginxPool(server, { network, clock })
    expect(pool.addresses()).toEqual([{ address: '10.0.0.100', port: 53, family: 'IPv4' }])
    expect(pool.snapshot().members.map((m) => m.key)).toEqual(['172.22.10.237#5353', '172.22.10.50#5354'])
    await expect(network.connectStream('10.0.0.100', 53)).rejects.toThrow(/ECONNREFUSED/)
    await pool.close()
  })

  it('closes the pool again when it cannot listen', async () => {
    const clock = new FakeClock()
    const network = new MemoryNetwork({ clock })
    const taken = network.createDatagramSocket(4)
    await taken.bind(53, '10.0.0.100')
    const server = parseNginxStream(SEED.replace('listen 53 udp', 'listen 10.0.0.100:53 udp')).servers[0]!
    await expect(startNginxPool(server, { network, clock })).rejects.toThrow(/cannot bind UDP 10\.0\.0\.100:53/)
    // The pool's probe timer is gone with it.
    expect(clock.pending).toBe(0)
    await taken.close()
  })
})
