// A burst far above capacity on the batched engine (issue #10: "the kernel drops what it must,
// the server never stalls, and answers resume at full rate when the burst ends"): a child
// process floods the server from several sockets for about a second while the handler's cost
// caps the server far below that rate; then a paced stream must be answered in full, each answer
// within a bound, and the heap after GC must be where it was before the burst.
import { execFile } from 'node:child_process'
import dgram from 'node:dgram'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import dnsPacket from 'dns-packet'
import { afterEach, describe, expect, it } from 'vitest'
import { DnsServer } from '../../src/server/dns-server.js'
import type { DnsQuery } from '../../src/server/query.js'
import { respond } from '../../src/server/respond.js'
import { batchedEngineUnavailable } from '../../src/util/batched-network.js'

const reason = batchedEngineUnavailable()
if (reason !== undefined) console.log(`batched burst test skipped: ${reason}`)

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** 100 µs of work per query: the server answers at most ~10,000 qps, well under the flood. */
const COST_MS = 0.1

function handler(q: DnsQuery) {
  const until = performance.now() + COST_MS
  while (performance.now() < until);
  return respond(q, { aa: true, answers: [{ name: q.question!.name, type: 'A', ttl: 60, data: '192.0.2.1' }] })
}

/** The flood, in a child: `sockets` sockets send the same query as fast as they can for `ms`; prints what was sent and answered. */
const FLOOD = `
  const dgram = require('node:dgram')
  const [port, sockets, ms] = process.argv.slice(1).map(Number)
  const q = Buffer.from('${Buffer.from(dnsPacket.encode({ type: 'query', id: 7, questions: [{ name: 'flood.example', type: 'A' }] })).toString('hex')}', 'hex')
  let sent = 0, replies = 0
  const socks = Array.from({ length: sockets }, () => { const s = dgram.createSocket('udp4'); s.on('message', () => replies++); s.on('error', () => {}); return s })
  const end = Date.now() + ms
  const burst = () => {
    for (let i = 0; i < 256; i++) for (const s of socks) { s.send(q); sent++ }
    if (Date.now() < end) setImmediate(burst)
    else setTimeout(() => { console.log(JSON.stringify({ sent, replies })); process.exit(0) }, 300)
  }
  // Connected: no address lookup per send, so the child sends as fast as its core allows.
  Promise.all(socks.map((s) => new Promise((r) => s.bind(0, '127.0.0.1', () => s.connect(port, '127.0.0.1', r))))).then(burst)
`

function flood(port: number, sockets: number, ms: number): Promise<{ sent: number; replies: number }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', FLOOD, String(port), String(sockets), String(ms)], { timeout: 30_000 }, (error, stdout) => {
      if (error) return reject(error)
      resolve(JSON.parse(stdout) as { sent: number; replies: number })
    })
  })
}

/** Sends `count` queries one every `gapMs`; resolves with each one's latency (Infinity when unanswered within `waitMs`). */
async function paced(port: number, count: number, gapMs: number, waitMs: number): Promise<number[]> {
  const s = dgram.createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
  const sentAt = new Map<number, number>()
  const latency = new Array<number>(count).fill(Infinity)
  s.on('message', (m) => {
    const d = dnsPacket.decode(m)
    const id = d.id!
    const at = sentAt.get(id)
    // An answer counts only when it is the right one: its own name and record.
    if (at === undefined || d.questions?.[0]?.name !== `paced${id}.example` || (d.answers?.[0] as { data?: string } | undefined)?.data !== '192.0.2.1') return
    latency[id] = performance.now() - at
  })
  for (let i = 0; i < count; i++) {
    sentAt.set(i, performance.now())
    s.send(dnsPacket.encode({ type: 'query', id: i, questions: [{ name: `paced${i}.example`, type: 'A' }] }), port, '127.0.0.1')
    await new Promise((r) => setTimeout(r, gapMs))
  }
  await new Promise((r) => setTimeout(r, waitMs))
  s.close()
  return latency
}

const servers: DnsServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

describe.skipIf(reason !== undefined)('batched engine under a burst far above capacity', () => {
  it('drops what it must, never stalls the loop, answers a paced stream at once afterwards, heap flat', async () => {
    const server = new DnsServer({ handler, engine: 'batched' })
    servers.push(server)
    const { port } = await server.listen({ port: 0, address: '127.0.0.1' })
    const socketErrors: string[] = []
    server.on('error', (e) => socketErrors.push((e.error as Error).message))
    // Warm up (JIT, first allocations) before the heap is measured.
    expect((await paced(port, 50, 1, 200)).every(Number.isFinite)).toBe(true)
    gc()
    const heapBefore = process.memoryUsage().heapUsed

    // The loop's heartbeat during the flood: the longest gap between 10 ms ticks.
    let last = performance.now()
    let longestGap = 0
    const heartbeat = setInterval(() => {
      const now = performance.now()
      longestGap = Math.max(longestGap, now - last)
      last = now
    }, 10)
    const burst = await flood(port, 4, 1000)
    clearInterval(heartbeat)
    const answered = server.snapshot().udp.responses

    // Far above capacity: the server answered a fraction of the flood, the kernel dropped the rest.
    expect(burst.sent).toBeGreaterThan(2 * answered)
    expect(answered).toBeGreaterThan(200)
    // Never stalled: a batch of 64 costs ~6.4 ms of handler time and each batch is its own
    // callback, so timers run between batches. A loop held for the whole burst would show a gap
    // of its length (1000 ms); the bound is loose because this machine is shared with other runs
    // (at load average 18 a gap of 231 ms was seen, the process simply not being scheduled).
    expect(longestGap).toBeLessThan(600)

    const latency = await paced(port, 200, 5, 1000)
    const unanswered = latency.filter((l) => !Number.isFinite(l)).length
    expect(unanswered).toBe(0)
    expect(Math.max(...latency)).toBeLessThan(500)
    expect(server.snapshot().udp.responses - answered).toBeGreaterThanOrEqual(200)

    gc()
    const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20
    expect(grownMb).toBeLessThan(8)
    expect(socketErrors.filter((m) => !/send queue full/.test(m))).toEqual([])
    console.log(`burst: sent ${burst.sent}, answered ${answered} (${burst.replies} read back); longest loop gap ${longestGap.toFixed(1)} ms; paced max ${Math.max(...latency).toFixed(1)} ms; heap grew ${grownMb.toFixed(2)} MB`)
  }, 60_000)
})
