/**
 * The TypeScript examples in README.md and docs/production.md type-check against the current
 * source: each ```ts block is compiled as its own module, with `dns-ha` and `dns-ha/<module>`
 * mapped to src/, so a renamed option or method breaks this test, not a reader's first try.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'dns-ha-snippets-'))

/** The ```ts blocks of a Markdown file, with the line each starts on. */
function tsBlocks(file: string): { line: number; code: string }[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n')
  const blocks: { line: number; code: string }[] = []
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```ts') continue
    const start = i + 1
    while (++i < lines.length && lines[i]!.trim() !== '```');
    blocks.push({ line: start + 1, code: lines.slice(start, i).join('\n') })
  }
  return blocks
}

describe('code examples in the docs', () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }))

  it.each([
    ['README.md', 2],
    ['docs/production.md', 4],
    ['docs/health.md', 2],
    ['docs/vrrp.md', 1],
  ])('%s: every ts block type-checks against src/', (file, atLeast) => {
    const blocks = tsBlocks(file)
    expect(blocks.length).toBeGreaterThanOrEqual(atLeast)
    const names = blocks.map((b, n) => {
      const name = join(work, `${file.replace(/\W/g, '-')}-${n}.ts`)
      writeFileSync(name, `${b.code}\nexport {}\n`)
      return name
    })
    const program = ts.createProgram(names, {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      types: ['node'],
      typeRoots: [join(root, 'node_modules/@types')],
      paths: { 'dns-ha': [join(root, 'src/index.ts')], 'dns-ha/*': [join(root, 'src/*/index.ts')] },
      skipLibCheck: true,
    })
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || names.includes(d.file.fileName))
      .map((d) => {
        const where = d.file ? `${file} block at line ${blocks[names.indexOf(d.file.fileName)]!.line}, +${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line}` : file
        return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
      })
    expect(problems).toEqual([])
  }, 120_000)
})
