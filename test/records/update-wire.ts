// A small UPDATE message builder for tests: header, zone section, then prerequisite and update
// RRs given as (owner, type, class, ttl, rdata bytes), so every class rule can be written down.
import dnsPacket from 'dns-packet'
import { nameToWire } from '../../src/packet/names.js'
import { DnsQuery } from '../../src/server/query.js'
import type { TsigRequestContext } from '../../src/tsig/verify-request.js'

export const T = { A: 1, NS: 2, CNAME: 5, SOA: 6, MX: 15, TXT: 16, AAAA: 28, ANY: 255, AXFR: 252 }
export const C = { IN: 1, CH: 3, NONE: 254, ANY: 255 }

export interface WireRR { name: string; type: number; klass: number; ttl?: number; rdata?: Buffer }

export function rrWire(r: WireRR): Buffer {
  const fixed = Buffer.alloc(10)
  fixed.writeUInt16BE(r.type, 0)
  fixed.writeUInt16BE(r.klass, 2)
  fixed.writeUInt32BE(r.ttl ?? 0, 4)
  fixed.writeUInt16BE(r.rdata?.length ?? 0, 8)
  return Buffer.concat([nameToWire(r.name), fixed, r.rdata ?? Buffer.alloc(0)])
}

/** rdata of a record in dns-packet's shape. */
export function rdata(type: string, data: unknown): Buffer {
  return rdataOf((dnsPacket as unknown as { answer: { encode(a: unknown): Buffer } }).answer.encode({ name: 'x', type, ttl: 0, data }))
}

function rdataOf(encoded: Buffer): Buffer {
  // name 'x' is 3 bytes (1 'x' 0), then type, class, ttl, rdlength.
  const length = encoded.readUInt16BE(3 + 8)
  return encoded.subarray(3 + 10, 3 + 10 + length)
}

export function updateMessage(options: { id?: number; zones?: { name: string; type?: number; klass?: number }[]; prereqs?: WireRR[]; updates?: WireRR[] }): Buffer {
  const zones = options.zones ?? [{ name: 'example.com.' }]
  const prereqs = options.prereqs ?? []
  const updates = options.updates ?? []
  const header = Buffer.alloc(12)
  header.writeUInt16BE(options.id ?? 0x1234, 0)
  header.writeUInt16BE(5 << 11, 2)
  header.writeUInt16BE(zones.length, 4)
  header.writeUInt16BE(prereqs.length, 6)
  header.writeUInt16BE(updates.length, 8)
  const zoneBytes = zones.map((z) => {
    const tail = Buffer.alloc(4)
    tail.writeUInt16BE(z.type ?? T.SOA, 0)
    tail.writeUInt16BE(z.klass ?? C.IN, 2)
    return Buffer.concat([nameToWire(z.name), tail])
  })
  return Buffer.concat([header, ...zoneBytes, ...prereqs.map(rrWire), ...updates.map(rrWire)])
}

/** The message as the server hands it to a handler, as signed by `key` when given. */
export function updateQuery(raw: Buffer, key?: string, transport: 'udp' | 'tcp' = 'udp'): DnsQuery {
  const q = new DnsQuery(raw, { address: '127.0.0.1', port: 5353, family: 'IPv4' }, transport)
  if (key !== undefined) q.setVerifiedTsig({ key: { name: key, algorithm: 'hmac-sha256' }, requestMac: Buffer.alloc(0), timeSigned: 0, fudge: 300 } as unknown as TsigRequestContext)
  return q
}
