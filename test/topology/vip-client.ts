// What the in-memory topology tests share: the RFC's failover figure, and a client that asks
// names through a topology's VIP and keeps every question with its answer and the time of each.
import dnsPacket from 'dns-packet'
import type { FakeClock } from '../../src/testing/fake-clock.js'
import type { BoundAddress, DatagramSocket } from '../../src/util/network.js'

/** RFC 5798 §6.1: Master_Down_Interval = 3 x Advertisement_Interval + (256 - priority) x Advertisement_Interval / 256. */
export const masterDown = (priority: number, advertMs = 1000): number => 3 * advertMs + ((256 - priority) * advertMs) / 256

/** One question and, once it came, its answer (rcode and the answers' data, sorted). */
export interface Asked {
  id: number
  name: string
  at: number
  answer?: { at: number; rcode: string; data: string[] }
}

/** Asks A questions of a topology's VIP from one socket. */
export class VipClient {
  readonly asked = new Map<number, Asked>()
  private next = 1

  /** `recursionDesired` sets RD on each question, as a stub resolver asking a forwarder does. */
  constructor(
    private readonly socket: DatagramSocket,
    private readonly topology: { readonly vip: BoundAddress },
    private readonly clock: FakeClock,
    private readonly options: { recursionDesired?: boolean } = {},
  ) {
    socket.onMessage((msg) => {
      const p = dnsPacket.decode(msg)
      const q = this.asked.get(p.id!)
      if (q && !q.answer) q.answer = { at: clock.now(), rcode: (p as { rcode?: string }).rcode ?? 'NOERROR', data: (p.answers ?? []).map((a) => String((a as { data: unknown }).data)).sort() }
    })
  }

  ask(name: string): void {
    const id = this.next++
    this.asked.set(id, { id, name, at: this.clock.now() })
    const flags = this.options.recursionDesired ? dnsPacket.RECURSION_DESIRED : 0
    this.socket.send(dnsPacket.encode({ type: 'query', id, flags, questions: [{ name, type: 'A', class: 'IN' }] }), this.topology.vip.port, this.topology.vip.address)
  }

  /** The questions asked at or after `at`. */
  since(at: number): Asked[] {
    return [...this.asked.values()].filter((q) => q.at >= at)
  }
}
