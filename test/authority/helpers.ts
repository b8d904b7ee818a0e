// Shared helpers for authority tests: zones from text, asking an Authority as a function, and
// records compared as canonical text lines.
import { isStreamResponse } from '../../src/server/stream-response.js'
import dnsPacket from 'dns-packet'
import type { Answer } from 'dns-packet'
import type { Authority } from '../../src/authority/authority.js'
import { DnsQuery } from '../../src/server/query.js'
import type { ClientInfo, Transport } from '../../src/server/query.js'
import { parseZone } from '../../src/zone/index.js'
import type { Zone } from '../../src/zone/zone.js'

export type Decoded = ReturnType<typeof dnsPacket.decode> & { rcode?: string; flag_aa?: boolean; flag_tc?: boolean }

/** A zone from master-file text. */
export function zoneOf(origin: string, text: string): Zone {
  return parseZone(text, { origin })
}

export interface AskOptions {
  edns?: boolean
  dnssecOk?: boolean
  udpSize?: number
  transport?: Transport
  client?: Partial<ClientInfo>
  klass?: string
  id?: number
  /** Extra EDNS options (dns-packet shape). */
  options?: unknown[]
  /** Extra additional records (e.g. a TSIG). */
  additionals?: unknown[]
}

/** The query as the server would build it. */
export function queryOf(name: string, type: string, o: AskOptions = {}): DnsQuery {
  const additionals: unknown[] = [...(o.additionals ?? [])]
  if (o.edns || o.dnssecOk || o.options) {
    additionals.unshift({ name: '.', type: 'OPT', udpPayloadSize: o.udpSize ?? 1232, flags: o.dnssecOk ? dnsPacket.DNSSEC_OK : 0, options: o.options ?? [] })
  }
  return DnsQuery.from(
    { id: o.id ?? 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as never, class: (o.klass ?? 'IN') as never }], additionals: additionals as never },
    { ...(o.client ? { client: o.client } : {}), transport: o.transport ?? 'udp', maxUdpSizeCap: 4096 },
  )
}

/** Asks the authority and decodes what it returned (bytes or a packet). `undefined` when it called next. */
export async function ask(auth: Authority, name: string, type = 'A', o: AskOptions = {}): Promise<Decoded & { bytes: Buffer }> {
  const query = queryOf(name, type, o)
  const result = await auth.handle(query, () => undefined)
  if (result === undefined || typeof result === 'symbol') throw new Error(`authority did not answer ${name} ${type}`)
  if (isStreamResponse(result)) throw new Error(`authority answered ${name} ${type} with a stream`)
  const bytes = result instanceof Uint8Array ? Buffer.from(result) : dnsPacket.encode(result)
  // The server patches the id of pre-encoded answers; do the same here.
  bytes.writeUInt16BE(query.id, 0)
  return Object.assign(dnsPacket.decode(bytes) as Decoded, { bytes })
}

/** Canonical text of one decoded record: lower-case owner with a trailing dot, TTL, class, type, data. */
export function canon(rr: Answer): string {
  const r = rr as unknown as { name: string; type: string; class?: string; ttl?: number; data?: unknown }
  return `${fqdn(r.name)} ${r.ttl ?? 0} ${r.class ?? 'IN'} ${r.type} ${dataText(r.type, r.data)}`
}

/** Canonical, sorted lines of a section (OPT left out). */
export function lines(section: readonly Answer[] | undefined): string[] {
  return (section ?? []).filter((r) => r.type !== 'OPT').map(canon).sort()
}

/** Records written as zone text (relative to `origin`), in the same canonical form as {@link lines}. */
export function rrs(origin: string, ...text: string[]): string[] {
  const zone = parseZone(`@ 3600 IN SOA ns. h. 1 1 1 1 1\n${text.join('\n')}\n`, { origin })
  const records = [...zone.eachRecord()].filter((r) => !(r.type === 'SOA' && r.data.mname === 'ns.' && r.data.serial === 1 && r.data.minimum === 1))
  // Round-trip through dns-packet so shapes match decoded answers exactly.
  const packet = dnsPacket.decode(dnsPacket.encode({ type: 'response', id: 0, answers: records as never }))
  return lines(packet.answers)
}

export function fqdn(name: string): string {
  const lower = name.toLowerCase()
  return lower.endsWith('.') ? lower : lower + '.'
}

function dataText(type: string, data: unknown): string {
  switch (type) {
    case 'NS':
    case 'CNAME':
    case 'PTR':
    case 'DNAME':
      return fqdn(String(data))
    case 'MX': {
      const d = data as { preference: number; exchange: string }
      return `${d.preference} ${fqdn(d.exchange)}`
    }
    case 'SRV': {
      const d = data as { priority: number; weight: number; port: number; target: string }
      return `${d.priority} ${d.weight} ${d.port} ${fqdn(d.target)}`
    }
    case 'SOA': {
      const d = data as { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
      return `${fqdn(d.mname)} ${fqdn(d.rname)} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`
    }
    default:
      return JSON.stringify(data, (_k, v) => (v && v.type === 'Buffer' && Array.isArray(v.data) ? Buffer.from(v.data).toString('hex') : v))
  }
}
