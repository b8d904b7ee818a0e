/**
 * `npm run bench -- authority`: the Authority behind DnsServer (alone, and behind a three-view
 * `views()`, the split-horizon setup) against NSD, Knot and BIND (one
 * worker each) serving the same generated zone, with the same query mix (80% hits, 15% NXDOMAIN,
 * 5% other types), in one run, next to the bare Node echo baseline (and the same echo with
 * DnsServer's send path, which skips dgram's per-datagram dns.lookup). Then the node:cluster mode
 * (serveCluster) for scaling, and memory for a large zone (our heap and RSS next to NSD's RSS).
 * The "batched engine" row is the same Authority with `engine: 'batched'` (recvmmsg/sendmmsg
 * through koffi); it is skipped, with the reason, where that engine cannot run.
 *
 * Options: `--duration S` (default 5 per target), `--records N` (zone size, default 10,000),
 * `--memory-records N` (default 1,000,000; 0 skips), `--workers N` (cluster, default 2),
 * `--tool node|dnsperf` (default dnsperf when installed; the Node generator gives p50/p99),
 * `--only name,name` (targets to run), `--rounds N` (measurements per target, in turns, best
 * kept; default 3), `--clients N` (dnsperf sockets for the reusePort cluster rows, default 8).
 *
 * The `reusePort` rows are serveCluster with one SO_REUSEPORT socket per worker (batched engine)
 * with 1 and with `--workers` workers, both measured from `--clients` source ports: the kernel
 * spreads datagrams by the sender's address and port, so one dnsperf socket would feed one worker.
 *
 * This file is also the server process: run with `--serve` it loads the zone file and listens
 * (single process, or as a cluster primary/worker), printing `PORT <n>` when ready.
 */
import cluster from 'node:cluster'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Authority, serveCluster } from '../src/authority/index.js'
import { DnsServer, views } from '../src/server/index.js'
import { freeLoopbackPort as freePort } from '../src/testing/index.js'
import { parseZone } from '../src/zone/index.js'
import { knotConf, namedOptions, nsdConf, waitForSoa } from '../test/support/peers.js'
import type { BenchRow, Contender, Target } from './lib/index.js'
import { argValue, have, measureInTurns, printTable, processTree, skipMissing, startEchoBaseline, startProcess, startTarget } from './lib/index.js'

const ORIGIN = 'bench.test.'
const self = fileURLToPath(import.meta.url)

