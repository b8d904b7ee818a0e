// The exports map, the tsup entries and the module folders must agree: one subpath per folder.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const root = new URL('../../', import.meta.url)
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { exports: Record<string, unknown> }
const folders = readdirSync(new URL('src/', root), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(new URL(`src/${d.name}/index.ts`, root)))
  .map((d) => d.name)
  .sort()

describe('package exports', () => {
  it('has one subpath per module folder, plus the root and package.json', () => {
    const subpaths = Object.keys(pkg.exports)
      .filter((k) => k !== '.' && k !== './package.json')
      .map((k) => k.slice(2))
      .sort()
    expect(subpaths).toEqual(folders)
  })

  it('points every subpath at the files tsup builds for it', () => {
    for (const m of folders) {
      expect(pkg.exports[`./${m}`]).toEqual({
        import: { types: `./dist/${m}/index.d.ts`, default: `./dist/${m}/index.js` },
        require: { types: `./dist/${m}/index.d.cts`, default: `./dist/${m}/index.cjs` },
      })
    }
  })

  it('re-exports every module from the root index', () => {
    const index = readFileSync(new URL('src/index.ts', root), 'utf8')
    for (const m of folders) expect(index).toContain(`'./${m}/index.js'`)
  })

  it('keeps module index files free of logic (re-exports only)', () => {
    for (const m of folders) {
      const lines = readFileSync(new URL(`src/${m}/index.ts`, root), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.trim().startsWith('//') && !l.trim().startsWith('*') && !l.trim().startsWith('/*'))
      for (const line of lines) expect(line, `src/${m}/index.ts: ${line}`).toMatch(/^export (type )?(\*|\{)/)
    }
  })
})
