// examples/dnsmasq-nginx-keepalived run the way a user would: the seed's three config files on
// loopback, the seed's names answered through the VIP before, during and after a failover.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const repo = fileURLToPath(new URL('../../', import.meta.url))

describe('examples/dnsmasq-nginx-keepalived', () => {
  it('answers through the VIP on node a, then on node b after a is killed, then on a again', async () => {
    const output = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', 'examples/dnsmasq-nginx-keepalived/index.ts', '--advert-ms', '100'], { cwd: repo, timeout: 60_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
      ),
    )
    const phases = output.split(/^(?=with node)/m).slice(1)
    expect(phases.map((p) => p.split('\n')[0])).toEqual(['with node a holding the VIP:', 'with node b holding the VIP:', 'with node a back:'])
    for (const phase of phases) {
      expect(phase).toContain('xpt.redhat.cn A -> NOERROR 192.168.111.111')
      expect(phase).toContain('www.example.test A -> NOERROR 192.0.2.80')
      expect(phase).toContain('111.111.168.192.in-addr.arpa PTR -> NOERROR xpt.redhat.cn')
    }
    expect(output).toMatch(/VRRP node b: backup -> master \(no advert from a master for Master_Down_Interval 360\.9375 ms/)
    expect(output).toMatch(/VRRP node a: backup -> master \(preempting 172\.22\.10\.50: its priority 100 < ours 150/)
    expect(JSON.parse(output.trim().split('\n').at(-1)!)).toEqual({ holderAtEnd: 'a', ok: true })
  }, 90_000)
})
