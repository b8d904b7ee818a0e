/**
 * `npm run bench -- server`: DnsServer answering precomputed bytes, against the bare Node echo
 * baseline and a dns-packet decode+encode server, all under the same load in one run.
 *
 * Options: `--duration S` (default 5 per round), `--rounds N` (default 3, best kept),
 * `--tool node|dnsperf` (default dnsperf when installed).
 */
import type { Contender, Target } from './lib/index.js'
import { argValue, measureInTurns, printTable, startEchoBaseline, startTarget } from './lib/index.js'

/** Runs the server benchmark. */
export async function run(args: string[]): Promise<void> {
  const durationS = Number(argValue(args, '--duration') ?? 5)
  const rounds = Number(argValue(args, '--rounds') ?? 3)
  const tool = argValue(args, '--tool') as 'node' | 'dnsperf' | undefined
  const mix = Array.from({ length: 1000 }, (_, i) => [`host${i}.example.test`, 'A'] as const)
  const contenders: Contender[] = []
  try {
    for (const [name, start] of [
      ['node-echo', startEchoBaseline],
      ['dns-ha DnsServer (precomputed)', () => startTarget('server-precomputed')],
      ['dns-packet decode+encode', () => startTarget('decode-encode')],
    ] as const) {
      const target: Target = await start()
      contenders.push({ name, target, mix })
    }
    const rows = await measureInTurns(contenders, { rounds, durationS, ...(tool ? { tool } : {}) })
    printTable(`DnsServer, best of ${rounds} x ${durationS}s per target, in turns, same run`, rows, 'node-echo')
  } finally {
    for (const c of contenders) await c.target.close()
  }
}

