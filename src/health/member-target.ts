/**
 * Target names for pool members. A pool tracking a prober (`pool.track(prober)`) files its
 * members under `address#port` (`memberKey` in `dns-ha/pool`), and matches a change to a member by
 * that name; a target that checks a member should be named the same way.
 */

/** The target name a pool matches to the member at `address`:`port` (`address#port`, port default 53). */
export function memberTarget(address: string, port = 53): string {
  return `${address}#${port}`
}
