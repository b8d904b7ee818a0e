/**
 * The TypeScript examples in README.md, docs/production.md, the guide and the other pages listed below type-check against the current
 * source: each ```ts block is compiled as its own module, with `dns-ha` and `dns-ha/<module>`
 * mapped to src/, so a renamed option or method breaks this test, not a reader's first try.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

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

const FILES: [string, number][] = [
  ['README.md', 2],
  ['docs/production.md', 4],
  ['docs/health.md', 3],
  ['docs/vrrp.md', 1],
  ['docs/metrics.md', 1],
  ['docs/topology.md', 3],
  ['docs/guide.md', 1],
  ['docs/coming-from-bind.md', 1],
  ['docs/coming-from-dnsmasq.md', 1],
  ['docs/coming-from-nginx.md', 1],
  ['docs/coming-from-keepalived.md', 1],
  ['docs/logging.md', 3],
]

describe('code examples in the docs', () => {
  // One program for every block of every file: type-checking src/ once, not once per file.
  let problemsOf: (file: string) => string[]
  beforeAll(() => {
    const sources = FILES.flatMap(([file]) =>
      tsBlocks(file).map((b, n) => {
        const name = join(work, `${file.replace(/\W/g, '-')}-${n}.ts`)
        writeFileSync(name, `${b.code}\nexport {}\n`)
        return { file, name, line: b.line }
      }),
    )
    const program = ts.createProgram(
      sources.map((s) => s.name),
      {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        types: ['node'],
        typeRoots: [join(root, 'node_modules/@types')],
        paths: { 'dns-ha': [join(root, 'src/index.ts')], 'dns-ha/*': [join(root, 'src/*/index.ts')] },
        skipLibCheck: true,
      },
    )
    const all = ts.getPreEmitDiagnostics(program).flatMap((d) => {
      const source = sources.find((s) => s.name === d.file?.fileName)
      if (d.file !== undefined && source === undefined) return []
      const where = source ? `${source.file} block at line ${source.line}, +${d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line}` : 'docs'
      return [{ file: source?.file, text: `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}` }]
    })
    problemsOf = (file) => all.filter((p) => p.file === file || p.file === undefined).map((p) => p.text)
  }, 300_000)
  afterAll(() => rmSync(work, { recursive: true, force: true }))

  it.each(FILES)('%s: every ts block type-checks against src/', (file, atLeast) => {
    expect(tsBlocks(file).length).toBeGreaterThanOrEqual(atLeast)
    expect(problemsOf(file)).toEqual([])
  })
})
