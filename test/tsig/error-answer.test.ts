import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { createKeyring, readTsig, resolveTsigKey, signRequest, TSIG_ERROR, tsigErrorAnswer, verifyRequest, verifyResponse } from '../../src/tsig/index.js'
import type { TsigFailure } from '../../src/tsig/index.js'
import { decode, flip, keyFor, NOW, queryBytes } from './helpers.js'

const KEY = keyFor('hmac-sha256', 'k.example.')

/** The NOTAUTH message a server builds before adding the TSIG. */
function notauth(): Buffer {
  return dnsPacket.encode({ type: 'response', id: 0x1234, flags: 9, questions: [{ name: 'www.example.test', type: 'A' }] })
}

function failure(bytes: Buffer, ring = createKeyring([KEY]), now = NOW): TsigFailure {
  const verdict = verifyRequest(bytes, ring, now)
  if (verdict.status !== 'badkey' && verdict.status !== 'badsig' && verdict.status !== 'badtime') throw new Error(`got ${verdict.status}`)
  return verdict
}

describe('tsigErrorAnswer', () => {
  it('BADSIG and BADKEY: an unsigned TSIG (MAC size 0) with the key and algorithm as the client sent them', () => {
    const request = signRequest(queryBytes(), resolveTsigKey(KEY), NOW)
    const badsig = tsigErrorAnswer(notauth(), failure(flip(request.bytes, 13)), NOW)
    expect(readTsig(badsig)).toMatchObject({ status: 'found', record: { keyName: 'k.example.', error: TSIG_ERROR.BADSIG, mac: Buffer.alloc(0), timeSigned: NOW } })
    expect(verifyResponse(badsig, request.context, NOW)).toEqual({ status: 'rejected', error: TSIG_ERROR.BADSIG })

    const unknown = signRequest(queryBytes(), resolveTsigKey(keyFor('hmac-sha256', 'Unknown.Key.')), NOW)
    const badkey = tsigErrorAnswer(notauth(), failure(unknown.bytes), NOW)
    expect(readTsig(badkey)).toMatchObject({ status: 'found', record: { keyName: 'unknown.key.', algorithmName: 'hmac-sha256.', error: TSIG_ERROR.BADKEY, mac: Buffer.alloc(0) } })
    expect(decode(badkey).rcode).toBe('NOTAUTH')
  })

  it('BADTIME: signed, echoing the request time, with the server clock in Other Data', () => {
    const request = signRequest(queryBytes(), resolveTsigKey(KEY), NOW)
    const serverNow = NOW + 3600
    const answer = tsigErrorAnswer(notauth(), failure(request.bytes, createKeyring([KEY]), serverNow), serverNow)
    const found = readTsig(answer)
    expect(found).toMatchObject({ status: 'found', record: { error: TSIG_ERROR.BADTIME, timeSigned: NOW } })
    if (found.status === 'found') expect(found.record.otherData.readUIntBE(0, 6)).toBe(serverNow)
    // The client can check it (its own Time Signed is echoed, so its clock accepts it) and learn the skew.
    expect(verifyResponse(answer, request.context, NOW)).toEqual({ status: 'rejected', error: TSIG_ERROR.BADTIME, serverTime: serverNow })
    expect(verifyResponse(flip(answer, 20), request.context, NOW)).toEqual({ status: 'badsig' })
  })
})
