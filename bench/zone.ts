/**
 * Zone parser benchmark: generates a large zone, parses it with readZoneFile in a child
 * process (records/s, peak RSS, bytes per record held), and runs named-compilezone and
 * nsd-checkzone on the same file for comparison. `--records N` (default 1,000,000).
 */
import { spawn } from 'node:child_process'
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

interface Measure {
  tool: string
  seconds: number
  peakRssMb: number
  note: string
}

/** Entry point called by bench/run.ts (`npm run bench -- zone`). */
export async function run(args: string[]): Promise<void> {
  const i = args.indexOf('--records')
  const count = i >= 0 ? Number(args[i + 1]) : 1_000_000
  const dir = mkdtempSync(join(tmpdir(), 'dns-ha-zone-bench-'))
  try {
    const file = join(dir, 'bench.zone')
    await generate(file, count)
    console.log(`zone file: ${count} records, ${(statSync(file).size / 1e6).toFixed(1)} MB`)
    const rows: Measure[] = []
    const child = fileURLToPath(new URL('./zone-child.ts', import.meta.url))
    rows.push(await timed('dns-ha readZoneFile', process.execPath, ['--expose-gc', '--import', 'tsx', child, file]))
    rows.push(await timed('named-compilezone', 'named-compilezone', ['-i', 'local', '-o', '/dev/null', 'bench.example.', file]))
    rows.push(await timed('nsd-checkzone', 'nsd-checkzone', ['bench.example.', file]))
    const base = rows[0] as Measure
    console.log('\n| tool | wall s | records/s | peak RSS MB | time vs dns-ha | RSS vs dns-ha | note |')
    console.log('|---|---|---|---|---|---|---|')
    for (const r of rows) {
      const ok = Number.isFinite(r.seconds)
      console.log(`| ${r.tool} | ${ok ? r.seconds.toFixed(2) : '-'} | ${ok ? Math.round(count / r.seconds).toLocaleString('en-US') : '-'} | ${ok ? r.peakRssMb.toFixed(0) : '-'} | ${ok ? (r.seconds / base.seconds).toFixed(2) + 'x' : '-'} | ${ok ? (r.peakRssMb / base.peakRssMb).toFixed(2) + 'x' : '-'} | ${r.note} |`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
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

/** Runs a command, measuring wall time and the child's peak RSS (getrusage of the child). */
function timed(tool: string, cmd: string, args: string[]): Promise<Measure> {
  return new Promise((resolvePromise) => {
    const start = process.hrtime.bigint()
    let note = ''
    const wrapped = spawn('/usr/bin/time', ['-f', '%M', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    wrapped.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    wrapped.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    wrapped.on('error', () => resolvePromise({ tool, seconds: NaN, peakRssMb: NaN, note: '/usr/bin/time or tool missing' }))
    wrapped.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9
      const lastLines = stderr.trim().split('\n')
      const kb = Number(lastLines[lastLines.length - 1])
      if (code !== 0) note = `exit ${code}: ${lastLines.slice(0, -1).join(' ').slice(0, 80)}`
      const info = stdout.trim().split('\n').pop() ?? ''
      if (info.startsWith('{')) {
        const m = JSON.parse(info) as { records: number; parseSeconds: number; heapMbAfterGc: number; bytesPerRecord: number }
        note = `${m.records} records in Zone, parse ${m.parseSeconds.toFixed(2)} s, ${m.bytesPerRecord.toFixed(0)} B/record held (heap after GC)`
      }
      resolvePromise({ tool, seconds: code === 0 ? seconds : NaN, peakRssMb: kb / 1024, note })
    })
  })
}
