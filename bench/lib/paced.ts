/**
 * An open-loop load generator: sends at a fixed rate whatever the answers do (as real clients
 * do), so latency is measured at a chosen load rather than at saturation. Reports p50/p99 from a
 * 10 µs histogram and counts queries unanswered after `lossTimeoutMs` as lost.
 */
import dgram from 'node:dgram'
import type { LoadResult } from './load.js'
import { BUCKETS, BUCKET_US, percentile } from './load.js'

/** What to send, how fast and for how long. */
export interface PacedOptions {
  port: number
  address?: string
  /** Query messages to cycle through (ids are overwritten). */
  queries: Buffer[]
  qps: number
  durationMs: number
  /** Default 1000 ms. */
  lossTimeoutMs?: number
}

const SLOTS = 65_536

/** Runs the paced load and resolves with its figures (`tool: 'node'`). */
export function runPaced(options: PacedOptions): Promise<LoadResult> {
  const address = options.address ?? '127.0.0.1'
  const lossTimeoutMs = options.lossTimeoutMs ?? 1000
  const socket = dgram.createSocket('udp4')
  const histogram = new Uint32Array(BUCKETS + 1)
  const sentAt = new Float64Array(SLOTS)
  const copies = options.queries.map((q) => Buffer.from(q))
  let sent = 0
  let received = 0
  let totalLatency = 0

  return new Promise((resolve, reject) => {
    socket.on('error', reject)
    socket.on('message', (msg) => {
      if (msg.length < 2) return
      const slot = msg.readUInt16BE(0)
      if (sentAt[slot] === 0) return
      const latencyMs = performance.now() - sentAt[slot]!
      sentAt[slot] = 0
      if (latencyMs > lossTimeoutMs) return
      received++
      totalLatency += latencyMs
      histogram[Math.min(BUCKETS, Math.floor((latencyMs * 1000) / BUCKET_US))]!++
    })
    socket.bind(0, () => {
      socket.setRecvBufferSize(8 << 20)
      const started = performance.now()
      const end = started + options.durationMs
      // Every millisecond (or as soon as the loop gets to it), send what the rate owes by now.
      const tick = (): void => {
        const now = performance.now()
        const due = Math.min(Math.floor(((Math.min(now, end) - started) * options.qps) / 1000), Math.ceil((options.durationMs * options.qps) / 1000))
        while (sent < due) {
          const slot = sent % SLOTS
          const msg = copies[sent % copies.length]!
          msg.writeUInt16BE(slot, 0)
          sentAt[slot] = performance.now()
          socket.send(msg, options.port, address)
          sent++
        }
        if (now < end) setTimeout(tick, 1)
        else setTimeout(finish, lossTimeoutMs)
      }
      const finish = (): void => {
        socket.close()
        resolve({
          tool: 'node',
          qps: received / (options.durationMs / 1000),
          p50Ms: percentile(histogram, received, 0.5),
          p99Ms: percentile(histogram, received, 0.99),
          avgMs: received ? totalLatency / received : undefined,
          sent,
          received,
          lost: sent - received,
        })
      }
      tick()
    })
  })
}
