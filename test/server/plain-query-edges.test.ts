// The plain-query shape byte by byte: a count of 256 or more (its high byte set) or an OPT that is
// not the bare root one must take the full path, where FORMERR or a full answer is decided.
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import type { PlainQuery } from '../../src/server/plain-query.js'
import { readPlainQuery } from '../../src/server/plain-query.js'
import { opt } from './helpers.js'

const client = { address: '127.0.0.2', port: 5353, family: 'IPv4' as const }
const read = (bytes: Uint8Array, cap = 1232): PlainQuery | undefined => {
  const into: PlainQuery = { raw: Buffer.alloc(0), questionEnd: 0, ednsVariant: 0, maxUdpSize: 0, client: { address: '', port: 0, family: 'IPv4' } }
  return readPlainQuery(Buffer.from(bytes), cap, client, into) ? into : undefined
}
const plain = () => Buffer.from(dnsPacket.encode({ type: 'query', id: 7, questions: [{ name: 'www.example.test', type: 'A' }] }))
const withOpt = () => Buffer.from(dnsPacket.encode({ type: 'query', id: 7, questions: [{ name: 'www.example.test', type: 'A' }], additionals: [opt(1232)] }))
const patched = (bytes: Buffer, at: number, value: number) => {
  const out = Buffer.from(bytes)
  out[at < 0 ? out.length + at : at] = value
  return out
}

describe('readPlainQuery: counts of 256 and more take the full path', () => {
  it('QDCOUNT 257, ANCOUNT 256, NSCOUNT 256 or ARCOUNT 256 (high byte set) is not plain', () => {
    expect(read(plain())).toBeDefined()
    expect(read(patched(plain(), 4, 1)), 'QDCOUNT 257').toBeUndefined()
    expect(read(patched(plain(), 6, 1)), 'ANCOUNT 256').toBeUndefined()
    expect(read(patched(plain(), 8, 1)), 'NSCOUNT 256').toBeUndefined()
    expect(read(patched(plain(), 10, 1)), 'ARCOUNT 256').toBeUndefined()
  })

  it('opcodes other than QUERY (IQUERY 1, STATUS 2) are not plain; AA, TC and RD in a query do not matter', () => {
    expect(read(patched(plain(), 2, 1 << 3)), 'IQUERY').toBeUndefined()
    expect(read(patched(plain(), 2, 2 << 3)), 'STATUS').toBeUndefined()
    expect(read(patched(plain(), 2, 0x07))).toBeDefined()
  })
})

describe('readPlainQuery: only the bare root OPT is plain', () => {
  // The OPT is the last 11 bytes: owner(1) type(2) class=size(2) ext-rcode(1) version(1) flags(2) rdlength(2).
  it('an OPT owned by a name other than the root is not plain', () => {
    expect(read(withOpt())).toMatchObject({ ednsVariant: 1 })
    expect(read(patched(withOpt(), -11, 1))).toBeUndefined()
  })

  it('a record of type 41 + 256k (type high byte set) is not an OPT', () => {
    expect(read(patched(withOpt(), -10, 1))).toBeUndefined()
  })

  it('an RDLENGTH of 256 or more (options follow) is not plain', () => {
    expect(read(patched(withOpt(), -2, 1))).toBeUndefined()
  })

  it('the DO bit alone makes the DO variant; the other flag bits do not', () => {
    expect(read(patched(withOpt(), -4, 0x80))).toMatchObject({ ednsVariant: 2 })
    expect(read(patched(withOpt(), -4, 0x7f))).toMatchObject({ ednsVariant: 1 })
    expect(read(patched(withOpt(), -3, 0xff))).toMatchObject({ ednsVariant: 1 })
  })

  it('payload sizes 512 and the cap itself are taken as they are', () => {
    const sized = (size: number) => {
      const out = withOpt()
      out.writeUInt16BE(size, out.length - 8)
      return out
    }
    expect(read(sized(512))).toMatchObject({ maxUdpSize: 512 })
    expect(read(sized(511))).toMatchObject({ maxUdpSize: 512 })
    expect(read(sized(1232))).toMatchObject({ maxUdpSize: 1232 })
    expect(read(sized(1233))).toMatchObject({ maxUdpSize: 1232 })
    expect(read(sized(700))).toMatchObject({ maxUdpSize: 700 })
  })

  it('a query shorter than the smallest plain one (17 bytes) is not plain', () => {
    const root = Buffer.from(dnsPacket.encode({ type: 'query', id: 7, questions: [{ name: '.', type: 'NS' }] }))
    expect(root.length).toBe(17)
    expect(read(root)).toBeDefined()
    expect(read(root.subarray(0, 16))).toBeUndefined()
  })
})
