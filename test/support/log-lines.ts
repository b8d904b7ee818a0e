// A console-shaped logger that records every call as [level, message, meta], for log tests.
import type { Logger } from '../../src/util/logger.js'

export type LogLine = [level: string, message: string, meta: Record<string, unknown>]

export function recordingLogger(): { logger: Logger; lines: LogLine[]; at: (level: string) => LogLine[] } {
  const lines: LogLine[] = []
  const rec = (level: string) => (message: string, meta?: Record<string, unknown>) => {
    lines.push([level, message, meta ?? {}])
  }
  return { logger: { debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') }, lines, at: (level) => lines.filter((l) => l[0] === level) }
}
