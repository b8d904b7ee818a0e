/**
 * The seam between a health checker and whatever it steers: a pool's members follow the
 * targets of a {@link HealthSource} (`pool.track(prober)`). Defined here, below both, so the
 * proxy and the forwarder can be steered by the health prober without importing it.
 */

/** A target's verdict. */
export type HealthState = 'up' | 'down'

/** A target changed state (or, with dynamic weights, weight). */
export interface HealthChange {
  /** The target's name; a pool matches it to a member by `memberKey` (`address#port`) unless told otherwise. */
  target: string
  state: HealthState
  /** A weight the check asked for (keepalived `dynamic` MISC_CHECK), if any. */
  weight?: number
  /** Why, in words a person can read. */
  reason: string
}

/** Anything a pool can track: the health prober, or a user's own checker. */
export interface HealthSource {
  /** Calls `listener` on every change from now on; the returned function stops that. */
  watch(listener: (change: HealthChange) => void): () => void
  /** The current verdict for a target, `undefined` when it is not known (yet). */
  state(target: string): HealthState | undefined
}
