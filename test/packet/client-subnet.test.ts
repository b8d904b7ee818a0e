// EDNS Client Subnet on the wire (RFC 7871): what a proxy adds to a query, what it takes back
// out of the answer, and decoding; messages checked by decoding them with dns-packet.
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { addClientSubnet, decodeClientSubnet, removeAddedClientSubnet } from '../../src/packet/client-subnet.js'

type Opt = { type: 'OPT'; udpPayloadSize: number; flags: number; options: { code: number; family?: number; sourcePrefixLength?: number; scopePrefixLength?: number; ip?: string; data?: Buffer }[] }

const question = [{ name: 'www.example.com', type: 'A' as const }]
const bare = (): Buffer => dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: question })
const withOpt = (options: unknown[] = [], flags = 0): Buffer =>
  dnsPacket.encode({ type: 'query', id: 7, questions: question, additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 4096, flags, options } as never] })
const optOf = (message: Uint8Array): Opt | undefined => dnsPacket.decode(Buffer.from(message)).additionals!.find((r) => r.type === 'OPT') as unknown as Opt | undefined
const ecsOf = (message: Uint8Array) => optOf(message)?.options.find((o) => o.code === 8)

describe('addClientSubnet', () => {
  it('adds an OPT record carrying ECS to a query without EDNS, the address cut to /24', () => {
    const { message, change } = addClientSubnet(bare(), '198.51.100.77')
    expect(change).toBe('opt')
    const decoded = dnsPacket.decode(Buffer.from(message))
    expect(decoded.id).toBe(7)
    expect(decoded.questions).toEqual([{ name: 'www.example.com', type: 'A', class: 'IN' }])
    expect(decoded.additionals).toHaveLength(1)
    expect(optOf(message)!.udpPayloadSize).toBe(1232)
    expect(ecsOf(message)).toMatchObject({ family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, ip: '198.51.100.0' })
    // Exactly three address bytes on the wire (RFC 7871 §6): option length 4 + 3.
    expect(message.length).toBe(bare().length + 11 + 4 + 7)
  })

  it('appends ECS to an existing OPT record, keeping its payload size, flags and other options', () => {
    const cookie = { code: 10, data: Buffer.from('0123456789abcdef', 'hex') }
    const { message, change } = addClientSubnet(withOpt([cookie], dnsPacket.DNSSEC_OK), '203.0.113.9')
    expect(change).toBe('option')
    const opt = optOf(message)!
    expect(opt.udpPayloadSize).toBe(4096)
    expect(opt.flags & dnsPacket.DNSSEC_OK).toBe(dnsPacket.DNSSEC_OK)
    expect(opt.options.map((o) => o.code)).toEqual([10, 8])
    expect(opt.options[0]!.data).toEqual(cookie.data)
    expect(ecsOf(message)).toMatchObject({ family: 1, sourcePrefixLength: 24, ip: '203.0.113.0' })
  })

  it('keeps a client ECS option unless told to override it', () => {
    const theirs = { code: 8, family: 1, sourcePrefixLength: 16, scopePrefixLength: 0, ip: '10.1.0.0' }
    const query = withOpt([theirs])
    const kept = addClientSubnet(query, '198.51.100.77')
    expect(kept.change).toBe('none')
    expect(Buffer.from(kept.message)).toEqual(query)
    const replaced = addClientSubnet(query, '198.51.100.77', { override: true })
    expect(replaced.change).toBe('none') // the client asked for ECS: the answer's ECS is for it
    expect(optOf(replaced.message)!.options.filter((o) => o.code === 8)).toHaveLength(1)
    expect(ecsOf(replaced.message)).toMatchObject({ sourcePrefixLength: 24, ip: '198.51.100.0' })
  })

  it('cuts IPv6 to /56 and odd prefixes to the bit, zeroing the rest of the last byte', () => {
    const v6 = addClientSubnet(bare(), '2001:db8:1234:5678:9abc::1').message
    expect(ecsOf(v6)).toMatchObject({ family: 2, sourcePrefixLength: 56, ip: '2001:db8:1234:5600::' })
    const v4 = addClientSubnet(bare(), '198.51.100.77', { ipv4Prefix: 20 }).message
    expect(decodeClientSubnet(v4)).toMatchObject({ sourcePrefix: 20, address: '198.51.96.0', addressBytes: Uint8Array.from([198, 51, 96]) })
    const none = addClientSubnet(bare(), '198.51.100.77', { ipv4Prefix: 0 }).message
    expect(decodeClientSubnet(none)).toMatchObject({ sourcePrefix: 0, address: '0.0.0.0', addressBytes: new Uint8Array(0) })
  })

  it('leaves the query alone when the client address is not an IP literal', () => {
    const query = bare()
    expect(addClientSubnet(query, 'not-an-address')).toEqual({ message: query, change: 'none' })
  })
})

