/**
 * Zone parser benchmark: generates a large zone, loads it with readZoneFile in a child process
 * (wall time, peak RSS, heap held per record), and runs named-compilezone and nsd-checkzone on
 * the same file in the same run; figures are given as ratios to those two.
 * `--records N` (default 1,000,000), `--no-positions` (load without source positions).
 */
import { spawn, spawnSync } from 'node:child_process'
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

interface Measure {
  tool: string
  seconds: number
  peakRssMb: number
  note: string
}

/** GNU time (Debian package `time`); `ZONE_BENCH_TIME=/nonexistent` exercises the /proc fallback. */
const TIME = process.env.ZONE_BENCH_TIME ?? '/usr/bin/time'

/** Entry point called by bench/run.ts (`npm run bench -- zone`). */
export async function run(args: string[]): Promise<void> {
  const i = args.indexOf('--records')
  const count = i >= 0 ? Number(args[i + 1]) : 1_000_000
  const positions = !args.includes('--no-positions')
  const dir = mkdtempSync(join(tmpdir(), 'dns-ha-zone-bench-'))
  try {
    const file = join(dir, 'bench.zone')
    await generate(file, count)
    console.log(`zone file: ${count} records, ${(statSync(file).size / 1e6).toFixed(1)} MB; positions ${positions ? 'on' : 'off'}`)
    const child = await childCommand(dir)
    console.log(`dns-ha child: ${child.how}; peak RSS via ${existsSync(TIME) ? TIME : '/proc/<pid>/status VmHWM polling (install the Debian package "time" for exact figures)'}`)
    const rows: Measure[] = []
    rows.push(await timed('dns-ha readZoneFile', child.cmd, [...child.args, file, positions ? '1' : '0']))
    rows.push(await timed('named-compilezone', 'named-compilezone', ['-i', 'local', '-o', '/dev/null', 'bench.example.', file]))
    rows.push(await timed('nsd-checkzone', 'nsd-checkzone', ['bench.example.', file]))
    const [ours, named, nsd] = rows as [Measure, Measure, Measure]
    const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) ? (a / b).toFixed(2) + 'x' : '-')
    console.log('\n| tool | wall s | records/s | peak RSS MB | time vs named | RSS vs named | time vs nsd | RSS vs nsd | note |')
    console.log('|---|---|---|---|---|---|---|---|---|')
    for (const r of rows) {
      const ok = Number.isFinite(r.seconds)
      console.log(
        `| ${r.tool} | ${ok ? r.seconds.toFixed(2) : '-'} | ${ok ? Math.round(count / r.seconds).toLocaleString('en-US') : '-'} | ${ok ? r.peakRssMb.toFixed(0) : '-'} | ` +
          `${ratio(r.seconds, named.seconds)} | ${ratio(r.peakRssMb, named.peakRssMb)} | ${ratio(r.seconds, nsd.seconds)} | ${ratio(r.peakRssMb, nsd.peakRssMb)} | ${r.note} |`,
      )
    }
    const verdict = Number.isFinite(named.seconds)
      ? `dns-ha vs named-compilezone: ${ratio(ours.seconds, named.seconds)} time, ${ratio(ours.peakRssMb, named.peakRssMb)} peak RSS (target: both below 1.00x)`
      : 'named-compilezone not available: no reference figures'
    console.log(`\n${verdict}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * How to run the child: bundled to plain JavaScript with esbuild when it can be loaded (so the
 * figures are the library's, not the TypeScript loader's), else through tsx.
 */
async function childCommand(dir: string): Promise<{ cmd: string; args: string[]; how: string }> {
  const source = fileURLToPath(new URL('./zone-child.ts', import.meta.url))
  try {
    const esbuild = (await import('esbuild')) as typeof import('esbuild')
    const out = join(dir, 'zone-child.mjs')
    await esbuild.build({ entryPoints: [source], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'silent', external: ['dns-packet'] })
    return { cmd: process.execPath, args: ['--expose-gc', out], how: 'bundled with esbuild, plain node' }
  } catch {
    return { cmd: process.execPath, args: ['--expose-gc', '--import', 'tsx', source], how: 'tsx (esbuild not loadable: figures include the TypeScript loader, ~35 MB and ~0.5 s)' }
  }
}

async function generate(file: string, count: number): Promise<void> {
  const out = createWriteStream(file)
  const write = (s: string): Promise<void> => new Promise((res) => (out.write(s) ? res() : out.once('drain', () => res())))
  await write('$ORIGIN bench.example.\n$TTL 3600\n@ IN SOA ns1 hostmaster (\n  2024010101 ; serial\n  2h 15m 2w 300 )\n  IN NS ns1\n  IN NS ns2\nns1 A 192.0.2.1\nns2 A 192.0.2.2\n')
  let chunk = ''
  for (let n = 0; n < count - 5; n++) {
    const h = `h${n}`
    switch (n % 5) {
      case 0: chunk += `${h} A 10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}\n`; break
      case 1: chunk += `${h} 300 IN AAAA 2001:db8::${(n & 0xffff).toString(16)}\n`; break
      case 2: chunk += `${h} CNAME h${n - 2}\n`; break
      case 3: chunk += `${h} MX 10 mail${n % 100}.bench.example.\n`; break
      default: chunk += `${h} TXT "v=spf1 ip4:10.0.0.${n & 255} -all" "id ${n}"\n`
    }
    if (chunk.length > 1 << 20) {
      await write(chunk)
      chunk = ''
    }
  }
  await write(chunk)
  await new Promise<void>((res) => out.end(() => res()))
}

/**
 * Runs a command, measuring wall time and the child's peak RSS: GNU time's %M (the kernel's
 * maxrss of the child) when /usr/bin/time exists, else the last VmHWM read from
 * /proc/<pid>/status while it runs (polled every 10 ms; a lower bound).
 */
function timed(tool: string, cmd: string, args: string[]): Promise<Measure> {
  const haveTime = existsSync(TIME)
  if (cmd !== process.execPath && spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0) {
    return Promise.resolve({ tool, seconds: NaN, peakRssMb: NaN, note: `${cmd} not installed` })
  }
  return new Promise((resolvePromise) => {
    const start = process.hrtime.bigint()
    const proc = haveTime
      ? spawn(TIME, ['-f', '%M', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let polledKb = 0
    const poll = haveTime
      ? undefined
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'latin1'))
            if (m) polledKb = Math.max(polledKb, Number(m[1]))
          } catch {
            // the process has exited
          }
        }, 10)
    let stdout = ''
    let stderr = ''
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    proc.on('error', (e) => {
      if (poll) clearInterval(poll)
      resolvePromise({ tool, seconds: NaN, peakRssMb: NaN, note: e.message })
    })
    proc.on('close', (code) => {
      if (poll) clearInterval(poll)
      const seconds = Number(process.hrtime.bigint() - start) / 1e9
      const lines = stderr.trim().split('\n')
      const kb = haveTime ? Number(lines[lines.length - 1]) : polledKb
      let note = code === 0 ? '' : `exit ${code}: ${(haveTime ? lines.slice(0, -1) : lines).join(' ').slice(0, 80)}`
      const info = stdout.trim().split('\n').pop() ?? ''
      if (info.startsWith('{')) {
        const m = JSON.parse(info) as { records: number; parseSeconds: number; bytesPerRecord: number; vmHwmMb: number }
        note = `${m.records} records, load ${m.parseSeconds.toFixed(2)} s, ${m.bytesPerRecord.toFixed(0)} B/record held after GC, own VmHWM ${m.vmHwmMb.toFixed(0)} MB`
      }
      resolvePromise({ tool, seconds: code === 0 ? seconds : NaN, peakRssMb: kb / 1024, note })
    })
  })
}
