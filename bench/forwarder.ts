/**
 * `npm run bench -- forwarder`: the Forwarder against dnsmasq on the same hosts file and the same
 * warm cache, in the same run, beside the Node echo baseline. Two phases: hosts answers (1000
 * names from a hosts file) and cache hits (1000 upstream names asked once beforehand). Each
 * server runs in its own process; the upstream (only used while warming) runs here.
 *
 * Run as `node --import tsx bench/forwarder.ts --serve <dnsmasq.conf>` it is the target process:
 * a DnsServer with `new Forwarder(parseDnsmasqConf(conf))` on 127.0.0.1, printing `PORT <n>`.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import dnsPacket from 'dns-packet'
import type { BenchRow } from './lib/index.js'
import { argValue, haveDnsperf, measureInTurns, printTable, runDnsperfPaced, runPaced, startEchoBaseline, startProcess, startTarget, writeQueryFile } from './lib/index.js'
import type { Target } from './lib/index.js'
import { query } from '../src/client/query.js'
import { Forwarder } from '../src/forwarder/forwarder.js'
import { parseDnsmasqConf } from '../src/forwarder/parse-dnsmasq-conf.js'
import { DnsServer } from '../src/server/dns-server.js'
import { batchedEngineUnavailable } from '../src/util/batched-network.js'
import { respond } from '../src/server/respond.js'
import { freeLoopbackPort } from '../src/testing/free-port.js'

const NAMES = 1000

/**
 * Runs the forwarder benchmark. Args: `--duration S` (default 5), `--rounds N` (default 3, best
 * kept), `--tool node|dnsperf`, `--latency-s S` (the paced latency run per target, default 5; 0
 * skips), `--latency-qps N` (its rate; default half the `dgram` Forwarder's measured maximum on
 * hosts answers), `--latency-tool dnsperf|node` (the paced generator: dnsperf `-Q` when installed,
 * since the Node generator cannot pace half of a batched server's rate on a 2-core machine).
 * The latency run paces hosts queries at that rate and prints p50/p99 for each
 * Forwarder engine and dnsmasq. The generator is one Node process: on a loaded machine it may not
 * keep up with half the maximum (its losses say so), hence the fixed-rate option.
 */