describe('decodeClientSubnet', () => {
  it('reads what dns-packet writes, IPv4 and IPv6', () => {
    expect(decodeClientSubnet(withOpt([{ code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, ip: '192.0.2.0' }]))).toEqual({
      family: 1,
      sourcePrefix: 24,
      scopePrefix: 0,
      address: '192.0.2.0',
      addressBytes: Uint8Array.from([192, 0, 2]),
    })
    expect(decodeClientSubnet(withOpt([{ code: 8, family: 2, sourcePrefixLength: 48, scopePrefixLength: 0, ip: '2001:db8:aa::' }]))?.address).toBe('2001:db8:aa::')
  })

  it('ignores a malformed option: wrong byte count, unknown family, prefix too long', () => {
    const option = (bytes: number[]) => withOpt([{ code: 8, data: Buffer.from(bytes) }])
    expect(decodeClientSubnet(option([0, 1, 24, 0, 192, 0, 2, 0]))).toBeUndefined() // 4 bytes for a /24
    expect(decodeClientSubnet(option([0, 3, 8, 0, 10]))).toBeUndefined()
    expect(decodeClientSubnet(option([0, 1, 33, 0, 1, 2, 3, 4, 5]))).toBeUndefined()
    expect(decodeClientSubnet(bare())).toBeUndefined()
  })
})

describe('removeAddedClientSubnet', () => {
  const answer = (options: unknown[]): Buffer =>
    dnsPacket.encode({
      type: 'response',
      id: 7,
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      questions: question,
      answers: [{ name: 'www.example.com', type: 'A', ttl: 60, data: '192.0.2.1' }],
      additionals: [{ name: 'ns.example.com', type: 'A', ttl: 60, data: '192.0.2.53' }, { name: '.', type: 'OPT', udpPayloadSize: 1232, options } as never],
    })
  const ecs = { code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 24, ip: '198.51.100.0' }

  it("takes out the whole OPT record the proxy added ('opt'), keeping every other record", () => {
    const out = removeAddedClientSubnet(answer([ecs]), 'opt')
    const decoded = dnsPacket.decode(Buffer.from(out))
    expect(decoded.additionals).toEqual([expect.objectContaining({ name: 'ns.example.com', type: 'A', data: '192.0.2.53' })])
    expect(decoded.answers).toEqual([expect.objectContaining({ name: 'www.example.com', data: '192.0.2.1' })])
  })

  it("takes out only the ECS option ('option'), keeping the client's other options", () => {
    const cookie = { code: 10, data: Buffer.from('00112233445566778899aabbccddeeff', 'hex') }
    const out = removeAddedClientSubnet(answer([cookie, ecs]), 'option')
    expect(optOf(out)!.options).toEqual([expect.objectContaining({ code: 10, data: cookie.data })])
    expect(dnsPacket.decode(Buffer.from(out)).additionals).toHaveLength(2)
  })

  it("changes nothing for 'none', for an answer without OPT, and for bytes that do not parse", () => {
    const a = answer([ecs])
    expect(removeAddedClientSubnet(a, 'none')).toBe(a)
    const plain = dnsPacket.encode({ type: 'response', id: 1, questions: question })
    expect(removeAddedClientSubnet(plain, 'opt')).toBe(plain)
    const junk = Uint8Array.from([1, 2, 3])
    expect(removeAddedClientSubnet(junk, 'option')).toBe(junk)
  })
})
