// prom-client is loaded by createMetrics, not by importing the package: a process that imports
// the root (every module) has not loaded it until it asks for metrics.
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

describe('prom-client is loaded on demand', () => {
  it('importing the package root does not load it; createMetrics does', () => {
    const child = fileURLToPath(new URL('./lazy-child.ts', import.meta.url))
    const run = spawnSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8', timeout: 60_000 })
    expect(run.stderr).toBe('')
    expect(JSON.parse(run.stdout)).toEqual({ before: false, after: true })
  }, 60_000)

  it('no source file imports prom-client except by type and metrics.ts\'s dynamic import', () => {
    const src = fileURLToPath(new URL('../../src/', import.meta.url))
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))
    const staticImporters = files.filter((f) => /^import (?!type)[^\n]*from 'prom-client'/m.test(readFileSync(src + f, 'utf8')))
    expect(staticImporters).toEqual([])
    expect(readFileSync(`${src}metrics/metrics.ts`, 'utf8')).toMatch(/await import\('prom-client'\)/)
  })
})
