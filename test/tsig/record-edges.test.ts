// readTsig on broken and unusual messages: each way a TSIG record can be cut short or mis-sized
// gets its own FORMERR reason, and only the additional section can carry a TSIG.
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { createKeyring, readTsig, resolveTsigKey, signRequest, signResponse, tsigSpace, verifyRequest } from '../../src/tsig/index.js'
import { keyFor, NOW, queryBytes } from './helpers.js'

const ALGORITHM_WIRE = Buffer.from('\x0bhmac-sha256\x00', 'latin1')

/** `queryBytes()` with one additional record: a TSIG named `k.` whose RDATA is `rdata` as given. */
function withTsigRdata(rdata: Buffer): Buffer {
  const message = queryBytes()
  const head = Buffer.from('\x01k\x00', 'latin1')
  const fixed = Buffer.alloc(10)
  fixed.writeUInt16BE(250, 0)
  fixed.writeUInt16BE(255, 2)
  fixed.writeUInt16BE(rdata.length, 8)
  const out = Buffer.concat([message, head, fixed, rdata])
  out.writeUInt16BE(1, 10)
  return out
}

/** TSIG RDATA: algorithm, time 0, fudge 300, then `macSize` and whatever follows it. */
function rdata(macSize: number, rest: Buffer): Buffer {
  const fixed = Buffer.alloc(10)
  fixed.writeUInt16BE(300, 6)
  fixed.writeUInt16BE(macSize, 8)
  return Buffer.concat([ALGORITHM_WIRE, fixed, rest])
}

describe('readTsig edges', () => {
  it('is FORMERR for less than a header, and none for a bare header', () => {
    expect(readTsig(Buffer.alloc(11))).toEqual({ status: 'formerr', reason: 'message shorter than a header' })
    expect(readTsig(Buffer.alloc(12))).toEqual({ status: 'none' })
  })

  it('finds the TSIG after answer and authority records', () => {
    const message = dnsPacket.encode({
      type: 'response',
      id: 7,
      questions: [{ name: 'example.test', type: 'SOA' }],
      authorities: [{ name: 'example.test', type: 'NS', ttl: 60, data: 'ns1.example.test' }],
    })
    const signed = signRequest(message, resolveTsigKey(keyFor('hmac-sha256')), NOW).bytes
    expect(readTsig(signed).status).toBe('found')
    expect(verifyRequest(signed, createKeyring([keyFor('hmac-sha256')]), NOW).status).toBe('ok')
  })

  it('finds no TSIG in the answer section when ARCOUNT is 0', () => {
    const signed = signRequest(queryBytes(), resolveTsigKey(keyFor('hmac-sha256')), NOW).bytes
    signed.writeUInt16BE(1, 6)
    signed.writeUInt16BE(0, 10)
    expect(readTsig(signed)).toEqual({ status: 'none' })
  })

  it('reads a Time Signed past 2^32 (48 bits)', () => {
    const signed = signRequest(queryBytes(), resolveTsigKey(keyFor('hmac-sha256')), 2 ** 32 + 5).bytes
    const found = readTsig(signed)
    expect(found.status === 'found' && found.record.timeSigned).toBe(2 ** 32 + 5)
  })

  it('says which part of a cut-off record is missing', () => {
    const signed = signRequest(queryBytes(), resolveTsigKey(keyFor('hmac-sha256')), NOW).bytes
    const tsigAt = queryBytes().length
    const nameLength = resolveTsigKey(keyFor('hmac-sha256')).nameWire.length
    expect(readTsig(signed.subarray(0, tsigAt + nameLength + 9))).toEqual({ status: 'formerr', reason: 'record header truncated' })
    expect(readTsig(signed.subarray(0, signed.length - 1))).toEqual({ status: 'formerr', reason: 'record data runs past the end' })
  })

  it('is FORMERR when the RDATA ends inside the fixed fields after the algorithm', () => {
    expect(readTsig(withTsigRdata(Buffer.concat([ALGORITHM_WIRE, Buffer.alloc(9)])))).toEqual({ status: 'formerr', reason: 'TSIG data truncated' })
  })

  it('is FORMERR when the MAC, or the id, error and other length after it, run past the RDATA', () => {
    expect(readTsig(withTsigRdata(rdata(0, Buffer.alloc(0))))).toEqual({ status: 'formerr', reason: 'TSIG MAC runs past the record' })
    expect(readTsig(withTsigRdata(rdata(32, Buffer.alloc(31))))).toEqual({ status: 'formerr', reason: 'TSIG MAC runs past the record' })
    expect(readTsig(withTsigRdata(rdata(32, Buffer.alloc(32 + 5))))).toEqual({ status: 'formerr', reason: 'TSIG MAC runs past the record' })
  })

  it('is FORMERR when Other Len does not match the bytes left, and reads the record when it does', () => {
    const trailer = (otherLength: number, other: number): Buffer => {
      const t = Buffer.alloc(6 + other)
      t.writeUInt16BE(otherLength, 4)
      return t
    }
    expect(readTsig(withTsigRdata(rdata(10, Buffer.concat([Buffer.alloc(10), trailer(2, 0)]))))).toEqual({ status: 'formerr', reason: 'TSIG data length does not add up' })
    expect(readTsig(withTsigRdata(rdata(10, Buffer.concat([Buffer.alloc(10), trailer(0, 1)]))))).toEqual({ status: 'formerr', reason: 'TSIG data length does not add up' })
    const found = readTsig(withTsigRdata(rdata(10, Buffer.concat([Buffer.alloc(10), trailer(1, 1)]))))
    expect(found.status === 'found' && found.record).toMatchObject({ keyName: 'k.', algorithmName: 'hmac-sha256.', fudge: 300, otherData: Buffer.alloc(1) })
  })

  it('tsigSpace counts Other Data: a BADTIME answer with the 6-byte server time grows by exactly that much', () => {
    const key = resolveTsigKey(keyFor('hmac-sha384'))
    const request = signRequest(queryBytes(), key, NOW)
    const response = queryBytes()
    const signed = signResponse(response, request.context, NOW, { error: 18, otherData: Buffer.alloc(6) })
    expect(signed.length - response.length).toBe(tsigSpace(key, 6))
    expect(tsigSpace(key, 6)).toBe(tsigSpace(key) + 6)
  })
})
