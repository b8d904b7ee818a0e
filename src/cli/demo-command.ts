/**
 * `dns-ha demo` (and `npm run demo`): the seed's "double-active" internal DNS running on
 * loopback, two nodes each with a dnsmasq-style forwarder, an nginx-style pool and a keepalived
 * peer, behind one VIP address. It prints what runs where and what to ask, then every state
 * change with its reason. `--failover` (or the f key) kills the master under a steady load, shows
 * the backup taking the VIP and the queries lost per 100 ms, restores the master (failback), and
 * writes the run as an HTML timeline.
 */
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { DnsmasqNginxKeepalived, NodeName } from '../topology/index.js'
import { renderTimelineHtml, SEED_ADDRESSES, startDnsmasqNginxKeepalived, TimelineRecorder } from '../topology/index.js'
import { QueryLoad } from './query-load.js'
import type { CliIo, RunningService } from './service.js'

/** What `dns-ha demo` was asked for. */
export interface DemoSettings {
  /** Where clients reach the VIP. */
  port: number
  /** Run the failover at once (without it: press f). */
  failover: boolean
  /** keepalived advert_int in ms (whole seconds use VRRPv2 with the seed's PASS; others VRRPv3). */
  advertMs: number
  /** Queries a second during the failover. */
  rate: number
  /** Where the timeline page goes. */
  timeline: string
  /** Stop once the failover run is written. */
  exitAfter: boolean
}

/** Key presses (a terminal in raw mode), when there is one. */
export interface KeySource {
  onKey(handler: (key: string) => void): () => void
}

/** The answers the demo expects, for the load's right/wrong count and the dig hints. */
const EXPECTED: Record<string, string[]> = {
  'xpt.redhat.cn': ['192.168.111.111'],
  'www.example.test': ['192.0.2.80'],
  'app.corp.example': ['10.0.0.10'],
}

/** Starts the topology and, if asked, the failover run. */
export async function startDemo(settings: DemoSettings, io: CliIo, keys?: KeySource): Promise<RunningService> {
  const started = Date.now()
  const t = (at: number): string => `+${((at - started) / 1000).toFixed(3)}s`
  const topology = await startDnsmasqNginxKeepalived({
    vipPort: settings.port,
    advertIntervalMs: settings.advertMs,
  })
  printLayout(topology, settings, io)
  topology.on('vrrp', ({ at, node, from, to, reason }) => io.out(`[${t(at)}] VRRP node ${node}: ${from} -> ${to} (${reason})`))
  topology.on('vip', ({ at, to }) => io.out(`[${t(at)}] VIP ${SEED_ADDRESSES.vip}: ${to === undefined ? 'nobody holds it' : `held by node ${to}`}`))
  topology.on('member', ({ at, node, member, state, reason }) => io.out(`[${t(at)}] pool on node ${node}: ${member} ${state} (${reason})`))
  topology.on('node', ({ at, node, action }) => io.out(`[${t(at)}] node ${node} ${action === 'killed' ? 'KILLED (power cut: no goodbye advert)' : 'restored'}`))

  let run: Promise<void> | undefined
  const failover = (): Promise<void> => (run ??= failoverRun(topology, settings, io, t))
  const stopKeys = keys?.onKey((key) => {
    if (key === 'f') void failover()
  })
  if (!settings.failover) io.out(keys ? 'press f for a live failover, Ctrl-C to stop' : 'Ctrl-C to stop (run with --failover for a live failover)')
  const done = settings.failover ? failover().then(() => (settings.exitAfter ? undefined : new Promise<void>(() => {}))) : undefined
  return {
    ...(done === undefined ? {} : { done }),
    // --metrics: both nodes' forwarder, server, pool and router, re-watched across the failover.
    watch: (metrics) => void topology.watchMetrics(metrics),
    async close() {
      stopKeys?.()
      await topology.close()
    },
  }
}

function printLayout(topology: DnsmasqNginxKeepalived, settings: DemoSettings, io: CliIo): void {
  const { nodes } = topology.snapshot()
  const vip = `${topology.vip.address}#${topology.vip.port}`
  io.out('dns-ha demo: the "double-active" internal DNS (dnsmasq + nginx stream + keepalived) on loopback')
  io.out(`  VIP ${SEED_ADDRESSES.vip}:53              -> ${vip}   (a front that sends to the VRRP master, standing in for the seed's DNAT)`)
  for (const n of nodes) {
    io.out(`  node ${n.name} (${n.seedAddress}, priority ${n.name === 'a' ? 150 : 100}): dnsmasq :5454 -> ${n.endpoints.forwarder.address}#${n.endpoints.forwarder.port}, nginx :53 -> ${n.endpoints.pool.address}#${n.endpoints.pool.port}, keepalived vrid 88 -> udp ${n.endpoints.vrrpPort}`)
  }
  io.out(`  upstream ${SEED_ADDRESSES.upstream} -> an embedded authority for example.test`)
  io.out(`VRRP election: the VIP is taken after 3 x advert_int + skew (${((3 * settings.advertMs + ((256 - 150) * settings.advertMs) / 256) / 1000).toFixed(3)} s), as keepalived does. Then try:`)
  const p = topology.vip.port
  io.out(`  dig @127.0.0.1 -p ${p} xpt.redhat.cn          # the hosts overlay (the seed's dnsmasq.hosts)`)
  io.out(`  dig @127.0.0.1 -p ${p} -x 192.168.111.111     # its PTR, generated from the hosts line`)
  io.out(`  dig @127.0.0.1 -p ${p} www.example.test       # forwarded upstream, then cached`)
}

