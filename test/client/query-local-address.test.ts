// query({ localAddress }): the source address a server sees, as `dig -b` sets it, over UDP and TCP.
import { describe, expect, it } from 'vitest'
import { query } from '../../src/client/query.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { answer, settle, useFakeServer } from './helpers.js'

const env = useFakeServer()
const { target, opts } = env

describe('query() localAddress', () => {
  it('sends UDP from the given address, and the answer back to it is accepted', async () => {
    env.server.onUdp = (msg, _rinfo, reply) => reply(answer(msg))
    const r = await query(target(), { name: 'www.example.' }, opts({ localAddress: '10.1.2.3' }))
    expect(r.transport).toBe('udp')
    expect(env.server.udp.map((d) => d.rinfo.address)).toEqual(['10.1.2.3'])
  })

  it('without it, the memory network reports the wildcard socket as sending from the destination', async () => {
    env.server.onUdp = (msg, _rinfo, reply) => reply(answer(msg))
    await query(target(), { name: 'www.example.' }, opts())
    expect(env.server.udp.map((d) => d.rinfo.address)).toEqual([env.server.address])
  })

  it('connects TCP from the given address', async () => {
    await env.server.listenTcp()
    let from: string | undefined
    env.server.onTcp = (msg, reply, socket) => {
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
