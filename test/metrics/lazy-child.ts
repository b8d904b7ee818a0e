// Run by lazy.test.ts in its own process: imports the whole package root, reports whether
// prom-client is loaded, then creates the metrics and reports again.
import { createRequire } from 'node:module'

const loaded = (): boolean => Object.keys(createRequire(import.meta.url).cache).some((path) => /[\\/]prom-client[\\/]/.test(path))
const root = await import('../../src/index.js')
const before = loaded()
await root.createMetrics()
process.stdout.write(JSON.stringify({ before, after: loaded() }))
