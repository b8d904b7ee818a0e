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
 * `text` is the offending token or line.
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
  ) {
    super(code, `${position.file}:${position.line}:${position.column}: ${reason}`, {
      details: { file: position.file, line: position.line, column: position.column, text: position.text },
    })
    this.name = 'ZoneSyntaxError'
    this.file = position.file
    this.line = position.line
    this.column = position.column
    this.text = position.text
    this.reason = reason
  }
}
