import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { inspectResponse, rewriteTtls, stripOpt, writeU32 } from '../../src/packet/response-info.js'

const SOA = { mname: 'ns.example', rname: 'h.example', serial: 1, refresh: 60, retry: 60, expire: 600, minimum: 30 }

function response(o: { rcode?: number; tc?: boolean; answers?: number[]; soaTtl?: number; opt?: boolean }): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id: 1,
    flags: (o.rcode ?? 0) | (o.tc ? dnsPacket.TRUNCATED_RESPONSE : 0),
    questions: [{ name: 'www.example', type: 'A', class: 'IN' }],
    answers: (o.answers ?? []).map((ttl, i) => ({ name: 'www.example', type: 'A', class: 'IN', ttl, data: `192.0.2.${i + 1}` })),
    authorities: o.soaTtl === undefined ? [] : [{ name: 'example', type: 'SOA', ttl: o.soaTtl, data: SOA }],
    additionals: (o.opt ? [{ name: '.', type: 'OPT', udpPayloadSize: 1232, flags: dnsPacket.DNSSEC_OK }] : []) as never,
  })
}

const ttlAt = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0

describe('inspectResponse', () => {
  it('finds every TTL but OPT, the smallest answer TTL, the rcode and the trailing OPT', () => {
    const bytes = response({ answers: [300, 60], soaTtl: 10, opt: true })
    const info = inspectResponse(bytes)
    expect(info).toMatchObject({ rcode: 0, truncated: false, ancount: 2, minTtl: 60, soaNegativeTtl: 10, optInside: false })
    expect(info.ttlOffsets.map((at) => ttlAt(bytes, at))).toEqual([300, 60, 10])
    expect(info.optStart).toBe(bytes.length - 11)
  })

  it('gives the RFC 2308 negative TTL as min(SOA TTL, MINIMUM), TC, and a top-bit TTL as 0 (RFC 2181 §8)', () => {
    expect(inspectResponse(response({ rcode: 3, soaTtl: 3600 }))).toMatchObject({ rcode: 3, ancount: 0, soaNegativeTtl: 30, minTtl: 3600 })
    expect(inspectResponse(response({ tc: true, answers: [5] })).truncated).toBe(true)
    const top = response({ answers: [5] })
    writeU32(top, inspectResponse(top).ttlOffsets[0]!, 0x80000001)
    expect(inspectResponse(top).minTtl).toBe(0)
  })

  it('throws on a record running past the end', () => {
    const bytes = response({ answers: [5] })
    expect(() => inspectResponse(bytes.subarray(0, bytes.length - 2))).toThrow()
  })
})

describe('rewriteTtls and stripOpt', () => {
  it('rewrites each TTL in place from its original', () => {
    const bytes = response({ answers: [300, 60], opt: true })
    const info = inspectResponse(bytes)
    rewriteTtls(bytes, info.ttlOffsets, (t) => t - 7)
    expect(info.ttlOffsets.map((at) => ttlAt(bytes, at))).toEqual([293, 53])
  })

  it('cuts the trailing OPT and lowers ARCOUNT, in a copy', () => {
    const bytes = response({ answers: [60], opt: true })
    const stripped = stripOpt(bytes, inspectResponse(bytes))!
    expect(stripped.length).toBe(bytes.length - 11)
    expect(bytes.readUInt16BE(10)).toBe(1)
    expect((stripped[10]! << 8) | stripped[11]!).toBe(0)
    expect(dnsPacket.decode(Buffer.from(stripped)).answers).toHaveLength(1)
  })
})
