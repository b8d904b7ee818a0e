/**
 * `npm run bench -- server`: DnsServer answering precomputed bytes, against the bare Node echo
 * baseline and a dns-packet decode+encode server, all under the same load in one run.
 */
import type { BenchRow } from './lib/index.js'
import { measure, measuredRow, printTable, startEchoBaseline, startTarget } from './lib/index.js'

/** Runs the server benchmark. Args: `--duration S` (default 8), `--tool node|dnsperf`. */
export async function run(args: string[]): Promise<void> {
  const durationS = Number(argValue(args, '--duration') ?? 8)
  const tool = argValue(args, '--tool') as 'node' | 'dnsperf' | undefined
  const mix = Array.from({ length: 1000 }, (_, i) => [`host${i}.example.test`, 'A'] as const)
  const rows: BenchRow[] = []
  for (const [name, start] of [
    ['node-echo', startEchoBaseline],
    ['dns-ha DnsServer (precomputed)', () => startTarget('server-precomputed')],
    ['dns-packet decode+encode', () => startTarget('decode-encode')],
  ] as const) {
    const target = await start()
    try {
      rows.push(await measuredRow(name, target, () => measure(target.port, mix, { durationS, ...(tool ? { tool } : {}) })))
    } finally {
      await target.close()
    }
  }
  printTable(`DnsServer, ${durationS}s per target, same run`, rows, 'node-echo')
}

function argValue(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag)
  return i >= 0 ? args[i + 1] : undefined
}
