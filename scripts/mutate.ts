// npm run mutate -- <module|file>... [--concurrency N]
//
// Mutation testing with StrykerJS (stryker.config.mjs), one Stryker run per target so each module
// keeps its own incremental file (reports/incremental/<target>.json) and its own report
// (reports/mutation/<target>.html|json). A target is a module name (`client` mutates
// src/client/**/*.ts except index.ts) or a file under src/ (`src/tsig/sign.ts`). Prints each
// target's score against its module's floor (scripts/mutation-floors.json) and exits 1 when one
// is below it. See docs/testing.md, "Mutation testing".
import { existsSync, readFileSync, statSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { Stryker } from '@stryker-mutator/core'

interface Target {
  /** The module name or file path given. */
  label: string
  /** The src/ folder it belongs to, whose floor applies. */
  module: string
  mutate: string[]
  /** A file-system-safe name for the incremental file and the reports. */
  slug: string
}

interface Outcome {
  target: Target
  score: number
  floor: number
  detected: number
  undetected: number
  total: number
  seconds: number
}

// Killed and Timeout are detected; Survived and NoCoverage are not; CompileError, RuntimeError and
// Ignored do not count, as in Stryker's own "mutation score".
const DETECTED = new Set(['Killed', 'Timeout'])
const UNDETECTED = new Set(['Survived', 'NoCoverage'])

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run mutate -- <module|src/file.ts>... [--concurrency N]\n`)
  process.exit(2)
}

function parseArgs(argv: string[]): { targets: Target[]; concurrency: number | undefined } {
  const targets: Target[] = []
  let concurrency: number | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--concurrency' || arg.startsWith('--concurrency=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i]
      concurrency = Number(value)
      if (!Number.isInteger(concurrency) || concurrency < 1) usage(`--concurrency needs a positive integer, got ${value}`)
      continue
    }
    if (arg.startsWith('-')) usage(`unknown option ${arg}`)
    targets.push(resolveTarget(arg))
  }
  if (targets.length === 0) usage('name at least one module or file')
  return { targets, concurrency }
}

function resolveTarget(arg: string): Target {
  const path = arg.replace(/^\.\//, '').replace(/\/$/, '')
  if (/^[a-z][a-z0-9-]*$/.test(path)) {
    const dir = `src/${path}`
    if (!existsSync(dir) || !statSync(dir).isDirectory()) usage(`no module ${path} (no folder ${dir})`)
    return { label: path, module: path, mutate: [`${dir}/**/*.ts`, `!${dir}/**/index.ts`], slug: path }
  }
  const match = /^src\/([^/]+)\/.+\.ts$/.exec(path)
  if (!match || !existsSync(path)) usage(`not a module name or a .ts file under src/<module>/: ${arg}`)
  return { label: path, module: match[1]!, mutate: [path], slug: path.slice(4, -3).replace(/\//g, '-') }
}

function loadFloors(): Record<string, number> {
  const raw = JSON.parse(readFileSync(new URL('./mutation-floors.json', import.meta.url), 'utf8')) as Record<string, unknown>
  const floors: Record<string, number> = {}
  for (const [key, value] of Object.entries(raw)) if (typeof value === 'number') floors[key] = value
  return floors
}

async function runOne(target: Target, floor: number, concurrency: number | undefined): Promise<Outcome> {
  const started = performance.now()
  const stryker = new Stryker({
    mutate: target.mutate,
    incrementalFile: `reports/incremental/${target.slug}.json`,
    htmlReporter: { fileName: `reports/mutation/${target.slug}.html` },
    jsonReporter: { fileName: `reports/mutation/${target.slug}.json` },
    ...(concurrency === undefined ? {} : { concurrency }),
  })
  const results = await stryker.runMutationTest()
  let detected = 0
  let undetected = 0
  for (const r of results) {
    if (DETECTED.has(r.status)) detected++
    else if (UNDETECTED.has(r.status)) undetected++
  }
  const valid = detected + undetected
  return {
    target,
    // No valid mutant (nothing to mutate) cannot fall short of any floor.
    score: valid === 0 ? 100 : (100 * detected) / valid,
    floor,
    detected,
    undetected,
    total: results.length,
    seconds: (performance.now() - started) / 1000,
  }
}

async function main(): Promise<void> {
  const { targets, concurrency } = parseArgs(process.argv.slice(2))
  const floors = loadFloors()
  const outcomes: Outcome[] = []
  for (const target of targets) {
    const floor = floors[target.module] ?? floors.default ?? 80
    outcomes.push(await runOne(target, floor, concurrency))
  }
  const lines = ['', 'mutation score per target (floor from scripts/mutation-floors.json):']
  for (const o of outcomes) {
    const verdict = o.score >= o.floor ? 'ok' : 'BELOW FLOOR'
    lines.push(
      `  ${o.target.label.padEnd(24)} ${o.score.toFixed(2).padStart(6)}%  floor ${o.floor}%  ${verdict.padEnd(11)}  ` +
        `${o.detected} detected, ${o.undetected} undetected, ${o.total} mutants, ${o.seconds.toFixed(0)} s`,
    )
  }
  process.stdout.write(`${lines.join('\n')}\n`)
  if (outcomes.some((o) => o.score < o.floor)) process.exitCode = 1
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exitCode = 1
})
