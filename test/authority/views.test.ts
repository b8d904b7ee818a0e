import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { readClientSubnet } from '../../src/authority/client-match.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import type { TsigKey } from '../../src/tsig/index.js'
import { createKeyring, resolveTsigKey, signRequest, verifyResponse } from '../../src/tsig/index.js'
import { memoryServer } from '../server/helpers.js'
import type { Decoded } from './helpers.js'
import { ask, lines, queryOf, rrs, zoneOf } from './helpers.js'

const O = 'cdn.test.'
const zone = (address: string) => zoneOf(O, `$TTL 60\n@ SOA ns h 1 1 1 1 60\n@ NS ns\nns A 192.0.2.53\nwww A ${address}\n`)

function cdn(): Authority {
  return new Authority({
    minimalResponses: true,
    views: [
      { name: 'partner', match: { keys: ['partner-key.'] }, zones: [zone('203.0.113.1')] },
      { name: 'europe', match: { ecs: ['198.51.100.0/24', '2001:db8:e0::/48'], clients: ['10.1.0.0/16'] }, zones: [zone('192.0.2.10')] },
      { name: 'asia', match: { ecs: ['203.0.113.0/24'] }, zones: [zone('192.0.2.20')] },
      { name: 'world', zones: [zone('192.0.2.30')] },
    ],
  })
}

const ecs = (ip: string, sourcePrefixLength: number, family = 1) => ({ code: 8, family, sourcePrefixLength, scopePrefixLength: 0, ip })
const www = (a: string) => rrs(O, `www 60 IN A ${a}`)

// Key views are matched on verified keys only, so key tests go through a DnsServer with a keyring.
const PARTNER: TsigKey = { name: 'Partner-Key', algorithm: 'hmac-sha256', secret: 'cGFydG5lci1zZWNyZXQtZm9yLXZpZXctdGVzdHMhIQ==' }
const STRANGER: TsigKey = { name: 'stranger-key.', algorithm: 'hmac-sha256', secret: 'c3RyYW5nZXItc2VjcmV0LWZvci12aWV3LXRlc3RzIQ==' }
const clock = new FakeClock()
const now = Math.floor(clock.now() / 1000)

interface SignedAsk {
  /** Sign with this key (the server knows PARTNER and STRANGER). */
  key?: TsigKey
  /** EDNS options (an ECS option, say). */
  options?: unknown[]
  /** Extra additional records, sent as they are (a forged TSIG, say). */
  additionals?: unknown[]
}

/** Asks `www.cdn.test. A` of a server with a keyring in front of `auth`; decodes the reply and checks its TSIG when signed. */
async function askServer(auth: Authority, o: SignedAsk = {}): Promise<Decoded & { tsigCheck: string | undefined }> {
  const { udp } = await memoryServer(auth, { tsig: createKeyring([PARTNER, STRANGER]), clock })
  const additionals: unknown[] = [...(o.options ? [{ name: '.', type: 'OPT', udpPayloadSize: 1232, options: o.options }] : []), ...(o.additionals ?? [])]
  let bytes = dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: 'www.cdn.test', type: 'A' }], additionals: additionals as never })
  let tsigCheck: string | undefined
  const signed = o.key ? signRequest(bytes, resolveTsigKey(o.key), now) : undefined
  if (signed) bytes = signed.bytes
  const [reply] = await udp(bytes)
  if (!reply) throw new Error('no reply')
  if (signed) tsigCheck = verifyResponse(reply, signed.context, now).status
  return Object.assign(dnsPacket.decode(reply) as Decoded, { tsigCheck })
}

