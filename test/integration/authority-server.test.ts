// The Authority behind a real DnsServer on 127.0.0.1: UDP and TCP, truncation by the server,
// 0x20 case echo on the wire, and the answer cache across transports.
import dnsPacket from 'dns-packet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { createTestServer } from '../../src/testing/test-server.js'
import type { TestServer } from '../../src/testing/test-server.js'
import { parseZone } from '../../src/zone/index.js'
import { udpAsk } from './udp-ask.js'

const ZONE = `$ORIGIN example.test.
$TTL 300
@ SOA ns1 hostmaster 1 7200 3600 1209600 60
@ NS ns1
ns1 A 192.0.2.53
www A 192.0.2.80
${Array.from({ length: 30 }, (_, i) => `big TXT "${'y'.repeat(40)} ${i}"`).join('\n')}
`

describe('Authority on a DnsServer (real sockets)', () => {
  let server: TestServer
  let authority: Authority

  beforeAll(async () => {
    authority = new Authority({ zones: [parseZone(ZONE, { origin: 'example.test.' })] })
    server = await createTestServer(authority)
  })
  afterAll(async () => {
    await server.close()
  })

  it('answers over UDP and TCP', async () => {
    const udp = await server.query('www.example.test.', 'A')
    expect(udp.transport).toBe('udp')
    expect(udp.packet.answers).toEqual([expect.objectContaining({ name: 'www.example.test', type: 'A', data: '192.0.2.80' })])
    expect(udp.packet.flags! & dnsPacket.AUTHORITATIVE_ANSWER).toBeTruthy()
    const tcp = await server.query('www.example.test.', 'A', { tcp: true })
    expect(tcp.transport).toBe('tcp')
    expect(tcp.packet.answers).toHaveLength(1)
  })

  it('a UDP answer too big for the client is truncated by the server; the client retries over TCP', async () => {
    const r = await server.query('big.example.test.', 'TXT', { edns: false } as never)
    expect(r.transport).toBe('tcp')
    expect(r.packet.answers).toHaveLength(30)
  })

  it('echoes the question case byte for byte (0x20), cached or not', async () => {
    const ask = (name: string): Promise<Buffer> =>
      udpAsk(server.address, server.port, dnsPacket.encode({ type: 'query', id: 99, questions: [{ name, type: 'A' }] }))
    for (const name of ['wWw.example.TEST', 'WWW.EXAMPLE.TEST', 'www.example.test']) {
      const reply = dnsPacket.decode(await ask(name))
      expect(reply.id).toBe(99)
      expect(reply.questions![0]!.name).toBe(name)
      expect(reply.answers![0]!.name).toBe(name)
    }
    expect(authority.snapshot().cache!.hits).toBeGreaterThanOrEqual(2)
  })
})

describe('Authority with zone files on disk', () => {
  it('loads { file, origin } entries with the zone reader and reloads them by serial', async () => {
    const { mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const dir = mkdtempSync(join(tmpdir(), 'dns-ha-authority-'))
    const file = join(dir, 'example.zone')
    const original = readFileSync(new URL('../../examples/example.zone', import.meta.url), 'utf8')
    writeFileSync(file, original)
    const authority = new Authority({ zones: [{ file, origin: 'example.test.' }] })
    const loaded: unknown[] = []
    authority.on('zone-loaded', (e) => loaded.push(e))
    await authority.ready()
    const server = await createTestServer(authority)
    try {
      expect((await server.query('www.example.test.', 'A')).packet.answers).toEqual([expect.objectContaining({ data: '192.0.2.80' })])
      writeFileSync(file, original.replace('192.0.2.80', '192.0.2.88').replace('2024010101', '2024010102'))
      expect(await authority.reloadZone('example.test.')).toMatchObject({ loaded: true, previousSerial: 2024010101, serial: 2024010102 })
      expect((await server.query('www.example.test.', 'A')).packet.answers).toEqual([expect.objectContaining({ data: '192.0.2.88' })])
      expect(loaded).toHaveLength(2)
      expect(authority.snapshot().views[0]!.zones[0]).toMatchObject({ file, serial: 2024010102, loaded: true })
    } finally {
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
