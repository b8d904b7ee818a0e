/**
 * Decoding a base64 TSIG secret strictly. Node's `Buffer.from(s, 'base64')` skips characters it
 * does not know, so a mangled secret would silently become another key; we refuse it instead.
 */

/**
 * The bytes of a base64 secret (whitespace allowed between groups, as in BIND key files), or a
 * reason it is not one.
 */
export function decodeSecret(text: string): { bytes: Buffer } | { error: string } {
  const compact = text.replace(/\s/g, '')
  if (compact === '') return { error: 'secret is empty' }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) return { error: 'secret is not valid base64' }
  return { bytes: Buffer.from(compact, 'base64') }
}
