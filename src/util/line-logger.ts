/**
 * {@link createLineLogger}: a {@link Logger} that formats each call as one line, human text or
 * one JSON object, and hands it to a `write` function (the `dns-ha` command writes to stderr).
 * It is the JSON format of the command line, for when no pino is at hand; a program that has
 * pino passes it as `logger` instead.
 */
import type { Clock } from './clock.js'
import { realClock } from './clock.js'
import type { LogLevel, LogMeta, Logger } from './logger.js'

/** The two line formats: `text` (for people) or `json` (one object per line, for shippers). */
export type LogFormat = 'text' | 'json'

/** Options for {@link createLineLogger}. */
export interface LineLoggerOptions {
  /** Receives each formatted line, without a trailing newline. */
  write: (line: string) => void
  /** Lines below this level are not formatted at all (default `'info'`). */
  level?: LogLevel
  /** Default `'text'`. */
  format?: LogFormat
  /** Time stamps come from here (default the real clock). */
  clock?: Clock
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

/** Whether `value` names a {@link LogLevel}. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RANK, value)
}

/**
 * A console-shaped {@link Logger} writing one line per call. The methods below `level` are
 * absent, so components skip those lines without building them.
 *
 * - `text`: `2026-12-03T18:00:00.000Z WARN  [vrrp VI_1] message key=value key="two words"`
 *   (the `component` and `instance` fields go in the brackets);
 * - `json`: `{"time":"…","level":"warn","component":"vrrp","msg":"message",…meta}` — the meta
 *   flat, as pino writes it; an `Error` value becomes `{ "message", "name", "code"? }`.
 */
export function createLineLogger(options: LineLoggerOptions): Logger {
  const threshold = RANK[options.level ?? 'info']
  if (threshold === undefined) throw new TypeError(`level must be debug, info, warn or error, got ${String(options.level)}`)
  const format = options.format ?? 'text'
  if (format !== 'text' && format !== 'json') throw new TypeError(`format must be text or json, got ${String(format)}`)
  const clock = options.clock ?? realClock
  const logger: Logger = {}
  for (const level of Object.keys(RANK) as LogLevel[]) {
    if (RANK[level] < threshold) continue
    logger[level] = (message: string, meta?: LogMeta) => {
      const time = new Date(clock.now()).toISOString()
      options.write(format === 'json' ? jsonLine(time, level, message, meta) : textLine(time, level, message, meta))
    }
  }
  return logger
}

function jsonLine(time: string, level: LogLevel, message: string, meta: LogMeta | undefined): string {
  const { component, ...rest } = meta ?? {}
  const line: LogMeta = { time, level }
  if (component !== undefined) line.component = component
  line.msg = message
  for (const [key, value] of Object.entries(rest)) {
    if (key !== 'time' && key !== 'level' && key !== 'msg') line[key] = value
  }
  return JSON.stringify(line, replacer)
}

function textLine(time: string, level: LogLevel, message: string, meta: LogMeta | undefined): string {
  const { component, instance, ...rest } = meta ?? {}
  const where = [component, instance].filter((v) => v !== undefined && v !== '').map(String).join(' ')
  let line = `${time} ${level.toUpperCase().padEnd(5)} ${where ? `[${where}] ` : ''}${message}`
  for (const [key, value] of Object.entries(rest)) {
    if (value === undefined) continue
    line += ` ${key}=${textValue(value)}`
  }
  return line
}

function textValue(value: unknown): string {
  if (value instanceof Error) return quote(value.message)
  if (typeof value === 'string') return quote(value)
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === null) return String(value)
  return JSON.stringify(value, replacer) ?? String(value)
}

function quote(text: string): string {
  return text !== '' && /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text)
}

/** Errors are plain objects to JSON.stringify (`{}`): keep what an operator needs. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code
    return code === undefined ? { name: value.name, message: value.message } : { name: value.name, message: value.message, code }
  }
  if (typeof value === 'bigint') return value.toString()
  return value
}
