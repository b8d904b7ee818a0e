// A paced UDP load generator for the proxy's loopback tests: sends `qps` queries a second for
// `durationMs`, each with its own id and name, and records every reply (who answered, when,
// SERVFAIL or wrong). Whatever is unanswered `drainMs` after the last send counts as lost.
import dgram from 'node:dgram'
import dnsPacket from 'dns-packet'

export interface LoadReply {
  /** ms since the load started. */
  at: number
  /** The A record's data (which member answered), or the rcode for an answer without one. */
  by: string
  latencyMs: number
}

export interface LoadResult {
  sent: number
  answered: number
  servfail: number
  /** Replies whose id or question was not one in flight. */
  wrong: number
  /** Neither answered nor SERVFAIL. */
  lost: number
  /** When each lost query was sent (ms since the start). */
  lostAt: number[]
  replies: LoadReply[]
  /** How many NOERROR answers each member gave. */
  byMember: Record<string, number>
}

export interface LoadOptions {
  port: number
  qps: number
  durationMs: number
  drainMs?: number
  /** Called every tick with the ms since the start (faults are injected from here). */
  onTick?: (elapsedMs: number) => void
}

const TICK_MS = 10

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  // Answers come back in bursts after a busy moment; the default buffer would drop some here.
  socket.setRecvBufferSize(4 << 20)
  socket.setSendBufferSize(4 << 20)
  const start = performance.now()
  const pending = new Map<number, { name: string; sentAt: number }>()
  const result: LoadResult = { sent: 0, answered: 0, servfail: 0, wrong: 0, lost: 0, lostAt: [], replies: [], byMember: {} }
  socket.on('message', (msg) => {
    let packet: dnsPacket.DecodedPacket & { rcode?: string }
    try {
      packet = dnsPacket.decode(msg)
    } catch {
      result.wrong++
      return
    }
    const asked = pending.get(packet.id!)
    if (!asked || packet.questions?.[0]?.name !== asked.name) {
      result.wrong++
      return
    }
    pending.delete(packet.id!)
    const now = performance.now()
    const data = (packet.answers?.[0] as { data?: string } | undefined)?.data
    if (packet.rcode === 'SERVFAIL') result.servfail++
    else if (data) {
      result.answered++
      result.byMember[data] = (result.byMember[data] ?? 0) + 1
    } else result.wrong++
    result.replies.push({ at: now - start, by: data ?? packet.rcode ?? '?', latencyMs: now - asked.sentAt })
  })
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - start
      options.onTick?.(elapsed)
      // Catch up to the schedule, so a late tick does not lower the rate.
      const due = Math.min(Math.floor((elapsed * options.qps) / 1000), Math.floor((options.durationMs * options.qps) / 1000))
      while (result.sent < due) {
        const id = result.sent & 0xffff
        const name = `q${result.sent}.load.test`
        pending.set(id, { name, sentAt: performance.now() })
        socket.send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A', class: 'IN' }] }), options.port, '127.0.0.1')
        result.sent++
      }
      if (elapsed >= options.durationMs) {
        clearInterval(timer)
        resolve()
      }
    }, TICK_MS)
  })
  await new Promise((resolve) => setTimeout(resolve, options.drainMs ?? 2500))
  socket.close()
  result.lost = pending.size
  result.lostAt = [...pending.values()].map((p) => Math.round(p.sentAt - start))
  return result
}
