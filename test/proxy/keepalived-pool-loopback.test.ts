// startKeepalivedPool on loopback: the LVS seed's virtual_server (test/vrrp/fixtures/
// keepalived-lvs-dns.conf), its addresses moved to 127.0.0.1 and its MISC_CHECK path pointed at a
// real shell script that does what the seed's does (`nslookup www.test.com $SERVER | grep ip`),
// in front of two real DnsServers. A member made to answer a wrong address fails its script and
// is no longer asked; fixed, it is asked again. And misc_dynamic: the weight a script's exit code
// asks for becomes the member's weight in the pool.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { query } from '../../src/client/query.js'
import { startKeepalivedPool } from '../../src/proxy/keepalived-pool.js'
import type { KeepalivedPool } from '../../src/proxy/keepalived-pool.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { parseKeepalivedConf } from '../../src/vrrp/parse-keepalived-conf.js'

const GOOD = '192.168.10.100'
const WRONG = '192.168.10.99'
const seed = readFileSync(fileURLToPath(new URL('../vrrp/fixtures/keepalived-lvs-dns.conf', import.meta.url)), 'utf8')
const dir = mkdtempSync(join(tmpdir(), 'dns-ha-keepalived-pool-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// The seed's check, as a script: nslookup against the member, grep for the right address.
const checkNamed = join(dir, 'check_named.sh')
writeFileSync(checkNamed, `#!/bin/sh\nnslookup -port=$2 -timeout=1 -retry=1 www.test.com $1 | grep -q ${GOOD.replace(/\./g, '\\.')}\n`)
chmodSync(checkNamed, 0o755)

const cleanups: (() => Promise<unknown> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A member answering www.test.com A with `data`, counting the queries that came through the pool (`qN.test.com`). */
class Member {
  data = GOOD
  port = 0
  poolQueries = 0
  private server = new DnsServer({
    handler: (q) => {
      const name = q.question!.name
      if (/^q\d+\.test\.com\.?$/i.test(name)) this.poolQueries++
      if (q.question!.type !== 'A') return { answers: [] }
      return { answers: [{ name, type: 'A', class: 'IN', ttl: 60, data: this.data }] }
    },
  })

  async start(): Promise<this> {
    this.port = (await this.server.listen({ port: 0, address: '127.0.0.1' })).port
    cleanups.push(() => this.server.close())
    return this
  }
}

/** The seed's text with real server i at 127.0.0.1:members[i].port and its misc_path running `script`. */
function seedOnLoopback(members: Member[], script: string): string {
  let text = seed
  members.forEach((m, i) => {
    const ip = `192.0.2.1${i + 1}`
    text = text.replace(`real_server ${ip} 53`, `real_server 127.0.0.1 ${m.port}`).replace(`"/etc/keepalived/check_named.sh ${ip}"`, `"${script} 127.0.0.1 ${m.port}"`)
  })
  return text
}

async function start(text: string): Promise<KeepalivedPool> {
  const vs = parseKeepalivedConf(text, { file: 'keepalived.conf' }).virtualServers[0]!
  const running = await startKeepalivedPool(vs, {}, { listen: { address: '127.0.0.1', port: 0 } })
  cleanups.push(() => running.close())
  return running
}

async function ask(port: number, n: number): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const r = await query({ address: '127.0.0.1', port }, { name: `q${i}.test.com`, type: 'A' }, { timeoutMs: 1000, retries: 1 })
    const answers = (r.packet.answers ?? []) as { data: unknown }[]
    out.push(...answers.map((a) => String(a.data)))
  }
  return out
}

async function until(what: string, test: () => boolean, limitMs: number): Promise<number> {
  const started = Date.now()
  while (!test()) {
    if (Date.now() - started > limitMs) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
  return Date.now() - started
}

describe('startKeepalivedPool: the LVS seed on loopback', () => {
  it('runs the seed virtual_server: a member whose MISC_CHECK fails is ejected, and asked again once it passes', async () => {
    const members = [await new Member().start(), await new Member().start()]
    const running = await start(seedOnLoopback(members, checkNamed))
    expect(running.setup.listen).toMatchObject({ address: '127.0.0.1', udp: true, tcp: false })
    expect(running.setup.targets.map((t) => [t.name, t.intervalMs, t.fall, t.rise])).toEqual(members.map((m) => [`127.0.0.1#${m.port}`, 2000, 1, 1]))
    // The first checks pass (keepalived starts a real server up; the script agrees).
    await until('both checked up', () => running.prober.snapshot().targets.every((t) => t.runs > 0 && t.checked === 'up'), 5000)
    const before = await ask(running.address.port, 10)
    expect(before).toEqual(Array(10).fill(GOOD))
    expect(members.map((m) => m.poolQueries)).toEqual([5, 5]) // lb_algo rr

    members[1]!.data = WRONG
    const ejectMs = await until('member 2 ejected', () => running.pool.snapshot().members.some((m) => m.key === `127.0.0.1#${members[1]!.port}` && m.state === 'down'), 2000 + 5000 + 2000)
    console.log(`keepalived seed on loopback: member answering ${WRONG} ejected ${ejectMs} ms after the change (delay_loop 2 s, misc_timeout 5 s, fall 1): ${running.prober.snapshot().targets[1]!.last?.reason}`)
    const asked = members.map((m) => m.poolQueries)
    expect(await ask(running.address.port, 10)).toEqual(Array(10).fill(GOOD))
    expect(members.map((m, i) => m.poolQueries - asked[i]!)).toEqual([10, 0])

    members[1]!.data = GOOD
    await until('member 2 back', () => running.pool.snapshot().members.every((m) => m.state === 'up'), 2000 + 5000 + 2000)
    const again = members.map((m) => m.poolQueries)
    expect(await ask(running.address.port, 10)).toEqual(Array(10).fill(GOOD))
    expect(members[1]!.poolQueries - again[1]!).toBeGreaterThan(0)
  }, 30_000)

  it('misc_dynamic: the weight a script asks for (exit code - 2) becomes the member weight (lb_algo wrr)', async () => {
    const members = [await new Member().start(), await new Member().start()]
    const weightFile = join(dir, 'weight')
    writeFileSync(weightFile, '7')
    const dynamic = join(dir, 'dynamic.sh')
    writeFileSync(dynamic, `#!/bin/sh\nif [ "$2" = "${members[1]!.port}" ]; then exit $(cat ${weightFile}); fi\nexit 0\n`)
    chmodSync(dynamic, 0o755)
    const text = seedOnLoopback(members, dynamic).replace('lb_algo rr', 'lb_algo wrr').replace(/misc_timeout 5/g, 'misc_timeout 5\n           misc_dynamic').replace('delay_loop 2', 'delay_loop 1')
    const running = await start(text)
    const weightOf = (m: Member): number | undefined => running.pool.snapshot().members.find((s) => s.key === `127.0.0.1#${m.port}`)?.weight
    await until('weight 5 from exit 7', () => weightOf(members[1]!) === 5, 5000)
    expect(weightOf(members[0]!)).toBe(100) // exit 0: up, its configured weight
    writeFileSync(weightFile, '2')
    await until('weight 0 from exit 2', () => weightOf(members[1]!) === 0, 5000)
    // Weight 0 drains it: asked only when nothing with weight is available.
    const asked = members.map((m) => m.poolQueries)
    await ask(running.address.port, 6)
    expect(members.map((m, i) => m.poolQueries - asked[i]!)).toEqual([6, 0])
  }, 30_000)
})
