/**
 * {@link Keyring}: the keys a server or client knows, looked up by the name in a TSIG record.
 * Built once from a list (`createKeyring`), with every mistake reported at construction.
 */
import { DnsHaError } from '../util/errors.js'
import { TSIG_ALGORITHMS, tsigAlgorithmOf } from './algorithms.js'
import type { ResolvedTsigKey, TsigKey } from './key.js'
import { assertHashAvailable } from './mac.js'
import { decodeSecret } from './secret.js'
import { canonicalName, nameToWire } from '../packet/names.js'

/** A set of TSIG keys by name (case-insensitive). */
export interface Keyring {
  /** The key named `name` (any case, trailing dot optional), or `undefined`. */
  get(name: string): ResolvedTsigKey | undefined
  /** The key names, lower case with a trailing dot. */
  readonly names: readonly string[]
}

/**
 * A keyring from a list of keys (for example what {@link parseBindKeys} returned). Throws
 * `ERR_CONFIG` on an unknown algorithm, a secret that is not base64 or is empty, a malformed key
 * name, or the same name twice.
 */
export function createKeyring(keys: readonly TsigKey[]): Keyring {
  const byName = new Map<string, ResolvedTsigKey>()
  keys.forEach((key, index) => {
    const resolved = resolveTsigKey(key, `keys[${index}]`)
    if (byName.has(resolved.name)) throw new DnsHaError('ERR_CONFIG', `keys[${index}]: duplicate TSIG key ${JSON.stringify(resolved.name)}`)
    byName.set(resolved.name, resolved)
  })
  const names = Object.freeze([...byName.keys()])
  return {
    get: (name) => byName.get(canonicalName(name)),
    names,
  }
}

/** Checks one key and prepares it for signing; `where` prefixes error messages. */
export function resolveTsigKey(key: TsigKey, where = 'key'): ResolvedTsigKey {
  if (!key || typeof key.name !== 'string' || key.name === '' || key.name === '.') {
    throw new DnsHaError('ERR_CONFIG', `${where}: a TSIG key needs a name`)
  }
  const algorithm = typeof key.algorithm === 'string' ? tsigAlgorithmOf(key.algorithm) : undefined
  if (!algorithm) throw new DnsHaError('ERR_CONFIG', `${where}: unknown TSIG algorithm ${JSON.stringify(key.algorithm)} (known: ${Object.keys(TSIG_ALGORITHMS).join(', ')})`)
  let secret: Buffer
  if (typeof key.secret === 'string') {
    const decoded = decodeSecret(key.secret)
    if ('error' in decoded) throw new DnsHaError('ERR_CONFIG', `${where}: ${decoded.error}`)
    secret = decoded.bytes
  } else if (key.secret instanceof Uint8Array && key.secret.length > 0) {
    secret = Buffer.from(key.secret)
  } else {
    throw new DnsHaError('ERR_CONFIG', `${where}: secret must be base64 text or non-empty bytes`)
  }
  let nameWire: Buffer
  try {
    nameWire = nameToWire(key.name, { lowerCase: true })
  } catch (cause) {
    throw new DnsHaError('ERR_CONFIG', `${where}: ${(cause as Error).message}`, { cause })
  }
  const info = TSIG_ALGORITHMS[algorithm]
  // Fail now, not on the first query, if this Node build lacks the hash (e.g. MD5 under FIPS).
  try {
    assertHashAvailable(info.hash, secret)
  } catch (cause) {
    throw new DnsHaError('ERR_CONFIG', `${where}: ${algorithm} is not available in this Node build`, { cause })
  }
  return {
    name: canonicalName(key.name),
    algorithm,
    secret,
    nameWire,
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: every wire name in TSIG_ALGORITHMS is already lower case
    algorithmWire: nameToWire(info.wireName, { lowerCase: true }),
    hash: info.hash,
    macSize: info.macSize,
  }
}
