/**
 * The HMAC algorithms TSIG defines (RFC 8945 §6) and what each needs: the name that goes on the
 * wire, the node:crypto hash, and the full MAC length that truncation rules are measured from.
 */

/** A TSIG algorithm, by the short name BIND's `algorithm` clause and `dig -y` use. */
export type TsigAlgorithm = 'hmac-sha256' | 'hmac-sha1' | 'hmac-sha224' | 'hmac-sha384' | 'hmac-sha512' | 'hmac-md5'

/** What an algorithm is on the wire and in node:crypto. */
export interface TsigAlgorithmInfo {
  /** The algorithm name carried in the TSIG record, lower case with a trailing dot. */
  wireName: string
  /** The node:crypto hash name for `createHmac`. */
  hash: string
  /** The untruncated MAC length in bytes. */
  macSize: number
}

/**
 * Every supported algorithm. HMAC-MD5 keeps its historical name from RFC 2845; the others are
 * named after the hash (RFC 4635).
 */
export const TSIG_ALGORITHMS: Readonly<Record<TsigAlgorithm, TsigAlgorithmInfo>> = {
  'hmac-md5': { wireName: 'hmac-md5.sig-alg.reg.int.', hash: 'md5', macSize: 16 },
  'hmac-sha1': { wireName: 'hmac-sha1.', hash: 'sha1', macSize: 20 },
  'hmac-sha224': { wireName: 'hmac-sha224.', hash: 'sha224', macSize: 28 },
  'hmac-sha256': { wireName: 'hmac-sha256.', hash: 'sha256', macSize: 32 },
  'hmac-sha384': { wireName: 'hmac-sha384.', hash: 'sha384', macSize: 48 },
  'hmac-sha512': { wireName: 'hmac-sha512.', hash: 'sha512', macSize: 64 },
}

/**
 * The algorithm a name stands for: the short name (`hmac-sha256`, any case), the wire name
 * (`hmac-sha256.`, `hmac-md5.sig-alg.reg.int.`) or the wire name without its trailing dot, as
 * BIND accepts in key files. `undefined` when it is none of ours.
 */
export function tsigAlgorithmOf(name: string): TsigAlgorithm | undefined {
  const lower = name.toLowerCase()
  const bare = lower.endsWith('.') ? lower.slice(0, -1) : lower
  if (bare === 'hmac-md5.sig-alg.reg.int') return 'hmac-md5'
  return Object.hasOwn(TSIG_ALGORITHMS, bare) ? (bare as TsigAlgorithm) : undefined
}

/**
 * The shortest MAC a receiver accepts for this algorithm: RFC 8945 §5.2.2.1 allows truncation
 * down to the larger of 10 bytes and half the hash output.
 */
export function minimumMacSize(algorithm: TsigAlgorithm): number {
  return Math.max(10, Math.ceil(TSIG_ALGORITHMS[algorithm].macSize / 2))
}
