// Bad network input never throws out of the Authority: random questions, random flags and EDNS
// options, random bytes after a valid header.
import dnsPacket from 'dns-packet'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { DnsQuery } from '../../src/server/query.js'
import { EXAMPLE } from './fixtures.js'
import { memoryServer } from '../server/helpers.js'
import { zoneOf } from './helpers.js'

const client = { address: '127.0.0.1', port: 5353, family: 'IPv4' as const }

describe('Authority on hostile input', () => {
  const auth = new Authority({
    views: [
      { name: 'ecs', match: { ecs: ['198.51.100.0/24'], keys: ['k.'] }, zones: [zoneOf('example.test.', EXAMPLE)] },
      { name: 'all', zones: [zoneOf('example.test.', EXAMPLE)] },
    ],
    version: 'x',
  })

  it('answers or passes on, never throws, for random questions under the zone', () => {
    const label = fc.stringMatching(/^[a-zA-Z0-9*_-]{1,12}$/)
    fc.assert(
      fc.property(fc.array(label, { maxLength: 5 }), fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 0xffff }), fc.boolean(), (labels, qtype, flags, edns) => {
        const name = [...labels, 'example', 'test'].join('.')
        const raw = dnsPacket.encode({
          type: 'query',
          id: 1,
          flags: flags & ~0x8000 & ~0x7800,
          questions: [{ name, type: 'A' }],
          ...(edns ? { additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 512 + (qtype % 4000), options: [{ code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, ip: '198.51.100.0' }] } as never] } : {}),
        })
        // Any qtype, meta types included: written straight into the question.
        raw.writeUInt16BE(qtype, 12 + Buffer.byteLength(name) + 2)
        const out = auth.handle(new DnsQuery(raw, client, qtype % 2 === 0 ? 'udp' : 'tcp'), () => undefined)
        if (out instanceof Uint8Array) expect(() => dnsPacket.decode(Buffer.from(out))).not.toThrow()
      }),
      { numRuns: 400 },
    )
  })

  it('never throws on random bytes after a valid question: FORMERR, or a well-formed answer echoing id and question', async () => {
    // Through a DnsServer, as a client would see it: exactly one reply to every message.
    const { udp } = await memoryServer(auth)
    const header = dnsPacket.encode({ type: 'query', id: 2, questions: [{ name: 'www.example.test', type: 'A' }] })
    const seen = { formerr: 0, answered: 0 }
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 80 }), fc.integer({ min: 0, max: 3 }), async (tail, arcount) => {
        const raw = Buffer.concat([header, Buffer.from(tail)])
        raw.writeUInt16BE(arcount, 10)
        const replies = await udp(raw)
        expect(replies).toHaveLength(1)
        const reply = dnsPacket.decode(replies[0]!) as ReturnType<typeof dnsPacket.decode> & { rcode?: string }
        expect(reply.id).toBe(2)
        expect(reply.type).toBe('response')
        if (reply.rcode === 'FORMERR') {
          seen.formerr++
          return
        }
        seen.answered++
        expect(reply.questions).toEqual([{ name: 'www.example.test', type: 'A', class: 'IN' }])
        expect(reply.flag_aa).toBe(true)
        if (reply.rcode === 'NOERROR') {
          expect(reply.answers!.length).toBeGreaterThan(0)
          for (const rr of reply.answers!) expect(rr).toMatchObject({ name: 'www.example.test', type: 'A', data: '192.0.2.80' })
        } else {
          expect(reply.rcode).toBe('BADVERS') // a readable OPT with version > 0
        }
      }),
      { numRuns: 400 },
    )
    // Both kinds of outcome occurred, so neither branch is vacuous.
    expect(seen.formerr).toBeGreaterThan(0)
    expect(seen.answered).toBeGreaterThan(0)
  })
})
