// Shared helpers for the primary-side transfer tests: zone versions as text, and a TCP transfer
// client against a DnsServer on a MemoryNetwork.
import dnsPacket from 'dns-packet'
import type { Answer } from 'dns-packet'
import { parseZone } from '../../src/zone/index.js'
import type { Zone } from '../../src/zone/zone.js'
import { canon } from '../authority/helpers.js'
import type { Decoded } from '../authority/helpers.js'

/** Version `serial` of example.com: fixed records, then `extra` lines. */
export function version(serial: number, ...extra: string[]): Zone {
  return parseZone(
    `$TTL 300
@ IN SOA ns1 hostmaster ${serial} 3600 600 86400 300
@ NS ns1
@ NS ns2
ns1 A 192.0.2.1
ns2 A 192.0.2.2
www A 192.0.2.10
${extra.join('\n')}
`,
    { origin: 'example.com.' },
  )
}

/** An AXFR/IXFR query (IXFR carries the client's SOA serial in the authority section). */
export function transferQuery(type: 'AXFR' | 'IXFR', serial = 0, id = 4711): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    questions: [{ name: 'example.com.', type }],
    authorities: type === 'IXFR' ? [{ name: 'example.com.', type: 'SOA', ttl: 0, data: { mname: 'ns1.example.com.', rname: 'h.example.com.', serial, refresh: 0, retry: 0, expire: 0, minimum: 0 } } as Answer] : [],
  })
}

/** Framed for TCP. */
export function framed(message: Uint8Array): Buffer {
  const out = Buffer.alloc(message.length + 2)
  out.writeUInt16BE(message.length, 0)
  out.set(message, 2)
  return out
}

/** The answer records of decoded transfer messages, in order, as canonical text. */
export function recordLines(messages: readonly Buffer[]): string[] {
  return messages.flatMap((m) => (dnsPacket.decode(m).answers ?? []).map(canon))
}

/** Every record of `zone` as canonical text (through a dns-packet round trip, as decoded answers are). */
export function zoneLines(zone: Zone): string[] {
  const decoded = dnsPacket.decode(dnsPacket.encode({ type: 'response', id: 0, answers: zone.records as never }))
  return (decoded.answers ?? []).map(canon)
}

/** dns-packet's decode, typed with the rcode and flags it sets. */
export function decode(bytes: Uint8Array): Decoded {
  return dnsPacket.decode(Buffer.from(bytes)) as Decoded
}
