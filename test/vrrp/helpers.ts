// A simulated LAN of VRRP routers on a FakeClock, recording every state change with its time.
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryVrrpSegment } from '../../src/vrrp/memory-transport.js'
import { VrrpRouter } from '../../src/vrrp/router.js'
import type { VrrpHealthChange, VrrpHealthSource, VrrpHealthState, VrrpRouterOptions, VrrpStateEvent } from '../../src/vrrp/types.js'
import { MemoryVipActions } from '../../src/vrrp/vip-actions.js'
import type { VrrpInbound, VrrpTransport } from '../../src/vrrp/transport.js'
import type { Random } from '../../src/util/random.js'

export interface Node {
  address: string
  router: VrrpRouter
  vips: MemoryVipActions
  states: (VrrpStateEvent & { at: number })[]
  /** Times at which this router accepted an advert with priority > 0. */
  heard: number[]
  sent: { at: number; priority: number }[]
}

export function lan(options: { delayMs?: number; loss?: number; random?: Random } = {}) {
  const clock = new FakeClock({ now: 0 })
  const segment = new MemoryVrrpSegment({ clock, ...options })
  const nodes: Node[] = []
  const add = (address: string, priority: number, extra: Partial<VrrpRouterOptions> = {}): Node => {
    const vips = new MemoryVipActions(() => clock.now())
    const router = new VrrpRouter({ vrid: 88, priority, vips: ['10.0.0.100'], transport: segment.attach(address), clock, vipActions: vips, ...extra })
    const node: Node = { address, router, vips, states: [], heard: [], sent: [] }
    router.on('state', (e) => node.states.push({ at: clock.now(), ...e }))
    router.on('advert', (e) => {
      if (e.direction === 'received' && e.packet.priority > 0) node.heard.push(clock.now())
      if (e.direction === 'sent') node.sent.push({ at: clock.now(), priority: e.packet.priority })
    })
    nodes.push(node)
    return node
  }
  const advanceTo = (t: number): void => clock.advance(t - clock.now())
  /** Addresses holding the VIP right now. */
  const holders = (): string[] => nodes.filter((n) => n.vips.held.size > 0).map((n) => n.address)
  return { clock, segment, add, advanceTo, holders, nodes }
}

/** Skew_Time and Master_Down_Interval as RFC 5798 §6.1 defines them. */
export const skew = (priority: number, interval = 1000): number => ((256 - priority) * interval) / 256
export const masterDown = (priority: number, interval = 1000): number => 3 * interval + skew(priority, interval)

/** A health source whose verdicts the test sets. */
export class FakeHealth implements VrrpHealthSource {
  private readonly states = new Map<string, VrrpHealthState>()
  private readonly listeners = new Set<(c: VrrpHealthChange) => void>()
  set(target: string, state: VrrpHealthState, reason = state === 'down' ? 'timed out' : 'answered'): void {
    this.states.set(target, state)
    for (const l of this.listeners) l({ target, state, reason })
  }
  watch(listener: (c: VrrpHealthChange) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
  state(target: string): VrrpHealthState | undefined {
    return this.states.get(target)
  }
  get watchers(): number {
    return this.listeners.size
  }
}

/** A transport the test feeds by hand and whose sends it records. */
export class InjectTransport implements VrrpTransport {
  readonly sent: { bytes: Uint8Array; destination: string }[] = []
  private handler: ((m: VrrpInbound) => void) | undefined
  closed = false
  constructor(
    readonly localAddress: string,
    readonly unicastOnly = false,
  ) {}
  async open(onMessage: (m: VrrpInbound) => void): Promise<void> {
    this.handler = onMessage
  }
  send(bytes: Uint8Array, destination: string): void {
    this.sent.push({ bytes, destination })
  }
  async close(): Promise<void> {
    this.closed = true
  }
  inject(message: VrrpInbound): void {
    this.handler?.(message)
  }
}
