/** The CLI driven in-process: captured output, signals sent by the test, the exit status as a promise. */
import { EventEmitter } from 'node:events'
import { runCli } from '../../src/cli/program.js'

export interface CliRun {
  out: string[]
  err: string[]
  status: Promise<number>
  signal(name: 'SIGHUP' | 'SIGINT' | 'SIGTERM'): void
  /** Resolves with the first output line matching `pattern` (or rejects when the command ends first). */
  line(pattern: RegExp): Promise<string>
}

export function startCli(argv: string[], extra: { selfCommand?: readonly string[] } = {}): CliRun {
  const out: string[] = []
  const err: string[] = []
  const signals = new EventEmitter()
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = []
  const push = (target: string[]) => (line: string) => {
    target.push(line)
    for (const w of [...waiters]) if (w.pattern.test(line)) w.resolve(line)
  }
  const status = runCli(argv, { io: { out: push(out), err: push(err) }, signals, version: '9.9.9', ...extra })
  return {
    out,
    err,
    status,
    signal: (name) => signals.emit(name),
    line: (pattern) => {
      const seen = [...out, ...err].find((l) => pattern.test(l))
      if (seen !== undefined) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve })
        status.then((code) => reject(new Error(`the command ended (${code}) before printing ${pattern}; out: ${out.join(' | ')}; err: ${err.join(' | ')}`)), reject)
      })
    },
  }
}

/** The port in a "listening on ADDRESS#PORT" or "pool on ADDRESS#PORT" line. */
export function portOf(line: string): number {
  const m = /#(\d+)/.exec(line)
  if (!m) throw new Error(`no port in: ${line}`)
  return Number(m[1])
}
