// DnsServer with a TSIG keyring (RFC 8945), on a MemoryNetwork and a FakeClock: verified queries
// reach the handler with `query.tsig` and get signed answers (truncated ones too, over UDP and
// TCP); failures are answered NOTAUTH before the handler; without a keyring nothing changes.
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import type { DnsQuery } from '../../src/server/query.js'
import { respond } from '../../src/server/respond.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import type { TsigKey } from '../../src/tsig/index.js'
import { createKeyring, readTsig, resolveTsigKey, signRequest, TSIG_ERROR, verifyResponse } from '../../src/tsig/index.js'
import { decode, flip, keyFor, queryBytes } from '../tsig/helpers.js'
import { memoryServer } from './helpers.js'

const KEY: TsigKey = keyFor('hmac-sha256', 'ops.example.')
const clock = new FakeClock()
const now = Math.floor(clock.now() / 1000)

/** A handler that records what it saw and answers A 192.0.2.1 (or 60 records for big.test.). */
function recorder() {
  const seen: DnsQuery[] = []
  const handler = (q: DnsQuery) => {
    seen.push(q)
    if (q.question?.name === 'nobody.test.') return undefined
    const count = q.question?.name === 'big.test.' ? 60 : 1
    return respond(q, { aa: true, answers: Array.from({ length: count }, (_, i) => ({ name: q.question!.name, type: 'A' as const, ttl: 60, data: `192.0.2.${i + 1}` })) })
  }
  return { seen, handler }
}

async function keyedServer() {
  const r = recorder()
  const m = await memoryServer(r.handler, { tsig: createKeyring([KEY, keyFor('hmac-sha1', 'other.')]), clock })
  return { ...r, ...m }
}

