/**
 * A steady query load for the demo: `rate` queries a second to one address, each name with its
 * expected answer, every query counted by what became of it (answered right, answered wrong,
 * lost: no answer within `lostAfterMs`), in buckets of `bucketMs` by the time it was sent.
 */
import dgram from 'node:dgram'
import dnsPacket from 'dns-packet'
import type { TimelineBucket } from '../topology/index.js'

/** Options of {@link QueryLoad}. */
export interface QueryLoadOptions {
  address: string
  port: number
  /** Queries a second (default 200). */
  rate?: number
  /** Names to ask in turn, with the A records each must come back with. */
  expect: Record<string, string[]>
  /** No answer by then counts as lost (default 1000 ms). */
  lostAfterMs?: number
  /** Bucket width (default 100 ms). */
  bucketMs?: number
}

interface Pending {
  name: string
  bucket: number
}

/** Sends the load and counts the outcome. */
export class QueryLoad {
  readonly bucketMs: number
  private readonly socket = dgram.createSocket('udp4')
  private readonly pending = new Map<number, Pending & { sentAt: number }>()
  private readonly counts = new Map<number, TimelineBucket>()
  private readonly names: string[]
  private timer: NodeJS.Timeout | undefined
  private nextId = 1
  private turn = 0

  constructor(private readonly options: QueryLoadOptions) {
    this.bucketMs = options.bucketMs ?? 100
    this.names = Object.keys(options.expect)
    this.socket.on('message', (msg) => this.answer(msg))
    this.socket.on('error', () => {})
  }

  /** Starts sending (in ticks of 10 ms, `rate / 100` queries each). */
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve))
    const perTick = Math.max(1, Math.round((this.options.rate ?? 200) / 100))
    this.timer = setInterval(() => {
      for (let i = 0; i < perTick; i++) this.send()
      this.expire()
    }, 10)
  }

  /** Stops sending, waits for the last answers, closes the socket. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    await new Promise((r) => setTimeout(r, this.options.lostAfterMs ?? 1000))
    this.expire(Infinity)
    await new Promise<void>((resolve) => this.socket.close(() => resolve()))
  }

  /** Counts so far, bucket by bucket, in time order. */
  buckets(): TimelineBucket[] {
    return [...this.counts.values()].sort((a, b) => a.at - b.at)
  }

  /** Totals so far. */
  totals(): { answered: number; lost: number; wrong: number } {
    const t = { answered: 0, lost: 0, wrong: 0 }
    for (const b of this.counts.values()) {
      t.answered += b.answered
      t.lost += b.lost
      t.wrong += b.wrong
    }
    return t
  }

  private send(): void {
    const id = this.nextId
    this.nextId = (this.nextId % 0xffff) + 1
    const name = this.names[this.turn++ % this.names.length]!
    const now = Date.now()
    const bucket = now - (now % this.bucketMs)
    if (!this.counts.has(bucket)) this.counts.set(bucket, { at: bucket, answered: 0, lost: 0, wrong: 0 })
    // An id still pending after 65,535 sends is long lost: count it so.
    if (this.pending.has(id)) this.settle(id, 'lost')
    this.pending.set(id, { name, bucket, sentAt: now })
    this.socket.send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A', class: 'IN' }] }), this.options.port, this.options.address)
  }

  private answer(msg: Buffer): void {
    let packet: dnsPacket.Packet
    try {
      packet = dnsPacket.decode(msg)
    } catch {
      return
    }
    const q = this.pending.get(packet.id ?? -1)
    if (!q) return
    const data = (packet.answers ?? []).filter((a) => a.type === 'A').map((a) => String((a as { data?: unknown }).data))
    const want = this.options.expect[q.name] ?? []
    const right = (packet as { rcode?: string }).rcode === 'NOERROR' && data.length === want.length && data.every((d, i) => d === want[i])
    this.settle(packet.id!, right ? 'answered' : 'wrong')
  }

  private expire(now = Date.now()): void {
    const deadline = now - (this.options.lostAfterMs ?? 1000)
    for (const [id, q] of this.pending) if (q.sentAt <= deadline) this.settle(id, 'lost')
  }

  private settle(id: number, outcome: 'answered' | 'wrong' | 'lost'): void {
    const q = this.pending.get(id)!
    this.pending.delete(id)
    this.counts.get(q.bucket)![outcome]++
  }
}
