/**
 * The library never writes to the console; components take an optional {@link Logger}.
 * `console` itself fits the shape.
 */

/** Where a component may report what it sees. Every method is optional. */
export interface Logger {
  debug?(message: string, meta?: Record<string, unknown>): void
  info?(message: string, meta?: Record<string, unknown>): void
  warn?(message: string, meta?: Record<string, unknown>): void
  error?(message: string, meta?: Record<string, unknown>): void
}

/** A logger that says nothing. */
export const silentLogger: Logger = {}
