// Client Subnet edges: full-length prefixes, configured prefixes out of range, a query without a
// question, and an ECS option that is not the last one in the OPT record.
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { addClientSubnet, decodeClientSubnet, removeAddedClientSubnet } from '../../src/packet/client-subnet.js'

type Opt = { options: { code: number; data?: Buffer; sourcePrefixLength?: number; ip?: string }[] }
const question = [{ name: 'www.example.com', type: 'A' as const }]
const bare = (): Buffer => dnsPacket.encode({ type: 'query', id: 7, questions: question })
const withOpt = (options: unknown[]): Buffer =>
  dnsPacket.encode({ type: 'query', id: 7, questions: question, additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 4096, options } as never] })
const optOf = (message: Uint8Array) => dnsPacket.decode(Buffer.from(message)).additionals!.find((r) => r.type === 'OPT') as unknown as Opt

describe('Client Subnet edges', () => {
  it('reads a full-length /32 and /128 subnet, and the scope an answer sets', () => {
    expect(decodeClientSubnet(withOpt([{ code: 8, family: 1, sourcePrefixLength: 32, scopePrefixLength: 24, ip: '192.0.2.77' }]))).toEqual({
      family: 1,
      sourcePrefix: 32,
      scopePrefix: 24,
      address: '192.0.2.77',
      addressBytes: Uint8Array.from([192, 0, 2, 77]),
    })
    const v6 = decodeClientSubnet(withOpt([{ code: 8, family: 2, sourcePrefixLength: 128, scopePrefixLength: 0, ip: '2001:db8::1' }]))
    expect(v6).toMatchObject({ family: 2, sourcePrefix: 128, address: '2001:db8::1' })
    // One bit more than the family has is malformed.
    expect(decodeClientSubnet(withOpt([{ code: 8, data: Buffer.from([0, 2, 129, 0, ...new Array(17).fill(1)]) }]))).toBeUndefined()
  })

  it('finds ECS after other options and skips a short option with the ECS code', () => {
    const cookie = { code: 10, data: Buffer.from('0011223344556677', 'hex') }
    const ecs = { code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, ip: '198.51.100.0' }
    expect(decodeClientSubnet(withOpt([cookie, ecs]))?.address).toBe('198.51.100.0')
    expect(decodeClientSubnet(withOpt([{ code: 8, data: Buffer.from([0, 1, 0]) }, ecs]))?.address).toBe('198.51.100.0')
  })

  it('clamps a configured prefix to what the family has, and rounds it down', () => {
    expect(decodeClientSubnet(addClientSubnet(bare(), '192.0.2.77', { ipv4Prefix: 40 }).message)).toMatchObject({ sourcePrefix: 32, address: '192.0.2.77' })
    expect(decodeClientSubnet(addClientSubnet(bare(), '192.0.2.77', { ipv4Prefix: -3 }).message)).toMatchObject({ sourcePrefix: 0, address: '0.0.0.0' })
    expect(decodeClientSubnet(addClientSubnet(bare(), '192.0.2.77', { ipv4Prefix: 23.9 }).message)).toMatchObject({ sourcePrefix: 23, address: '192.0.2.0' })
    expect(decodeClientSubnet(addClientSubnet(bare(), '2001:db8::1', { ipv6Prefix: 200 }).message)).toMatchObject({ sourcePrefix: 128, address: '2001:db8::1' })
    expect(decodeClientSubnet(addClientSubnet(bare(), '2001:db8:ffff::1', { ipv6Prefix: 36 }).message)).toMatchObject({ sourcePrefix: 36, address: '2001:db8:f000::' })
  })

  it('adds ECS to a query with no question (QDCOUNT 0, as a cookie-only query is)', () => {
    const empty = dnsPacket.encode({ type: 'query', id: 9, questions: [] })
    const { message, change } = addClientSubnet(empty, '198.51.100.77')
    expect(change).toBe('opt')
    expect(decodeClientSubnet(message)).toMatchObject({ sourcePrefix: 24, address: '198.51.100.0' })
    expect(removeAddedClientSubnet(message, 'opt')).toEqual(Uint8Array.from(empty))
  })

  it('replaces a client ECS that sits before other options, keeping those options whole', () => {
    const theirs = { code: 8, family: 1, sourcePrefixLength: 16, scopePrefixLength: 0, ip: '10.1.0.0' }
    const cookie = { code: 10, data: Buffer.from('0011223344556677', 'hex') }
    const { message } = addClientSubnet(withOpt([theirs, cookie]), '198.51.100.77', { override: true })
    const opt = optOf(message)
    expect(opt.options.map((o) => o.code)).toEqual([10, 8])
    expect(opt.options[0]!.data).toEqual(cookie.data)
    expect(decodeClientSubnet(message)).toMatchObject({ sourcePrefix: 24, address: '198.51.100.0' })
  })

  it("takes out an added ECS option that is not the last one ('option')", () => {
    const ecs = { code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 24, ip: '198.51.100.0' }
    const padding = { code: 12, data: Buffer.alloc(6) }
    const answer = dnsPacket.encode({ type: 'response', id: 7, questions: question, additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 1232, options: [ecs, padding] } as never] })
    const out = removeAddedClientSubnet(answer, 'option')
    expect(optOf(out).options.map((o) => o.code)).toEqual([12])
    expect(out.length).toBe(answer.length - 11)
  })

  it('round-trips: what the proxy adds to a query without EDNS comes back out of the answer byte for byte', () => {
    const query = bare()
    const { message, change } = addClientSubnet(query, '203.0.113.5', { ipv4Prefix: 20 })
    const decoded = dnsPacket.decode(Buffer.from(message))
    expect(decoded.additionals).toHaveLength(1)
    const answer = dnsPacket.encode({ ...decoded, type: 'response', answers: [{ name: 'www.example.com', type: 'A', ttl: 5, data: '192.0.2.1' }] } as never)
    const back = dnsPacket.decode(Buffer.from(removeAddedClientSubnet(answer, change)))
    expect(back.additionals).toEqual([])
    expect(back.answers).toHaveLength(1)
  })
})
