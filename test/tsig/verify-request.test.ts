import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import type { TsigAlgorithm } from '../../src/tsig/index.js'
import { createKeyring, minimumMacSize, readTsig, resolveTsigKey, signRequest, TSIG_ALGORITHMS, verifyRequest } from '../../src/tsig/index.js'
import { ALGORITHMS, flip, keyFor, NOW, queryBytes, truncateMac, tsigTypeOffset, withMac } from './helpers.js'

// Queries for www.cdn.test. A signed by real tools with key partner-key. (secret below), captured
// off the wire: BIND's dig (with EDNS and a cookie) and Knot's kdig. They pin our MAC to what
// independent implementations compute, names and algorithm spelling included.
const SECRET = 'cGFydG5lci1zZWNyZXQtZm9yLXZpZXctdGVzdHMhIQ=='
const VECTORS: { tool: string; algorithm: TsigAlgorithm; hex: string }[] = [
  {
    tool: 'dig 9.18',
    algorithm: 'hmac-sha256',
    hex: 'c11e01200001000000000002037777770363646e0474657374000001000100002904d000000000000c000a0008905a8cf40f37d13a0b706172746e65722d6b65790000fa00ff00000000003d0b686d61632d7368613235360000006b0f6890012c0020cacd1b6a9cdff3c7778f167c56e648958e9b6b8c097df6567fcff4f510922283c11e00000000',
  },
  {
    tool: 'dig 9.18',
    algorithm: 'hmac-md5',
    hex: '598e01200001000000000002037777770363646e0474657374000001000100002904d000000000000c000a0008133982ede930d85e0b706172746e65722d6b65790000fa00ff00000000003a08686d61632d6d6435077369672d616c670372656703696e740000006b0f6891012c0010a97aade01d0c701ab6200139e193b61c598e00000000',
  },
  {
    tool: 'kdig 3.2',
    algorithm: 'hmac-sha512',
    hex: 'ed9901200001000000000001037777770363646e047465737400000100010b706172746e65722d6b65790000fa00ff00000000005d0b686d61632d7368613531320000006b0f6893012c004022b9534a86d0c13131e99f311f5cc55c4757ad59e45a74d4a4765a497826b762e272e0a9329814bf1527cc0219dde2579a3b23b3d0d8146f0c9d009d66d49488ed9900000000',
  },
  {
    tool: 'kdig 3.2',
    algorithm: 'hmac-sha1',
    hex: 'd56c01200001000000000001037777770363646e047465737400000100010b706172746e65722d6b65790000fa00ff00000000002f09686d61632d736861310000006b0f6895012c00148d7ef89c44d6271ef5f5bab9f18519e07bf9f517d56c00000000',
  },
]

