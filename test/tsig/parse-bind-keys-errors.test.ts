// The exact message and file:line:column of each mistake a BIND user can make in a key file, and
// the layouts BIND accepts (CRLF, comments glued to punctuation, strings and comments over lines).
import { describe, expect, it } from 'vitest'
import { parseBindKeys } from '../../src/tsig/index.js'
import { isDnsHaError } from '../../src/util/errors.js'

/** The ERR_CONFIG `parseBindKeys(text, fileName)` throws: its message and position details. */
function errorOf(text: string, fileName?: string): { message: string; details: unknown } {
  try {
    parseBindKeys(text, fileName)
  } catch (error) {
    expect(isDnsHaError(error, 'ERR_CONFIG')).toBe(true)
    return { message: (error as Error).message, details: (error as { details: unknown }).details }
  }
  throw new Error('parseBindKeys did not throw')
}

const GOOD = 'algorithm hmac-sha256; secret "AQID";'

describe('parseBindKeys errors', () => {
  it('names the file <keys> when no file name is given', () => {
    expect(errorOf('bogus;')).toEqual({ message: '<keys>:1:1: expected a key statement, found "bogus"', details: { file: '<keys>', line: 1, column: 1 } })
  })

  it('refuses a quoted "key" where the key keyword belongs', () => {
    expect(errorOf(`"key" k { ${GOOD} };`, 'a.conf').message).toBe('a.conf:1:1: expected a key statement, found "key"')
  })

  it('reports a missing key name at the end of the file, and at the brace that came instead', () => {
    expect(errorOf('key', 'a.conf')).toEqual({ message: 'a.conf:1:4: expected a key name', details: { file: 'a.conf', line: 1, column: 4 } })
    expect(errorOf('key\n  {', 'a.conf')).toEqual({ message: 'a.conf:2:3: expected a key name', details: { file: 'a.conf', line: 2, column: 3 } })
  })

  it('reports a bare word at the very end of the file', () => {
    expect(errorOf('# keys\nbogus', 'a.conf').message).toBe('a.conf:2:1: expected a key statement, found "bogus"')
  })

  it('reports a missing opening brace with the token found instead', () => {
    expect(errorOf('key k algorithm hmac-sha256;', 'a.conf').message).toBe('a.conf:1:7: expected "{", found "algorithm"')
  })

  it('reports a stray semicolon where a clause belongs', () => {
    expect(errorOf('key k { ; };', 'a.conf').message).toBe('a.conf:1:9: expected algorithm or secret, found ";"')
  })

  it('reports a clause without a value, not the semicolon as an algorithm', () => {
    expect(errorOf('key k { algorithm ; };', 'a.conf').message).toBe('a.conf:1:19: expected a value for algorithm')
    expect(errorOf('key k { secret', 'a.conf').message).toBe('a.conf:1:15: expected a value for secret')
  })

  it('lists the supported algorithms when one is unknown', () => {
    expect(errorOf('key k { algorithm hmac-sha3; };', 'a.conf').message).toBe(
      'a.conf:1:19: unsupported algorithm "hmac-sha3" (supported: hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512)',
    )
  })

  it('reports an empty secret at its string', () => {
    expect(errorOf('key k { algorithm hmac-sha256; secret ""; };', 'a.conf').message).toBe('a.conf:1:39: secret is empty')
  })

  it('reports a key statement cut off before its closing brace', () => {
    expect(errorOf(`key k { ${GOOD}`, 'a.conf')).toEqual({
      message: 'a.conf:1:46: expected "}" before the end of the file',
      details: { file: 'a.conf', line: 1, column: 46 },
    })
  })

  it('reports a missing semicolon after the closing brace at the next token', () => {
    expect(errorOf(`key k { ${GOOD} } key`, 'a.conf').message).toBe('a.conf:1:49: expected ";" after the key statement, found "key"')
  })

  it('counts the lines inside a multi-line comment for the positions after it', () => {
    expect(errorOf('/* a\n b */ bogus', 'a.conf').message).toBe('a.conf:2:7: expected a key statement, found "bogus"')
    expect(errorOf('/* a\n\n*/\n\n  bogus', 'a.conf').message).toBe('a.conf:5:3: expected a key statement, found "bogus"')
  })

  it('counts the lines inside a secret split over lines for the positions after it', () => {
    const text = 'key k {\n algorithm hmac-sha256;\n secret "AQID\n   AQID";\n keyfile "x";\n};'
    expect(errorOf(text, 'a.conf')).toEqual({ message: 'a.conf:5:2: unknown key clause "keyfile"', details: { file: 'a.conf', line: 5, column: 2 } })
  })
})

describe('parseBindKeys layouts BIND accepts', () => {
  it('reads a file with CRLF line ends', () => {
    expect(parseBindKeys('key k {\r\n\talgorithm hmac-sha256;\r\n\tsecret "AQID";\r\n};\r\n')).toEqual([{ name: 'k.', algorithm: 'hmac-sha256', secret: 'AQID' }])
  })

  it('reads comments glued to the punctuation before them, and a // comment on the last line without a newline', () => {
    expect(parseBindKeys('key k { algorithm hmac-sha256;// c\n secret "AQID";};//end')).toEqual([{ name: 'k.', algorithm: 'hmac-sha256', secret: 'AQID' }])
    expect(parseBindKeys('key k { algorithm hmac-sha256;# c\n secret "AQID";};/* end */')).toEqual([{ name: 'k.', algorithm: 'hmac-sha256', secret: 'AQID' }])
  })

  it('ends a bare word at a comment that follows it directly', () => {
    expect(parseBindKeys('key k { algorithm hmac-sha256// c\n; secret AQID/* c */; };')).toEqual([{ name: 'k.', algorithm: 'hmac-sha256', secret: 'AQID' }])
  })

  it('takes /*/ as the start of a comment, not as its end', () => {
    expect(parseBindKeys(`/*/ not closed here\n*/ key k { ${GOOD} };`)).toEqual([{ name: 'k.', algorithm: 'hmac-sha256', secret: 'AQID' }])
  })

  it('reads an unquoted secret that starts with a slash, and an algorithm written with its trailing dot', () => {
    expect(parseBindKeys('key k { algorithm hmac-sha256.; secret /wID; };')).toEqual([{ name: 'k.', algorithm: 'hmac-sha256', secret: '/wID' }])
    expect(parseBindKeys('key k { algorithm HMAC-MD5.SIG-ALG.REG.INT.; secret AQID; };')).toEqual([{ name: 'k.', algorithm: 'hmac-md5', secret: 'AQID' }])
  })

  it('keeps a star inside a key name, which is no comment', () => {
    expect(parseBindKeys(`key a*b { ${GOOD} };`)).toEqual([{ name: 'a*b.', algorithm: 'hmac-sha256', secret: 'AQID' }])
  })

  it('joins a secret split over lines and groups into one base64 string', () => {
    expect(parseBindKeys('key k { algorithm hmac-sha256; secret "AQ ID\n\tAQID"; };')).toEqual([{ name: 'k.', algorithm: 'hmac-sha256', secret: 'AQIDAQID' }])
  })
})
