/**
 * {@link soaSerialCheck}: catches the stale secondary. A secondary that stopped following its
 * primary still answers every query, so keepalived's checks, nginx and dnsdist all call it up;
 * this check compares its SOA serial with a reference (the primary, or a function) in RFC 1982
 * serial arithmetic and fails it when it is too far behind, or behind for too long.
 */
import { query } from '../client/query.js'
import type { DnsPacket } from '../packet/dns-packet.js'
import type { Network } from '../util/network.js'
import type { DnsCheckServer } from './dns-check.js'
import { serialLag } from './serial-arithmetic.js'
import type { CheckContext, CheckOutcome, HealthCheck } from './types.js'

/** Where the serial to follow comes from: a server to ask, or a function that knows it. */
export type SerialReference = DnsCheckServer | ((signal: AbortSignal) => number | Promise<number>)

/** Options of {@link soaSerialCheck}. */
export interface SoaSerialCheckOptions {
  /** The server checked (the secondary). */
  server: DnsCheckServer
  /** The zone whose SOA is compared. */
  zone: string
  /** The serial to follow (the primary). */
  reference: SerialReference
  /** Steps behind (RFC 1982) that fail at once (default: no bound, only `graceMs` applies). */
  maxLag?: number
  /** Behind at all for this long fails (default 0: any lag fails at once). Set it to the time a transfer normally takes after a NOTIFY. */
  graceMs?: number
  /**
   * When the reference published its first serial newer than `serial`, if it knows (the primary
   * of an in-process topology does). The grace then counts from that moment, not from the first
   * check that saw the lag: a checker that starts fresh (a restarted director) would otherwise
   * trust a server that has been stale for minutes for another `graceMs`.
   */
  newerSince?: (serial: number) => number | undefined
  /** Default `'udp'`. */
  transport?: 'udp' | 'tcp'
  /** Sockets (default: Node's). */
  network?: Network
}

/**
 * A check that passes while `server`'s serial for `zone` keeps up with `reference`. When the
 * reference cannot be read the check passes (the secondary answered; its lag is unknown) and
 * says so, so a primary outage does not take every secondary down with it. Keeps state (since
 * when the server is behind): one check per target.
 */
export function soaSerialCheck(options: SoaSerialCheckOptions): HealthCheck {
  const maxLag = options.maxLag ?? Number.POSITIVE_INFINITY
  const graceMs = options.graceMs ?? 0
  const where = `${options.server.address}#${options.server.port ?? 53}`
  let behindSince: number | undefined
  return async (context: CheckContext): Promise<CheckOutcome> => {
    const serial = await readSerial(options.server, options.zone, options, context)
    let reference: number
    try {
      reference = typeof options.reference === 'function' ? await options.reference(context.signal) : await readSerial(options.reference, options.zone, options, context)
    } catch (error) {
      if (context.signal.aborted) throw error
      return { ok: true, reason: `${options.zone} serial ${serial} at ${where}; reference unavailable (${error instanceof Error ? error.message : String(error)})` }
    }
    const lag = serialLag(serial, reference)
    const now = context.clock.now()
    if (lag === 0) {
      behindSince = undefined
      return { ok: true, reason: `${options.zone} serial ${serial} at ${where}, reference ${reference}` }
    }
    behindSince ??= now
    const published = options.newerSince?.(serial)
    const behindMs = now - (published === undefined ? behindSince : Math.min(behindSince, published))
    const summary = `${options.zone} serial ${serial} at ${where} is ${lag} behind reference ${reference}`
    if (lag > maxLag) return { ok: false, reason: `${summary} (more than maxLag ${maxLag})` }
    if (behindMs >= graceMs) return { ok: false, reason: `${summary} for ${behindMs} ms (graceMs ${graceMs})` }
    return { ok: true, reason: `${summary}, within grace (${behindMs} of ${graceMs} ms)` }
  }
}

async function readSerial(server: DnsCheckServer, zone: string, options: SoaSerialCheckOptions, context: CheckContext): Promise<number> {
  const where = `${server.address}#${server.port ?? 53}`
  const result = await query(server, { name: zone, type: 'SOA' }, {
    tcp: options.transport === 'tcp',
    retries: 0,
    timeoutMs: context.timeoutMs,
    signal: context.signal,
    clock: context.clock,
    recursionDesired: false,
    ...(options.network ? { network: options.network } : {}),
  })
  const serial = soaSerialOf(result.packet, zone)
  if (serial === undefined) throw new Error(`${where} has no SOA for ${zone} (rcode ${result.packet.rcode ?? 'NOERROR'})`)
  return serial
}

function soaSerialOf(packet: DnsPacket, zone: string): number | undefined {
  const want = zone.replace(/\.$/, '').toLowerCase()
  for (const rr of packet.answers ?? []) {
    if (rr.type === 'SOA' && rr.name.replace(/\.$/, '').toLowerCase() === want) return (rr.data as { serial: number }).serial
  }
  return undefined
}
