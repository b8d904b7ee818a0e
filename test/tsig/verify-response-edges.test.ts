// The client side of RFC 8945 §5.3: what verifyResponse says about answers signed with another
// key, the unsigned BADKEY/BADSIG answers, signed error answers with and without the server time,
// and MACs of the wrong size.
import { describe, expect, it } from 'vitest'
import { createKeyring, resolveTsigKey, signRequest, signResponse, tsigErrorAnswer, verifyRequest, verifyResponse } from '../../src/tsig/index.js'
import { keyFor, NOW, queryBytes, truncateMac, withMac } from './helpers.js'

const KEY = keyFor('hmac-sha256', 'client.example.')

/** `queryBytes()` turned into a response with `rcode`. */
function responseBytes(rcode = 0): Buffer {
  const out = queryBytes()
  out[2] = out[2]! | 0x80
  out[3] = (out[3]! & 0xf0) | rcode
  return out
}

describe('verifyResponse edges', () => {
  it('is BADKEY when the answer is signed with another key name', () => {
    const request = signRequest(queryBytes(), resolveTsigKey(KEY), NOW)
    const other = resolveTsigKey(keyFor('hmac-sha256', 'other.example.'))
    const signed = signResponse(responseBytes(), { ...request.context, key: other }, NOW)
    expect(verifyResponse(signed, request.context, NOW)).toEqual({ status: 'badkey' })
  })

  it('reports the unsigned BADKEY and BADSIG answers of a server that could not verify us', () => {
    const request = signRequest(queryBytes(), resolveTsigKey(KEY), NOW)
    const unknownKey = verifyRequest(request.bytes, createKeyring([keyFor('hmac-sha256', 'server-only.example.')]), NOW)
    if (unknownKey.status !== 'badkey') throw new Error(unknownKey.status)
    expect(verifyResponse(tsigErrorAnswer(responseBytes(9), unknownKey, NOW), request.context, NOW)).toEqual({ status: 'rejected', error: 17 })
    const wrongSecret = verifyRequest(request.bytes, createKeyring([{ ...keyFor('hmac-sha256', 'client.example.'), secret: 'AQIDBAUGBwgJCgsMDQ4PEA==' }]), NOW)
    if (wrongSecret.status !== 'badsig') throw new Error(wrongSecret.status)
    expect(verifyResponse(tsigErrorAnswer(responseBytes(9), wrongSecret, NOW), request.context, NOW)).toEqual({ status: 'rejected', error: 16 })
  })

  it('reports a signed BADTIME answer with the server clock from its 6 bytes of Other Data', () => {
    const request = signRequest(queryBytes(), resolveTsigKey(KEY), NOW)
    const late = verifyRequest(request.bytes, createKeyring([KEY]), NOW + 1000)
    if (late.status !== 'badtime') throw new Error(late.status)
    expect(verifyResponse(tsigErrorAnswer(responseBytes(9), late, NOW + 1000), request.context, NOW)).toEqual({ status: 'rejected', error: 18, serverTime: NOW + 1000 })
  })

  it('reports a signed error answer without a server time, and does not throw on it', () => {
    const request = signRequest(queryBytes(), resolveTsigKey(KEY), NOW)
    const signed = signResponse(responseBytes(9), request.context, NOW, { error: 18 })
    const verdict = verifyResponse(signed, request.context, NOW)
    expect(verdict).toEqual({ status: 'rejected', error: 18 })
    expect('serverTime' in verdict).toBe(false)
  })

  it('is FORMERR, not a server rejection, for an answer with no error and an empty MAC', () => {
    const request = signRequest(queryBytes(), resolveTsigKey(KEY), NOW)
    const signed = withMac(signResponse(responseBytes(), request.context, NOW), () => Buffer.alloc(0))
    expect(verifyResponse(signed, request.context, NOW)).toEqual({ status: 'formerr', reason: 'MAC shorter than 16 bytes' })
  })

  it('names the size limit a MAC broke', () => {
    const request = signRequest(queryBytes(), resolveTsigKey(KEY), NOW)
    const signed = signResponse(responseBytes(), request.context, NOW)
    expect(verifyResponse(truncateMac(signed, 15), request.context, NOW)).toEqual({ status: 'formerr', reason: 'MAC shorter than 16 bytes' })
    expect(verifyResponse(truncateMac(signed, 16), request.context, NOW)).toEqual({ status: 'ok' })
    expect(verifyResponse(withMac(signed, (mac) => Buffer.concat([mac, Buffer.alloc(1)])), request.context, NOW)).toEqual({
      status: 'formerr',
      reason: 'MAC longer than hmac-sha256 produces',
    })
    const ring = createKeyring([keyFor('hmac-sha512', 'k.')])
    const request512 = signRequest(queryBytes(), resolveTsigKey(keyFor('hmac-sha512', 'k.')), NOW)
    expect(verifyRequest(truncateMac(request512.bytes, 31), ring, NOW)).toEqual({ status: 'formerr', reason: 'MAC shorter than 32 bytes' })
  })
})
