import { describe, expect, it } from 'vitest'
import { decodeSecret } from '../../src/tsig/secret.js'

describe('decodeSecret', () => {
  const secret = 'c2VjcmV0LWtleS1ieXRlcy0xMjM0NTY3ODkwYWJjZGVm' // 'secret-key-bytes-1234567890abcdef'

  it('decodes base64 to the exact bytes', () => {
    expect(decodeSecret(secret)).toEqual({ bytes: Buffer.from('secret-key-bytes-1234567890abcdef') })
  })

  it('allows whitespace between groups, as a BIND key file split over lines, with the same bytes', () => {
    const split = `${secret.slice(0, 12)} ${secret.slice(12, 24)}\n\t${secret.slice(24)}  `
    expect(decodeSecret(split)).toEqual(decodeSecret(secret))
  })

  it.each([
    ['', 'secret is empty'],
    [' \n\t ', 'secret is empty'],
    ['c2VjcmV0!!', 'secret is not valid base64'],
    ['c2VjcmV0a', 'secret is not valid base64'], // not a multiple of 4
    ['c2Vj=mV0', 'secret is not valid base64'], // padding inside
    ['c2VjcmV0===', 'secret is not valid base64'],
  ])('refuses %j: %s', (text, error) => {
    expect(decodeSecret(text)).toEqual({ error })
  })

  it('accepts one or two padding characters', () => {
    expect(decodeSecret('YWI=')).toEqual({ bytes: Buffer.from('ab') })
    expect(decodeSecret('YQ==')).toEqual({ bytes: Buffer.from('a') })
  })
})
