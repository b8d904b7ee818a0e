// query() with `tsig`: signs each attempt and accepts only an answer signed with the key, over
// UDP and TCP, against our own DnsServer holding a keyring (as dig -y does against it: the key
// view answers, BADSIG/BADKEY/BADTIME come back as typed errors), and against answers that are
// unsigned or signed with the wrong secret.
import dnsPacket from 'dns-packet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { query } from '../../src/client/query.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { FakeClock, MemoryNetwork } from '../../src/testing/index.js'
import { createKeyring, resolveTsigKey, signResponse, verifyRequest } from '../../src/tsig/index.js'
import type { TsigKey } from '../../src/tsig/index.js'
import { parseZone } from '../../src/zone/index.js'

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('did not reject')
}

const KEY: TsigKey = { name: 'partner-key', algorithm: 'hmac-sha256', secret: 'a2V5LWZvci10aGUtdHNpZy1pbnRlcm9wLXRlc3QtIQ==' }
const WRONG: TsigKey = { ...KEY, secret: 'c29tZS1vdGhlci1zZWNyZXQtZW50aXJlbHktLS0tIQ==' }
const zone = (address: string) => parseZone(`$TTL 60\n@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.53\nwww A ${address}\n`, { origin: 'cdn.test.' })

let signing: DnsServer
let plain: DnsServer
let signingPort = 0
let plainPort = 0

beforeAll(async () => {
  const views = () => new Authority({ views: [{ name: 'partner', match: { keys: ['partner-key'] }, zones: [zone('203.0.113.1')] }, { name: 'world', zones: [zone('192.0.2.30')] }] })
  signing = new DnsServer({ handler: views(), tsig: createKeyring([KEY]) })
  signingPort = (await signing.listen({ port: 0, address: '127.0.0.1' })).port
  plain = new DnsServer({ handler: views() })
  plainPort = (await plain.listen({ port: 0, address: '127.0.0.1' })).port
})
afterAll(async () => {
  await signing?.close()
  await plain?.close()
})

const ask = (port: number, options: Parameters<typeof query>[2]) => query({ address: '127.0.0.1', port }, { name: 'www.cdn.test', type: 'A' }, { timeoutMs: 1000, retries: 1, ...options })

describe('query() with tsig', () => {
  it('signs over UDP and TCP: the key view answers, and the signed answer verifies', async () => {
    for (const tcp of [false, true]) {
      const r = await ask(signingPort, { tsig: { key: KEY }, tcp })
      expect(r.transport).toBe(tcp ? 'tcp' : 'udp')
      expect((r.packet.answers ?? []).map((a) => String((a as { data?: unknown }).data))).toEqual(['203.0.113.1'])
    }
  })

  it('takes a key resolved by a keyring as well', async () => {
    const r = await ask(signingPort, { tsig: { key: resolveTsigKey(KEY) } })
    expect((r.packet.answers ?? []).map((a) => String((a as { data?: unknown }).data))).toEqual(['203.0.113.1'])
  })

  it('a wrong secret: the server says BADSIG (server-badsig)', async () => {
    const e = await errorOf(ask(signingPort, { tsig: { key: WRONG } }))
    expect(e).toMatchObject({ code: 'ERR_QUERY_TSIG', details: { tsig: 'server-badsig' } })
  })

  it('an unknown key: the server says BADKEY (server-badkey)', async () => {
    const e = await errorOf(ask(signingPort, { tsig: { key: { ...KEY, name: 'nobody' } }, tcp: true }))
    expect(e).toMatchObject({ code: 'ERR_QUERY_TSIG', details: { tsig: 'server-badkey' } })
  })

  it('a clock 20 minutes off: the server says BADTIME (server-badtime)', async () => {
    const clock = new FakeClock({ now: Date.now() - 1_200_000 })
    const e = await errorOf(ask(signingPort, { tsig: { key: KEY }, clock }))
    expect(e).toMatchObject({ code: 'ERR_QUERY_TSIG', details: { tsig: 'server-badtime' } })
  })

  it('an unsigned answer to a signed query is not accepted', async () => {
    const e = await errorOf(ask(plainPort, { tsig: { key: KEY } }))
    expect(e).toMatchObject({ code: 'ERR_QUERY_TSIG', details: { tsig: 'unsigned' } })
  })

  it('an answer signed with another secret is refused (badsig), one signed right is taken', async () => {
    const clock = new FakeClock({ now: 1_700_000_000_000 })
    const network = new MemoryNetwork({ clock })
    const socket = network.createDatagramSocket(4)
    await socket.bind(53, '10.0.0.9')
    let answerKey = WRONG
    socket.onMessage((msg, rinfo) => {
      const q = dnsPacket.decode(msg)
      const answer = dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: q.questions, answers: [{ name: 'www.cdn.test', type: 'A', ttl: 60, data: '192.0.2.1' }] })
      const verdict = verifyRequest(msg, createKeyring([KEY]), 1_700_000_000)
      if (verdict.status !== 'ok') throw new Error('request did not verify')
      const context = { ...verdict.context, key: resolveTsigKey(answerKey) }
      socket.send(signResponse(answer, context, 1_700_000_000), rinfo.port, rinfo.address)
    })
    const opts = { tsig: { key: KEY }, network, clock, timeoutMs: 1000, retries: 0 }
    const e = await errorOf(query({ address: '10.0.0.9' }, { name: 'www.cdn.test' }, opts))
    expect(e).toMatchObject({ code: 'ERR_QUERY_TSIG', details: { tsig: 'badsig' } })
    answerKey = KEY
    const ok = await query({ address: '10.0.0.9' }, { name: 'www.cdn.test' }, opts)
    expect((ok.packet.answers ?? []).length).toBe(1)
    await socket.close()
  })
})
