// Edges a refactor of the server most easily moves by one: the UDP truncation limit (RFC 1035
// §4.2.1: 512 octets without EDNS, RFC 6891: the client's payload size with it) and FORMERR for a
// QUERY whose QDCOUNT is not 1 (RFC 1035 §4.1.2; a handler must never see such a message).
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import type { Handler } from '../../src/server/handler.js'
import type { PlainQuery } from '../../src/server/plain-query.js'
import type { DnsQuery } from '../../src/server/query.js'
import { memoryServer, opt } from './helpers.js'

const ID = 4242
const TC = 0x0200

/** A response to `query` (id and question echoed) of exactly `size` bytes: a TXT answer padded to fit. */
function responseOfSize(query: Uint8Array, size: number): Buffer {
  const q = dnsPacket.decode(Buffer.from(query))
  const build = (k: number) =>
    dnsPacket.encode({
      type: 'response',
      id: q.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      questions: q.questions,
      answers: [{ name: q.questions![0]!.name, type: 'TXT', class: 'IN', ttl: 60, data: 'x'.repeat(k).match(/.{1,255}/g) ?? [''] }],
    })
  // Each character costs a byte and each 255 of them a length byte: start just below the size.
  const base = build(0).length
  for (let k = Math.max(0, size - base - Math.ceil(size / 255) - 2); k < size; k++) {
    const bytes = build(k)
    if (bytes.length === size) return bytes
    if (bytes.length > size) break
  }
  throw new Error(`cannot build a response of exactly ${size} bytes`)
}

const query = (extra: Partial<Parameters<typeof dnsPacket.encode>[0]> = {}) =>
  dnsPacket.encode({ type: 'query', id: ID, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: 'big.example', type: 'TXT', class: 'IN' }], ...extra })

const flagsOf = (msg: Buffer) => msg.readUInt16BE(2)

describe('UDP truncation boundary', () => {
  // The handler answers with pre-encoded bytes of a chosen size, so the size is exact.
  const sizedHandler = (size: number) => (q: DnsQuery) => responseOfSize(q.raw, size)

  it('an answer of exactly 512 bytes to a query without EDNS is sent whole, TC clear', async () => {
    const { udp, server } = await memoryServer(sizedHandler(512))
    const [reply] = await udp(query())
    expect(reply!.length).toBe(512)
    expect(flagsOf(reply!) & TC).toBe(0)
    expect(dnsPacket.decode(reply!).answers).toHaveLength(1)
    expect(server.snapshot().udp.truncated).toBe(0)
  })

  it('an answer of 513 bytes to a query without EDNS is truncated: TC set, question only, within 512', async () => {
    const { udp, server } = await memoryServer(sizedHandler(513))
    const [reply] = await udp(query())
    expect(flagsOf(reply!) & TC).toBe(TC)
    expect(reply!.length).toBeLessThanOrEqual(512)
    const decoded = dnsPacket.decode(reply!)
    expect(decoded.id).toBe(ID)
    expect(decoded.questions).toEqual([{ name: 'big.example', type: 'TXT', class: 'IN' }])
    expect(decoded.answers).toEqual([])
    expect(server.snapshot().udp.truncated).toBe(1)
  })

  it('with EDNS the client payload size is the limit: 1232 whole, 1233 truncated', async () => {
    const edns = () => query({ additionals: [opt(1232)] })
    const whole = await memoryServer(sizedHandler(1232))
    const [a] = await whole.udp(edns())
    expect(a!.length).toBe(1232)
    expect(flagsOf(a!) & TC).toBe(0)

    const cut = await memoryServer(sizedHandler(1233))
    const [b] = await cut.udp(edns())
    expect(flagsOf(b!) & TC).toBe(TC)
    expect(b!.length).toBeLessThanOrEqual(1232)
  })

  it('an EDNS payload size below 512 still allows 512 (RFC 6891 §6.2.5)', async () => {
    const { udp } = await memoryServer(sizedHandler(512))
    const [reply] = await udp(query({ additionals: [opt(100)] }))
    expect(reply!.length).toBe(512)
    expect(flagsOf(reply!) & TC).toBe(0)
  })

  it('TCP answers are never truncated at the UDP limit', async () => {
    const { server, network, port } = await memoryServer(sizedHandler(4000))
    const socket = await network.connectStream('127.0.0.1', port)
    const bytes = query()
    const framed = Buffer.alloc(bytes.length + 2)
    framed.writeUInt16BE(bytes.length, 0)
    bytes.copy(framed, 2)
    let got = Buffer.alloc(0)
    socket.onData((chunk) => (got = Buffer.concat([got, chunk])))
    socket.write(framed)
    for (let i = 0; i < 10 && got.length < 4002; i++) await new Promise((r) => setImmediate(r))
    expect(got.readUInt16BE(0)).toBe(4000)
    expect(flagsOf(got.subarray(2)) & TC).toBe(0)
    socket.destroy()
    await server.close()
  })

  it('the UDP fast path sends a 512-byte plain answer as is and a 513-byte one through the full path (truncated)', async () => {
    const fastPath = (size: number): Handler => ({
      handle: (q) => responseOfSize(q.raw, size),
      answerPlain: (q: PlainQuery) => responseOfSize(q.raw.subarray(0, q.questionEnd), size),
    })
    const fits = await memoryServer(fastPath(512))
    const [a] = await fits.udp(query())
    expect(a!.length).toBe(512)
    expect(flagsOf(a!) & TC).toBe(0)

    const over = await memoryServer(fastPath(513))
    const [b] = await over.udp(query())
    expect(flagsOf(b!) & TC).toBe(TC)
    expect(b!.length).toBeLessThanOrEqual(512)
  })
})

