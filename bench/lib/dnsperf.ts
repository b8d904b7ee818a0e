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

/**
 * Runs dnsperf for `durationS` seconds with `maxOutstanding` in flight from `clients` sockets
 * (default 1; SO_REUSEPORT spreads by source port, so a reusePort cluster needs several);
 * resolves with its figures.
 */
export function runDnsperf(options: { port: number; address?: string; queryFile: string; durationS: number; maxOutstanding?: number; clients?: number }): Promise<LoadResult> {
  const args = [
    '-s', options.address ?? '127.0.0.1',
    '-p', String(options.port),
    '-d', options.queryFile,
    '-l', String(options.durationS),
    '-T', '1',
    '-c', String(options.clients ?? 1),
    '-q', String(options.maxOutstanding ?? 200),
  ]
  return new Promise((resolve, reject) => {
    execFile('dnsperf', args, { timeout: (options.durationS + 30) * 1000 }, (error, stdout) => {
      if (error && !stdout) return reject(error)
      const num = (re: RegExp): number | undefined => {
        const m = re.exec(stdout)
        return m ? Number(m[1]) : undefined
      }
      const sent = num(/Queries sent:\s+(\d+)/) ?? 0
      const received = num(/Queries completed:\s+(\d+)/) ?? 0
      const avgS = num(/Average Latency \(s\):\s+([\d.]+)/)
      resolve({
        tool: 'dnsperf',
        qps: num(/Queries per second:\s+([\d.]+)/) ?? 0,
        p50Ms: undefined,
        p99Ms: undefined,
        avgMs: avgS === undefined ? undefined : avgS * 1000,
        sent,
        received,
        lost: num(/Queries lost:\s+(\d+)/) ?? 0,
      })
    })
  })
}
