/**
 * `npm run bench -- records [--updates N] [--batch M]`: acknowledged record updates per second
 * with fsync on. Ours: the HTTP API (serveAdmin over a ZoneStore, one add per request in
 * sequence, 16 requests in flight, and M adds per request) and nsupdate against an Authority
 * with an UpdateResponder over the same kind of store. BIND, in the same run: named with a
 * dynamic zone (`allow-update { key k; }`) fed by nsupdate, one add per UPDATE and M per UPDATE.
 * Each figure is an update acknowledged to the client (HTTP 201 / UPDATE NOERROR), so the change
 * is on disk per the server's journal.
 */
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { promisify } from 'node:util'
import { Authority } from '../src/authority/index.js'
import { UpdateResponder, ZoneStore, serveAdmin } from '../src/records/index.js'
import { DnsServer } from '../src/server/index.js'
import { createKeyring } from '../src/tsig/index.js'
import { parseZone } from '../src/zone/index.js'
import { namedOptions, stopPeer, waitForSoa } from '../test/support/peers.js'

const exec = promisify(execFile)
const TOKEN = 'bench-token-0123456789abcdef'
const SECRET = Buffer.alloc(32, 9).toString('base64')
const ZONE = `$TTL 300
@    IN SOA ns1 hostmaster 1 7200 900 1209600 300
@    IN NS  ns1
ns1  IN A   192.0.2.1
`

/** One measured row; `serverCpuUs`: CPU time of our server process over the row (user + system), where measured. */
interface Row { target: string; mode: string; updates: number; seconds: number; serverCpuUs?: number }

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name)
  return i >= 0 ? Number(args[i + 1]) : fallback
}

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as { port: number }).port
  await new Promise((resolve) => s.close(resolve))
  return port
}

const address = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`

/**
 * Runs bench/records-child.ts (the HTTP client, in a process of its own) and returns its wall
 * seconds, plus the CPU this process (the server) spent meanwhile, in microseconds.
 */
async function client(url: string, mode: string, n: number, prefix: string, batch: number): Promise<{ seconds: number; serverCpuUs: number }> {
  const script = fileURLToPath(new URL('./records-child.ts', import.meta.url))
  const before = process.cpuUsage()
  const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, url, TOKEN, mode, String(n), prefix, String(batch)], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve({ stdout: out }) : reject(new Error(`records-child exited with ${code}`))))
  })
  const cpu = process.cpuUsage(before)
  // The client's start-up (loading tsx) is outside its timed part but inside this CPU window only
  // as idle time: the server does nothing until the first request.
  return { seconds: (JSON.parse(stdout.trim().split('\n').at(-1)!) as { seconds: number }).seconds, serverCpuUs: cpu.user + cpu.system }
}

async function ours(n: number, batch: number): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'dns-ha-bench-records-'))
  const store = await ZoneStore.open({ dir, zones: [parseZone(ZONE, { origin: 'example.com.' })], fsync: true })
  const admin = await serveAdmin({ store, tokens: [{ token: TOKEN, name: 'bench', access: 'write' }] })
  const url = `http://127.0.0.1:${admin.port}/api/zones/example.com./records`
  const rows: Row[] = []
  try {
    for (const [mode, label, prefix] of [['sequential', 'single, sequential', 's'], ['concurrent', 'single, 16 in flight', 'c'], ['batch', `batches of ${batch}`, 'b']] as const) {
      const { seconds, serverCpuUs } = await client(url, mode, n, prefix, batch)
      rows.push({ target: 'dns-ha HTTP API', mode: label, updates: n, seconds, serverCpuUs })
    }
  } finally {
    await admin.close()
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return rows
}

/** Feeds `n` adds to 127.0.0.1:`port` through one nsupdate process, `perUpdate` adds per UPDATE; returns seconds. */
async function nsupdate(dir: string, port: number, n: number, prefix: string, perUpdate: number): Promise<number> {
  const lines = [`server 127.0.0.1 ${port}`, 'zone example.com']
  for (let i = 0; i < n; i += perUpdate) {
    for (let j = i; j < Math.min(n, i + perUpdate); j++) lines.push(`update add ${prefix}${j}.example.com 300 A ${address(j)}`)
    lines.push('send')
  }
  const script = join(dir, `${prefix}.txt`)
  writeFileSync(script, `${lines.join('\n')}\n`)
  const t = performance.now()
  await exec('nsupdate', ['-y', `hmac-sha256:k:${SECRET}`, script], { maxBuffer: 1 << 24 })
  return (performance.now() - t) / 1000
}

