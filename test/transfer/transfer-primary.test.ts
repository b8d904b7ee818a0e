import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import type { AuthorityOptions } from '../../src/authority/authority.js'
import { createKeyring, readTsig, signRequest, verifyResponse } from '../../src/tsig/index.js'
import { computeStreamMac } from '../../src/tsig/mac.js'
import type { TransferOutEvent } from '../../src/transfer/index.js'
import { canon, rrs } from '../authority/helpers.js'
import { memoryServer, memoryTcpClient } from '../server/helpers.js'
import { decode, framed, recordLines, transferQuery, version, zoneLines } from './helpers.js'

/** One record, as zone text relative to example.com, in canonical form. */
const line = (text: string): string => rrs('example.com.', text)[0]!

const KEY = { name: 'xfr-key.', algorithm: 'hmac-sha256' as const, secret: Buffer.alloc(32, 7).toString('base64') }

/** An Authority behind a DnsServer on a MemoryNetwork, one TCP client (127.0.0.1), and what it emitted. */
async function primary(options: AuthorityOptions, zone = version(1)) {
  const auth = new Authority({ zones: [zone], notify: false, ...options })
  const events: TransferOutEvent[] = []
  auth.transfer.on('transfer-out', (e) => events.push(e))
  const t = await memoryTcpClient(auth, { tsig: createKeyring([KEY]) })
  /** Sends `query` over TCP; resolves with the frames it got. */
  const ask = async (query: Buffer) => {
    const before = t.frames.length
    t.socket.write(framed(query))
    await t.settle()
    return t.frames.slice(before).map((f) => Buffer.from(f))
  }
  return { auth, events, ask, t }
}

