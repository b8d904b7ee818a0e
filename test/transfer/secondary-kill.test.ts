// kill -9 in the middle of a transfer: a secondary in a child process follows a slow primary on
// loopback; it is killed while serial 2 is streaming, and the restarted process serves serial 1,
// the last complete copy, from its state file at once (the primary down by then).
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { query } from '../../src/client/query.js'
import { realClock } from '../../src/util/clock.js'
import { nodeNetwork } from '../../src/util/network.js'
import { freeLoopbackPort } from '../../src/testing/free-port.js'
import { FakePrimary } from './fake-primary.js'

const child = new URL('./secondary-child.ts', import.meta.url).pathname
const zoneText = (serial: number, extra = ''): string =>
  `$ORIGIN example.com.\n$TTL 300\n@ SOA ns1 hostmaster ${serial} 1 1 3600 300\nns1 A 192.0.2.1\n@ NS ns1\nwww A 192.0.2.${serial}\n${extra}`

const children: ChildProcess[] = []
let dir = ''
let primary: FakePrimary | undefined
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  await primary?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function run(port: number, stateDir: string): { child: ChildProcess; lines: string[]; waitFor(prefix: string, ms?: number): Promise<string> } {
  const c = spawn(process.execPath, ['--import', 'tsx', child, String(port), stateDir], { stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(c)
  const lines: string[] = []
  let buffered = ''
  c.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    const parts = buffered.split('\n')
    buffered = parts.pop()!
    lines.push(...parts)
  })
  const waitFor = (prefix: string, ms = 20_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const deadline = Date.now() + ms
      const tick = (): void => {
        const line = lines.find((l) => l.startsWith(prefix))
        if (line) return resolve(line)
        if (Date.now() > deadline || c.exitCode !== null) return reject(new Error(`no "${prefix}" line; got ${JSON.stringify(lines)}`))
        setTimeout(tick, 20)
      }
      tick()
    })
  return { child: c, lines, waitFor }
}

describe('SecondaryZone: kill -9 mid-transfer', () => {
  it('restarts serving the last complete copy', async () => {
    dir = mkdtempSync(join(tmpdir(), 'dns-ha-xfr-kill-'))
    const stateDir = join(dir, 'state')
    const port = await freeLoopbackPort()
    const big = Array.from({ length: 300 }, (_, i) => `h${i} A 198.51.100.${i % 250}`).join('\n')
    primary = new FakePrimary({ network: nodeNetwork, clock: realClock, origin: 'example.com.', zone: zoneText(1), address: '127.0.0.1', port })
    await primary.start()
    const first = run(port, stateDir)
    await first.waitFor('transferred 1')
    // Serial 2 streams half its messages, then stalls: the process is killed with it under way.
    primary.setZone(zoneText(2, big))
    primary.script = (req) => {
      const reply = { messages: primary!.chunk([primary!.zone.soa!, ...[...primary!.zone.eachRecord()].filter((r) => r.type !== 'SOA'), primary!.zone.soa!]) }
      void req
      return { messages: reply.messages.slice(0, 50), then: 'stall' as const }
    }
    const deadline = Date.now() + 10_000
    while (primary.requests.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(primary.requests.length).toBeGreaterThanOrEqual(2)
    await new Promise((r) => setTimeout(r, 200))
    first.child.kill('SIGKILL')
    await new Promise((r) => first.child.once('exit', r))
    expect(first.lines).not.toContain('transferred 2')
    // Only the complete copy is there: no temp file was ever renamed over it.
    const files = readdirSync(stateDir)
    expect(files).toContain('example.com.zone')
    expect(readFileSync(join(stateDir, 'example.com.zone'), 'utf8')).toContain('; serial 1\n')

    await primary.stop()
    primary = undefined
    const second = run(port, stateDir)
    const ourPort = Number((await second.waitFor('port ')).slice(5))
    const answer = await query({ address: '127.0.0.1', port: ourPort }, { name: 'www.example.com.', type: 'A' }, { timeoutMs: 1000, retries: 2 })
    expect((answer.packet.answers ?? []).map((a) => String((a as { data?: unknown }).data))).toEqual(['192.0.2.1'])
    const soa = await query({ address: '127.0.0.1', port: ourPort }, { name: 'example.com.', type: 'SOA' }, { timeoutMs: 1000, retries: 2 })
    expect(((soa.packet.answers ?? [])[0] as { data: { serial: number } }).data.serial).toBe(1)
    second.child.kill('SIGKILL')
  }, 60_000)
})
