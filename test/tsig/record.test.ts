import dnsPacket from 'dns-packet'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createKeyring, readTsig, resolveTsigKey, signRequest, verifyRequest } from '../../src/tsig/index.js'
import { keyFor, NOW, queryBytes } from './helpers.js'

describe('readTsig', () => {
  it('reads a TSIG whose names are compressed, as a lenient receiver should', () => {
    const signed = signRequest(queryBytes('k.example.'), resolveTsigKey(keyFor('hmac-sha256', 'k.example.')), NOW).bytes
    // Rewrite the owner "k.example." as a pointer to the question name (offset 12).
    const found = readTsig(signed)
    if (found.status !== 'found') throw new Error('not signed')
    const ownerLength = 11
    const compressed = Buffer.concat([signed.subarray(0, found.record.offset), Buffer.from([0xc0, 12]), signed.subarray(found.record.offset + ownerLength)])
    expect(readTsig(compressed)).toMatchObject({ status: 'found', record: { keyName: 'k.example.', mac: found.record.mac } })
    expect(verifyRequest(compressed, createKeyring([keyFor('hmac-sha256', 'k.example.')]), NOW).status).toBe('ok')
  })

  it('says formerr, never throws, when a record runs past the end', () => {
    const signed = signRequest(queryBytes(), resolveTsigKey(keyFor('hmac-sha1')), NOW).bytes
    for (let cut = 12; cut < signed.length; cut++) {
      const r = readTsig(signed.subarray(0, cut))
      expect(['formerr', 'none']).toContain(r.status)
    }
  })

  it('never throws on random or mutated messages (fuzz)', () => {
    const signed = signRequest(queryBytes(), resolveTsigKey(keyFor('hmac-sha256')), NOW).bytes
    const ring = createKeyring([keyFor('hmac-sha256')])
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        verifyRequest(bytes, ring, NOW)
      }),
      { numRuns: 2000 },
    )
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(signed.length - 1), fc.nat(255)), { minLength: 1, maxLength: 4 }), (edits) => {
        const copy = Buffer.from(signed)
        for (const [at, value] of edits) copy[at] = value
        const r = verifyRequest(copy, ring, NOW)
        expect(['ok', 'none', 'badkey', 'badsig', 'badtime', 'formerr']).toContain(r.status)
      }),
      { numRuns: 2000 },
    )
  })

  it('finds no TSIG in a message without one, even with other additional records', () => {
    const withA = dnsPacket.encode({ type: 'query', id: 1, questions: [{ name: 'a.test', type: 'A' }], additionals: [{ name: 'x.test', type: 'A', ttl: 1, data: '192.0.2.1' }] })
    expect(readTsig(withA)).toEqual({ status: 'none' })
  })
})