describe('Authority views', () => {
  it('first match wins: by source address, ECS subnet, TSIG key name, else the catch-all', async () => {
    const auth = cdn()
    expect(lines((await ask(auth, 'www.cdn.test.', 'A', { client: { address: '10.1.2.3' } })).answers)).toEqual(www('192.0.2.10'))
    expect(lines((await ask(auth, 'www.cdn.test.', 'A', { options: [ecs('198.51.100.0', 24)] })).answers)).toEqual(www('192.0.2.10'))
    expect(lines((await ask(auth, 'www.cdn.test.', 'A', { options: [ecs('203.0.113.0', 24)] })).answers)).toEqual(www('192.0.2.20'))
    expect(lines((await ask(auth, 'www.cdn.test.', 'A', { options: [ecs('2001:db8:e0::', 48, 2)] })).answers)).toEqual(www('192.0.2.10'))
    const signed = await askServer(auth, { key: PARTNER })
    expect(lines(signed.answers)).toEqual(www('203.0.113.1'))
    expect(signed.tsigCheck).toBe('ok')
    expect(lines((await ask(auth, 'www.cdn.test.', 'A')).answers)).toEqual(www('192.0.2.30'))
  })

  it('a key view takes only queries the server verified with that key', async () => {
    const auth = cdn()
    // Signed with another key the server knows: verified, but not this view's key.
    const stranger = await askServer(auth, { key: STRANGER })
    expect(lines(stranger.answers)).toEqual(www('192.0.2.30'))
    expect(stranger.tsigCheck).toBe('ok')
    // The right key name with the wrong secret: NOTAUTH/BADSIG from the server, the Authority never sees it.
    const forged = await askServer(auth, { key: { ...PARTNER, secret: STRANGER.secret } })
    expect(forged.rcode).toBe('NOTAUTH')
    expect(forged.answers).toEqual([])
    expect(forged.tsigCheck).toBe('rejected')
    // A bare TSIG record naming the key, without a valid MAC, is not a key: BADSIG, no answer.
    const named = await askServer(auth, { additionals: [{ name: 'partner-key.', type: 'TSIG', class: 'ANY', ttl: 0, data: tsigData(32) }] })
    expect(named.rcode).toBe('NOTAUTH')
    expect(named.answers).toEqual([])
    expect(auth.snapshot().views.find((v) => v.name === 'partner')!.zones[0]!.queries).toBe(0)
  })

  it('on a server without a keyring a TSIG record selects nothing: the query reaches the Authority and falls to the catch-all', async () => {
    const auth = cdn()
    const { udp } = await memoryServer(auth)
    const bytes = signRequest(dnsPacket.encode({ type: 'query', id: 1, questions: [{ name: 'www.cdn.test', type: 'A' }] }), resolveTsigKey(PARTNER), now).bytes
    const [reply] = await udp(bytes)
    expect(lines(dnsPacket.decode(reply!).answers)).toEqual(www('192.0.2.30'))
  })

  it('echoes ECS with the scope prefix set: the source prefix when the subnet chose the view, 0 otherwise', async () => {
    const auth = cdn()
    const scoped = await ask(auth, 'www.cdn.test.', 'A', { options: [ecs('203.0.113.0', 24)] })
    const opt = scoped.additionals!.find((r) => r.type === 'OPT') as unknown as { options: { code: number; sourcePrefixLength: number; scopePrefixLength: number; ip: string }[] }
    expect(opt.options).toEqual([expect.objectContaining({ code: 8, sourcePrefixLength: 24, scopePrefixLength: 24, ip: '203.0.113.0' })])
    // Cached on the second ask: the option is appended per query, not cached.
    const again = await ask(auth, 'www.cdn.test.', 'A', { options: [ecs('203.0.113.0', 24)] })
    expect((again.additionals!.find((r) => r.type === 'OPT') as unknown as typeof opt).options).toHaveLength(1)
    const keyed = await askServer(auth, { key: PARTNER, options: [ecs('192.0.2.0', 24)] })
    expect(keyed.tsigCheck).toBe('ok')
    const keyedOpt = keyed.additionals!.find((r) => r.type === 'OPT') as unknown as typeof opt
    expect(keyedOpt.options[0]).toMatchObject({ scopePrefixLength: 0 })
    expect(auth.snapshot().cache!.hits).toBeGreaterThan(0)
  })

  it('keeps separate caches and counters per view', async () => {
    const auth = cdn()
    await ask(auth, 'www.cdn.test.', 'A', { client: { address: '10.1.2.3' } })
    await ask(auth, 'www.cdn.test.', 'A')
    const snap = auth.snapshot()
    expect(snap.views.map((v) => [v.name, v.zones[0]!.queries])).toEqual([
      ['partner', 0],
      ['europe', 1],
      ['asia', 0],
      ['world', 1],
    ])
  })

  it('replaceZone with a view changes only that view', async () => {
    const auth = cdn()
    auth.replaceZone(zone('192.0.2.99'), { view: 'asia' })
    expect(lines((await ask(auth, 'www.cdn.test.', 'A', { options: [ecs('203.0.113.0', 24)] })).answers)).toEqual(www('192.0.2.99'))
    expect(lines((await ask(auth, 'www.cdn.test.', 'A')).answers)).toEqual(www('192.0.2.30'))
  })

  it('with no matching view the query goes to next', async () => {
    const auth = new Authority({ views: [{ name: 'inside', match: { clients: ['10.0.0.0/8'] }, zones: [zone('192.0.2.1')] }] })
    expect(await auth.handle(queryOf('www.cdn.test.', 'A'), () => undefined)).toBeUndefined()
  })
})

describe('client-match wire reads', () => {
  it('reads ECS and ignores malformed ones', () => {
    expect(readClientSubnet(queryOf('a.test.', 'A', { options: [ecs('198.51.100.0', 22)] }))).toMatchObject({ family: 1, sourcePrefix: 22, address: '198.51.100.0' })
    const bad = { code: 8, data: Buffer.from([0, 1, 40, 0, 1, 2, 3, 4, 5]) }
    expect(readClientSubnet(queryOf('a.test.', 'A', { options: [bad] }))).toBeUndefined()
    expect(readClientSubnet(queryOf('a.test.', 'A'))).toBeUndefined()
  })
})

/** TSIG RDATA with an all-zero MAC of `macSize` bytes, signed now: well formed, never valid. */
function tsigData(macSize: number): Buffer {
  const alg = Buffer.from('\x0bhmac-sha256\x00', 'latin1')
  const fixed = Buffer.alloc(10 + macSize + 6)
  fixed.writeUIntBE(now, 0, 6)
  fixed.writeUInt16BE(300, 6)
  fixed.writeUInt16BE(macSize, 8)
  fixed.writeUInt16BE(4242, 10 + macSize)
  return Buffer.concat([alg, fixed])
}
