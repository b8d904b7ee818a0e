/**
 * {@link scriptCheck}: keepalived's `MISC_CHECK`. Exit 0 is up, anything else down; with
 * `dynamic`, exit 2..255 is up with weight code - 2 (`misc_dynamic`). A script that cannot be
 * started is a failure, never a pass; one that outlives `timeoutMs` (`misc_timeout`) or the run
 * is killed with its whole process group.
 */
import { DnsHaError } from '../util/errors.js'
import type { ProcessRunner } from './node-process.js'
import { nodeProcessRunner } from './node-process.js'
import type { CheckContext, CheckOutcome, HealthCheck } from './types.js'

/** Options of {@link scriptCheck}. */
export interface ScriptCheckOptions {
  /** The program (run without a shell; for a pipeline, `command: '/bin/sh', args: ['-c', '...']`). */
  command: string
  args?: string[]
  /** Kill the script after this long (default: only the target's `timeoutMs` applies). */
  timeoutMs?: number
  /** Exit 2..255 means up with weight code - 2 (keepalived `misc_dynamic`). */
  dynamic?: boolean
  /** Added to the prober's environment. */
  env?: Record<string, string>
  cwd?: string
  /** Processes (default: the real `child_process` runner). */
  runner?: ProcessRunner
}

/** A check that runs a script and reads its exit code. */
export function scriptCheck(options: ScriptCheckOptions): HealthCheck {
  if (!options || typeof options.command !== 'string' || options.command === '') throw new DnsHaError('ERR_CONFIG', 'scriptCheck needs a command')
  const timeoutMs = options.timeoutMs
  if (timeoutMs !== undefined && (!Number.isFinite(timeoutMs) || timeoutMs <= 0)) throw new DnsHaError('ERR_CONFIG', `scriptCheck timeoutMs must be a positive number, got ${timeoutMs}`)
  const runner = options.runner ?? nodeProcessRunner
  const args = options.args ?? []
  const shown = [options.command, ...args].join(' ')
  return async (context: CheckContext): Promise<CheckOutcome> => {
    const controller = new AbortController()
    const forward = (): void => controller.abort(context.signal.reason)
    if (context.signal.aborted) forward()
    context.signal.addEventListener('abort', forward, { once: true })
    const timer =
      timeoutMs === undefined
        ? undefined
        : context.clock.setTimeout(() => controller.abort(new DnsHaError('ERR_HEALTH_TIMEOUT', `script timed out after ${timeoutMs} ms`)), timeoutMs)
    try {
      const exit = await runner.run(options.command, args, {
        signal: controller.signal,
        ...(options.env ? { env: options.env } : {}),
        ...(options.cwd ? { cwd: options.cwd } : {}),
      })
      return verdict(exit.code, exit.signal, exit.stderr, options.dynamic === true, shown)
    } catch (error) {
      return { ok: false, reason: `${shown}: ${error instanceof Error ? error.message : String(error)}` }
    } finally {
      context.clock.clearTimeout(timer)
      context.signal.removeEventListener('abort', forward)
    }
  }
}

function verdict(code: number | null, signal: string | null, stderr: string, dynamic: boolean, shown: string): CheckOutcome {
  const said = stderr.trim() === '' ? '' : `: ${stderr.trim().split('\n').pop()}`
  if (code === null) return { ok: false, reason: `${shown} ended by ${signal ?? 'a signal'}${said}` }
  if (code === 0) return { ok: true, reason: `${shown} exited 0` }
  if (dynamic && code >= 2 && code <= 255) return { ok: true, reason: `${shown} exited ${code}: weight ${code - 2}`, weight: code - 2 }
  return { ok: false, reason: `${shown} exited ${code}${said}` }
}
