/**
 * `--log-level`, `--log-format` and `--query-log`: the same flags on every serving command, and
 * the logger they make. Lines go to stderr (the command's `io.err`), text for people or one JSON
 * object per line for a log shipper; stdout keeps the command's own report lines.
 */
import { Option } from 'commander'
import type { Command } from 'commander'
import type { LogFormat } from '../util/line-logger.js'
import { createLineLogger } from '../util/line-logger.js'
import type { LogLevel, Logger } from '../util/logger.js'
import type { CliIo } from './service.js'

/** The parsed log flags. */
export interface LogFlags {
  logLevel: LogLevel
  logFormat: LogFormat
  /** Only on commands that answer DNS queries themselves (`serve`, `dnsmasq`). */
  queryLog?: boolean
}

/**
 * Adds the flags to `command`. The default level is `warn` (faults only, as the command's own
 * stdout lines already say what started); `info` adds state changes, `debug` everything.
 */
export function addLogOptions(command: Command, options: { queryLog: boolean }): Command {
  command
    .addOption(new Option('--log-level <level>', 'log lines at this level and above, to stderr').choices(['debug', 'info', 'warn', 'error']).default('warn'))
    .addOption(new Option('--log-format <format>', 'text (for people) or json (one object per line)').choices(['text', 'json']).default('text'))
  if (options.queryLog) command.option('--query-log', 'log every answered query at info (client, question, flags, rcode, size, µs), as BIND querylog / dnsmasq log-queries')
  return command
}

/**
 * The loggers the flags ask for, both writing to `io.err`: the components' one at `--log-level`,
 * and, with `--query-log`, the query log's own (at info, so it works whatever the level).
 */
export function cliLoggers(flags: LogFlags, io: CliIo): { logger: Logger; queryLog: Logger | undefined } {
  const logger = createLineLogger({ level: flags.logLevel, format: flags.logFormat, write: (line) => io.err(line) })
  const queryLog = flags.queryLog === true ? createLineLogger({ level: 'info', format: flags.logFormat, write: (line) => io.err(line) }) : undefined
  return { logger, queryLog }
}
