/**
 * `npm run bench -- proxy`: a UDP proxy in front of NSD. The dns-ha UdpProxyPool (without and
 * with its packet cache) against nginx `stream` (the seed topology's config: `proxy_timeout 20s`,
 * one upstream) and dnsdist (without and with its packet cache), all forwarding to the same NSD,
 * with NSD alone and the bare Node echo beside them, measured in turns in one run. Then the
 * added latency: each proxy at half of the dns-ha pool's measured maximum, an open-loop paced
 * load, p50/p99 next to NSD asked directly at the same rate.
 *
 * A proxy does two datagram round trips per query where the echo does one, so about half of the
 * echo is the floor for a Node proxy on the dgram engine.
 *
 * Options: `--duration S` (default 5), `--rounds N` (default 3), `--records N` (zone, default
 * 10,000), `--only name,name`, `--latency-s S` (paced run per target, default 5; 0 skips).
 * Run with `--serve-pool <address:port> [--cache] [--engine dgram|batched] [--member-sockets
 * connected|shared]` this file is the pool's process: a UdpProxyPool with that one member on
 * 127.0.0.1, a free port printed as `PORT <n>`, the packet cache on with `--cache`, the
 * client-facing socket on the given engine (default dgram) and the member side as asked (default:
 * the pool's, connected), stopped by SIGTERM. The row "batched" runs the shared member socket;
 * "batched, connected members" is the batched pool without it, for a before/after in one run.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import dnsPacket from 'dns-packet'
import { UdpProxyPool } from '../src/proxy/index.js'
import { freeLoopbackPort as freePort } from '../src/testing/index.js'
import { nsdConf, waitForSoa } from '../test/support/peers.js'
import { generateZone, queryMix } from './authority.js'
import type { BenchRow, Contender, Target } from './lib/index.js'
import { argValue, have, haveDnsperf, measureInTurns, printTable, runDnsperfPaced, runPaced, skipMissing, startEchoBaseline, startProcess, writeQueryFile } from './lib/index.js'

const ORIGIN = 'bench.test.'
const self = fileURLToPath(import.meta.url)
const NGINX_STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so'

/** Runs the proxy benchmark. */
export async function run(args: string[]): Promise<void> {
  const durationS = Number(argValue(args, '--duration') ?? 5)
  const rounds = Number(argValue(args, '--rounds') ?? 3)
  const records = Number(argValue(args, '--records') ?? 10_000)
  const latencyS = Number(argValue(args, '--latency-s') ?? 5)
  const only = argValue(args, '--only')?.split(',')
  const dir = mkdtempSync(join(tmpdir(), 'dns-ha-bench-proxy-'))
  let nsd: Target | undefined
  try {
    const { text, hosts } = generateZone(records)
    const zoneFile = join(dir, 'bench.test.zone')
    writeFileSync(zoneFile, text)
    nsd = await startNsd(dir, zoneFile)
    if (!nsd) return
    await waitForAnswer(nsd.port)
    const backend = nsd.port
    const mix = queryMix(hosts, 10_000)
    const targets: [string, () => Promise<Target | undefined>][] = [
      ['node-echo', startEchoBaseline],
      ['nsd alone', async () => nsd],
      ['dns-ha UdpProxyPool', () => startPool(backend, [])],
      ['dns-ha UdpProxyPool, cache', () => startPool(backend, ['--cache'])],
      ['dns-ha UdpProxyPool, batched, connected members', () => startPool(backend, ['--engine', 'batched', '--member-sockets', 'connected'])],
      ['dns-ha UdpProxyPool, batched', () => startPool(backend, ['--engine', 'batched', '--member-sockets', 'shared'])],
      ['dns-ha UdpProxyPool, batched, cache', () => startPool(backend, ['--engine', 'batched', '--member-sockets', 'shared', '--cache'])],
      ['nginx stream (seed config)', () => startNginx(dir, backend)],
      ['dnsdist', () => startDnsdist(dir, backend, false)],
      ['dnsdist, cache', () => startDnsdist(dir, backend, true)],
    ]
    const running: Contender[] = []
    const rows: BenchRow[] = []
    try {
      for (const [name, start] of targets) {
        if (only && !name.startsWith('node-echo') && !only.some((o) => name.toLowerCase().includes(o.toLowerCase()))) continue
        try {
          const target = await start()
          if (!target) continue
          if (!name.startsWith('node-echo')) await waitForAnswer(target.port)
          running.push({ name, target, mix })
        } catch (error) {
          console.warn(`${name}: could not start (${(error as Error).message.split('\n')[0]})`)
        }
      }
      rows.push(...(await measureInTurns(running, { rounds, durationS })))
      printTable(`UDP proxies in front of NSD (server-count 1), ${records} records, best of ${rounds} x ${durationS}s per target, in turns`, rows, 'node-echo')
      const ours = rows.find((r) => r.name === 'dns-ha UdpProxyPool')
      if (latencyS > 0 && ours) await latency(running.filter((c) => !c.name.startsWith('node-echo')), mix, Math.round(ours.result.qps / 2), latencyS)
    } finally {
      for (const r of running) if (r.target !== nsd) await r.target.close()
    }
  } finally {
    await nsd?.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Each target at the same paced rate; p99 added over NSD asked directly. */
async function latency(contenders: Contender[], mix: readonly (readonly [string, string])[], qps: number, durationS: number): Promise<void> {
  const queries = mix.map(([name, type]) =>
    dnsPacket.encode({ type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as never }] }),
  )
  // dnsperf -Q paces where installed: the Node generator cannot hold these rates on a 2-core machine.
  const paced = haveDnsperf() ? 'dnsperf' : 'node'
  const queryFile = paced === 'dnsperf' ? writeQueryFile(mix.map(([name, type]) => `${name} ${type}`)) : ''
  console.log(`\nlatency at ${qps} qps (half of the dns-ha pool's maximum), paced by ${paced}, ${durationS}s each:`)
  const results = new Map<string, { p50: number; p99: number; lost: number }>()
  for (const c of contenders) {
    const r =
      paced === 'dnsperf'
        ? await runDnsperfPaced({ port: c.target.port, queryFile, qps, durationS })
        : await runPaced({ port: c.target.port, queries, qps, durationMs: durationS * 1000 })
    results.set(c.name, { p50: r.p50Ms ?? NaN, p99: r.p99Ms ?? NaN, lost: r.lost })
  }
  const direct = results.get('nsd alone')
  for (const [name, r] of results) {
    const added = direct && name !== 'nsd alone' ? `, p99 added ${(r.p99 - direct.p99).toFixed(3)} ms` : ''
    console.log(`  ${name.padEnd(30)} p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms, lost ${r.lost}${added}`)
  }
}