describe('verifyRequest', () => {
  describe.each(VECTORS)('a query signed by $tool with $algorithm', ({ algorithm, hex }) => {
    const bytes = Buffer.from(hex, 'hex')
    const ring = createKeyring([{ name: 'partner-key', algorithm, secret: SECRET }])
    // Time Signed sits just after the algorithm name: 2 bytes of MAC size, 2 of fudge and 6 of time before the MAC.
    const signedAt = bytes.readUIntBE(bytes.length - 6 - TSIG_ALGORITHMS[algorithm].macSize - 2 - 2 - 6, 6)

    it('verifies, within the fudge on either side', () => {
      for (const now of [signedAt, signedAt - 300, signedAt + 300]) {
        const r = verifyRequest(bytes, ring, now)
        expect(r.status).toBe('ok')
        if (r.status === 'ok') expect(r.context.key.name).toBe('partner-key.')
      }
    })

    it('is BADTIME outside the fudge, BADSIG with a message byte or the original id changed', () => {
      expect(verifyRequest(bytes, ring, signedAt + 301).status).toBe('badtime')
      expect(verifyRequest(bytes, ring, signedAt - 301).status).toBe('badtime')
      for (const offset of [2, 3, 13, 27]) expect(verifyRequest(flip(bytes, offset), ring, signedAt).status).toBe('badsig')
      // The header id is not covered (the TSIG's Original ID is), so an id rewritten on the way still verifies (RFC 8945 §4.3.3).
      expect(verifyRequest(flip(bytes, 1), ring, signedAt).status).toBe('ok')
      const originalIdAt = bytes.length - 6
      expect(verifyRequest(flip(bytes, originalIdAt), ring, signedAt).status).toBe('badsig')
    })

    it('is BADSIG with another secret and BADKEY with another algorithm or an unknown name', () => {
      expect(verifyRequest(bytes, createKeyring([{ name: 'partner-key', algorithm, secret: 'AAAA' }]), signedAt).status).toBe('badsig')
      const other: TsigAlgorithm = algorithm === 'hmac-sha256' ? 'hmac-sha384' : 'hmac-sha256'
      expect(verifyRequest(bytes, createKeyring([{ name: 'partner-key', algorithm: other, secret: SECRET }]), signedAt).status).toBe('badkey')
      expect(verifyRequest(bytes, createKeyring([{ name: 'someone-else', algorithm, secret: SECRET }]), signedAt).status).toBe('badkey')
    })
  })

  it('says none for unsigned messages, with or without EDNS', () => {
    const ring = createKeyring([keyFor('hmac-sha256')])
    expect(verifyRequest(queryBytes(), ring, NOW)).toEqual({ status: 'none' })
    expect(verifyRequest(queryBytes('a.test', { edns: true }), ring, NOW)).toEqual({ status: 'none' })
  })

  it('round-trips every algorithm, and the key name matches in any case', () => {
    for (const algorithm of ALGORITHMS) {
      const key = keyFor(algorithm, `Key.${algorithm}.Example.`)
      const { bytes, context } = signRequest(queryBytes(), resolveTsigKey(key), NOW)
      const r = verifyRequest(bytes, createKeyring([{ ...key, name: key.name.toLowerCase() }]), NOW + 10)
      expect(r).toMatchObject({ status: 'ok', context: { requestMac: context.requestMac } })
      expect(context.requestMac).toHaveLength(TSIG_ALGORITHMS[algorithm].macSize)
    }
  })

  it('is FORMERR when the TSIG is not the last record, not class ANY, or not TTL 0', () => {
    const key = resolveTsigKey(keyFor('hmac-sha256'))
    const ring = createKeyring([keyFor('hmac-sha256')])
    const signed = signRequest(queryBytes(), key, NOW).bytes
    const decoded = dnsPacket.decode(signed)
    const tsigRecord = decoded.additionals![0]!
    const notLast = dnsPacket.encode({ ...decoded, additionals: [tsigRecord, { name: 'x.test', type: 'A', ttl: 1, data: '192.0.2.1' }] })
    expect(verifyRequest(notLast, ring, NOW)).toMatchObject({ status: 'formerr', reason: 'TSIG is not the last record' })
    const inIn = Buffer.from(signed)
    const found = readTsig(signed)
    if (found.status !== 'found') throw new Error('not signed')
    const classAt = tsigTypeOffset(signed, found.record.offset) + 2
    inIn.writeUInt16BE(1, classAt)
    expect(verifyRequest(inIn, ring, NOW)).toMatchObject({ status: 'formerr', reason: 'TSIG class is not ANY' })
    const withTtl = Buffer.from(signed)
    withTtl.writeUInt32BE(60, classAt + 2)
    expect(verifyRequest(withTtl, ring, NOW)).toMatchObject({ status: 'formerr', reason: 'TSIG TTL is not 0' })
    expect(verifyRequest(signed.subarray(0, signed.length - 3), ring, NOW).status).toBe('formerr')
  })

  it('accepts a MAC truncated to max(10 bytes, half the hash) and refuses shorter or longer ones (RFC 8945 §5.2.2.1)', () => {
    for (const algorithm of ALGORITHMS) {
      const key = keyFor(algorithm)
      const ring = createKeyring([key])
      const signed = signRequest(queryBytes(), resolveTsigKey(key), NOW).bytes
      const min = minimumMacSize(algorithm)
      expect(min).toBe(Math.max(10, TSIG_ALGORITHMS[algorithm].macSize / 2))
      const ok = verifyRequest(truncateMac(signed, min), ring, NOW)
      expect(ok.status, algorithm).toBe('ok')
      if (ok.status === 'ok') expect(ok.context.requestMac).toHaveLength(min)
      expect(verifyRequest(truncateMac(signed, min - 1), ring, NOW)).toMatchObject({ status: 'formerr' })
      expect(verifyRequest(truncateMac(signed, 0), ring, NOW)).toMatchObject({ status: 'formerr' })
      // A truncated MAC is still checked: change its last byte.
      const bad = truncateMac(signed, min)
      const macEnd = bad.length - 6
      expect(verifyRequest(flip(bad, macEnd - 1), ring, NOW).status).toBe('badsig')
    }
  })

  it('refuses a MAC longer than the hash', () => {
    const key = keyFor('hmac-sha1')
    const signed = signRequest(queryBytes(), resolveTsigKey(key), NOW).bytes
    const long = withMac(signed, (mac) => Buffer.concat([mac, Buffer.alloc(12)]))
    expect(verifyRequest(long, createKeyring([key]), NOW)).toMatchObject({ status: 'formerr', reason: 'MAC longer than hmac-sha1 produces' })
  })
})
