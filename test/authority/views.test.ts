import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { readClientSubnet, readTsigKeyName } from '../../src/authority/client-match.js'
import { DnsQuery } from '../../src/server/query.js'
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
const tsig = (name: string) => ({ name, type: 'TSIG', class: 'ANY', ttl: 0, data: Buffer.alloc(0) })
const www = (a: string) => rrs(O, `www 60 IN A ${a}`)

describe('Authority views', () => {
  it('first match wins: by source address, ECS subnet, TSIG key name, else the catch-all', async () => {
    const auth = cdn()
    expect(lines((await ask(auth, 'www.cdn.test.', 'A', { client: { address: '10.1.2.3' } })).answers)).toEqual(www('192.0.2.10'))
    expect(lines((await ask(auth, 'www.cdn.test.', 'A', { options: [ecs('198.51.100.0', 24)] })).answers)).toEqual(www('192.0.2.10'))
    expect(lines((await ask(auth, 'www.cdn.test.', 'A', { options: [ecs('203.0.113.0', 24)] })).answers)).toEqual(www('192.0.2.20'))
    expect(lines((await ask(auth, 'www.cdn.test.', 'A', { options: [ecs('2001:db8:e0::', 48, 2)] })).answers)).toEqual(www('192.0.2.10'))
    expect(lines((await ask(auth, 'www.cdn.test.', 'A', { additionals: [tsig('Partner-Key.')] })).answers)).toEqual(www('203.0.113.1'))
    expect(lines((await ask(auth, 'www.cdn.test.', 'A')).answers)).toEqual(www('192.0.2.30'))
  })

  it('echoes ECS with the scope prefix set: the source prefix when the subnet chose the view, 0 otherwise', async () => {
    const auth = cdn()
    const scoped = await ask(auth, 'www.cdn.test.', 'A', { options: [ecs('203.0.113.0', 24)] })
    const opt = scoped.additionals!.find((r) => r.type === 'OPT') as unknown as { options: { code: number; sourcePrefixLength: number; scopePrefixLength: number; ip: string }[] }
    expect(opt.options).toEqual([expect.objectContaining({ code: 8, sourcePrefixLength: 24, scopePrefixLength: 24, ip: '203.0.113.0' })])
    // Cached on the second ask: the option is appended per query, not cached.
    const again = await ask(auth, 'www.cdn.test.', 'A', { options: [ecs('203.0.113.0', 24)] })
    expect((again.additionals!.find((r) => r.type === 'OPT') as unknown as typeof opt).options).toHaveLength(1)
    const keyed = await ask(auth, 'www.cdn.test.', 'A', { options: [ecs('192.0.2.0', 24)], additionals: [tsig('partner-key.')] })
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

  it('reads the TSIG key name only from the last additional record', () => {
    expect(readTsigKeyName(queryOf('a.test.', 'A', { additionals: [tsig('K1.Example.')] }))).toBe('k1.example.')
    const notLast = dnsPacket.encode({
      type: 'query',
      id: 1,
      questions: [{ name: 'a.test', type: 'A' }],
      additionals: [tsig('k1.example.') as never, { name: 'x.test', type: 'A', ttl: 1, data: '192.0.2.1' }],
    })
    expect(readTsigKeyName(new DnsQuery(notLast, { address: '127.0.0.1', port: 1, family: 'IPv4' }, 'udp'))).toBeUndefined()
    expect(readTsigKeyName(queryOf('a.test.', 'A'))).toBeUndefined()
  })
})