async function oursNsupdate(n: number, batch: number): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'dns-ha-bench-update-'))
  const store = await ZoneStore.open({ dir, zones: [parseZone(ZONE, { origin: 'example.com.' })], fsync: true })
  const update = new UpdateResponder({ store, allowUpdate: [{ key: 'k', names: 'zonesub' }] })
  const server = new DnsServer({ handler: new Authority({ store, update, notify: false }), tsig: createKeyring([{ name: 'k', algorithm: 'hmac-sha256', secret: SECRET }]) })
  const bound = await server.listen({ address: '127.0.0.1', port: 0 })
  const rows: Row[] = []
  try {
    for (const [label, prefix, perUpdate] of [['single, sequential', 's', 1], [`batches of ${batch}`, 'b', batch]] as const) {
      const before = process.cpuUsage()
      const seconds = await nsupdate(dir, bound.port, n, prefix, perUpdate)
      const cpu = process.cpuUsage(before)
      rows.push({ target: 'dns-ha + nsupdate', mode: label, updates: n, seconds, serverCpuUs: cpu.user + cpu.system })
    }
    if (store.zone('example.com.').rrset(`s${n - 1}.example.com.`, 'A') === undefined) throw new Error('dns-ha did not apply the updates')
  } finally {
    await server.close()
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return rows
}

async function bind(n: number, batch: number): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'dns-ha-bench-named-'))
  const port = await freePort()
  writeFileSync(join(dir, 'example.com.zone'), ZONE)
  writeFileSync(join(dir, 'named.conf'), [
    `key "k" { algorithm hmac-sha256; secret "${SECRET}"; };`,
    ...namedOptions(dir, port, ['  notify no;']),
    `zone "example.com" { type primary; file "${dir}/example.com.zone"; allow-update { key k; }; };`,
    '',
  ].join('\n'))
  const child = spawn('named', ['-g', '-c', join(dir, 'named.conf')], { stdio: 'ignore' })
  const rows: Row[] = []
  try {
    if (!(await waitForSoa(port, 'example.com.', 10_000, () => child.exitCode === null))) throw new Error('named did not start')
    rows.push({ target: 'BIND named + nsupdate', mode: 'single, sequential', updates: n, seconds: await nsupdate(dir, port, n, 's', 1) })
    rows.push({ target: 'BIND named + nsupdate', mode: `batches of ${batch}`, updates: n, seconds: await nsupdate(dir, port, n, 'b', batch) })
    const check = await exec('dig', ['@127.0.0.1', '-p', String(port), `s${n - 1}.example.com`, 'A', '+short'])
    if (check.stdout.trim() !== address(n - 1)) throw new Error(`BIND did not apply the updates: ${check.stdout}`)
  } finally {
    await stopPeer(child)
    rmSync(dir, { recursive: true, force: true })
  }
  return rows
}

/** Runs the records bench. */
export async function run(args: string[]): Promise<void> {
  const n = option(args, '--updates', 500)
  const batch = option(args, '--batch', 50)
  const haveBind = await exec('named', ['-v']).then(() => true, () => false)
  const rows = [...(await ours(n, batch)), ...(await oursNsupdate(n, batch)), ...(haveBind ? await bind(n, batch) : [])]
  if (!haveBind) console.log('BIND baseline skipped: named is not installed (apt-get install bind9)')
  const bindRate = (mode: string): number | undefined => {
    const r = rows.find((x) => x.target.startsWith('BIND') && (x.mode === mode || (mode.startsWith('single') && x.mode === 'single, sequential')))
    return r === undefined ? undefined : r.updates / r.seconds
  }
  console.log(`\nacknowledged updates/s, fsync on, ${n} record adds per row`)
  const header = ['target', 'mode', 'updates/s', 'ratio to BIND (same mode)', 'server CPU ms/update']
  const body = rows.map((r) => {
    const rate = r.updates / r.seconds
    const base = bindRate(r.mode)
    return [r.target, r.mode, rate.toFixed(0), base === undefined ? '-' : (rate / base).toFixed(2), r.serverCpuUs === undefined ? '-' : (r.serverCpuUs / 1000 / r.updates).toFixed(3)]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  for (const line of [header, widths.map((w) => '-'.repeat(w)), ...body]) console.log(line.map((c, i) => c.padEnd(widths[i]!)).join('  '))
}
