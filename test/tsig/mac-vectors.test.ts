// Known-answer checks of the MAC against RFC 8945 §4.3: the digest is laid out here byte by byte,
// independently of src/tsig, and HMAC'd with node:crypto; a signer that leaves out or misplaces
// any field produces a MAC that BIND, Knot and NSD would refuse.
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { readTsig, resolveTsigKey, signRequest, signResponse, TSIG_ALGORITHMS, verifyRequest, createKeyring } from '../../src/tsig/index.js'
import { assertHashAvailable, macsEqual } from '../../src/tsig/mac.js'
import { ALGORITHMS, keyFor, NOW, queryBytes } from './helpers.js'

/** A name in uncompressed, lower-case wire form. */
function wire(name: string): Buffer {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.')
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])])
}

/** The TSIG variables of RFC 8945 §4.3.3. */
function variables(keyName: string, algorithmWireName: string, timeSigned: number, fudge: number, error = 0, other = Buffer.alloc(0)): Buffer {
  const fixed = Buffer.alloc(12)
  fixed.writeUIntBE(timeSigned, 0, 6)
  fixed.writeUInt16BE(fudge, 6)
  fixed.writeUInt16BE(error, 8)
  fixed.writeUInt16BE(other.length, 10)
  return Buffer.concat([wire(keyName), Buffer.from([0x00, 0xff, 0, 0, 0, 0]), wire(algorithmWireName), fixed, other])
}

describe('MAC known answers (RFC 8945 §4.3)', () => {
  it.each(ALGORITHMS)('%s: a request MAC covers the message and the TSIG variables, key name in lower case', (algorithm) => {
    const key = keyFor(algorithm, 'Transfer.Example.')
    const message = queryBytes('www.example.test', { id: 0xbeef })
    const signed = signRequest(message, resolveTsigKey(key), NOW, { fudge: 300 })
    const found = readTsig(signed.bytes)
    if (found.status !== 'found') throw new Error('not signed')
    const expected = createHmac(TSIG_ALGORITHMS[algorithm].hash, Buffer.from(key.secret as string, 'base64'))
      .update(message)
      .update(variables('transfer.example.', TSIG_ALGORITHMS[algorithm].wireName, NOW, 300))
      .digest()
    expect(found.record.mac.toString('hex')).toBe(expected.toString('hex'))
  })

  it('a response MAC starts with the request MAC and its 2-byte length, and covers error and other data', () => {
    const key = keyFor('hmac-sha256', 'k.example.')
    const request = signRequest(queryBytes(), resolveTsigKey(key), NOW)
    const verdict = verifyRequest(request.bytes, createKeyring([key]), NOW)
    if (verdict.status !== 'ok') throw new Error(verdict.status)
    const response = queryBytes()
    response[2] = response[2]! | 0x80
    const other = Buffer.from([0, 0, 0x65, 0x53, 0xf1, 0x00])
    const signed = signResponse(response, verdict.context, NOW + 1, { error: 18, otherData: other, fudge: 60 })
    const found = readTsig(signed)
    if (found.status !== 'found') throw new Error('not signed')
    const requestMac = request.context.requestMac
    const expected = createHmac('sha256', Buffer.from(key.secret as string, 'base64'))
      .update(Buffer.from([requestMac.length >> 8, requestMac.length & 0xff]))
      .update(requestMac)
      .update(response)
      .update(variables('k.example.', 'hmac-sha256.', NOW + 1, 60, 18, other))
      .digest()
    expect(found.record.mac.toString('hex')).toBe(expected.toString('hex'))
  })

  it('macsEqual: equal bytes only, and MACs of different lengths are unequal rather than an error', () => {
    expect(macsEqual(Buffer.from([1, 2, 3]), Buffer.from([1, 2, 3]))).toBe(true)
    expect(macsEqual(Buffer.from([1, 2, 3]), Buffer.from([1, 2, 4]))).toBe(false)
    expect(macsEqual(Buffer.from([1, 2, 3]), Buffer.from([1, 2, 3, 4]))).toBe(false)
    expect(macsEqual(Buffer.alloc(0), Buffer.alloc(10))).toBe(false)
  })

  it('assertHashAvailable throws for a hash this Node build lacks and passes for every TSIG hash', () => {
    expect(() => assertHashAvailable('no-such-hash', Buffer.from([1, 2, 3]))).toThrow()
    for (const algorithm of ALGORITHMS) expect(() => assertHashAvailable(TSIG_ALGORITHMS[algorithm].hash, Buffer.from([1, 2, 3]))).not.toThrow()
  })
})
