/**
 * NOTIFY in (RFC 1996 §3.7-3.11): a primary tells us the zone changed. Accepted only from the
 * address of a listed primary, from any source port (primaries send NOTIFY from a random port):
 * answered NOERROR with AA and the question echoed, and the zone is checked at once. From anyone
 * else: REFUSED, as BIND answers a NOTIFY it does not allow, and nothing happens.
 */
import type { Packet } from 'dns-packet'
import { respond } from '../server/respond.js'
import type { DnsQuery } from '../server/query.js'

/** Who a NOTIFY may come from and what it triggers. */
export interface NotifyTarget {
  /** True when `address` is one of the zone's primaries. */
  acceptsNotifyFrom(address: string): boolean
  /** Starts a check of the primary now (or right after the one under way). */
  notified(from: string): void
}

/** The answer to a NOTIFY for `target`'s zone (the caller has matched the zone by the question's name). */
export function answerNotify(query: DnsQuery, target: NotifyTarget): Packet {
  const from = query.client.address
  if (!target.acceptsNotifyFrom(from)) return respond(query, { rcode: 'REFUSED' }) as Packet
  target.notified(from)
  return respond(query, { aa: true }) as Packet
}

/** Compares two IP addresses written possibly differently (IPv4-mapped IPv6, IPv6 zero runs). */
export function sameIp(a: string, b: string): boolean {
  return normalizeIp(a) === normalizeIp(b)
}

function normalizeIp(address: string): string {
  let a = address.toLowerCase()
  const zone = a.indexOf('%')
  if (zone >= 0) a = a.slice(0, zone)
  if (a.startsWith('::ffff:') && a.includes('.')) return a.slice(7)
  if (!a.includes(':')) return a
  try {
    return new URL(`http://[${a}]/`).hostname
  } catch {
    return a
  }
}
