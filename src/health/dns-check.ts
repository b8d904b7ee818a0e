/**
 * {@link dnsCheck}: a real DNS query that passes only when the rcode and the answer are what is
 * expected. keepalived's `DNS_CHECK`, and the `nslookup NAME $SERVER | grep ADDRESS` of a
 * `MISC_CHECK` without the shell; dnsdist's `checkName` / `checkType` / `mustResolve`.
 */
import { query } from '../client/query.js'
import type { DnsPacket } from '../packet/dns-packet.js'
import type { Network } from '../util/network.js'
import { answerAddresses, answerText } from './answer-text.js'
import type { CheckContext, CheckOutcome, HealthCheck } from './types.js'

/** The server a DNS check asks. */
export interface DnsCheckServer {
  /** An IP literal. */
  address: string
  /** Default 53. */
  port?: number
}

/** What a passing answer looks like; every given criterion must hold. */
export interface DnsExpectation {
  /** The rcode name (default `'NOERROR'`). */
  rcode?: string
  /** The exact set of A/AAAA addresses in the answer section (order does not matter). */
  addresses?: string[]
  /** Must match the answer section as text, one record a line: `www.example.test. 300 IN A 192.0.2.80`. */
  match?: RegExp
  /** Your own test of the decoded answer: `true` passes; `false` or a string (the reason) fails. */
  predicate?: (packet: DnsPacket) => boolean | string
}

/** Options of {@link dnsCheck}. */
export interface DnsCheckOptions {
  server: DnsCheckServer
  /** The name to ask. */
  name: string
  /** Type name (default `'A'`). */
  type?: string
  /** Default: rcode NOERROR and nothing else. */
  expect?: DnsExpectation
  /** Default `'udp'` (TC=1 still moves to TCP, as a resolver would). */
  transport?: 'udp' | 'tcp'
  /** UDP re-sends within one run (default 0: `fall` does the retrying). */
  retries?: number
  /** Sockets (default: Node's). */
  network?: Network
}

/** A check that asks `server` `name`/`type` and compares the answer with `expect`. */
export function dnsCheck(options: DnsCheckOptions): HealthCheck {
  const type = options.type ?? 'A'
  const expect = options.expect ?? {}
  const wantRcode = (expect.rcode ?? 'NOERROR').toUpperCase()
  const where = `${options.server.address}#${options.server.port ?? 53}`
  return async (context: CheckContext): Promise<CheckOutcome> => {
    const result = await query(options.server, { name: options.name, type }, {
      tcp: options.transport === 'tcp',
      retries: options.retries ?? 0,
      timeoutMs: context.timeoutMs,
      signal: context.signal,
      clock: context.clock,
      ...(options.network ? { network: options.network } : {}),
    })
    const packet = result.packet
    const rcode = (packet.rcode ?? 'NOERROR').toUpperCase()
    const asked = `${options.name} ${type} at ${where}`
    if (rcode !== wantRcode) return { ok: false, reason: `${asked}: rcode ${rcode}, expected ${wantRcode}` }
    if (expect.addresses) {
      const got = [...new Set(answerAddresses(packet))].sort()
      const want = [...new Set(expect.addresses)].sort()
      if (got.join(' ') !== want.join(' ')) return { ok: false, reason: `${asked}: answer ${got.join(', ') || '(no address)'}, expected ${want.join(', ')}` }
    }
    if (expect.match) expect.match.lastIndex = 0 // a /g regex keeps its position between runs
    if (expect.match && !expect.match.test(answerText(packet))) {
      return { ok: false, reason: `${asked}: answer does not match ${expect.match}: ${answerText(packet).replace(/\n/g, '; ') || '(empty)'}` }
    }
    if (expect.predicate) {
      const verdict = expect.predicate(packet)
      if (verdict !== true) return { ok: false, reason: `${asked}: ${typeof verdict === 'string' ? verdict : 'the predicate refused the answer'}` }
    }
    return { ok: true, reason: `${asked}: ${rcode} in ${result.rttMs} ms` }
  }
}
