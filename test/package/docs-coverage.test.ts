/**
 * Every name the package exports (values and types) is named somewhere in docs/ or the README:
 * the engineering rule that makes `docs/` the API reference, kept true by the build.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))

describe('docs cover the public API', () => {
  it('names every export of the root entry', () => {
    const program = ts.createProgram([`${root}src/index.ts`], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true })
    const checker = program.getTypeChecker()
    const entry = program.getSourceFile(`${root}src/index.ts`)!
    const names = checker.getExportsOfModule(checker.getSymbolAtLocation(entry)!).map((s) => s.getName())
    expect(names.length).toBeGreaterThan(200)
    const docs = [...readdirSync(`${root}docs`).filter((f) => f.endsWith('.md')).map((f) => readFileSync(`${root}docs/${f}`, 'utf8')), readFileSync(`${root}README.md`, 'utf8')].join('\n')
    const missing = names.filter((n) => !new RegExp(`\\b${n.replace(/\$/g, '\\$')}\\b`).test(docs))
    expect(missing).toEqual([])
  }, 60_000)

  it('stands alone: README.md and docs/*.md point at nothing outside the repository', () => {
    // The team's shared folder, its design file and the seed setups are not in a user's clone.
    const pages = ['README.md', ...readdirSync(`${root}docs`).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]
    expect(pages.length).toBeGreaterThan(5)
    const outside = /\.\.\/shared|\bshared\/|\bseeds\/|\bDESIGN\.md\b/
    const found = pages.flatMap((page) =>
      readFileSync(`${root}${page}`, 'utf8')
        .split('\n')
        .flatMap((text, i) => (outside.test(text) ? [`${page}:${i + 1}: ${text.trim()}`] : [])),
    )
    expect(found).toEqual([])
  })
})
