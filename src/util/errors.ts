/**
 * One error type for the whole library, told apart by a module-prefixed `code`.
 *
 * Checked with {@link isDnsHaError} through a brand property rather than `instanceof`, because
 * the ESM and CJS builds may both be loaded in one process and each has its own class.
 */

/** Codes every module may use; modules add their own `ERR_<MODULE>_...` strings. */
export type DnsHaErrorCode =
  | 'ERR_CONFIG'
  | 'ERR_ZONE_SYNTAX'
  | 'ERR_ZONE_INCLUDE'
  | 'ERR_ZONE_CHECK'
  | 'ERR_PACKET_MALFORMED'
  | 'ERR_SERVER_LISTEN'
  | 'ERR_SERVER_CLOSED'
  | 'ERR_QUERY_TIMEOUT'
  | 'ERR_QUERY_NETWORK'
  | 'ERR_QUERY_MISMATCH'
  | 'ERR_QUERY_ABORTED'
  | 'ERR_QUERY_TRUNCATED'
  | 'ERR_HANDLER'
  | (string & {})

const BRAND = Symbol.for('dns-ha.error')

/** Options for {@link DnsHaError}: the underlying cause and any structured details. */
export interface DnsHaErrorOptions {
  cause?: unknown
  details?: Record<string, unknown>
}

/** The library's error: a stable `code`, a message for people, optional `cause` and `details`. */
export class DnsHaError extends Error {
  readonly code: DnsHaErrorCode
  readonly details: Record<string, unknown> | undefined
  readonly [BRAND] = true

  constructor(code: DnsHaErrorCode, message: string, options: DnsHaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'DnsHaError'
    this.code = code
    this.details = options.details
  }
}

/** True when `e` is a {@link DnsHaError} (from any copy of the library), optionally with `code`. */
export function isDnsHaError(e: unknown, code?: DnsHaErrorCode): e is DnsHaError {
  if (typeof e !== 'object' || e === null || (e as Record<symbol, unknown>)[BRAND] !== true) return false
  return code === undefined || (e as DnsHaError).code === code
}
