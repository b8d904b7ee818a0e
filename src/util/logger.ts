/**
 * The library never writes to the console; components take an optional `logger`. Two shapes are
 * accepted as they are, with no adapter to write:
 *
 * - message first, `info(message, meta?)`: the {@link Logger} interface, which `console` fits
 *   (and winston, whose `info(message, meta)` is the same shape);
 * - object first, `info(meta, message?)`: {@link ObjectFirstLogger}, the shape of pino and of
 *   pino-compatible loggers (bunyan).
 *
 * {@link toLogger} tells them apart by shape (see {@link isObjectFirstLogger} for the rule) and
 * gives every component a {@link ComponentLogger}: message and structured meta, the component's
 * own bindings (`{ component: 'vrrp', instance: 'VI_1' }`) on every line, through the logger's
 * own `child()` for pino, merged into the meta otherwise.
 */

/**
 * Where a component may report what it sees: the type of every component's `logger` option.
 * Every method is optional: a missing one drops that level. `console` fits it, and so do pino
 * and bunyan loggers (their methods also take a message first, so they type-check as one);
 * at run time the shape decides how they are called (see {@link isObjectFirstLogger}).
 */
export interface Logger {
  debug?(message: string, meta?: Record<string, unknown>): void
  info?(message: string, meta?: Record<string, unknown>): void
  warn?(message: string, meta?: Record<string, unknown>): void
  error?(message: string, meta?: Record<string, unknown>): void
}

/** A logger that says nothing. */
export const silentLogger: Logger = {}

/** The four levels components log at. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** Structured fields of one log line (and a component's bindings). */
export type LogMeta = Record<string, unknown>

/**
 * A pino-shaped logger: the merging object first, the message second (pino's
 * `logger.info(mergingObject, message)`), a `levels.values` table, `child(bindings)` and
 * `isLevelEnabled(level)`. Bunyan's loggers have the same call shape.
 */
export interface ObjectFirstLogger {
  debug?(meta: object, message?: string): void
  info?(meta: object, message?: string): void
  warn?(meta: object, message?: string): void
  error?(meta: object, message?: string): void
  /** A logger that adds `bindings` to every line (pino: `child(bindings, options?)`). */
  child?(bindings: LogMeta): ObjectFirstLogger
  /** pino: whether a call at `level` would be written. */
  isLevelEnabled?(level: string): boolean
  /** pino: `{ values: { info: 30, ... } }`; bunyan: a function. */
  levels?: { values: Record<string, number> } | ((...args: never[]) => unknown)
  /** bunyan: the logger's fields (its bindings). */
  fields?: object
}

/** Anything a component's `logger` option takes: console-shaped, pino-shaped, or a {@link ComponentLogger}. */
export type LoggerLike = Logger | ObjectFirstLogger | ComponentLogger

/**
 * What components log through: every level present (a no-op where the target has none), meta
 * always structured, and `child()` adding bindings. Made by {@link toLogger}.
 */
export interface ComponentLogger {
  debug(message: string, meta?: LogMeta): void
  info(message: string, meta?: LogMeta): void
  warn(message: string, meta?: LogMeta): void
  error(message: string, meta?: LogMeta): void
  /** A logger whose lines also carry `bindings` (the later binding of a key wins). */
  child(bindings: LogMeta): ComponentLogger
  /** Whether a line at `level` goes anywhere: skip building costly meta when it does not. */
  enabled(level: LogLevel): boolean
  /** The bindings every line carries (for message-first targets; pino keeps its own). */
  readonly bindings: Readonly<LogMeta>
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']
const COMPONENT_LOGGER = Symbol('dns-ha.componentLogger')

/**
 * The rule {@link toLogger} applies: a logger is object first when its `levels` is an object
 * with a `values` object (pino and its child loggers, and pino-compatible ones), or when
 * `levels` is a function and it has a `fields` object (bunyan). Anything else, `console`
 * included, is taken as message first ({@link Logger}).
 */
export function isObjectFirstLogger(logger: unknown): logger is ObjectFirstLogger {
  if (typeof logger !== 'object' || logger === null) return false
  const levels = (logger as { levels?: unknown }).levels
  if (typeof levels === 'object' && levels !== null && typeof (levels as { values?: unknown }).values === 'object') return true
  return typeof levels === 'function' && typeof (logger as { fields?: unknown }).fields === 'object'
}

/**
 * Normalises a component's `logger` option: `undefined` gives a logger that drops everything
 * (and whose `enabled()` is false), a {@link ComponentLogger} is taken as is (with `bindings`
 * added), a pino-shaped logger is called object first through its own `child(bindings)`, and
 * a console-shaped one message first with the bindings merged into each line's meta.
 */
export function toLogger(logger: LoggerLike | undefined, bindings: LogMeta = {}): ComponentLogger {
  if (logger === undefined || logger === null) return makeLogger(undefined, false, bindings)
  if ((logger as { [COMPONENT_LOGGER]?: true })[COMPONENT_LOGGER] === true) {
    const given = logger as ComponentLogger
    return Object.keys(bindings).length === 0 ? given : given.child(bindings)
  }
  if (isObjectFirstLogger(logger)) {
    if (typeof logger.child === 'function' && Object.keys(bindings).length > 0) return makeLogger(logger.child(bindings), true, {})
    return makeLogger(logger, true, bindings)
  }
  return makeLogger(logger as Logger, false, bindings)
}

/** Message text of an error-ish value, for log lines (the error itself goes in the meta). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}

function makeLogger(target: Logger | ObjectFirstLogger | undefined, objectFirst: boolean, bindings: LogMeta): ComponentLogger {
  const hasBindings = Object.keys(bindings).length > 0
  const write = (level: LogLevel, message: string, meta: LogMeta | undefined): void => {
    if (target === undefined) return
    const method = (target as Record<LogLevel, unknown>)[level]
    if (typeof method !== 'function') return
    // Bindings first, so a line's own meta wins a clash.
    const fields = hasBindings ? { ...bindings, ...meta } : (meta ?? {})
    if (objectFirst) (method as (meta: object, message: string) => void).call(target, fields, message)
    else if (hasBindings || meta !== undefined) (method as (message: string, meta: LogMeta) => void).call(target, message, fields)
    else (method as (message: string) => void).call(target, message)
  }
  const logger: ComponentLogger & { [COMPONENT_LOGGER]: true } = {
    [COMPONENT_LOGGER]: true,
    bindings,
    debug: (message, meta) => write('debug', message, meta),
    info: (message, meta) => write('info', message, meta),
    warn: (message, meta) => write('warn', message, meta),
    error: (message, meta) => write('error', message, meta),
    child: (more) => {
      if (objectFirst && target !== undefined && typeof (target as ObjectFirstLogger).child === 'function') {
        return makeLogger((target as ObjectFirstLogger).child!(more), true, bindings)
      }
      return makeLogger(target, objectFirst, { ...bindings, ...more })
    },
    enabled: (level) => {
      if (target === undefined || !LEVELS.includes(level)) return false
      if (typeof (target as Record<LogLevel, unknown>)[level] !== 'function') return false
      const isLevelEnabled = (target as ObjectFirstLogger).isLevelEnabled
      return objectFirst && typeof isLevelEnabled === 'function' ? isLevelEnabled.call(target, level) : true
    },
  }
  return logger
}
