/**
 * The one place namespace mode touches the host: it runs `ip` (iproute2) to build and remove
 * namespaces, spawns the node processes under `ip netns exec`, kills what is left, and hooks the
 * process's exit so nothing outlives a crash of the parent. A Node process cannot switch network
 * namespace itself, so every node is a child process (`ip netns exec` execs it: the child's pid
 * is the node's own).
 */
import { execFile, spawn, spawnSync } from 'node:child_process'
import { createInterface } from 'node:readline'

/** What `ip` (or another command) did. */
export interface NetnsCommandResult {
  code: number | null
  stdout: string
  stderr: string
}

/** A process started inside a namespace. */
export interface NetnsChild {
  readonly pid: number
  /** Calls `listener` with each line the process writes to stdout. */
  onStdoutLine(listener: (line: string) => void): void
  /** Calls `listener` with each line the process writes to stderr. */
  onStderrLine(listener: (line: string) => void): void
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>
  /** Sends a signal (nothing when it has exited). */
  kill(signal: 'SIGTERM' | 'SIGKILL' | 'SIGINT'): void
}

/** The host operations namespace mode needs; tests may pass their own. */
export interface NetnsHost {
  /** Why namespace mode cannot run here (not Linux, not root, no `ip`), or `undefined` when it can. */
  unavailable(): string | undefined
  /** Runs `ip ARGS...` and resolves with what it printed; never rejects for a non-zero exit. */
  ip(args: readonly string[], timeoutMs?: number): Promise<NetnsCommandResult>
  /** The synchronous `ip`, for teardown from an exit handler. */
  ipSync(args: readonly string[]): NetnsCommandResult
  /** Starts `argv` inside namespace `namespace` (`ip netns exec NAMESPACE ARGV...`). */
  spawnIn(namespace: string, argv: readonly string[]): NetnsChild
  /** Sends `signal` to `pid`; false when there is no such process. */
  signal(pid: number, signal: 'SIGTERM' | 'SIGKILL'): boolean
  /** Runs `teardown` when this process exits (also after SIGINT/SIGTERM ended it); the returned function unhooks it. */
  onExit(teardown: () => void): () => void
}

/** The real host: iproute2 through node:child_process. */
export const nodeNetnsHost: NetnsHost = {
  unavailable() {
    if (process.platform !== 'linux') return 'network namespaces need Linux'
    if (process.getuid?.() !== 0) return 'not root: network namespaces, veths and raw VRRP sockets need root (run with sudo)'
    if (spawnSync('ip', ['-V']).error) return 'no ip command (install iproute2)'
    return undefined
  },
  ip(args, timeoutMs = 10_000) {
    return new Promise((resolve) => {
      execFile('ip', [...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null
        resolve({ code, stdout: String(stdout), stderr: error !== null && stderr === '' ? error.message : String(stderr) })
      })
    })
  },
  ipSync(args) {
    const r = spawnSync('ip', [...args], { encoding: 'utf8', timeout: 10_000 })
    return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? r.error?.message ?? '' }
  },
  spawnIn(namespace, argv) {
    const child = spawn('ip', ['netns', 'exec', namespace, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }))
      child.once('error', () => resolve({ code: null, signal: null }))
    })
    return {
      pid: child.pid ?? -1,
      onStdoutLine: (listener) => void createInterface({ input: child.stdout! }).on('line', listener),
      onStderrLine: (listener) => void createInterface({ input: child.stderr! }).on('line', listener),
      exited,
      kill: (signal) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      },
    }
  },
  signal(pid, signal) {
    try {
      process.kill(pid, signal)
      return true
    } catch {
      return false
    }
  },
  onExit(teardown) {
    process.once('exit', teardown)
    return () => void process.off('exit', teardown)
  },
}
