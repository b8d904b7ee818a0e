import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { compose } from '../../src/server/compose.js'
import type { Handler } from '../../src/server/handler.js'
import { respond } from '../../src/server/respond.js'
import { views } from '../../src/server/views.js'
import { parseZone } from '../../src/zone/index.js'
import { memoryServer } from './helpers.js'

const zone = (address: string) =>
  parseZone(`$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.53\nwww A ${address}\nmail MX 10 www\nalias CNAME www\n`, { origin: 'split.test.' })

/** Counts the fast-path answers a handler gives (declines not counted). */
function counted(handler: Handler): { handler: Handler; fast: () => number } {
  let fast = 0
  const plain = handler.answerPlain!.bind(handler)
  handler.answerPlain = (q) => {
    const r = plain(q)
    if (r !== undefined) fast++
    return r
  }
  return { handler, fast: () => fast }
}

const query = (name: string, type: string, edns: boolean) =>
  dnsPacket.encode({ type: 'query', id: 0x4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as 'A' }], ...(edns ? { additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 1232 } as never] } : {}) })

describe('views() and compose() keep the answerPlain fast path', () => {
  const clients = ['10.1.2.3', '10.200.0.9', '192.168.7.7', '192.168.0.1', '127.0.0.2', '203.0.113.5']
  const questions: [string, string, boolean][] = [
    ['www.split.test', 'A', false],
    ['WWW.Split.Test', 'A', true],
    ['mail.split.test', 'MX', true],
    ['alias.split.test', 'A', false],
    ['nope.split.test', 'A', false],
    ['elsewhere.example', 'A', false],
  ]

  it('answers every client the same bytes through the fast path and the full path, from the view its address picks', async () => {
    const { handler, fast } = counted(
      views([
        { name: 'lan', match: ['10.0.0.0/8'], handler: new Authority({ zones: [zone('10.0.0.80')] }) },
        { name: 'office', match: ['!192.168.0.1', '192.168.0.0/16'], handler: new Authority({ zones: [zone('192.168.0.80')] }) },
        { name: 'public', match: ['any'], handler: new Authority({ zones: [zone('198.51.100.80')] }) },
      ]),
    )
    const { server, udp } = await memoryServer(handler)
    const expected: Record<string, string> = { '10.1.2.3': '10.0.0.80', '10.200.0.9': '10.0.0.80', '192.168.7.7': '192.168.0.80', '192.168.0.1': '198.51.100.80', '127.0.0.2': '198.51.100.80', '203.0.113.5': '198.51.100.80' }
    for (const from of clients) {
      for (const [name, type, edns] of questions) {
        const bytes = query(name, type, edns)
        const first = await udp(bytes, from) // a miss: the full path answers and caches
        const before = fast()
        const viaFast = await udp(bytes, from)
        const hit = fast() > before
        const listener = () => {}
        server.on('query', listener) // with a query listener, every query takes the full path
        const viaFull = await udp(bytes, from)
        server.off('query', listener)
        expect(viaFast).toHaveLength(1)
        expect(viaFast[0]!.equals(viaFull[0]!), `${from} ${name} ${type}`).toBe(true)
        expect(viaFast[0]!.equals(first[0]!)).toBe(true)
        // Answers for the zone's names are cached, so they came by the fast path.
        if (name.toLowerCase().endsWith('split.test')) expect(hit, `${from} ${name}`).toBe(true)
      }
      const www = dnsPacket.decode((await udp(query('www.split.test', 'A', false), from))[0]!)
      expect(www.answers!.map((a) => (a as { data: string }).data)).toEqual([expected[from]])
    }
    expect(fast()).toBeGreaterThanOrEqual(clients.length * 5)
  })

  it('a client no view takes is declined on the fast path and refused on the full path', async () => {
    const { handler, fast } = counted(views([{ match: ['10.0.0.0/8'], handler: new Authority({ zones: [zone('10.0.0.80')] }) }]))
    const { udp } = await memoryServer(handler)
    for (let i = 0; i < 2; i++) {
      const [reply] = await udp(query('www.split.test', 'A', false), '192.0.2.1')
      expect((dnsPacket.decode(reply!) as { rcode?: string }).rcode).toBe('REFUSED')
    }
    expect(fast()).toBe(0)
  })

  it('views() with a predicate match, or compose() with a member lacking answerPlain, has no fast path', () => {
    const authority = new Authority({ zones: [zone('10.0.0.80')] })
    expect(views([{ match: (q) => q.transport === 'udp', handler: authority }]).answerPlain).toBeUndefined()
    expect(compose(authority, (q) => respond(q, {})).answerPlain).toBeUndefined()
    expect(typeof compose(authority, new Authority({ zones: [] })).answerPlain).toBe('function')
  })

  it('compose() asks only its first member: a decline takes the full path, where the first member may answer', async () => {
    const first = new Authority({ zones: [zone('10.0.0.80')], refuseOutOfZone: false })
    const second = new Authority({ zones: [parseZone('$TTL 60\n@ SOA ns h 1 1 1 1 60\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.99\n', { origin: 'other.test.' })] })
    const { handler, fast } = counted(compose(first, second))
    const { server, udp } = await memoryServer(handler)
    for (const name of ['www.split.test', 'www.other.test', 'www.split.test', 'www.other.test']) {
      const viaFast = await udp(query(name, 'A', false))
      server.on('query', () => {})
      const viaFull = await udp(query(name, 'A', false))
      server.removeAllListeners('query')
      expect(viaFast[0]!.equals(viaFull[0]!), name).toBe(true)
    }
    // The second www.split.test is a hit in the first member's cache; www.other.test (the second member's) always takes the full path.
    expect(fast()).toBe(1)
  })
})