export async function run(args: string[]): Promise<void> {
  const durationS = Number(argValue(args, '--duration') ?? 5)
  const rounds = Number(argValue(args, '--rounds') ?? 3)
  const tool = argValue(args, '--tool') as 'node' | 'dnsperf' | undefined
  const latencyS = Number(argValue(args, '--latency-s') ?? 5)
  const latencyQps = argValue(args, '--latency-qps')
  const latencyTool = argValue(args, '--latency-tool') ?? (haveDnsperf() ? 'dnsperf' : 'node')
  const haveDnsmasq = spawnSync('dnsmasq', ['--version'], { timeout: 5000 }).status === 0
  if (!haveDnsmasq) console.warn('dnsmasq is not installed: measuring the forwarder and the echo baseline only')
  const dir = mkdtempSync(join(tmpdir(), 'dns-ha-bench-forwarder-'))

  // The upstream for cache warming: every A question gets one address with a long TTL.
  const upstream = new DnsServer({ handler: (q) => respond(q, { ra: true, answers: q.question!.type === 'A' ? [{ name: q.question!.name, type: 'A', ttl: 86400, data: '198.51.100.7' }] : [] }) })
  const { port: upstreamPort } = await upstream.listen({ port: 0, address: '127.0.0.1' })

  const hosts = Array.from({ length: NAMES }, (_, i) => `10.${(i >> 8) & 0xff}.${i & 0xff}.1 host${i}.bench.lan h${i}`).join('\n') + '\n'
  writeFileSync(join(dir, 'hosts'), hosts)
  const conf = (port: number) =>
    [`port=${port}`, 'listen-address=127.0.0.1', 'bind-interfaces', 'no-hosts', `addn-hosts=${join(dir, 'hosts')}`, 'no-resolv', `server=127.0.0.1#${upstreamPort}`, 'strict-order', 'cache-size=10000'].join('\n') + '\n'

  const hostsMix = Array.from({ length: NAMES }, (_, i) => [`host${i}.bench.lan`, 'A'] as const)
  const cacheMix = Array.from({ length: NAMES }, (_, i) => [`name${i}.cached.example`, 'A'] as const)
  const starts: [string, () => Promise<Target>][] = [
    // Baselines: the bare echo (every ratio's denominator) and a DnsServer answering precomputed
    // bytes (the ceiling for any handler behind DnsServer).
    ['node-echo', startEchoBaseline],
    ['DnsServer precomputed', () => startTarget('server-precomputed')],
    ['dns-ha Forwarder', () => startForwarderProcess(dir, conf(0))],
    ...(batchedEngineUnavailable() === undefined ? ([['dns-ha Forwarder, batched engine', () => startForwarderProcess(dir, conf(0), 'batched')]] as [string, () => Promise<Target>][]) : []),
    ...(haveDnsmasq ? ([['dnsmasq', () => startDnsmasq(dir, conf)]] as [string, () => Promise<Target>][]) : []),
  ]
  const running: { name: string; target: Target }[] = []
  let hostRows: BenchRow[] = []
  let cacheRows: BenchRow[] = []
  const latencies: string[] = []
  try {
    for (const [name, start] of starts) running.push({ name, target: await start() })
    const load = { rounds, durationS, ...(tool ? { tool } : {}) }
    hostRows = await measureInTurns(running.map((r) => ({ ...r, mix: hostsMix })), load)
    for (const r of running) await warm(r.target.port, cacheMix)
    cacheRows = await measureInTurns(running.map((r) => ({ ...r, mix: cacheMix })), load)
    const dgramMax = hostRows.find((r) => r.name === 'dns-ha Forwarder')?.result.qps
    if (latencyS > 0 && dgramMax) {
      const qps = latencyQps !== undefined ? Number(latencyQps) : Math.round(dgramMax / 2)
      latencies.push(`latency at ${qps} qps (${latencyQps !== undefined ? '--latency-qps' : "half of the dgram Forwarder's maximum on hosts answers"}; that maximum: ${Math.round(dgramMax)}), paced by ${latencyTool}, ${latencyS}s each:`)
      const queryFile = writeQueryFile(hostsMix.map(([name, type]) => `${name} ${type}`))
      const queries = hostsMix.map(([name, type]) => Buffer.from(dnsPacket.encode({ type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type }] })))
      for (const r of running.filter((c) => c.name.includes('Forwarder') || c.name === 'dnsmasq')) {
        const p =
          latencyTool === 'dnsperf'
            ? await runDnsperfPaced({ port: r.target.port, queryFile, qps, durationS: latencyS })
            : await runPaced({ port: r.target.port, queries, qps, durationMs: latencyS * 1000 })
        latencies.push(`  ${r.name.padEnd(34)} p50 ${(p.p50Ms ?? NaN).toFixed(3)} ms, p99 ${(p.p99Ms ?? NaN).toFixed(3)} ms, lost ${p.lost} of ${p.sent}`)
      }
    }
  } finally {
    for (const r of running) await r.target.close()
    await upstream.close()
    rmSync(dir, { recursive: true, force: true })
  }
  printTable(`Forwarder: hosts answers (${NAMES} names), best of ${rounds} x ${durationS}s per target, in turns`, hostRows, 'node-echo')
  printTable(`Forwarder: cache hits (${NAMES} names, warmed), best of ${rounds} x ${durationS}s per target, in turns`, cacheRows, 'node-echo')
  for (const [label, rows] of [
    ['hosts', hostRows],
    ['cache', cacheRows],
  ] as const) {
    const ours = rows.find((r) => r.name === 'dns-ha Forwarder')?.result.qps
    const batched = rows.find((r) => r.name === 'dns-ha Forwarder, batched engine')?.result.qps
    const theirs = rows.find((r) => r.name === 'dnsmasq')?.result.qps
    if (ours && theirs) console.log(`${label}: Forwarder / dnsmasq = ${(ours / theirs).toFixed(2)}`)
    if (batched && theirs) console.log(`${label}: Forwarder, batched engine / dnsmasq = ${(batched / theirs).toFixed(2)}`)
  }
  if (latencies.length > 0) console.log(`\n${latencies.join('\n')}`)
}

/** Asks every name once (a few at a time) so the target's cache holds them all. */
async function warm(port: number, mix: readonly (readonly [string, string])[]): Promise<void> {
  for (let i = 0; i < mix.length; i += 50) {
    await Promise.all(mix.slice(i, i + 50).map(([name, type]) => query({ address: '127.0.0.1', port }, { name, type }, { timeoutMs: 2000, retries: 2 })))
  }
}

function startForwarderProcess(dir: string, conf: string, engine: 'dgram' | 'batched' = 'dgram'): Promise<Target> {
  const file = join(dir, `forwarder-${engine}.conf`)
  writeFileSync(file, conf)
  const self = fileURLToPath(import.meta.url)
  return startProcess(process.execPath, ['--import', 'tsx', self, '--serve', file, '--engine', engine])
}

async function startDnsmasq(dir: string, conf: (port: number) => string): Promise<Target> {
  // dnsmasq prints no port: pick a free one and give it to dnsmasq.
  const port = await freeLoopbackPort()
  const file = join(dir, 'dnsmasq.conf')
  writeFileSync(file, conf(port))
  const target = await startProcess('dnsmasq', ['-C', file, '--keep-in-foreground', `--pid-file=${join(dir, 'dnsmasq.pid')}`, '--user=root', '--log-facility=-'], { port, readyMs: 1000 })
  return target
}


// ---- target process mode ----

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv.includes('--serve')) {
  const file = process.argv[process.argv.indexOf('--serve') + 1]!
  const config = parseDnsmasqConf(readFileSync(file, 'utf8'), { baseDir: dirname(file), fileName: file })
  const forwarder = new Forwarder({ ...config, watch: false })
  await forwarder.start()
  const server = new DnsServer({ handler: forwarder, engine: argValue(process.argv, '--engine') === 'batched' ? 'batched' : 'dgram' })
  const bound = await server.listen({ port: config.listen.port, address: config.listen.addresses[0] ?? '127.0.0.1' })
  console.log(`PORT ${bound.port}`)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => void Promise.all([server.close(), forwarder.close()]).then(() => process.exit(0)))
  }
}
