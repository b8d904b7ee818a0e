// examples/demo.ts, one host of the demo topology, run the way a user would (on port 0 so it never collides), asking
// each demo question once: hosts answers, zone answers through the upstream, and a cache hit.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const repo = fileURLToPath(new URL('../../', import.meta.url))

describe('examples/demo.ts (one node)', () => {
  it('serves hosts names, zone names through the upstream, and repeats from cache', async () => {
    const output = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', 'examples/demo.ts', '--port', '0', '--check'], { cwd: repo, timeout: 30_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    )
    expect(output).toContain('xpt.redhat.cn A → NOERROR A 192.168.111.111')
    expect(output).toContain('111.111.168.192.in-addr.arpa PTR → NOERROR PTR xpt.redhat.cn')
    expect(output).toContain('www.example.test A → NOERROR A 192.0.2.80')
    expect(output).toContain('web.example.test A → NOERROR CNAME www.example.test, A 192.0.2.80')
    expect(output).toContain('nothing.example.test A → NXDOMAIN')
    const counts = JSON.parse(output.trim().split('\n').at(-1)!).forwarder as Record<string, number>
    expect(counts).toMatchObject({ hosts: 2, cache: 1, upstream: 3, failure: 0 })
  })
})
