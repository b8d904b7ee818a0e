import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { createKeyring, parseBindKeys, resolveTsigKey, signRequest, verifyRequest } from '../../src/tsig/index.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { NOW, queryBytes } from './helpers.js'

const TSIG_KEYGEN = '/usr/sbin/tsig-keygen'
const haveKeygen = spawnSync(TSIG_KEYGEN, ['-h']).error === undefined
if (!haveKeygen) console.warn(`skipping tsig-keygen parse test: ${TSIG_KEYGEN} is not installed (apt-get install bind9)`)

describe('parseBindKeys', () => {
  it('reads key statements with all three comment styles, quoted or bare names, any case', () => {
    const text = `# keys for the partner views
key "partner-key." {
\talgorithm hmac-sha256;   // what tsig-keygen picks
\tsecret "R8cVMxTSKpbDAbxB9ZhbbVVSDhpDV5b3uQjzPkcFhD4=";
};
/* a second key,
   on several lines */
KEY Legacy.Key { Algorithm HMAC-MD5.SIG-ALG.REG.INT; secret "c2VjcmV0"; };
key "x" { secret "AQID"; algorithm hmac-sha512; };
`
    expect(parseBindKeys(text, 'keys.conf')).toEqual([
      { name: 'partner-key.', algorithm: 'hmac-sha256', secret: 'R8cVMxTSKpbDAbxB9ZhbbVVSDhpDV5b3uQjzPkcFhD4=' },
      { name: 'legacy.key.', algorithm: 'hmac-md5', secret: 'c2VjcmV0' },
      { name: 'x.', algorithm: 'hmac-sha512', secret: 'AQID' },
    ])
    expect(parseBindKeys('// nothing here\n')).toEqual([])
  })

  it.each([
    ['options { };', 1, 1, /expected a key statement, found "options"/],
    ['key "k" {\n  algorithm hmac-sha256;\n  secret "AQID"\n};', 4, 1, /expected ";", found "}"/],
    ['key "k" {\n  algorithm hmac-sha3;\n  secret "AQID";\n};', 2, 13, /unsupported algorithm "hmac-sha3"/],
    ['key "k" {\n  algorithm hmac-sha256;\n  secret "AQ!D";\n};', 3, 10, /secret is not valid base64/],
    ['key "k" {\n  algorithm hmac-sha256;\n  keyfile "x";\n};', 3, 3, /unknown key clause "keyfile"/],
    ['key "k" {\n  algorithm hmac-sha256;\n};', 1, 1, /key "k" has no secret/],
    ['key "k" { secret "AQID"; };', 1, 1, /key "k" has no algorithm/],
    ['key "k" { algorithm hmac-sha256; secret "AQID"; };\nkey "K." { algorithm hmac-sha256; secret "AQID"; };', 2, 5, /key "K\." is defined twice/],
    ['key "k" {\n  algorithm hmac-sha256; /* unterminated', 2, 26, /comment is never closed/],
    ['key "k', 1, 5, /string is never closed/],
    ['key "k" { algorithm hmac-sha256; secret "AQID"; }', 1, 50, /expected ";" after the key statement before the end of the file/],
    ['key "a..b" { algorithm hmac-sha256; secret "AQID"; };', 1, 5, /empty label/],
  ])('reports %j at its line and column', (text, line, column, message) => {
    let error: unknown
    try {
      parseBindKeys(text, 'named.keys')
    } catch (e) {
      error = e
    }
    expect(isDnsHaError(error, 'ERR_CONFIG')).toBe(true)
    expect((error as Error).message).toMatch(new RegExp(`^named\\.keys:${line}:${column}: `))
    expect((error as Error).message).toMatch(message)
    expect((error as { details: unknown }).details).toEqual({ file: 'named.keys', line, column })
  })

  it.skipIf(!haveKeygen)('reads what tsig-keygen prints, for every algorithm it offers, into working keys', () => {
    for (const algorithm of ['hmac-sha256', 'hmac-sha512', 'hmac-sha1', 'hmac-md5']) {
      const out = spawnSync(TSIG_KEYGEN, ['-a', algorithm, `${algorithm}.partner.example`], { encoding: 'utf8' })
      expect(out.status, out.stderr).toBe(0)
      const keys = parseBindKeys(out.stdout, 'tsig-keygen')
      expect(keys).toHaveLength(1)
      expect(keys[0]).toMatchObject({ name: `${algorithm}.partner.example.`, algorithm })
      const ring = createKeyring(keys)
      const signed = signRequest(queryBytes(), resolveTsigKey(keys[0]!), NOW).bytes
      expect(verifyRequest(signed, ring, NOW).status).toBe('ok')
    }
  })
})
