/**
 * Errors and diagnostics of the zone module.
 */
import { DnsHaError } from '../util/errors.js'
import type { DnsHaErrorCode } from '../util/errors.js'

/** A warning or finding tied to a place in a master file. */
export interface ZoneDiagnostic {
  /** Stable code, e.g. `'no-ttl'`, `'cname-and-other-data'`. */
  code: string
  message: string
  file: string
  line: number
  column: number
}

/**
 * A master file that cannot be read as written. The message is `file:line:column: message`;
 * `text` is the offending token or line. `line` and `column` are 1-based; the column counts
 * bytes (zone text is bytes: `é` in UTF-8 is two columns). A limit crossed (see `ZoneLimits`) is
 * one too, with code `ERR_ZONE_LIMIT` and the limit's name in `details.limit`.
 */
export class ZoneSyntaxError extends DnsHaError {
  readonly file: string
  readonly line: number
  readonly column: number
  readonly text: string
  /** The message without the position prefix. */
  readonly reason: string

  constructor(
    reason: string,
    position: { file: string; line: number; column: number; text: string },
    code: DnsHaErrorCode = 'ERR_ZONE_SYNTAX',
    extra?: Record<string, unknown>,
  ) {
    // The lexer's text is bytes (one char per byte): show UTF-8 as the characters it spells.
    const why = readable(reason)
    const text = readable(position.text)
    super(code, `${position.file}:${position.line}:${position.column}: ${why}`, {
      details: { ...extra, file: position.file, line: position.line, column: position.column, text },
    })
    this.name = 'ZoneSyntaxError'
    this.file = position.file
    this.line = position.line
    this.column = position.column
    this.text = text
    this.reason = why
  }
}

/**
 * A zone file that cannot be read (missing, a directory, no permission): code `ERR_ZONE_FILE`,
 * the message `cannot read zone file '<path>': <why>`, `file` the path, `cause` the system error.
 * (An `$INCLUDE`d file that cannot be read is a {@link ZoneSyntaxError} with code
 * `ERR_ZONE_FILE` at the `$INCLUDE` line.)
 */
export class ZoneFileError extends DnsHaError {
  /** The path that could not be read. */
  readonly file: string

  constructor(file: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause)
    super('ERR_ZONE_FILE', `cannot read zone file '${file}': ${why}`, { cause, details: { file } })
    this.name = 'ZoneFileError'
    this.file = file
  }
}

/** A byte string (one char per byte) that is UTF-8, as the text it spells; other strings as they are. */
function readable(s: string): string {
  let ascii = true
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c > 0xff) return s
    if (c > 0x7f) ascii = false
  }
  if (ascii) return s
  const bytes = Buffer.from(s, 'latin1')
  const text = bytes.toString('utf8')
  return Buffer.from(text, 'utf8').equals(bytes) ? text : s
}