describe('FORMERR for a QUERY without exactly one question', () => {
  const header = (qdcount: number) => {
    const h = Buffer.alloc(12)
    h.writeUInt16BE(ID, 0)
    h.writeUInt16BE(0x0100, 2) // QUERY, RD
    h.writeUInt16BE(qdcount, 4)
    return h
  }

  it('a bare 12-byte header (QDCOUNT 0) gets FORMERR and never reaches the handler', async () => {
    let calls = 0
    const { udp, server } = await memoryServer(() => {
      calls++
      return undefined
    })
    const [reply] = await udp(header(0))
    expect(reply).toBeDefined()
    expect(reply!.readUInt16BE(0)).toBe(ID)
    expect(flagsOf(reply!) & 0x8000).toBe(0x8000) // QR
    expect(flagsOf(reply!) & 0xf).toBe(1) // FORMERR, not REFUSED (5)
    expect(reply!.readUInt16BE(4)).toBe(0)
    expect(calls).toBe(0)
    expect(server.snapshot().udp.rcodes).toMatchObject({ FORMERR: 1 })
  })

  it('QDCOUNT 2 gets FORMERR and never reaches the handler', async () => {
    let calls = 0
    const { udp } = await memoryServer(() => {
      calls++
      return undefined
    })
    const two = dnsPacket.encode({
      type: 'query',
      id: ID,
      questions: [
        { name: 'a.example', type: 'A', class: 'IN' },
        { name: 'b.example', type: 'A', class: 'IN' },
      ],
    })
    const [reply] = await udp(two)
    expect(reply!.readUInt16BE(0)).toBe(ID)
    expect(flagsOf(reply!) & 0xf).toBe(1)
    expect(calls).toBe(0)
  })

  it('QDCOUNT 1 reaches the handler (the contrast: nobody answers, so REFUSED)', async () => {
    let calls = 0
    const { udp } = await memoryServer(() => {
      calls++
      return undefined
    })
    const [reply] = await udp(query())
    expect(flagsOf(reply!) & 0xf).toBe(5)
    expect(calls).toBe(1)
  })
})
