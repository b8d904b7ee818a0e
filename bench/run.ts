/**
 * `npm run bench [-- name ...] [-- options]`: runs the named benchmarks (default: all), each a
 * `bench/<name>.ts` exporting `run(args)`. Every figure is printed beside a baseline measured in
 * the same run.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const dir = fileURLToPath(new URL('.', import.meta.url))
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('-child.ts'))
  // A script run by itself (node --import tsx bench/records-cpu.ts) does its work on import: not a bench to load here.
  .filter((f) => /export (async )?function run\b/.test(readFileSync(`${dir}${f}`, 'utf8')))
  .map((f) => f.slice(0, -3))
  .sort((a, b) => (a === 'server' ? -1 : b === 'server' ? 1 : a.localeCompare(b)))

const args = process.argv.slice(2)
const named = args.filter((a) => available.includes(a))
const options = args.filter((a) => !available.includes(a))
const unknown = args.filter((a, i) => !a.startsWith('-') && !available.includes(a) && !args[i - 1]?.startsWith('--'))
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`)
  process.exit(2)
}
for (const name of named.length > 0 ? named : available) {
  const file = `${dir}${name}.ts`
  if (!existsSync(file)) continue
  console.log(`\n=== bench ${name} ===`)
  const mod = (await import(file)) as { run(args: string[]): Promise<void> }
  await mod.run(options)
}
