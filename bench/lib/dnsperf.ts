/**
 * Runs dnsperf (when installed) against a port and reads its summary. dnsperf runs on one
 * thread (`-T 1`) so the server under test keeps the other core.
 */
import { execFile, execFileSync } from 'node:child_process'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LoadResult } from './load.js'

/** Whether dnsperf is on the PATH. */
export function haveDnsperf(): boolean {
  try {
    execFileSync('dnsperf', ['-h'], { stdio: 'ignore' })
    return true
  } catch (e) {
    // dnsperf -h exits 1 after printing usage; ENOENT means it is absent.
    return (e as NodeJS.ErrnoException).code !== 'ENOENT'
  }
}

/** Writes a dnsperf query file (`name TYPE` per line) and returns its path. */
export function writeQueryFile(lines: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'dns-ha-bench-'))
  const file = join(dir, 'queries.txt')
  writeFileSync(file, lines.join('\n') + '\n')
  return file
}

/** Where dnsperf sends, what and for how long. */
interface DnsperfTarget {
  port: number
  address?: string
  queryFile: string
  durationS: number
}

/**
 * Runs dnsperf for `durationS` seconds with `maxOutstanding` in flight from `clients` sockets
 * (default 1; SO_REUSEPORT spreads by source port, so a reusePort cluster needs several);
 * resolves with its figures.
 */
export function runDnsperf(options: DnsperfTarget & { maxOutstanding?: number; clients?: number }): Promise<LoadResult> {
  return dnsperf(options, ['-c', String(options.clients ?? 1), '-q', String(options.maxOutstanding ?? 200)])
}

/**
 * dnsperf as an open-loop paced generator: `-Q qps` holds the rate and `-v` prints every
 * answer's latency, from which p50/p99 come. It is C and light, so on a small machine it can pace
 * rates the Node generator (paced.ts) cannot reach while sharing the cores with the target.
 * A query unanswered within dnsperf's timeout (`-t`, 1 s here) counts as lost.
 */
export function runDnsperfPaced(options: DnsperfTarget & { qps: number }): Promise<LoadResult> {
  // Enough in flight that the rate, not the window, is the limit (open loop).
  return dnsperf(options, ['-c', '1', '-q', '10000', '-Q', String(options.qps), '-t', '1', '-v'])
}

/** One dnsperf run on one thread (`-T 1`); per-query latencies are read when `-v` printed them. */
function dnsperf(target: DnsperfTarget, extra: string[]): Promise<LoadResult> {
  const args = ['-s', target.address ?? '127.0.0.1', '-p', String(target.port), '-d', target.queryFile, '-l', String(target.durationS), '-T', '1', ...extra]
  return new Promise((resolve, reject) => {
    execFile('dnsperf', args, { timeout: (target.durationS + 30) * 1000, maxBuffer: 1 << 30 }, (error, stdout) => {
      if (error && !stdout) return reject(error)
      const latencies: number[] = []
      for (const m of stdout.matchAll(/^> \S+ .* ([\d.]+)$/gm)) latencies.push(Number(m[1]) * 1000)
      latencies.sort((a, b) => a - b)
      const at = (p: number): number | undefined => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : undefined)
      const num = (re: RegExp): number | undefined => {
        const m = re.exec(stdout)
        return m ? Number(m[1]) : undefined
      }
      const avgS = num(/Average Latency \(s\):\s+([\d.]+)/)
      resolve({
        tool: 'dnsperf',
        qps: num(/Queries per second:\s+([\d.]+)/) ?? 0,
        p50Ms: at(0.5),
        p99Ms: at(0.99),
        avgMs: avgS === undefined ? undefined : avgS * 1000,
        sent: num(/Queries sent:\s+(\d+)/) ?? 0,
        received: num(/Queries completed:\s+(\d+)/) ?? 0,
        lost: num(/Queries lost:\s+(\d+)/) ?? 0,
      })
    })
  })
}
