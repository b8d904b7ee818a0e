// examples/split-horizon run the way a user would: internal (127.0.0.2) and external (127.0.0.3)
// clients get their own answers, directly and through the pool, and an outsider's ECS claim is ignored.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const repo = fileURLToPath(new URL('../../', import.meta.url))

describe('examples/split-horizon', () => {
  it('prints the internal answers for 127.0.0.2 and the external ones for 127.0.0.3, each from the right view', async () => {
    const output = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', 'examples/split-horizon/index.ts'], { cwd: repo, timeout: 60_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
      ),
    )
    const sections = output.split(/^(?=\S)/m).slice(1).map((s) => s.trim().split('\n').map((l) => l.trim()))
    expect(sections).toEqual([
      ['internal client 127.0.0.2, direct:', 'www.example.test A -> NOERROR 10.0.0.80  (view internal)', 'intranet.example.test A -> NOERROR 10.0.0.10  (view internal)', 'wiki.corp.test A -> NOERROR 10.0.2.10  (view internal)'],
      ['internal client 127.0.0.2, through the pool:', 'www.example.test A -> NOERROR 10.0.0.80  (view internal-via-pool)', 'intranet.example.test A -> NOERROR 10.0.0.10  (view internal-via-pool)', 'wiki.corp.test A -> NOERROR 10.0.2.10  (view internal-via-pool)'],
      ['external client 127.0.0.3, direct:', 'www.example.test A -> NOERROR 203.0.113.80  (view external)', 'intranet.example.test A -> NXDOMAIN   (view external)', 'wiki.corp.test A -> REFUSED   (view external)'],
      ['external client 127.0.0.3, through the pool:', 'www.example.test A -> NOERROR 203.0.113.80  (view external-via-pool)', 'intranet.example.test A -> NXDOMAIN   (view external-via-pool)', 'wiki.corp.test A -> REFUSED   (view external-via-pool)'],
      ['external client 127.0.0.3 claiming to be 10.9.9.0/24 in its own ECS option, direct:', 'www.example.test A -> NOERROR 203.0.113.80  (view external)'],
    ])
  }, 90_000)
})
