// Every way a configured key can be wrong, with the exact ERR_CONFIG message a user reads.
import { describe, expect, it } from 'vitest'
import { createKeyring, resolveTsigKey } from '../../src/tsig/index.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { keyFor } from './helpers.js'

/** The error `run` throws. */
function thrown(run: () => unknown): Error & { code?: string; cause?: unknown } {
  try {
    run()
  } catch (error) {
    return error as Error
  }
  throw new Error('did not throw')
}

describe('createKeyring and resolveTsigKey edges', () => {
  it('prefixes errors with "key" when no position is given', () => {
    const error = thrown(() => resolveTsigKey({ name: 'k', algorithm: 'hmac-sha256', secret: '' }))
    expect(error.message).toBe('key: secret is empty')
  })

  it('refuses a missing key, a missing or non-text name, and the root name', () => {
    for (const key of [null, { algorithm: 'hmac-sha256', secret: 'AQID' }, { name: 5, algorithm: 'hmac-sha256', secret: 'AQID' }, { name: '.', algorithm: 'hmac-sha256', secret: 'AQID' }]) {
      const error = thrown(() => createKeyring([key as never]))
      expect(isDnsHaError(error, 'ERR_CONFIG')).toBe(true)
      expect(error.message).toBe('keys[0]: a TSIG key needs a name')
    }
  })

  it('refuses an algorithm that is not text, listing the known ones', () => {
    const error = thrown(() => createKeyring([{ name: 'k', algorithm: 5 as never, secret: 'AQID' }]))
    expect(isDnsHaError(error, 'ERR_CONFIG')).toBe(true)
    expect(error.message).toBe('keys[0]: unknown TSIG algorithm 5 (known: hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512)')
  })

  it('accepts the algorithm by its wire name, with or without the trailing dot', () => {
    expect(resolveTsigKey({ name: 'k', algorithm: 'HMAC-SHA1.' as never, secret: 'AQID' }).algorithm).toBe('hmac-sha1')
    expect(resolveTsigKey({ name: 'k', algorithm: 'hmac-md5.sig-alg.reg.int' as never, secret: 'AQID' }).algorithm).toBe('hmac-md5')
  })

  it('keeps the name error as the cause of a bad key name', () => {
    const error = thrown(() => createKeyring([{ name: 'a..b', algorithm: 'hmac-sha256', secret: 'AQID' }]))
    expect(isDnsHaError(error, 'ERR_CONFIG')).toBe(true)
    expect(isDnsHaError(error.cause, 'ERR_NAME')).toBe(true)
    expect(error.message).toBe(`keys[0]: ${(error.cause as Error).message}`)
  })

  it('reports a duplicate name as ERR_CONFIG naming the second entry', () => {
    const error = thrown(() => createKeyring([keyFor('hmac-sha256', 'k.'), keyFor('hmac-sha1', 'K')]))
    expect(isDnsHaError(error, 'ERR_CONFIG')).toBe(true)
    expect(error.message).toBe('keys[1]: duplicate TSIG key "k."')
  })
})
