/**
 * How a {@link UdpProxyPool} opens one `listen()`: UDP and TCP on the same address and port, as
 * DnsServer does (port 0 picks a free UDP port first; TCP may find it taken, so a few tries), and
 * how the relays' counters add up across several `listen()` calls.
 */
import type { BoundAddress } from '../util/network.js'
import { DnsHaError } from '../util/errors.js'
import type { DatagramSessionsSnapshot } from './datagram-sessions.js'
import type { TcpProxySnapshot } from './tcp-proxy.js'

/** Something bound: its address and how to let it go. */
export interface Endpoint {
  readonly bound: BoundAddress
  close(): Promise<void>
}

/** Binds one endpoint on `port` (0: any), throwing `ERR_SERVER_LISTEN` when it cannot. */
export type Binder = (port: number) => Promise<Endpoint>

/** Port-0 retries when the TCP side finds the UDP side's port taken. */
const PAIR_ATTEMPTS = 8

/**
 * Binds `udp` then `tcp` on the port `udp` got (either may be absent, not both). Resolves with
 * the endpoints bound; on failure nothing stays bound.
 */
export async function bindPair(port: number, udp: Binder | undefined, tcp: Binder | undefined): Promise<Endpoint[]> {
  if (!udp && !tcp) throw new DnsHaError('ERR_CONFIG', 'listen needs udp, tcp or both')
  if (!udp) return [await tcp!(port)]
  for (let attempt = 1; ; attempt++) {
    const first = await udp(port)
    if (!tcp) return [first]
    try {
      return [first, await tcp(first.bound.port)]
    } catch (error) {
      await first.close()
      if (port !== 0 || attempt >= PAIR_ATTEMPTS) throw error
    }
  }
}

/** The TCP relays' counters added up (zeros when there are none). */
export function sumTcp(list: readonly TcpProxySnapshot[]): TcpProxySnapshot {
  const total: TcpProxySnapshot = { connections: 0, accepted: 0, relayed: 0, connectFailures: 0, noMember: 0, rejected: 0, bytesUp: 0, bytesDown: 0 }
  for (const s of list) for (const k of Object.keys(total) as (keyof TcpProxySnapshot)[]) total[k] += s[k]
  return total
}

/** The datagram relays' counters added up (zeros when there are none). */
export function sumDatagram(list: readonly DatagramSessionsSnapshot[]): DatagramSessionsSnapshot {
  const total: DatagramSessionsSnapshot = { sessions: 0, opened: 0, closed: 0, received: 0, relayed: 0, retried: 0, dropped: { sessionLimit: 0, noMember: 0 } }
  for (const s of list) {
    total.sessions += s.sessions
    total.opened += s.opened
    total.closed += s.closed
    total.received += s.received
    total.relayed += s.relayed
    total.retried += s.retried
    total.dropped.sessionLimit += s.dropped.sessionLimit
    total.dropped.noMember += s.dropped.noMember
  }
  return total
}
