import { describe, expect, it } from 'vitest'
import { createKeyring, resolveTsigKey } from '../../src/tsig/index.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { ALGORITHMS, keyFor } from './helpers.js'

describe('createKeyring', () => {
  it('finds keys by name in any case, with or without the trailing dot', () => {
    const ring = createKeyring([{ name: 'Transfer-Key', algorithm: 'hmac-sha256', secret: 'c2VjcmV0LWJ5dGVz' }])
    expect(ring.names).toEqual(['transfer-key.'])
    for (const name of ['transfer-key', 'TRANSFER-KEY.', 'Transfer-Key.']) expect(ring.get(name)?.name).toBe('transfer-key.')
    expect(ring.get('other-key.')).toBeUndefined()
    const key = ring.get('transfer-key.')!
    expect(key.secret.toString()).toBe('secret-bytes')
    expect(key.nameWire).toEqual(Buffer.from('\x0ctransfer-key\x00', 'latin1'))
    expect(key.algorithmWire).toEqual(Buffer.from('\x0bhmac-sha256\x00', 'latin1'))
  })

  it('prepares every algorithm, HMAC-MD5 under its RFC 2845 name', () => {
    for (const algorithm of ALGORITHMS) expect(resolveTsigKey(keyFor(algorithm)).algorithm).toBe(algorithm)
    expect(resolveTsigKey(keyFor('hmac-md5')).algorithmWire.toString('latin1')).toBe('\x08hmac-md5\x07sig-alg\x03reg\x03int\x00')
  })

  it('takes raw secret bytes as well as base64', () => {
    const fromBytes = resolveTsigKey({ name: 'k', algorithm: 'hmac-sha1', secret: Uint8Array.from([1, 2, 3]) })
    const fromText = resolveTsigKey({ name: 'k', algorithm: 'hmac-sha1', secret: 'AQID' })
    expect(fromBytes.secret).toEqual(fromText.secret)
  })

  it.each([
    [{ name: 'k', algorithm: 'hmac-sha256', secret: 'not base64!' }, /not valid base64/],
    [{ name: 'k', algorithm: 'hmac-sha256', secret: 'abc' }, /not valid base64/],
    [{ name: 'k', algorithm: 'hmac-sha256', secret: '' }, /empty/],
    [{ name: 'k', algorithm: 'hmac-sha256', secret: new Uint8Array(0) }, /non-empty bytes/],
    [{ name: 'k', algorithm: 'hmac-sha3', secret: 'AQID' }, /unknown TSIG algorithm "hmac-sha3"/],
    [{ name: '', algorithm: 'hmac-sha256', secret: 'AQID' }, /needs a name/],
    [{ name: 'a..b', algorithm: 'hmac-sha256', secret: 'AQID' }, /empty label/],
    [{ name: 'x'.repeat(64), algorithm: 'hmac-sha256', secret: 'AQID' }, /longer than 63/],
    [{ name: 'schl\u00fcssel-\u043a\u043b\u044e\u0447', algorithm: 'hmac-sha256', secret: 'AQID' }, /not a byte/],
  ])('throws ERR_CONFIG for %j', (key, message) => {
    let error: unknown
    try {
      createKeyring([key as never])
    } catch (e) {
      error = e
    }
    expect(isDnsHaError(error, 'ERR_CONFIG')).toBe(true)
    expect((error as Error).message).toMatch(message)
    expect((error as Error).message).toMatch(/^keys\[0\]: /)
  })

  it('refuses the same key name twice, whatever its case', () => {
    expect(() => createKeyring([keyFor('hmac-sha256', 'k.'), keyFor('hmac-sha1', 'K')])).toThrow(/keys\[1\]: duplicate TSIG key "k\."/)
  })
})
