/**
 * The seam between the relays that carry traffic (datagram sessions, the TCP proxy) and whatever
 * decides which member takes it. The relays never see the pool: they ask for a member, and report
 * back what happened, so the pool (or a test) keeps the health and balancing state in one place.
 */

/** One member as a relay needs it: where to send, and the key to report back with. */
export interface PickedMember {
  /** Stable identity of the member (the pool uses `address#port`). */
  readonly key: string
  readonly address: string
  readonly port: number
}

/** Chooses members for a relay and hears how they did. */
export interface MemberPicker {
  /**
   * The member for traffic from `client` (the client's IP address, which the hash policy keys on),
   * skipping the keys in `exclude` (already tried for it); `undefined` when none is available.
   */
  pick(client: string, exclude: ReadonlySet<string>): PickedMember | undefined
  /** The member failed (refused, unreachable, timed out); `reason` says how, for events and logs. */
  failed(key: string, reason: string): void
  /** The member answered, `rttMs` after it was asked. */
  answered(key: string, rttMs: number): void
}
