// The executable as a process: real signals, real exit statuses.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { query } from '../../src/client/index.js'

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'dns-ha-main-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('dns-ha as a process', () => {
  it('serves until SIGTERM, then exits 0 having printed "stopping"', async () => {
    const file = join(dir, 'example.org.zone')
    writeFileSync(file, '$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n IN NS ns1\nns1 IN A 127.0.0.1\n')
    const child = spawn(process.execPath, ['--import', 'tsx', main, 'serve', '-z', file, '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 20_000)
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        const m = /listening on 127\.0\.0\.1#(\d+)/.exec(out)
        if (m) {
          clearTimeout(timer)
          resolve(Number(m[1]))
        }
      })
    })
    const r = await query({ address: '127.0.0.1', port }, { name: 'ns1.example.org', type: 'A' }, { timeoutMs: 2000 })
    expect((r.packet.answers?.[0] as { data?: unknown } | undefined)?.data).toBe('127.0.0.1')
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(out).toMatch(/stopping\n$/)
  }, 30_000)
})
