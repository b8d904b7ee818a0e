/**
 * A DNS load generator in Node: keeps `concurrency` queries in flight over one UDP socket for a
 * fixed time, and reports qps and latency percentiles from a histogram (10 µs buckets).
 * dnsperf drives harder (see dnsperf.ts); this one works everywhere and gives p50/p99.
 */
import dgram from 'node:dgram'

/** A load run's figures. */
export interface LoadResult {
  tool: 'node' | 'dnsperf'
  qps: number
  p50Ms: number | undefined
  p99Ms: number | undefined
  avgMs: number | undefined
  sent: number
  received: number
  lost: number
}

/** What to send and for how long. */
export interface LoadOptions {
  port: number
  address?: string
  /** Query messages to cycle through (ids are overwritten). */
  queries: Buffer[]
  durationMs: number
  /** Queries in flight at once (default 64). */
  concurrency?: number
  /** A query unanswered this long is counted lost and its slot reused (default 1000 ms). */
  lossTimeoutMs?: number
}

/** Latency histogram buckets: 10 µs each, up to 200 ms (shared with the paced generator). */
export const BUCKET_US = 10
export const BUCKETS = 20_000

/** Runs the load and resolves with its figures. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const address = options.address ?? '127.0.0.1'
  const concurrency = Math.min(options.concurrency ?? 64, 65_536)
  const lossTimeoutMs = options.lossTimeoutMs ?? 1000
  const socket = dgram.createSocket('udp4')
  const histogram = new Uint32Array(BUCKETS + 1)
  const sentAt = new Float64Array(concurrency)
  const copies = options.queries.map((q) => Buffer.from(q))
  let next = 0
  let sent = 0
  let received = 0
  let lost = 0
  let totalLatency = 0
  let running = true

  const send = (slot: number): void => {
    if (!running) return
    const msg = copies[next++ % copies.length]!
    msg.writeUInt16BE(slot, 0)
    sentAt[slot] = performance.now()
    sent++
    socket.send(msg, options.port, address)
  }

  return new Promise((resolve, reject) => {
    socket.on('error', reject)
    socket.on('message', (msg) => {
      if (msg.length < 2) return
      const slot = msg.readUInt16BE(0)
      if (slot >= concurrency || sentAt[slot] === 0) return
      const latencyMs = performance.now() - sentAt[slot]!
      sentAt[slot] = 0
      received++
      totalLatency += latencyMs
      histogram[Math.min(BUCKETS, Math.floor((latencyMs * 1000) / BUCKET_US))]!++
      send(slot)
    })
    socket.bind(0, () => {
      socket.setRecvBufferSize(8 << 20)
      socket.setSendBufferSize(8 << 20)
      const started = performance.now()
      for (let i = 0; i < concurrency; i++) send(i)
      const sweep = setInterval(() => {
        const now = performance.now()
        for (let i = 0; i < concurrency; i++) {
          if (sentAt[i] !== 0 && now - sentAt[i]! > lossTimeoutMs) {
            lost++
            send(i)
          }
        }
      }, 100)
      setTimeout(() => {
        running = false
        clearInterval(sweep)
        const elapsed = (performance.now() - started) / 1000
        socket.close()
        resolve({
          tool: 'node',
          qps: received / elapsed,
          p50Ms: percentile(histogram, received, 0.5),
          p99Ms: percentile(histogram, received, 0.99),
          avgMs: received ? totalLatency / received : undefined,
          sent,
          received,
          lost,
        })
      }, options.durationMs)
    })
  })
}

/** The `p` quantile of a latency histogram with `total` samples, in ms. */
export function percentile(h: Uint32Array, total: number, p: number): number | undefined {
  if (total === 0) return undefined
  const target = Math.ceil(total * p)
  let seen = 0
  for (let i = 0; i < h.length; i++) {
    seen += h[i]!
    if (seen >= target) return ((i + 1) * BUCKET_US) / 1000
  }
  return undefined
}
