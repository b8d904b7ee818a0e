/**
 * `dns-ha/records` without the admin must not load hono: only admin-app.ts imports it, and
 * nothing imports admin-app.ts but serveAdmin's dynamic import.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const dir = fileURLToPath(new URL('../../src/records/', import.meta.url))
const sources = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => ({ file: f, text: readFileSync(dir + f, 'utf8') }))

describe('hono is loaded on demand', () => {
  it('only admin-app.ts imports hono, and only dynamically reached', () => {
    const honoImporters = sources.filter((s) => /^import (?!type)[^\n]*from '(hono|@hono\/[^']+)(\/[^']*)?'/m.test(s.text)).map((s) => s.file)
    expect(honoImporters).toEqual(['admin-app.ts'])
    const staticAppImports = sources.filter((s) => /^import (?!type)[^\n]*from '\.\/admin-app\.js'/m.test(s.text)).map((s) => s.file)
    expect(staticAppImports).toEqual([])
    expect(sources.find((s) => s.file === 'admin-server.ts')!.text).toMatch(/import\('\.\/admin-app\.js'\)/)
    expect(sources.find((s) => s.file === 'admin-server.ts')!.text).toMatch(/import\('@hono\/node-server'\)/)
  })
})