/** Runs the authority benchmark. */
export async function run(args: string[]): Promise<void> {
  const durationS = Number(argValue(args, '--duration') ?? 5)
  const records = Number(argValue(args, '--records') ?? 10_000)
  const memoryRecords = Number(argValue(args, '--memory-records') ?? 1_000_000)
  const workers = Number(argValue(args, '--workers') ?? 2)
  const tool = argValue(args, '--tool') as 'node' | 'dnsperf' | undefined
  const only = argValue(args, '--only')?.split(',')
  const rounds = Number(argValue(args, '--rounds') ?? 3)
  const clients = Number(argValue(args, '--clients') ?? 8)
  const dir = mkdtempSync(join(tmpdir(), 'dns-ha-bench-authority-'))
  try {
    const { text, hosts } = generateZone(records)
    const zoneFile = join(dir, 'bench.test.zone')
    writeFileSync(zoneFile, text)
    const mix = queryMix(hosts, 10_000)
    const rows: BenchRow[] = []
    const reuse = (n: number) => async () => startOurs(zoneFile, ['--workers', String(n), '--reuse-port', '--port', String(await freePort())])
    const targets: [string, () => Promise<Target | undefined>][] = [
      ['node-echo', startEchoBaseline],
      ['node-echo, lean send', () => startTarget('echo-lean')],
      ['dns-ha Authority', () => startOurs(zoneFile, [])],
      ['dns-ha Authority, batched engine', () => startOurs(zoneFile, ['--engine', 'batched'])],
      ['dns-ha Authority behind views()', () => startOurs(zoneFile, ['--views'])],
      [`dns-ha Authority cluster x${workers}`, async () => startOurs(zoneFile, ['--workers', String(workers), '--port', String(await freePort())])],
      [`dns-ha cluster x1, reusePort, batched, ${clients} clients`, reuse(1)],
      [`dns-ha cluster x${workers}, reusePort, batched, ${clients} clients`, reuse(workers)],
      ['nsd (server-count 1)', () => startNsd(dir, zoneFile)],
      ['knot (udp-workers 1)', () => startKnot(dir, zoneFile)],
      ['bind (named -n 1)', () => startBind(dir, zoneFile)],
    ]
    const running: Contender[] = []
    try {
      for (const [name, start] of targets) {
        if (only && !only.some((o) => name.toLowerCase().includes(o.toLowerCase()))) continue
        try {
          const target = await start()
          if (!target) continue
          running.push({ name, target, mix, ...(name.includes('reusePort') ? { clients } : {}) })
          if (!name.startsWith('node-echo')) await waitForAnswer(target.port)
        } catch (error) {
          console.warn(`${name}: could not start (${(error as Error).message.split('\n')[0]})`)
        }
      }
      // The warm-up round fills our answer cache and their caches alike.
      rows.push(...(await measureInTurns(running, { rounds, durationS, ...(tool ? { tool } : {}) })))
    } finally {
      for (const r of running) await r.target.close()
    }
    printTable(`authoritative, ${records} records, mix 80% hit / 15% NXDOMAIN / 5% other types, best of ${rounds} x ${durationS}s per target, in turns`, rows, 'node-echo')

    if (memoryRecords > 0) await memory(dir, memoryRecords)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// ---- memory ----

async function memory(dir: string, records: number): Promise<void> {
  const { text } = generateZone(records)
  const zoneFile = join(dir, 'big.bench.test.zone')
  writeFileSync(zoneFile, text)
  const statsFile = join(dir, 'stats.json')
  const started = performance.now()
  const ours = await startOurs(zoneFile, ['--stats-file', statsFile], 300_000)
  const loadS = (performance.now() - started) / 1000
  let oursRss = 0
  let heap = 0
  try {
    await waitForAnswer(ours.port)
    oursRss = ours.rssBytes()
    heap = (JSON.parse(readFileSync(statsFile, 'utf8')) as { heapUsed: number }).heapUsed
  } finally {
    await ours.close()
  }
  let nsdMem: { rss: number; pss: number; processes: number } | undefined
  const nsd = await startNsd(dir, zoneFile, 300_000).catch(() => undefined)
  if (nsd) {
    try {
      await waitForAnswer(nsd.port, 300_000)
      // NSD loads zones in a forked reload process that becomes the new main, and serves from
      // forked children: count every process of this instance, shared pages once (PSS).
      nsdMem = processTreeMemory(nsd.pid)
    } finally {
      await nsd.close()
    }
  }
  const mb = (n: number | undefined): string => (n === undefined ? '-' : `${(n / 2 ** 20).toFixed(0)} MB`)
  console.log(`\nmemory, ${records} records (${mb(text.length)} of zone text):`)
  console.log(`  dns-ha Authority: heap used ${mb(heap)}, RSS ${mb(oursRss)}, load ${loadS.toFixed(1)} s (parse + index)`)
  if (nsdMem) {
    console.log(`  nsd:              PSS ${mb(nsdMem.pss)} over ${nsdMem.processes} processes (sum of RSS ${mb(nsdMem.rss)}, shared pages counted in each)`)
    console.log(`  ratio dns-ha RSS / nsd PSS: ${(oursRss / nsdMem.pss).toFixed(2)}`)
  }
}

/** RSS and PSS summed over `pid` and its descendants (Linux /proc). */
function processTreeMemory(pid: number): { rss: number; pss: number; processes: number } {
  const tree = processTree(pid)
  let rss = 0
  let pss = 0
  for (const p of tree) {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8')
      rss += Number(/^Rss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024
      pss += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024
    } catch {
      // exited meanwhile
    }
  }
  return { rss, pss, processes: tree.length }
}

// ---- zone and queries ----

/** A zone of `records` records: hosts with A (+ AAAA, TXT, MX on some), CNAMEs, a wildcard, delegations. */
export function generateZone(records: number): { text: string; hosts: string[] } {
  const lines = [
    `$ORIGIN ${ORIGIN}`,
    '$TTL 3600',
    '@ SOA ns1 hostmaster 1 7200 3600 1209600 300',
    '@ NS ns1',
    '@ NS ns2',
    'ns1 A 192.0.2.1',
    'ns2 A 192.0.2.2',
    '*.wild A 192.0.2.3',
    'sub NS ns.sub',
    'ns.sub A 192.0.2.4',
  ]
  const hosts: string[] = []
  let count = lines.length - 2
  for (let i = 0; count < records; i++) {
    const name = `host${i}`
    hosts.push(name)
    lines.push(`${name} A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`)
    count++
    if (i % 4 === 0 && count < records) {
      lines.push(`${name} AAAA 2001:db8::${(i & 0xffff).toString(16)}`)
      count++
    }
    if (i % 10 === 0 && count < records) {
      lines.push(`${name} TXT "record ${i}"`)
      count++
    }
    if (i % 20 === 0 && count < records) {
      lines.push(`alias${i} CNAME ${name}`)
      count++
    }
  }
  return { text: lines.join('\n') + '\n', hosts }
}

/** 80% existing name+type, 15% NXDOMAIN, 5% other types (NODATA, MX, TXT, wildcard). */
export function queryMix(hosts: string[], size: number): [string, string][] {
  const mix: [string, string][] = []
  let seed = 42
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed % n
  }
  for (let i = 0; i < size; i++) {
    const host = hosts[rand(hosts.length)]!
    const r = i % 20
    if (r < 16) mix.push([`${host}.${ORIGIN}`, 'A'])
    else if (r < 19) mix.push([`nx${rand(1_000_000)}.${ORIGIN}`, 'A'])
    else mix.push(rand(2) === 0 ? [`${host}.${ORIGIN}`, 'MX'] : [`x${rand(100)}.wild.${ORIGIN}`, 'A'])
  }
  return mix
}

// ---- targets ----

function startOurs(zoneFile: string, extra: string[], readyMs = 60_000): Promise<Target> {
  return startProcess(process.execPath, ['--import', 'tsx', self, '--serve', zoneFile, ...extra], { readyMs })
}

async function startNsd(dir: string, zoneFile: string, readyMs = 2000): Promise<Target | undefined> {
  if (!have('nsd', ['-v'])) return skipMissing('nsd', 'nsd')
  const port = await freePort()
  const conf = join(dir, `nsd-${port}.conf`)
  writeFileSync(conf, nsdConf({ port, dir, tag: `-${port}`, zones: [{ name: ORIGIN.slice(0, -1), file: zoneFile }] }))
  return startProcess('nsd', ['-c', conf, '-d'], { port, readyMs: Math.min(readyMs, 1000) })
}

async function startKnot(dir: string, zoneFile: string): Promise<Target | undefined> {
  if (!have('knotd', ['-V'])) return skipMissing('knotd', 'knot')
  const port = await freePort()
  const kdir = mkdtempSync(join(dir, 'knot-'))
  const conf = join(kdir, 'knot.conf')
  writeFileSync(conf, knotConf({ port, dir: kdir, zones: [{ name: ORIGIN.slice(0, -1), file: zoneFile }] }))
  return startProcess('knotd', ['-c', conf], { port, readyMs: 1500 })
}

async function startBind(dir: string, zoneFile: string): Promise<Target | undefined> {
  if (!have('named', ['-v'])) return skipMissing('named', 'bind9')
  const port = await freePort()
  const bdir = mkdtempSync(join(dir, 'bind-'))
  const conf = join(bdir, 'named.conf')
  writeFileSync(
    conf,
    [
      ...namedOptions(bdir, port),
      `zone "${ORIGIN}" { type primary; file "${zoneFile}"; };`,
      '',
    ].join('\n'),
  )
  return startProcess('named', ['-c', conf, '-f', '-n', '1', '-U', '1'], { port, readyMs: 1500 })
}



/** Waits until the target answers the SOA (servers without a PORT line, or loading a big zone). */
async function waitForAnswer(port: number, timeoutMs = 30_000): Promise<void> {
  if (!(await waitForSoa(port, ORIGIN, timeoutMs))) throw new Error(`nothing answers on port ${port}`)
}


// ---- the server process (`--serve <zone file>`) ----

async function serve(args: string[]): Promise<void> {
  const zoneFile = argValue(args, '--serve')!
  const setup = (): Authority => new Authority({ zones: [parseZone(readFileSync(zoneFile, 'utf8'), { origin: ORIGIN, fileName: zoneFile, maxRecords: 0, maxZoneBytes: 0 })] }) // our own generated file: the file limits, not the text ones
  const workers = argValue(args, '--workers')
  if (workers !== undefined || cluster.isWorker) {
    const port = Number(argValue(args, '--port'))
    const handle = await serveCluster({ workers: Number(workers ?? 1), listen: { port, address: '127.0.0.1' }, setup, reusePort: args.includes('--reuse-port') })
    if (handle.role === 'primary') {
      console.log(`PORT ${handle.port}`)
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void handle.close().then(() => process.exit(0)))
    }
    return
  }
  const authority = setup()
  // `--views`: the split-horizon shape, three views by client address; the loopback client is
  // taken by the last one, so each query also pays for two ACLs that do not match.
  const handler = args.includes('--views')
    ? views([
        { name: 'lan', match: ['10.0.0.0/8'], handler: setup() },
        { name: 'office', match: ['192.168.0.0/16', '172.16.0.0/12'], handler: setup() },
        { name: 'public', match: ['any'], handler: authority },
      ])
    : authority
  // `--engine batched`: recvmmsg/sendmmsg through koffi (fails to start, and the row is skipped, without it).
  const server = new DnsServer({ handler, engine: argValue(args, '--engine') === 'batched' ? 'batched' : 'dgram' })
  const bound = await server.listen({ port: 0, address: '127.0.0.1' })
  const statsFile = argValue(args, '--stats-file')
  if (statsFile) {
    globalThis.gc?.()
    writeFileSync(statsFile, JSON.stringify({ heapUsed: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss }))
  }
  console.log(`PORT ${bound.port}`)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void server.close().then(() => process.exit(0)))
}

if (process.argv.includes('--serve') && (process.argv[1] === self || cluster.isWorker)) {
  serve(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
}
