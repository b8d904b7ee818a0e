// query({ localAddress }): the source address a server sees, as `dig -b` sets it, over UDP and TCP.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { query } from '../../src/client/query.js'
import type { QueryOptions } from '../../src/client/query.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { seededRandom } from '../../src/util/random.js'
import type { FakeEndpoint } from './helpers.js'
import { answer, fakeEndpoint, settle } from './helpers.js'

let clock: FakeClock
let network: MemoryNetwork
let server: FakeEndpoint

beforeEach(async () => {
  clock = new FakeClock()
  network = new MemoryNetwork({ clock })
  server = await fakeEndpoint(network)
})

afterEach(async () => {
  await server.close()
})

const target = () => ({ address: server.address, port: server.port })
const opts = (extra: QueryOptions = {}): QueryOptions => ({ network, clock, random: seededRandom(7), timeoutMs: 1000, ...extra })

describe('query() localAddress', () => {
  it('sends UDP from the given address, and the answer back to it is accepted', async () => {
    server.onUdp = (msg, _rinfo, reply) => reply(answer(msg))
    const r = await query(target(), { name: 'www.example.' }, opts({ localAddress: '10.1.2.3' }))
    expect(r.transport).toBe('udp')
    expect(server.udp.map((d) => d.rinfo.address)).toEqual(['10.1.2.3'])
  })

  it('without it, the memory network reports the wildcard socket as sending from the destination', async () => {
    server.onUdp = (msg, _rinfo, reply) => reply(answer(msg))
    await query(target(), { name: 'www.example.' }, opts())
    expect(server.udp.map((d) => d.rinfo.address)).toEqual([server.address])
  })

  it('connects TCP from the given address', async () => {
    await server.listenTcp()
    let from: string | undefined
    server.onTcp = (msg, reply, socket) => {
      from = socket.remote.address
      reply(answer(msg))
    }
    const r = await query(target(), { name: 'www.example.' }, opts({ tcp: true, localAddress: '10.9.8.7' }))
    expect(r.transport).toBe('tcp')
    expect(from).toBe('10.9.8.7')
  })

  it('rejects an address that is not a literal of the server family with ERR_CONFIG', async () => {
    for (const bad of ['not-an-ip', '::1']) {
      const e = await settle(query(target(), { name: 'www.example.' }, opts({ localAddress: bad })))
      expect(isDnsHaError(e, 'ERR_CONFIG')).toBe(true)
      expect((e as Error).message).toContain('localAddress')
    }
  })
})
