// A Node build without a hash (MD5 under FIPS): the keyring must refuse the key when it is built,
// not fail on the first signed query. node:crypto cannot be switched to FIPS in a test, so the
// crypto seam's availability check is made to refuse md5.
import { describe, expect, it, vi } from 'vitest'
import { createKeyring } from '../../src/tsig/index.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { keyFor } from './helpers.js'

vi.mock('../../src/tsig/mac.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/tsig/mac.js')>()
  return {
    ...real,
    assertHashAvailable: (hash: string, secret: Uint8Array): void => {
      if (hash === 'md5') throw new Error('Digest method not supported')
      real.assertHashAvailable(hash, secret)
    },
  }
})

describe('createKeyring when a hash is unavailable', () => {
  it('throws ERR_CONFIG at construction naming the key and algorithm, with the crypto error as cause', () => {
    let error: (Error & { cause?: unknown }) | undefined
    try {
      createKeyring([keyFor('hmac-sha256'), keyFor('hmac-md5')])
    } catch (e) {
      error = e as Error
    }
    expect(isDnsHaError(error, 'ERR_CONFIG')).toBe(true)
    expect(error!.message).toBe('keys[1]: hmac-md5 is not available in this Node build')
    expect((error!.cause as Error).message).toBe('Digest method not supported')
    expect(createKeyring([keyFor('hmac-sha256')]).names).toEqual(['hmac-sha256-key.example.'])
  })
})
