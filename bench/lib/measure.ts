/** The measuring step every bench shares: dnsperf when installed, else the Node generator. */
import dnsPacket from 'dns-packet'
import { haveDnsperf, runDnsperf, writeQueryFile } from './dnsperf.js'
import type { LoadResult } from './load.js'
import { runLoad } from './load.js'
import type { BenchRow } from './table.js'
import type { Target } from './target.js'
import { cpuTicks, startTarget } from './target.js'

/** What to ask: `[name, type]` pairs, used for both dnsperf's file and the Node generator. */
export type QueryMix = readonly (readonly [string, string])[]

/** Measures one target with the same mix and duration as every other in the run. */
export async function measure(port: number, mix: QueryMix, options: { durationS: number; tool?: 'dnsperf' | 'node'; clients?: number }): Promise<LoadResult> {
  const tool = options.tool ?? (haveDnsperf() ? 'dnsperf' : 'node')
  if (tool === 'dnsperf') {
    return runDnsperf({ port, queryFile: writeQueryFile(mix.map(([n, t]) => `${n} ${t}`)), durationS: options.durationS, ...(options.clients !== undefined ? { clients: options.clients } : {}) })
  }
  const queries = mix.map(([name, type]) =>
    dnsPacket.encode({ type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as never }], additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 1232 } as never] }),
  )
  return runLoad({ port, queries, durationMs: options.durationS * 1000, concurrency: 100 })
}

/** The baseline every figure is a ratio to: a bare Node dgram server that echoes each query with QR set. */
export function startEchoBaseline(): Promise<Target> {
  return startTarget('echo')
}

/**
 * Runs one measurement and adds the target's CPU time per answered query (from /proc), which
 * stays meaningful when other work on the machine moves the qps figures.
 */
export async function measuredRow(name: string, target: Target, run: () => Promise<LoadResult>): Promise<BenchRow> {
  const before = cpuTicks(target.pid)
  const result = await run()
  const ticks = cpuTicks(target.pid) - before
  const cpuUs = result.received > 0 && ticks >= 0 ? ((ticks * 10_000) / result.received).toFixed(2) : '-'
  return { name, result, extra: { 'cpu us/q': cpuUs, 'rss MB': (target.rssBytes() / 2 ** 20).toFixed(0) } }
}

/** A running target and the queries it is measured with. */
export interface Contender {
  name: string
  target: Target
  mix: QueryMix
  /** dnsperf client sockets (default 1): a reusePort cluster spreads by source port. */
  clients?: number
}

/**
 * Measures every contender in turns, `rounds` times (after one discarded 1 s warm-up each), and
 * keeps each one's best round. All targets run side by side while one is measured (idle ones
 * cost nothing), so a burst of load from elsewhere on the machine spoils one round of one
 * target, not a whole ratio. Each row also gets `median ratio`: the median over rounds of its
 * qps over the first contender's qps in the same round, a pairing that cancels slow drifts of
 * the machine's speed. Rows come back in the contenders' order.
 */
export async function measureInTurns(
  contenders: readonly Contender[],
  options: { rounds: number; durationS: number; tool?: 'dnsperf' | 'node' },
): Promise<BenchRow[]> {
  const load = { durationS: options.durationS, ...(options.tool ? { tool: options.tool } : {}) }
  const with_ = (c: Contender) => (c.clients !== undefined ? { ...load, clients: c.clients } : load)
  for (const c of contenders) await measure(c.target.port, c.mix, { ...with_(c), durationS: 1 })
  const best: (BenchRow | undefined)[] = contenders.map(() => undefined)
  const qps: number[][] = contenders.map(() => [])
  for (let round = 0; round < options.rounds; round++) {
    for (const [i, c] of contenders.entries()) {
      const row = await measuredRow(c.name, c.target, () => measure(c.target.port, c.mix, with_(c)))
      qps[i]!.push(row.result.qps)
      if (!best[i] || row.result.qps > best[i].result.qps) best[i] = row
    }
  }
  return best.flatMap((row, i) => {
    if (!row) return []
    const ratios = qps[i]!.map((q, round) => q / qps[0]![round]!).filter((r) => Number.isFinite(r))
    return [{ ...row, extra: { ...row.extra, 'median ratio': ratios.length > 0 ? median(ratios).toFixed(2) : '-' } }]
  })
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
