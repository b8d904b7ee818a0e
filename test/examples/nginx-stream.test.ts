// examples/nginx-stream.ts run the way a user would: the seed's nginx block through
// parseNginxStream and startNginxPool, 200 queries spread 1:1 over two members, then it exits.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const repo = fileURLToPath(new URL('../../', import.meta.url))

describe('examples/nginx-stream.ts', () => {
  it('runs the seed block on loopback, answers every query, spreads them 1:1, and stops by itself', async () => {
    const output = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', 'examples/nginx-stream.ts'], { cwd: repo, timeout: 60_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    )
    // The parsed settings, and UDP only, as `listen 53 udp` says.
    expect(output).toMatch(/listen 127\.0\.0\.1:\d+ \(udp true, tcp false\), proxy_timeout 20000 ms, proxy_connect_timeout 1000 ms/)
    expect(output).toMatch(/member 172\.22\.10\.237:5353 \(here 127\.0\.0\.1:\d+, weight 1\)/)
    expect(output).toMatch(/member 172\.22\.10\.50:5354 \(here 127\.0\.0\.1:\d+, weight 1\)/)
    const result = JSON.parse(output.trim().split('\n').at(-1)!) as { queries: number; failed: number; byMember: Record<string, number> }
    expect(result.queries).toBe(200)
    expect(result.failed).toBe(0)
    const a = result.byMember['192.0.2.1'] ?? 0
    const b = result.byMember['192.0.2.2'] ?? 0
    expect(a + b).toBe(200)
    // Smooth round robin alternates; a hedge on a busy machine may move a few answers.
    expect(Math.abs(a - b)).toBeLessThanOrEqual(20)
  }, 90_000)
})
