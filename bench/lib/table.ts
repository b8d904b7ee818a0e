/** Prints benchmark rows as an aligned table, with each qps also as a ratio to the baseline row. */
import type { LoadResult } from './load.js'

/** One measured target. */
export interface BenchRow {
  name: string
  result: LoadResult
  /** Extra columns (memory, notes). */
  extra?: Record<string, string>
}

/** Prints `rows`; ratios are against the row named `baseline`. */
export function printTable(title: string, rows: readonly BenchRow[], baseline: string): void {
  const base = rows.find((r) => r.name === baseline)?.result.qps
  const fmt = (n: number | undefined, d = 2): string => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(d))
  const extraKeys = [...new Set(rows.flatMap((r) => Object.keys(r.extra ?? {})))]
  const header = ['target', 'tool', 'qps', `ratio to ${baseline}`, 'avg ms', 'p50 ms', 'p99 ms', 'lost', ...extraKeys]
  const body = rows.map((r) => [
    r.name,
    r.result.tool,
    fmt(r.result.qps, 0),
    base ? fmt(r.result.qps / base) : '-',
    fmt(r.result.avgMs, 3),
    fmt(r.result.p50Ms, 3),
    fmt(r.result.p99Ms, 3),
    String(r.result.lost),
    ...extraKeys.map((k) => r.extra?.[k] ?? ''),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)))
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')
  console.log(`\n${title}`)
  console.log(line(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const row of body) console.log(line(row))
}
