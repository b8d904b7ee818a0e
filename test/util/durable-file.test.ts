// writeFileAtomicChunks: the pieces end up as the file's text, written through a temp file that
// is gone afterwards; a failing source of pieces leaves the old file whole and no temp file.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { writeFileAtomicChunks } from '../../src/util/durable-file.js'

let dir: string | undefined
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
  dir = undefined
})

describe('writeFileAtomicChunks', () => {
  it('writes the pieces, larger than one write, as the file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'dns-ha-durable-'))
    const path = join(dir, 'z.zone')
    writeFileSync(path, 'old\n')
    const piece = 'é'.repeat(300_000) + '\n'
    await writeFileAtomicChunks(path, [piece, 'a\n', piece, piece, piece], true)
    expect(readFileSync(path, 'utf8')).toBe(piece + 'a\n' + piece + piece + piece)
    expect(readdirSync(dir)).toEqual(['z.zone'])
  })

  it('keeps the old file when the pieces fail', async () => {
    dir = mkdtempSync(join(tmpdir(), 'dns-ha-durable-'))
    const path = join(dir, 'z.zone')
    writeFileSync(path, 'old\n')
    function* failing(): Generator<string> {
      yield 'x'.repeat(2 << 20)
      throw new Error('boom')
    }
    await expect(writeFileAtomicChunks(path, failing(), false)).rejects.toThrow('boom')
    expect(readFileSync(path, 'utf8')).toBe('old\n')
    expect(readdirSync(dir)).toEqual(['z.zone'])
  })
})