describe('DnsServer with a tsig keyring', () => {
  it('hands verified queries to the handler with query.tsig and signs the answer', async () => {
    const { udp, seen, server } = await keyedServer()
    const request = signRequest(queryBytes('www.example.test', { id: 7 }), resolveTsigKey(KEY), now)
    const [reply] = await udp(request.bytes)
    expect(seen).toHaveLength(1)
    expect(seen[0]!.tsig).toEqual({ keyName: 'ops.example.', algorithm: 'hmac-sha256' })
    expect(verifyResponse(reply!, request.context, now)).toEqual({ status: 'ok' })
    expect(dnsPacket.decode(reply!).answers).toHaveLength(1)
    expect(server.snapshot().tsig).toEqual({ verified: 1, badKey: 0, badSig: 0, badTime: 0, malformed: 0 })
  })

  it('signs every answer to a verified query: REFUSED when nobody answers, and EDNS ones with the TSIG after the OPT', async () => {
    const { udp } = await keyedServer()
    const refused = signRequest(queryBytes('nobody.test'), resolveTsigKey(KEY), now)
    const [r1] = await udp(refused.bytes)
    expect(decode(r1!).rcode).toBe('REFUSED')
    expect(verifyResponse(r1!, refused.context, now)).toEqual({ status: 'ok' })
    const edns = signRequest(queryBytes('www.example.test', { edns: true }), resolveTsigKey(KEY), now)
    const [r2] = await udp(edns.bytes)
    expect(dnsPacket.decode(r2!).additionals!.map((a) => a.type)).toEqual(['OPT', 'TSIG'])
    expect(verifyResponse(r2!, edns.context, now)).toEqual({ status: 'ok' })
  })

  it('truncates leaving room for the TSIG, then signs: TC=1 within 512 bytes and still verifiable', async () => {
    const { udp, server } = await keyedServer()
    const request = signRequest(queryBytes('big.test'), resolveTsigKey(KEY), now)
    const [reply] = await udp(request.bytes)
    expect(reply!.length).toBeLessThanOrEqual(512)
    const decoded = dnsPacket.decode(reply!) as ReturnType<typeof dnsPacket.decode> & { flag_tc: boolean }
    expect(decoded.flag_tc).toBe(true)
    expect(decoded.answers).toEqual([])
    expect(verifyResponse(reply!, request.context, now)).toEqual({ status: 'ok' })
    expect(server.snapshot().udp.truncated).toBe(1)
  })

  it('signs answers over TCP (no truncation needed)', async () => {
    const { network, port } = await keyedServer()
    const request = signRequest(queryBytes('big.test'), resolveTsigKey(KEY), now)
    const socket = await network.connectStream('127.0.0.1', port)
    let buf = Buffer.alloc(0)
    socket.onData((chunk) => (buf = Buffer.concat([buf, chunk])))
    const frame = Buffer.alloc(2 + request.bytes.length)
    frame.writeUInt16BE(request.bytes.length, 0)
    request.bytes.copy(frame, 2)
    socket.write(frame)
    for (let i = 0; i < 10 && (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)); i++) await new Promise((r) => setImmediate(r))
    const reply = buf.subarray(2, 2 + buf.readUInt16BE(0))
    expect(dnsPacket.decode(reply).answers).toHaveLength(60)
    expect(verifyResponse(reply, request.context, now)).toEqual({ status: 'ok' })
    socket.destroy()
  })

  it('answers a bad signature NOTAUTH with an unsigned BADSIG TSIG, never calling the handler', async () => {
    const { udp, seen, server } = await keyedServer()
    const request = signRequest(queryBytes('www.example.test', { id: 9 }), resolveTsigKey(KEY), now)
    const [reply] = await udp(flip(request.bytes, 14))
    expect(seen).toHaveLength(0)
    expect(dnsPacket.decode(reply!)).toMatchObject({ id: 9, rcode: 'NOTAUTH', answers: [] })
    expect(readTsig(reply!)).toMatchObject({ status: 'found', record: { error: TSIG_ERROR.BADSIG, mac: Buffer.alloc(0) } })
    expect(server.snapshot().tsig.badSig).toBe(1)
    expect(server.snapshot().udp.rcodes).toEqual({ NOTAUTH: 1 })
  })

  it('answers an unknown key, or a known name with another algorithm, BADKEY', async () => {
    const { udp, seen, server } = await keyedServer()
    for (const key of [keyFor('hmac-sha256', 'stranger.'), keyFor('hmac-sha512', 'ops.example.')]) {
      const [reply] = await udp(signRequest(queryBytes(), resolveTsigKey(key), now).bytes)
      expect(decode(reply!).rcode).toBe('NOTAUTH')
      expect(readTsig(reply!)).toMatchObject({ status: 'found', record: { keyName: key.name, error: TSIG_ERROR.BADKEY } })
    }
    expect(seen).toHaveLength(0)
    expect(server.snapshot().tsig.badKey).toBe(2)
  })

  it('answers a clock skew beyond the fudge BADTIME, signed, with the server time', async () => {
    const { udp, seen, server } = await keyedServer()
    const request = signRequest(queryBytes(), resolveTsigKey(KEY), now - 301)
    const [reply] = await udp(request.bytes)
    expect(seen).toHaveLength(0)
    expect(decode(reply!).rcode).toBe('NOTAUTH')
    expect(verifyResponse(reply!, request.context, now - 301)).toEqual({ status: 'rejected', error: TSIG_ERROR.BADTIME, serverTime: now })
    expect(server.snapshot().tsig.badTime).toBe(1)
  })

  it('answers FORMERR when the TSIG is not the last record', async () => {
    const { udp, seen, server } = await keyedServer()
    const signed = dnsPacket.decode(signRequest(queryBytes(), resolveTsigKey(KEY), now).bytes)
    const bytes = dnsPacket.encode({ ...signed, additionals: [signed.additionals![0]!, { name: 'x.test', type: 'A', ttl: 1, data: '192.0.2.1' }] })
    const [reply] = await udp(bytes)
    expect(seen).toHaveLength(0)
    expect(decode(reply!).rcode).toBe('FORMERR')
    expect(readTsig(reply!)).toEqual({ status: 'none' })
    expect(server.snapshot().tsig.malformed).toBe(1)
  })

  it('serves unsigned queries as before, without query.tsig and without a TSIG in the answer', async () => {
    const { udp, seen, server } = await keyedServer()
    for (const bytes of [queryBytes(), queryBytes('a.test', { edns: true })]) {
      const [reply] = await udp(bytes)
      expect(decode(reply!).rcode).toBe('NOERROR')
      expect(readTsig(reply!)).toEqual({ status: 'none' })
    }
    expect(seen.map((q) => q.tsig)).toEqual([undefined, undefined])
    expect(server.snapshot().tsig).toEqual({ verified: 0, badKey: 0, badSig: 0, badTime: 0, malformed: 0 })
  })
})

describe('DnsServer without a keyring', () => {
  it('passes a signed query to the handler unverified: query.tsig stays undefined and the answer is unsigned', async () => {
    const { seen, handler } = recorder()
    const { udp } = await memoryServer(handler, { clock })
    const [reply] = await udp(flip(signRequest(queryBytes(), resolveTsigKey(KEY), now).bytes, 14))
    expect(seen).toHaveLength(1)
    expect(seen[0]!.tsig).toBeUndefined()
    expect(decode(reply!).rcode).toBe('NOERROR')
    expect(readTsig(reply!)).toEqual({ status: 'none' })
  })

  it('refuses a tsig option that is not a keyring', async () => {
    await expect(memoryServer(() => undefined, { tsig: [KEY] as never })).rejects.toThrow(/createKeyring/)
  })
})
