/**
 * `npm run bench -- proxy-cpu [--duration S] [--rounds N]`: the CPU time a `UdpProxyPool`
 * spends per relayed query (`process.cpuUsage()` of the pool's own process, user + system,
 * read inside it), for each member side in turns: the batched engine with connected member
 * sockets (the pool before `memberSockets: 'shared'`) and with the shared one, plus the dgram
 * engine. CPU per query is steadier than qps on a loaded machine, so this is the before/after
 * figure of the member-side work; qps is printed beside it.
 *
 * One member, a bare Node responder (flips QR, no parsing) in its own process, so the pool's
 * figure is the pool's alone; dnsperf drives the pool unpaced (`-q 200`), one warm-up second
 * first. Each pool runs as this file with `--serve-pool <memberPort> <engine> <memberSockets>`:
 * it prints `PORT <n>`, zeroes its counters on SIGUSR2 and prints one JSON line on SIGUSR1.
 */
import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import dgram from 'node:dgram'
import { fileURLToPath } from 'node:url'
import { UdpProxyPool } from '../src/proxy/index.js'
import { argValue, haveDnsperf, runDnsperf, skipMissing, writeQueryFile } from './lib/index.js'

const self = fileURLToPath(import.meta.url)

type Variant = readonly [name: string, engine: 'dgram' | 'batched', memberSockets: 'connected' | 'shared']
const VARIANTS: readonly Variant[] = [
  ['dgram engine, connected members', 'dgram', 'connected'],
  ['batched engine, connected members (before)', 'batched', 'connected'],
  ['batched engine, shared member socket (after)', 'batched', 'shared'],
]

interface Reading {
  answers: number
  cpuUs: number
}

/** Runs the CPU-per-query comparison. */
export async function run(args: string[]): Promise<void> {
  if (!haveDnsperf()) return void skipMissing('dnsperf', 'dnsperf')
  const durationS = Number(argValue(args, '--duration') ?? 5)
  const rounds = Number(argValue(args, '--rounds') ?? 2)
  const queryFile = writeQueryFile(Array.from({ length: 1000 }, (_, i) => `h${i}.bench.test A`))
  const member = await startChild(['--member'])
  try {
    const best = new Map<string, { cpuUsPerQuery: number; qps: number }>()
    for (let round = 0; round < rounds; round++) {
      for (const [name, engine, memberSockets] of VARIANTS) {
        const pool = await startChild(['--serve-pool', String(member.port), engine, memberSockets])
        try {
          await runDnsperf({ port: pool.port, queryFile, durationS: 1, clients: 4 })
          await pool.ask('SIGUSR2')
          const load = await runDnsperf({ port: pool.port, queryFile, durationS, clients: 4 })
          const r = (await pool.ask('SIGUSR1')) as unknown as Reading
          const cpuUsPerQuery = r.cpuUs / Math.max(1, r.answers)
          console.log(`round ${round + 1}: ${name}: ${load.qps.toFixed(0)} qps, ${r.answers} answers, ${cpuUsPerQuery.toFixed(2)} cpu us/query`)
          const seen = best.get(name)
          if (!seen || cpuUsPerQuery < seen.cpuUsPerQuery) best.set(name, { cpuUsPerQuery, qps: load.qps })
        } finally {
          await pool.close()
        }
      }
    }
    const before = best.get(VARIANTS[1]![0])!.cpuUsPerQuery
    console.log(`\nUdpProxyPool CPU per relayed query (process.cpuUsage of the pool), lowest of ${rounds} x ${durationS}s, one member:`)
    for (const [name] of VARIANTS) {
      const b = best.get(name)!
      console.log(`  ${name.padEnd(46)} ${b.cpuUsPerQuery.toFixed(2).padStart(7)} us/query  ${(b.cpuUsPerQuery / before).toFixed(2)} x before  (${b.qps.toFixed(0)} qps)`)
    }
  } finally {
    await member.close()
  }
}

interface Child {
  port: number
  /** Sends `signal` and resolves with the next JSON line the child prints. */
  ask(signal: NodeJS.Signals): Promise<Record<string, number>>
  close(): Promise<void>
}

function startChild(args: string[]): Promise<Child> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', self, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  let buffered = ''
  const lines: ((line: string) => void)[] = []
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)))
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString()
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        const port = /^PORT (\d+)$/.exec(line)
        if (port) {
          resolve({
            port: Number(port[1]),
            ask: (signal) =>
              new Promise((answer) => {
                lines.push((l) => answer(JSON.parse(l) as Record<string, number>))
                child.kill(signal)
              }),
            close: () =>
              new Promise((done) => {
                if (child.exitCode !== null) return done()
                child.removeAllListeners('exit')
                child.once('exit', () => done())
                child.kill('SIGTERM')
              }),
          })
        } else lines.shift()?.(line)
      }
    })
  })
}

// ---- the child processes ----

/** A member that answers every query with its own bytes, QR set: the cheapest DNS server there is. */
function serveMember(): void {
  const socket = dgram.createSocket('udp4')
  socket.on('message', (msg, rinfo) => {
    msg[2]! |= 0x80
    socket.send(msg, rinfo.port, rinfo.address)
  })
  socket.bind(0, '127.0.0.1', () => console.log(`PORT ${socket.address().port}`))
  process.on('SIGTERM', () => socket.close(() => process.exit(0)))
}

async function servePool(memberPort: number, engine: 'dgram' | 'batched', memberSockets: 'connected' | 'shared'): Promise<void> {
  const pool = new UdpProxyPool({ members: [{ address: '127.0.0.1', port: memberPort }], engine, memberSockets })
  const bound = await pool.listen({ port: 0, address: '127.0.0.1', tcp: false })
  let cpu = process.cpuUsage()
  let answers = pool.snapshot().counters.answers
  process.on('SIGUSR2', () => {
    cpu = process.cpuUsage()
    answers = pool.snapshot().counters.answers
    console.log(JSON.stringify({ reset: 1 }))
  })
  process.on('SIGUSR1', () => {
    const used = process.cpuUsage(cpu)
    console.log(JSON.stringify({ answers: pool.snapshot().counters.answers - answers, cpuUs: used.user + used.system }))
  })
  process.on('SIGTERM', () => void pool.close().then(() => process.exit(0)))
  console.log(`PORT ${bound.port}`)
}

if (process.argv[1] === self) {
  const args = process.argv.slice(2)
  if (args[0] === '--member') serveMember()
  else if (args[0] === '--serve-pool') {
    servePool(Number(args[1]), args[2] as 'dgram' | 'batched', args[3] as 'connected' | 'shared').catch((error: unknown) => {
      console.error(error)
      process.exit(1)
    })
  }
}
