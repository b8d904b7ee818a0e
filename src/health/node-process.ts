/**
 * The process seam of the health module, and the only file in it that touches
 * `node:child_process`: script checks spawn through a {@link ProcessRunner}, and
 * {@link nodeProcessRunner} is the real one. Each script runs detached, as the leader of its own
 * process group, so a timeout or abort kills the whole group (`kill -KILL -PGID`): a hung
 * `nslookup` under a shell dies with the shell, as keepalived's `misc_timeout` does it.
 */
import { spawn } from 'node:child_process'

/** How a process ended. */
export interface ProcessExit {
  /** The exit code, `null` when a signal ended it. */
  code: number | null
  /** The signal that ended it, if any. */
  signal: string | null
  pid: number
  /** The last 512 bytes it wrote to stderr, for reasons. */
  stderr: string
}

/** Runs a command to its end. */
export interface ProcessRunner {
  /**
   * Spawns `command` with `args` (no shell) and resolves when it exits. Rejects when it cannot be
   * spawned (missing, not executable) and, when `signal` aborts, after its whole process group has
   * been killed and it has been reaped.
   */
  run(command: string, args: readonly string[], options: { signal: AbortSignal; env?: Record<string, string>; cwd?: string }): Promise<ProcessExit>
}

const STDERR_KEPT = 512

/** The real runner: `child_process.spawn`, detached, whole group killed on abort. */
export const nodeProcessRunner: ProcessRunner = {
  run: (command, args, options) =>
    new Promise<ProcessExit>((resolve, reject) => {
      if (options.signal.aborted) return reject(abortError(options.signal, command))
      const child = spawn(command, [...args], {
        detached: true,
        stdio: ['ignore', 'ignore', 'pipe'],
        ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
        ...(options.cwd ? { cwd: options.cwd } : {}),
      })
      let stderr = ''
      let aborted = false
      child.stderr?.setEncoding('utf8')
      child.stderr?.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-STDERR_KEPT)
      })
      const onAbort = (): void => {
        aborted = true
        killGroup(child.pid)
      }
      options.signal.addEventListener('abort', onAbort, { once: true })
      child.once('error', (error) => {
        options.signal.removeEventListener('abort', onAbort)
        // A spawn failure ('error' before any exit); kill in case it started and then failed.
        killGroup(child.pid)
        reject(error)
      })
      child.once('exit', (code, signal) => {
        options.signal.removeEventListener('abort', onAbort)
        // The leader is gone; anything left in its group (a backgrounded child) goes with it.
        killGroup(child.pid)
        if (aborted) return reject(abortError(options.signal, command))
        resolve({ code, signal, pid: child.pid ?? 0, stderr })
      })
    }),
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // ESRCH: the group is already gone.
  }
}

function abortError(signal: AbortSignal, command: string): Error {
  const reason = signal.reason instanceof Error ? signal.reason.message : 'aborted'
  return new Error(`${command} killed with its process group: ${reason}`)
}
