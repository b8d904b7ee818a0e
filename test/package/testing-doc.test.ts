// docs/testing.md shows test/examples/own-topology.test.ts whole, so a reader's copy is a test
// that runs: the two must not drift apart (only the import paths differ).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))

describe('docs/testing.md', () => {
  it('shows the own-topology example exactly as the test runs it', () => {
    const doc = readFileSync(`${root}docs/testing.md`, 'utf8')
    const section = doc.slice(doc.indexOf('## Testing your own topology'))
    const block = /```ts\n([\s\S]*?)\n```/.exec(section)?.[1]
    const test = readFileSync(`${root}test/examples/own-topology.test.ts`, 'utf8').trimEnd()
    expect(block).toBe(test.replace(/'\.\.\/\.\.\/src\/([a-z]+)\/index\.js'/g, "'dns-ha/$1'"))
  })
})