// ---- targets ----

function startPool(backend: number, extra: string[]): Promise<Target> {
  return startProcess(process.execPath, ['--import', 'tsx', self, '--serve-pool', `127.0.0.1:${backend}`, ...extra])
}

async function startNsd(dir: string, zoneFile: string): Promise<Target | undefined> {
  if (!have('nsd', ['-v'])) return skipMissing('nsd', 'nsd')
  const port = await freePort()
  const conf = join(dir, 'nsd.conf')
  writeFileSync(conf, nsdConf({ port, dir, zones: [{ name: ORIGIN.slice(0, -1), file: zoneFile }] }))
  return startProcess('nsd', ['-c', conf, '-d'], { port, readyMs: 1000 })
}

/** nginx with the seed's stream block, pointed at the one backend, one worker, in the foreground. */
async function startNginx(dir: string, backend: number): Promise<Target | undefined> {
  if (!have('nginx', ['-v'])) return skipMissing('nginx', 'nginx libnginx-mod-stream')
  const port = await freePort()
  const ndir = mkdtempSync(join(dir, 'nginx-'))
  const conf = join(ndir, 'nginx.conf')
  const module = existsSync(NGINX_STREAM_MODULE) ? `load_module ${NGINX_STREAM_MODULE};` : ''
  writeFileSync(
    conf,
    [
      module,
      'daemon off;',
      'worker_processes 1;',
      `pid ${ndir}/nginx.pid;`,
      `error_log ${ndir}/error.log error;`,
      'events { worker_connections 65536; }',
      'stream {',
      `  upstream dns { server 127.0.0.1:${backend} weight=1; }`,
      '  server {',
      `    listen 127.0.0.1:${port} udp;`,
      '    proxy_connect_timeout 1s;',
      '    proxy_timeout 20s;',
      '    proxy_pass dns;',
      '  }',
      '}',
      '',
    ].join('\n'),
  )
  return startProcess('nginx', ['-c', conf, '-p', ndir, '-e', `${ndir}/error.log`], { port, readyMs: 800 })
}

/** dnsdist with one backend, no security polling (no internet here), optionally a packet cache. */
async function startDnsdist(dir: string, backend: number, cache: boolean): Promise<Target | undefined> {
  if (!have('dnsdist', ['--version'])) return skipMissing('dnsdist', 'dnsdist')
  const port = await freePort()
  const conf = join(dir, `dnsdist-${port}.conf`)
  writeFileSync(
    conf,
    [
      `setLocal('127.0.0.1:${port}')`,
      `newServer({address='127.0.0.1:${backend}', name='nsd'})`,
      "setSecurityPollSuffix('')",
      ...(cache ? ['pc = newPacketCache(100000, {maxTTL=86400, minTTL=0})', "getPool(''):setCache(pc)"] : []),
      '',
    ].join('\n'),
  )
  return startProcess('dnsdist', ['--supervised', '--disable-syslog', '-C', conf], { port, readyMs: 1500 })
}



async function waitForAnswer(port: number, timeoutMs = 30_000): Promise<void> {
  if (!(await waitForSoa(port, ORIGIN, timeoutMs))) throw new Error(`nothing answers on port ${port}`)
}


// ---- the pool's process (`--serve-pool <address:port> [--cache]`) ----

async function servePool(args: string[]): Promise<void> {
  const member = argValue(args, '--serve-pool')!
  const colon = member.lastIndexOf(':')
  const pool = new UdpProxyPool({
    members: [{ address: member.slice(0, colon), port: Number(member.slice(colon + 1)) }],
    // dnsdist's row has 100,000 entries too; the bench's mix has 10,000 names.
    ...(args.includes('--cache') ? { cache: { size: 100_000 } } : {}),
    engine: (argValue(args, '--engine') ?? 'dgram') as 'dgram' | 'batched',
    ...(argValue(args, '--member-sockets') === undefined ? {} : { memberSockets: argValue(args, '--member-sockets') as 'connected' | 'shared' }),
  })
  const bound = await pool.listen({ port: 0, address: '127.0.0.1' })
  console.log(`PORT ${bound.port}`)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void pool.close().then(() => process.exit(0)))
}

if (process.argv[1] === self && process.argv.includes('--serve-pool')) {
  servePool(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
}