async function failoverRun(topology: DnsmasqNginxKeepalived, settings: DemoSettings, io: CliIo, t: (at: number) => string): Promise<void> {
  const recorder = new TimelineRecorder(topology, Date.now)
  const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
  const until = async (test: () => boolean, what: string, limitMs: number): Promise<number> => {
    const from = Date.now()
    while (!test()) {
      if (Date.now() - from > limitMs) throw new Error(`demo: ${what} did not happen within ${limitMs} ms`)
      await wait(5)
    }
    return Date.now()
  }
  const bound = 10 * settings.advertMs + 5000
  await until(() => topology.holder !== undefined, 'the VRRP election', bound)
  const load = new QueryLoad({ address: topology.vip.address, port: topology.vip.port, rate: settings.rate, expect: EXPECTED })
  await load.start()
  recorder.note(Date.now(), 'load', `${settings.rate} queries/s to the VIP`)
  io.out(`[${t(Date.now())}] failover run: ${settings.rate} queries/s to the VIP`)
  const printSecond = secondPrinter(load, io, t)
  const ticker = setInterval(() => printSecond(), 1000)
  try {
    await wait(2000)
    const victim = topology.holder as NodeName
    const other: NodeName = victim === 'a' ? 'b' : 'a'
    const killedAt = Date.now()
    await topology.kill(victim)
    const takeoverAt = await until(() => topology.holder === other, `node ${other} taking the VIP`, bound)
    await wait(2000)
    const restoredAt = Date.now()
    await topology.restore(victim)
    const failbackAt = await until(() => topology.holder === victim, `node ${victim} taking the VIP back`, bound)
    await wait(2000)
    clearInterval(ticker)
    await load.stop()
    printSecond(true)
    const totals = load.totals()
    const summary: [string, string | number][] = [
      ['queries', totals.answered + totals.lost + totals.wrong],
      ['answered', totals.answered],
      ['lost', totals.lost],
      ['wrong', totals.wrong],
      ['takeover (ms after the kill)', takeoverAt - killedAt],
      ['failback (ms after the restore)', failbackAt - restoredAt],
    ]
    const page = renderTimelineHtml(recorder.finish('dns-ha demo: failover of the double-active internal DNS', load.buckets(), load.bucketMs, summary))
    const file = resolve(settings.timeline)
    writeFileSync(file, page)
    io.out(`failover: node ${victim} killed, node ${other} held the VIP ${takeoverAt - killedAt} ms later; node ${victim} took it back ${failbackAt - restoredAt} ms after its restore`)
    io.out(`queries: ${summary[0]![1]} sent, ${totals.answered} answered, ${totals.lost} lost, ${totals.wrong} wrong`)
    io.out(`timeline: ${file}`)
  } finally {
    clearInterval(ticker)
  }
}

/** Prints what the load saw, a line per second: a mark per 100 ms bucket (# all answered, ~ some lost, x all lost). */
function secondPrinter(load: QueryLoad, io: CliIo, t: (at: number) => string): (final?: boolean) => void {
  let printedUpTo = 0
  return (final = false) => {
    // A bucket is settled once its queries are answered or past the 1 s loss deadline.
    const settled = final ? Infinity : Date.now() - 1000
    const buckets = load.buckets().filter((b) => b.at > printedUpTo && b.at + load.bucketMs <= settled)
    if (buckets.length === 0) return
    printedUpTo = buckets.at(-1)!.at
    const marks = buckets.map((b) => (b.lost + b.wrong === 0 ? '#' : b.answered === 0 ? 'x' : '~')).join('')
    const sum = buckets.reduce((s, b) => ({ answered: s.answered + b.answered, lost: s.lost + b.lost }), { answered: 0, lost: 0 })
    io.out(`[${t(buckets[0]!.at)}] ${marks.padEnd(10)} answered ${sum.answered}, lost ${sum.lost}`)
  }
}
