/**
 * The complete program of docs/guide.md ("Composing a topology") runs as written: its block is
 * copied to a module beside this test (the `dns-ha` imports pointed at src/), imported, and what
 * it prints checked — so the guide's program cannot stop working while the type-check passes.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
const module = fileURLToPath(new URL(`./guide-program-${process.pid}.tmp.ts`, import.meta.url))

/** The first ```ts block after `heading` in docs/guide.md. */
function blockAfter(heading: string): string {
  const text = readFileSync(`${root}docs/guide.md`, 'utf8')
  const from = text.indexOf(heading)
  expect(from).toBeGreaterThan(0)
  const start = text.indexOf('```ts\n', from) + '```ts\n'.length
  return text.slice(start, text.indexOf('\n```', start))
}

afterAll(() => rmSync(module, { force: true }))

describe('docs/guide.md', () => {
  it('the "Composing a topology" program answers wiki.corp.test through its pool, in memory', async () => {
    const code = blockAfter('## Composing a topology')
      .replace(/from 'dns-ha'/g, `from '${root}src/index.js'`)
      .replace(/from 'dns-ha\/(\w+)'/g, (_, m: string) => `from '${root}src/${m}/index.js'`)
      .replace(/console\.log\(/g, ';(globalThis as unknown as { guidePrinted: unknown[] }).guidePrinted.push(')
    const printed: unknown[] = []
    ;(globalThis as unknown as { guidePrinted: unknown[] }).guidePrinted = printed
    writeFileSync(module, code)
    await import(module)
    expect(printed).toEqual([[expect.objectContaining({ name: 'wiki.corp.test', type: 'A', ttl: 300, data: '10.0.2.10' })]])
  }, 60_000)
})
