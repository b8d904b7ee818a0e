/**
 * One error type for the whole library, told apart by a module-prefixed `code`.
 *
 * Checked with {@link isDnsHaError} through a brand property rather than `instanceof`, because
 * the ESM and CJS builds may both be loaded in one process and each has its own class.
 */

/** Codes every module may use; modules add their own `ERR_<MODULE>_...` strings. */
export type DnsHaErrorCode =
  | 'ERR_CONFIG'
  | 'ERR_CONFIG_FILE'
  | 'ERR_ZONE_SYNTAX'
  | 'ERR_ZONE_INCLUDE'
  | 'ERR_ZONE_CHECK'
  | 'ERR_ZONE_LIMIT'
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

/** Where in a configuration file something went wrong (1-based line and column). */
export interface ConfigPosition {
  file: string
  line: number
  column: number
}

/**
 * A configuration file (dnsmasq.conf, hosts, resolv.conf...) that cannot be read as written.
 * The message is `file:line:column: reason`; `file`, `line` and `column` are fields, as on the
 * zone parser's `ZoneSyntaxError`, and are copied into `details`. `code` is `ERR_CONFIG` unless
 * the caller names a narrower one.
 */
export class ConfigSyntaxError extends DnsHaError {
  readonly file: string
  readonly line: number
  readonly column: number
  /** The message without the position prefix. */
  readonly reason: string

  constructor(reason: string, position: ConfigPosition, options: DnsHaErrorOptions & { code?: DnsHaErrorCode } = {}) {
    super(options.code ?? 'ERR_CONFIG', `${position.file}:${position.line}:${position.column}: ${reason}`, {
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      details: { ...options.details, file: position.file, line: position.line, column: position.column },
    })
    this.name = 'ConfigSyntaxError'
    this.file = position.file
    this.line = position.line
    this.column = position.column
    this.reason = reason
  }
}

/**
 * A configuration file that cannot be read at all (missing, unreadable, a directory). `file` is
 * the path as given; `code` is `ERR_CONFIG_FILE`; `cause` is the underlying error (its `code`,
 * such as `ENOENT`, is copied to `details.errno`).
 */
export class ConfigFileError extends DnsHaError {
  readonly file: string
  /** The message without the path prefix. */
  readonly reason: string

  constructor(file: string, reason: string, options: DnsHaErrorOptions = {}) {
    const errno = (options.cause as { code?: unknown } | undefined)?.code
    super('ERR_CONFIG_FILE', `${file}: ${reason}`, {
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      details: { ...options.details, file, ...(typeof errno === 'string' ? { errno } : {}) },
    })
    this.name = 'ConfigFileError'
    this.file = file
    this.reason = reason
  }
}
