/**
 * What a router does to the host when it becomes master or stops being one: add the virtual
 * addresses (and announce them: gratuitous ARP / unsolicited NA), or remove them. Behind an
 * interface so the state machine is tested without root; {@link MemoryVipActions} records.
 */

/** Context handed to the VIP actions with every call. */
export interface VipContext {
  /** The virtual router id. */
  vrid: number
  /** RFC 5798 Accept_Mode: whether the master should accept packets addressed to VIPs it does not own. */
  acceptMode: boolean
}

/** Adds and removes the virtual addresses on the host. Both may be asynchronous; a rejection is reported, never thrown into the state machine. */
export interface VipActions {
  /** Adds the addresses and announces them. Called again on an address already held, it re-announces (after a split brain heals). */
  add(vips: readonly string[], context: VipContext): void | Promise<void>
  /** Removes the addresses; removing an address not held is not an error. */
  remove(vips: readonly string[], context: VipContext): void | Promise<void>
}

/** One recorded call of {@link MemoryVipActions}. */
export interface VipActionRecord {
  action: 'add' | 'remove'
  vips: string[]
  /** `clock.now()` of the caller when given, else the call's sequence number. */
  at: number
}

/** VIP actions in memory: the held set and every call, for tests and dry runs. */
export class MemoryVipActions implements VipActions {
  /** The addresses currently held. */
  readonly held = new Set<string>()
  /** Every call in order. */
  readonly log: VipActionRecord[] = []
  private readonly now: () => number

  /** `now` stamps the log (pass `() => clock.now()`); without it entries are numbered. */
  constructor(now?: () => number) {
    this.now = now ?? (() => this.log.length)
  }

  add(vips: readonly string[]): void {
    for (const v of vips) this.held.add(v)
    this.log.push({ action: 'add', vips: [...vips], at: this.now() })
  }

  remove(vips: readonly string[]): void {
    for (const v of vips) this.held.delete(v)
    this.log.push({ action: 'remove', vips: [...vips], at: this.now() })
  }

  /** How many times the addresses were added (including re-announcements). */
  get adds(): number {
    return this.log.filter((r) => r.action === 'add').length
  }
}