describe('AXFR out', () => {
  it('streams SOA, every record, SOA to an allowed address, the question in the first message only', async () => {
    const zone = version(7, ...Array.from({ length: 3000 }, (_, i) => `h${i} A 10.0.${i >> 8}.${i & 255}`))
    const p = await primary({ allowTransfer: ['127.0.0.0/8'] }, zone)
    const messages = await p.ask(transferQuery('AXFR'))
    expect(messages.length).toBeGreaterThan(2)
    for (const m of messages) expect(m.length).toBeLessThanOrEqual(16384)
    const decoded = messages.map((m) => decode(m))
    expect(decoded.every((d) => d.id === 4711 && d.flag_aa && d.rcode === 'NOERROR')).toBe(true)
    expect(decoded[0]!.questions).toHaveLength(1)
    expect(decoded.slice(1).every((d) => d.questions!.length === 0)).toBe(true)
    const got = recordLines(messages)
    const soa = canon(zone.soa as never)
    expect(got[0]).toBe(soa)
    expect(got[got.length - 1]).toBe(soa)
    expect(got.slice(1, -1).sort()).toEqual(zoneLines(zone).filter((l) => l !== soa).sort())
    expect(p.events).toMatchObject([{ kind: 'axfr', requested: 'axfr', zone: 'example.com.', serial: 7, records: zone.size + 1, messages: messages.length, view: 'default' }])
  })

  it('setAllowTransfer changes the ACL at run time; a bad list throws and the old one stays', async () => {
    const p = await primary({ allowTransfer: ['127.0.0.1'] })
    const rcode = async (): Promise<string | undefined> => decode((await p.ask(transferQuery('AXFR')))[0]!).rcode
    expect(await rcode()).toBe('NOERROR')
    p.auth.transfer.setAllowTransfer(['!127.0.0.1', 'any'])
    expect(await rcode()).toBe('REFUSED')
    expect(() => p.auth.transfer.setAllowTransfer(['not-an-address'])).toThrow(/allowTransfer\[0\]/)
    expect(await rcode()).toBe('REFUSED')
    p.auth.transfer.setAllowTransfer(['127.0.0.0/8'])
    expect(await rcode()).toBe('NOERROR')
  })

  it('refuses by default (no allowTransfer), and addresses or keys not listed', async () => {
    for (const allowTransfer of [undefined, ['10.0.0.0/8'], ['key:other-key'], ['!127.0.0.1', '127.0.0.0/8']]) {
      const p = await primary(allowTransfer ? { allowTransfer } : {})
      const refused: unknown[] = []
      p.auth.transfer.on('transfer-refused', (e) => refused.push(e))
      const [answer, ...rest] = await p.ask(transferQuery('AXFR'))
      expect(rest).toEqual([])
      expect(decode(answer!).rcode).toBe('REFUSED')
      expect(refused).toHaveLength(1)
      expect(p.events).toEqual([])
    }
  })

  it('serves a client whose request the allowed TSIG key signed, signing every message of the stream', async () => {
    const zone = version(3, ...Array.from({ length: 1500 }, (_, i) => `h${i} A 10.1.${i >> 8}.${i & 255}`))
    const p = await primary({ allowTransfer: [{ key: 'xfr-key' }] }, zone)
    const key = createKeyring([KEY]).get('xfr-key')!
    const signed = signRequest(transferQuery('AXFR'), key, Math.floor(p.t.clock.now() / 1000))
    const messages = await p.ask(signed.bytes)
    expect(messages.length).toBeGreaterThan(1)
    expect(verifyResponse(messages[0]!, signed.context, Math.floor(p.t.clock.now() / 1000))).toEqual({ status: 'ok' })
    let prior = (readTsig(messages[0]!) as { record: { mac: Buffer } }).record.mac
    for (const m of messages.slice(1)) {
      const found = readTsig(m)
      if (found.status !== 'found') throw new Error('a message is unsigned')
      const body = Buffer.from(m.subarray(0, found.record.offset))
      const mac = computeStreamMac({ secret: key.secret, hash: key.hash, priorMac: prior, unsigned: [], message: body, originalId: 4711, arcount: body.readUInt16BE(10) - 1, timeSigned: found.record.timeSigned, fudge: found.record.fudge })
      expect(found.record.mac).toEqual(mac)
      prior = found.record.mac
    }
    expect(p.events[0]).toMatchObject({ kind: 'axfr', keyName: 'xfr-key.' })
    // Unsigned, the same client is refused.
    const [refused] = await p.ask(transferQuery('AXFR', 0, 5))
    expect(decode(refused!).rcode).toBe('REFUSED')
  })

  it('answers AXFR over UDP with FORMERR, and a name that is no zone apex with NOTAUTH', async () => {
    const auth = new Authority({ zones: [version(1)], allowTransfer: ['any'], notify: false })
    const s = await memoryServer(auth)
    const [udp] = await s.udp(transferQuery('AXFR'))
    expect(decode(udp!).rcode).toBe('FORMERR')
    const [notApex] = await s.udp(dnsPacket.encode({ type: 'query', id: 1, questions: [{ name: 'www.example.com.', type: 'IXFR' }] }))
    expect(decode(notApex!).rcode).toBe('NOTAUTH')
  })

  it('serves each client the zone of its view', async () => {
    const auth = new Authority({
      views: [
        { name: 'inside', match: { clients: ['127.0.0.1'] }, zones: [version(10, 'secret A 10.9.9.9')] },
        { name: 'outside', zones: [version(20)] },
      ],
      allowTransfer: ['any'],
      notify: false,
    })
    const events: TransferOutEvent[] = []
    auth.transfer.on('transfer-out', (e) => events.push(e))
    const t = await memoryTcpClient(auth)
    t.socket.write(framed(transferQuery('AXFR')))
    await t.settle()
    expect(recordLines(t.frames)).toContain(line('secret 300 A 10.9.9.9'))
    expect(events[0]).toMatchObject({ view: 'inside', serial: 10 })
  })
})

