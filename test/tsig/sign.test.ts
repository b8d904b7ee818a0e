import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { readTsig, resolveTsigKey, signRequest, signResponse, TSIG_ALGORITHMS, tsigSpace, verifyRequest, createKeyring, verifyResponse } from '../../src/tsig/index.js'
import { ALGORITHMS, flip, keyFor, NOW, queryBytes } from './helpers.js'

/** A response to `queryBytes()` with one answer (what a handler would have produced). */
function responseBytes(id = 0x1234): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id,
    flags: dnsPacket.AUTHORITATIVE_ANSWER,
    questions: [{ name: 'www.example.test', type: 'A' }],
    answers: [{ name: 'www.example.test', type: 'A', ttl: 60, data: '192.0.2.1' }],
    additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 1232 } as never],
  })
}

describe('signRequest / signResponse', () => {
  it.each(ALGORITHMS)('%s: request and response round-trip through verify', (algorithm) => {
    const key = resolveTsigKey(keyFor(algorithm))
    const request = signRequest(queryBytes(), key, NOW)
    const verdict = verifyRequest(request.bytes, createKeyring([keyFor(algorithm)]), NOW + 1)
    expect(verdict.status).toBe('ok')
    if (verdict.status !== 'ok') return
    const response = signResponse(responseBytes(), verdict.context, NOW + 2)
    expect(verifyResponse(response, request.context, NOW + 3)).toEqual({ status: 'ok' })
    // The response MAC covers the request MAC: the same answer to another request does not verify.
    const other = signRequest(queryBytes('other.example.test'), key, NOW)
    expect(verifyResponse(response, other.context, NOW + 3)).toEqual({ status: 'badsig' })
    expect(verifyResponse(flip(response, 40), request.context, NOW + 3)).toEqual({ status: 'badsig' })
    expect(verifyResponse(response, request.context, NOW + 2 + 301)).toEqual({ status: 'badtime' })
  })

  it('appends exactly tsigSpace() bytes as the last additional record, and leaves the rest of the message alone', () => {
    for (const algorithm of ALGORITHMS) {
      const key = resolveTsigKey(keyFor(algorithm))
      const message = responseBytes()
      const before = Buffer.from(message)
      const request = signRequest(queryBytes(), key, NOW)
      const signed = signResponse(message, request.context, NOW)
      expect(message.equals(before)).toBe(true)
      expect(signed.length - message.length).toBe(tsigSpace(key))
      expect(signed.readUInt16BE(10)).toBe(message.readUInt16BE(10) + 1)
      expect(signed.subarray(12, message.length).equals(message.subarray(12))).toBe(true)
      const found = readTsig(signed)
      expect(found).toMatchObject({
        status: 'found',
        record: { keyName: key.name, algorithmName: TSIG_ALGORITHMS[algorithm].wireName, timeSigned: NOW, fudge: 300, originalId: 0x1234, error: 0, offset: message.length },
      })
      // dns-packet sees a well-formed message with the TSIG last.
      const decoded = dnsPacket.decode(signed)
      expect(decoded.additionals!.map((r) => r.type)).toEqual(['OPT', 'TSIG'])
    }
  })

  it('signs with the fudge and time it is given, and carries 48-bit times', () => {
    const key = resolveTsigKey(keyFor('hmac-sha256'))
    const late = 2 ** 40 + 5
    const { bytes } = signRequest(queryBytes(), key, late, { fudge: 10 })
    expect(readTsig(bytes)).toMatchObject({ status: 'found', record: { timeSigned: late, fudge: 10 } })
    expect(verifyRequest(bytes, createKeyring([keyFor('hmac-sha256')]), late + 10).status).toBe('ok')
    expect(verifyRequest(bytes, createKeyring([keyFor('hmac-sha256')]), late + 11).status).toBe('badtime')
  })
})
