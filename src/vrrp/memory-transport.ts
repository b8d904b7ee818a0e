/**
 * A simulated LAN segment for VRRP tests: routers attach with an address, adverts to the
 * multicast group reach every other attached router, adverts to an address reach that router.
 * Delivery runs on the injected Clock after `delayMs`; loss draws from the injected Random;
 * partitions and one-way blocks cut links. No sockets, no real time.
 */
import type { Clock } from '../util/clock.js'
import type { Random } from '../util/random.js'
import type { VrrpInbound, VrrpTransport } from './transport.js'
import { VRRP_MULTICAST_V4, VRRP_MULTICAST_V6 } from './packet.js'

/** Options for {@link MemoryVrrpSegment}. */
export interface MemoryVrrpSegmentOptions {
  clock: Clock
  /** One-way delivery delay in ms (default 0: delivered on the next clock tick at the same time). */
  delayMs?: number
  /** Fraction of messages lost, 0..1 (default 0); needs `random`. */
  loss?: number
  /** Draws the losses. */
  random?: Random
}

/** The shared medium {@link MemoryTransport}s attach to. */
export class MemoryVrrpSegment {
  /** Messages handed to the segment, delivered, and lost (to loss, a partition or a block). */
  readonly counters = { sent: 0, delivered: 0, lost: 0 }
  private readonly clock: Clock
  private readonly random: Random | undefined
  private delayMs: number
  private loss: number
  private readonly members = new Map<string, MemoryTransport>()
  private readonly group = new Map<string, number>()
  private readonly blocked = new Set<string>()

  constructor(options: MemoryVrrpSegmentOptions) {
    this.clock = options.clock
    this.random = options.random
    this.delayMs = options.delayMs ?? 0
    this.loss = options.loss ?? 0
  }

  /** A transport for a router with primary address `address` on this segment. */
  attach(address: string): MemoryTransport {
    return new MemoryTransport(this, address)
  }

  /** Splits the segment: nothing passes between different groups until {@link MemoryVrrpSegment.heal}. */
  partition(...groups: string[][]): void {
    this.group.clear()
    groups.forEach((g, i) => g.forEach((a) => this.group.set(a, i)))
  }

  /** Cuts one direction: messages from `from` to `to` are lost until {@link MemoryVrrpSegment.heal}. */
  block(from: string, to: string): void {
    this.blocked.add(`${from}>${to}`)
  }

  /** Removes every partition and block. */
  heal(): void {
    this.group.clear()
    this.blocked.clear()
  }

  /** Changes the loss rate and delay from now on. */
  set(options: { loss?: number; delayMs?: number }): void {
    if (options.loss !== undefined) this.loss = options.loss
    if (options.delayMs !== undefined) this.delayMs = options.delayMs
  }

  /** @internal */
  join(member: MemoryTransport): void {
    this.members.set(member.localAddress, member)
  }

  /** @internal */
  leave(member: MemoryTransport): void {
    if (this.members.get(member.localAddress) === member) this.members.delete(member.localAddress)
  }

  /** @internal */
  carry(from: string, bytes: Uint8Array, destination: string): void {
    const multicast = destination === VRRP_MULTICAST_V4 || destination === VRRP_MULTICAST_V6
    const targets = multicast ? [...this.members.keys()].filter((a) => a !== from) : [destination]
    for (const to of targets) {
      this.counters.sent++
      if (!this.passes(from, to)) {
        this.counters.lost++
        continue
      }
      const copy = bytes.slice()
      this.clock.setTimeout(() => {
        // The link may have been cut, or the receiver gone, while the message was in flight.
        const member = this.members.get(to)
        if (!member || !this.linked(from, to)) {
          this.counters.lost++
          return
        }
        this.counters.delivered++
        member.deliver({ bytes: copy, source: from, destination, ttl: 255 })
      }, this.delayMs)
    }
  }

  private passes(from: string, to: string): boolean {
    if (!this.linked(from, to)) return false
    return !(this.loss > 0 && this.random && this.random.int(1_000_000) < this.loss * 1_000_000)
  }

  private linked(from: string, to: string): boolean {
    if (this.blocked.has(`${from}>${to}`)) return false
    const a = this.group.get(from)
    const b = this.group.get(to)
    return a === undefined || b === undefined || a === b
  }
}

/** A router's attachment to a {@link MemoryVrrpSegment}. */
export class MemoryTransport implements VrrpTransport {
  readonly unicastOnly = false
  private handler: ((message: VrrpInbound) => void) | undefined

  /** Made by {@link MemoryVrrpSegment.attach}. */
  constructor(
    private readonly segment: MemoryVrrpSegment,
    readonly localAddress: string,
  ) {}

  async open(onMessage: (message: VrrpInbound) => void): Promise<void> {
    this.handler = onMessage
    this.segment.join(this)
  }

  send(bytes: Uint8Array, destination: string): void {
    if (this.handler) this.segment.carry(this.localAddress, bytes, destination)
  }

  async close(): Promise<void> {
    this.handler = undefined
    this.segment.leave(this)
  }

  /** @internal Called by the segment. */
  deliver(message: VrrpInbound): void {
    this.handler?.(message)
  }
}
