/**
 * The answer section of a decoded message as zone-file-like text, one record a line
 * (`www.example.test. 300 IN A 192.0.2.80`), for `dnsCheck`'s regex and its reasons.
 */
import type { DnsPacket } from '../packet/dns-packet.js'

/** The answer records of `packet` as text lines joined by `\n`. */
export function answerText(packet: DnsPacket): string {
  return (packet.answers ?? []).map((rr) => {
    const r = rr as { name: string; ttl?: number; class?: string; type: string; data?: unknown }
    return `${r.name}. ${r.ttl ?? 0} ${r.class ?? 'IN'} ${r.type} ${rdataText(r.type, r.data)}`
  }).join('\n')
}

/** The A and AAAA addresses in the answer section. */
export function answerAddresses(packet: DnsPacket): string[] {
  return (packet.answers ?? []).flatMap((rr) => (rr.type === 'A' || rr.type === 'AAAA' ? [String(rr.data)] : []))
}

function rdataText(type: string, data: unknown): string {
  if (typeof data === 'string') return type === 'CNAME' || type === 'NS' || type === 'PTR' || type === 'DNAME' ? `${data}.` : data
  if (Buffer.isBuffer(data)) return `\\# ${data.length} ${data.toString('hex')}`
  if (type === 'TXT' && Array.isArray(data)) return data.map((s) => JSON.stringify(Buffer.isBuffer(s) ? s.toString('latin1') : String(s))).join(' ')
  if (type === 'MX' && isRecord(data)) return `${data.preference} ${data.exchange}.`
  if (type === 'SOA' && isRecord(data)) return `${data.mname}. ${data.rname}. ${data.serial} ${data.refresh} ${data.retry} ${data.expire} ${data.minimum}`
  if (type === 'SRV' && isRecord(data)) return `${data.priority} ${data.weight} ${data.port} ${data.target}.`
  return JSON.stringify(data)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}
