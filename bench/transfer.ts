/**
 * `npm run bench -- transfer`: zone transfer of a large zone (default 1,000,000 records, an
 * A/AAAA/TXT/MX mix, generated once into a temp dir and shared by every row).
 *
 * 1. Primary: dns-ha (an Authority in its own process, `bench/transfer-child.ts`), BIND (named
 *    -n 1, a primary zone) and NSD serve the same file on 127.0.0.1; the same client (`dig axfr`,
 *    or `kdig` with `--client kdig`) takes the whole zone from each, in turns, `--rounds` times
 *    (best kept). Printed: wall time of the transfer, records received, the server's RSS after
 *    loading and its peak RSS (VmHWM) after the transfers, with ratios to BIND.
 * 2. Secondary: dns-ha (a SecondaryZone behind a DnsServer, in its own process) and a BIND
 *    secondary each take the zone from the same BIND primary; the time from spawning the process
 *    to its first answer of the new zone's SOA (polled every 20 ms), and its peak RSS.
 *
 * Options: `--records N` (default 1,000,000), `--rounds N` (default 3), `--client dig|kdig`
 * (default dig), `--only name,name` (rows whose name contains one of them). Tools that are not
 * installed are skipped with a note.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freeLoopbackPort as freePort } from '../src/testing/index.js'
import { namedOptions, nsdConf, waitForSoa } from '../test/support/peers.js'
import type { Target } from './lib/index.js'
import { argValue, have, processTree, skipMissing, startProcess } from './lib/index.js'

const ORIGIN = 'xfr.bench.'

/** Runs the transfer benchmark. */
export async function run(args: string[]): Promise<void> {
  const records = Number(argValue(args, '--records') ?? 1_000_000)
  const rounds = Number(argValue(args, '--rounds') ?? 3)
  const client = (argValue(args, '--client') ?? 'dig') as 'dig' | 'kdig'
  const only = argValue(args, '--only')?.split(',')
  const wanted = (name: string): boolean => !only || only.some((o) => name.toLowerCase().includes(o.toLowerCase()))
  if (!have(client, ['-v'])) {
    skipMissing(client, client === 'dig' ? 'bind9-dnsutils' : 'knot-dnsutils')
    return
  }
  const dir = mkdtempSync(join(tmpdir(), 'dns-ha-bench-transfer-'))
  try {
    const zoneFile = join(dir, 'xfr.bench.zone')
    const started = Date.now()
    const { text, count } = generateZone(records)
    writeFileSync(zoneFile, text)
    console.log(`zone: ${count} records, ${(text.length / 2 ** 20).toFixed(0)} MB of text (generated in ${Date.now() - started} ms)`)

    const child = await bundleChild()

    // ---- primaries ----
    const primaries: { name: string; start: () => Promise<Target | undefined> }[] = [
      { name: 'dns-ha Authority', start: () => startProcess(process.execPath, [child, '--primary', zoneFile], { readyMs: 300_000 }) },
      { name: 'bind (named -n 1)', start: () => startBindPrimary(dir, zoneFile) },
      { name: 'nsd', start: () => startNsd(dir, zoneFile) },
    ]
    const running: { name: string; target: Target; loadedRss: number; loadMs: number; best: number; records: number; bytes: number }[] = []
    const bindPrimary: { port?: number } = {}
    try {
      for (const p of primaries) {
        if (!wanted(p.name) && !(p.name.startsWith('bind') && wanted('secondary'))) continue
        const t0 = Date.now()
        const target = await p.start().catch((error: unknown) => {
          console.warn(`${p.name}: could not start (${(error as Error).message.split('\n')[0]})`)
          return undefined
        })
        if (!target) continue
        if (!(await waitForSoa(target.port, ORIGIN, 600_000))) {
          console.warn(`${p.name}: never answered the SOA; skipped`)
          await target.close()
          continue
        }
        const loadMs = Date.now() - t0
        if (p.name.startsWith('bind')) bindPrimary.port = target.port
        running.push({ name: p.name, target, loadedRss: treeRss(target.pid, 'VmRSS'), loadMs, best: Infinity, records: 0, bytes: 0 })
      }
      const measured = running.filter((r) => wanted(r.name))
      for (let round = 0; round < rounds; round++) {
        for (const r of measured) {
          const result = await axfr(client, r.target.port)
          if (result.records !== count + 1) console.warn(`${r.name}: ${result.records} records received, expected ${count + 1} (the SOA twice)`)
          r.records = result.records
          r.bytes = result.bytes
          r.best = Math.min(r.best, result.ms)
        }
      }
      const bind = measured.find((r) => r.name.startsWith('bind'))
      const ratio = (a: number, b: number | undefined): string => (b ? (a / b).toFixed(2) : '-')
      table(
        `AXFR of ${count} records to ${client} on 127.0.0.1, best of ${rounds}, in turns`,
        ['primary', 'load s', 'axfr s', 'records', 'MB on the wire', 'time / bind', 'RSS loaded MB', 'peak RSS MB', 'peak / bind'],
        measured.map((r) => {
          const peak = treeRss(r.target.pid, 'VmHWM')
          return [r.name, (r.loadMs / 1000).toFixed(1), (r.best / 1000).toFixed(2), String(r.records), r.bytes ? (r.bytes / 2 ** 20).toFixed(1) : '-', ratio(r.best, bind?.best), mb(r.loadedRss), mb(peak), ratio(peak, bind ? treeRss(bind.target.pid, 'VmHWM') : undefined)]
        }),
      )
      if (measured.some((r) => r.name === 'nsd')) console.log('  nsd: RSS is the largest single process of its tree (main, server child, xfrd share the zone by fork)')

      // ---- secondaries, from the BIND primary ----
      if (bindPrimary.port !== undefined && wanted('secondary')) {
        const rows: string[][] = []
        const secondaries: [string, () => Promise<{ ms: number; peak: number; note: string } | undefined>][] = [
          ['dns-ha SecondaryZone', () => ourSecondary(child, bindPrimary.port!)],
          ['bind secondary (named -n 1)', () => bindSecondary(dir, bindPrimary.port!)],
        ]
        const best = new Map<string, { ms: number; peak: number; note: string }>()
        for (let round = 0; round < rounds; round++) {
          for (const [name, go] of secondaries) {
            const got = await go()
            if (!got) continue
            const prev = best.get(name)
            if (!prev || got.ms < prev.ms) best.set(name, { ...got, peak: Math.max(got.peak, prev?.peak ?? 0) })
          }
        }
        const bindRow = best.get('bind secondary (named -n 1)')
        for (const [name, r] of best) rows.push([name, (r.ms / 1000).toFixed(2), bindRow ? (r.ms / bindRow.ms).toFixed(2) : '-', mb(r.peak), bindRow ? (r.peak / bindRow.peak).toFixed(2) : '-', r.note])
        table(`secondary taking ${count} records from the BIND primary, spawn to serving the zone, best of ${rounds}`, ['secondary', 'seconds', 'time / bind', 'peak RSS MB', 'peak / bind', 'note'], rows)
      }
    } finally {
      for (const r of running) await r.target.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The zone: SOA, NS, then hosts with A, every 3rd an AAAA, every 5th a TXT, every 7th an MX. */
export function generateZone(records: number): { text: string; count: number } {
  const lines = [`$ORIGIN ${ORIGIN}`, '$TTL 3600', '@ SOA ns1 hostmaster 1 7200 3600 1209600 300', '@ NS ns1', 'ns1 A 192.0.2.1']
  let count = 3
  for (let i = 0; count < records; i++) {
    const name = `h${i}`
    lines.push(`${name} A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`)
    if (++count >= records) break
    if (i % 3 === 0) {
      lines.push(`${name} AAAA 2001:db8::${(i & 0xffff).toString(16)}:${(i >> 16).toString(16)}`)
      if (++count >= records) break
    }
    if (i % 5 === 0) {
      lines.push(`${name} TXT "v=spf1 ip4:10.${(i >> 16) & 255}.${(i >> 8) & 255}.0/24 -all"`)
      if (++count >= records) break
    }
    if (i % 7 === 0) {
      lines.push(`${name} MX 10 mail${i % 100}`)
      if (++count >= records) break
    }
  }
  lines.push('')
  return { text: lines.join('\n'), count }
}

/** One AXFR with `client`; its wall time and what it says it received. */
async function axfr(client: 'dig' | 'kdig', port: number): Promise<{ ms: number; records: number; bytes: number }> {
  const args = client === 'dig' ? ['+noall', '+stats', '+tries=1', '+time=60', '-p', String(port), '@127.0.0.1', ORIGIN, 'AXFR'] : ['+noall', '+stats', '+timeout=60', '-p', String(port), '@127.0.0.1', ORIGIN, 'AXFR']
  const t0 = performance.now()
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(client, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    let text = ''
    child.stdout.on('data', (d) => (text += d))
    child.once('error', reject)
    child.once('exit', () => resolve(text))
  })
  const ms = performance.now() - t0
  // dig: ";; XFR size: N records (messages M, bytes B)"; kdig: ";; Received B B (M messages, N records)".
  const digged = /XFR size: (\d+) records \(messages \d+, bytes (\d+)\)/.exec(out)
  if (digged) return { ms, records: Number(digged[1]), bytes: Number(digged[2]) }
  const kdigged = /Received (\d+) B \(\d+ messages, (\d+) records\)/.exec(out)
  if (kdigged) return { ms, records: Number(kdigged[2]), bytes: Number(kdigged[1]) }
  return { ms, records: 0, bytes: 0 }
}

async function startBindPrimary(dir: string, zoneFile: string): Promise<Target | undefined> {
  if (!have('named', ['-v'])) return skipMissing('named', 'bind9')
  const port = await freePort()
  const bdir = mkdtempSync(join(dir, 'bind-primary-'))
  const conf = join(bdir, 'named.conf')
  writeFileSync(conf, namedConf(bdir, port, `zone "${ORIGIN}" { type primary; file "${zoneFile}"; };`))
  return startProcess('named', ['-c', conf, '-g', '-n', '1'], { port, readyMs: 1500 })
}

function namedConf(bdir: string, port: number, zone: string): string {
  return [
    ...namedOptions(bdir, port, ['  notify no;', '  allow-transfer { 127.0.0.1; };']),
    zone,
    '',
  ].join('\n')
}

async function startNsd(dir: string, zoneFile: string): Promise<Target | undefined> {
  if (!have('nsd', ['-v'])) return skipMissing('nsd', 'nsd')
  const port = await freePort()
  const conf = join(dir, `nsd-${port}.conf`)
  const text = nsdConf({ port, dir, tag: `-${port}`, zones: [{ name: ORIGIN.slice(0, -1), file: zoneFile }] }).replace(`zonefile: "${zoneFile}"`, `zonefile: "${zoneFile}"\n  provide-xfr: 127.0.0.1 NOKEY`)
  writeFileSync(conf, text)
  return startProcess('nsd', ['-c', conf, '-d'], { port, readyMs: 1000 })
}

/**
 * `transfer-child.ts` and the current `src/` it imports, bundled by esbuild (dependencies left as
 * imports) under node_modules/.cache so they resolve: the child starts with plain node, as a
 * user's built program does, instead of tsx compiling every source file at each spawn (0.3-0.8 s
 * here, which the secondary's spawn-to-serving time would count and BIND's does not).
 */
async function bundleChild(): Promise<string> {
  const { build } = await import('esbuild')
  const outfile = fileURLToPath(new URL('../node_modules/.cache/dns-ha-bench/transfer-child.mjs', import.meta.url))
  await build({ entryPoints: [fileURLToPath(new URL('./transfer-child.ts', import.meta.url))], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile, logLevel: 'error' })
  return outfile
}

/** Our secondary in its own process: spawn to serving the zone. */
async function ourSecondary(child: string, primaryPort: number): Promise<{ ms: number; peak: number; note: string } | undefined> {
  const t0 = performance.now()
  const target = await startProcess(process.execPath, [child, '--secondary', String(primaryPort)], { readyMs: 60_000 })
  try {
    if (!(await pollSerial(target.port, 600_000))) throw new Error('dns-ha secondary never served the zone')
    const ms = performance.now() - t0
    return { ms, peak: target.peakRssBytes(), note: 'incl. node start' }
  } finally {
    await target.close()
  }
}

/** A BIND secondary (no zone file: kept in memory, as ours) taking the zone from the primary. */
async function bindSecondary(dir: string, primaryPort: number): Promise<{ ms: number; peak: number; note: string } | undefined> {
  if (!have('named', ['-v'])) return skipMissing('named', 'bind9')
  const port = await freePort()
  const bdir = mkdtempSync(join(dir, 'bind-secondary-'))
  const conf = join(bdir, 'named.conf')
  writeFileSync(conf, namedConf(bdir, port, `zone "${ORIGIN}" { type secondary; primaries port ${primaryPort} { 127.0.0.1; }; };`))
  const t0 = performance.now()
  const target = await startProcess('named', ['-c', conf, '-g', '-n', '1'], { port, readyMs: 300 })
  try {
    if (!(await pollSerial(target.port, 600_000))) throw new Error('bind secondary never served the zone')
    return { ms: performance.now() - t0, peak: target.peakRssBytes(), note: '' }
  } finally {
    await target.close()
  }
}

/** Polls the SOA every 20 ms until an authoritative NOERROR answer. */
async function pollSerial(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    const r = spawnSync('dig', ['+norec', '+short', '+tries=1', '+time=1', '-p', String(port), '@127.0.0.1', ORIGIN, 'SOA'], { encoding: 'utf8' })
    if (/ 1 7200 3600 1209600 300/.test(r.stdout ?? '')) return true
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return false
}

/** The largest VmRSS / VmHWM of `pid`'s process tree, in bytes. */
function treeRss(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  let most = 0
  for (const p of processTree(pid)) {
    try {
      const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${p}/status`, 'utf8'))
      if (m) most = Math.max(most, Number(m[1]) * 1024)
    } catch {
      // exited meanwhile
    }
  }
  return most
}

const mb = (n: number): string => (n > 0 ? (n / 2 ** 20).toFixed(0) : '-')

function table(title: string, header: string[], body: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)))
  const line = (cells: string[]): string => cells.map((c, i) => (c ?? '').padEnd(widths[i]!)).join('  ')
  console.log(`\n${title}`)
  console.log(line(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const row of body) console.log(line(row))
}