describe('IXFR out', () => {
  async function changed() {
    const p = await primary({ allowTransfer: ['127.0.0.1'] }, version(1, 'old A 192.0.2.50'))
    p.auth.replaceZone(version(2, 'old A 192.0.2.50', 'new A 192.0.2.51'))
    p.auth.replaceZone(version(3, 'new A 192.0.2.51', 'www2 A 192.0.2.52'))
    return p
  }
  const soaLine = (serial: number) => `example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. ${serial} 3600 600 86400 300`

  it('sends the journal since the client serial: SOA(new), per change SOA(old) deletions SOA(new) additions, SOA(new)', async () => {
    const p = await changed()
    const messages = await p.ask(transferQuery('IXFR', 1))
    expect(recordLines(messages)).toEqual([
      soaLine(3),
      soaLine(1),
      soaLine(2),
      line('new 300 A 192.0.2.51'),
      soaLine(2),
      line('old 300 A 192.0.2.50'),
      soaLine(3),
      line('www2 300 A 192.0.2.52'),
      soaLine(3),
    ])
    expect(p.events).toMatchObject([{ kind: 'ixfr', requested: 'ixfr', fromSerial: 1, serial: 3, records: 9 }])
    expect(recordLines(await p.ask(transferQuery('IXFR', 2)))).toEqual([soaLine(3), soaLine(2), line('old 300 A 192.0.2.50'), soaLine(3), line('www2 300 A 192.0.2.52'), soaLine(3)])
  })

  it('answers the SOA alone to a current client, or one ahead', async () => {
    const p = await changed()
    expect(recordLines(await p.ask(transferQuery('IXFR', 3)))).toEqual([soaLine(3)])
    expect(recordLines(await p.ask(transferQuery('IXFR', 5)))).toEqual([soaLine(3)])
    expect(p.events.map((e) => e.kind)).toEqual(['soa', 'soa'])
  })

  it('falls back to the whole zone in AXFR form when the journal does not reach the client serial', async () => {
    const p = await changed()
    const messages = await p.ask(transferQuery('IXFR', 0))
    const got = recordLines(messages)
    expect(got[0]).toBe(soaLine(3))
    expect(got[got.length - 1]).toBe(soaLine(3))
    expect(got.slice(1, -1).sort()).toEqual(zoneLines(p.auth.getZone('example.com.')!).filter((l) => l !== soaLine(3)).sort())
    expect(decode(messages[0]!).questions![0]!.type).toBe('IXFR')
    expect(p.events).toMatchObject([{ kind: 'axfr', requested: 'ixfr', fromSerial: 0 }])
  })

  it('drops the journal when a zone changes without a raised serial (those clients get the whole zone)', async () => {
    const p = await changed()
    p.auth.replaceZone(version(3, 'different A 192.0.2.99'))
    await p.ask(transferQuery('IXFR', 2))
    expect(p.events.map((e) => e.kind)).toEqual(['axfr'])
  })

  it('keeps at most ixfrJournal.maxEntries changes', async () => {
    const p = await primary({ allowTransfer: ['127.0.0.1'], ixfrJournal: { maxEntries: 1 } })
    p.auth.replaceZone(version(2, 'a A 192.0.2.1'))
    p.auth.replaceZone(version(3, 'b A 192.0.2.2'))
    await p.ask(transferQuery('IXFR', 1))
    await p.ask(transferQuery('IXFR', 2))
    expect(p.events.map((e) => e.kind)).toEqual(['axfr', 'ixfr'])
  })

  it('over UDP answers the SOA alone, current or not (the client retries over TCP)', async () => {
    const auth = new Authority({ zones: [version(1)], allowTransfer: ['any'], notify: false })
    auth.replaceZone(version(2, 'x A 192.0.2.9'))
    const s = await memoryServer(auth)
    for (const serial of [1, 2]) {
      const [reply] = await s.udp(transferQuery('IXFR', serial))
      const decoded = decode(reply!)
      expect(decoded.flag_aa).toBe(true)
      expect(decoded.answers!.map(canon)).toEqual([soaLine(2)])
    }
  })

  it('answers an IXFR without a SOA in its authority section with FORMERR', async () => {
    const p = await primary({ allowTransfer: ['127.0.0.1'] })
    const [reply] = await p.ask(dnsPacket.encode({ type: 'query', id: 3, questions: [{ name: 'example.com.', type: 'IXFR' }] }))
    expect(decode(reply!).rcode).toBe('FORMERR')
  })
})

describe('the journal follows every way a zone changes', () => {
  it('a reload of an edited file with a raised serial is answered by IXFR', async () => {
    let text = '$TTL 300\n@ SOA ns1 h 1 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.10\n'
    const auth = new Authority({ zones: [{ file: 'example.com.zone', origin: 'example.com.' }], readFile: async () => text, allowTransfer: ['127.0.0.1'], notify: false })
    await auth.ready()
    const events: TransferOutEvent[] = []
    auth.transfer.on('transfer-out', (e) => events.push(e))
    text = text.replace(' 1 3600', ' 2 3600').replace('192.0.2.10', '192.0.2.11')
    expect((await auth.reloadZone('example.com.')).loaded).toBe(true)
    const t = await memoryTcpClient(auth)
    t.socket.write(framed(transferQuery('IXFR', 1)))
    await t.settle()
    expect(recordLines(t.frames).filter((l) => !l.includes(' SOA '))).toEqual([line('www 300 A 192.0.2.10'), line('www 300 A 192.0.2.11')])
    expect(events).toMatchObject([{ kind: 'ixfr', fromSerial: 1, serial: 2 }])
    expect(auth.transfer.snapshot().journal.zones).toEqual([{ zone: 'default\0example.com.', entries: 1, bytes: expect.any(Number), oldestSerial: 1, newestSerial: 2 }])
  })
})
