/**
 * Starts a server under test in its own process (so the load generator never shares its event
 * loop), waits for it to print `PORT <n>`, and stops it by pid.
 */
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** A running target process. */
export interface Target {
  port: number
  pid: number
  /** Resident set size of the process now, in bytes (Linux /proc). */
  rssBytes(): number
  /** The peak resident set size so far (VmHWM), in bytes. */
  peakRssBytes(): number
  close(): Promise<void>
}

const root = fileURLToPath(new URL('../..', import.meta.url))

/** Runs `bench/targets/<name>.ts` with `args` under tsx. */
export function startTarget(name: string, args: string[] = []): Promise<Target> {
  return startProcess(process.execPath, ['--import', 'tsx', `bench/targets/${name}.ts`, ...args])
}

/** Runs any command that prints `PORT <n>` once it serves (or give `port` when it does not print). */
export function startProcess(command: string, args: string[], options: { port?: number; readyMs?: number } = {}): Promise<Target> {
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  const target = (port: number): Target => ({
    port,
    pid: child.pid!,
    rssBytes: () => procStatus(child.pid!, 'VmRSS'),
    peakRssBytes: () => procStatus(child.pid!, 'VmHWM'),
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
        setTimeout(() => child.kill('SIGKILL'), 3000).unref()
      }),
  })
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => {
      if (options.port !== undefined) return resolve(target(options.port))
      child.kill('SIGKILL')
      reject(new Error(`${command} did not report a port in time:\n${output}`))
    }, options.readyMs ?? 20_000)
    child.stderr.on('data', (d) => (output += d))
    child.stdout.on('data', (d) => {
      output += d
      const m = /PORT (\d+)/.exec(output)
      if (m && options.port === undefined) {
        clearTimeout(timer)
        resolve(target(Number(m[1])))
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${command} exited with ${code}:\n${output}`))
    })
  })
}

function procStatus(pid: number, field: string): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : 0
  } catch {
    return 0
  }
}

/**
 * utime + stime of a process and all its descendants in clock ticks (1/100 s on Linux), or NaN
 * off Linux. Descendants count because NSD and cluster mode answer from forked children.
 */
export function cpuTicks(pid: number): number {
  let total = 0
  for (const p of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      total += Number(fields[11]) + Number(fields[12])
    } catch {
      if (p === pid) return Number.NaN
    }
  }
  return total
}

/** `pid` and every process descending from it (Linux /proc; just `pid` elsewhere). */
export function processTree(pid: number): number[] {
  const parentOf = new Map<number, number>()
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
        parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
      } catch {
        // exited meanwhile
      }
    }
  } catch {
    return [pid]
  }
  const tree = new Set([pid])
  for (let grew = true; grew; ) {
    grew = false
    for (const [p, parent] of parentOf) {
      if (!tree.has(p) && tree.has(parent)) {
        tree.add(p)
        grew = true
      }
    }
  }
  return [...tree]
}
