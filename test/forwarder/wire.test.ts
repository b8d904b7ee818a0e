import dnsPacket from 'dns-packet'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isBareName, isPrivateReverse, reverseAddress, reverseName } from '../../src/forwarder/names.js'
import { parseDnsmasqConf } from '../../src/forwarder/parse-dnsmasq-conf.js'
import { parseHosts } from '../../src/forwarder/parse-hosts.js'
import { parseResolvConf } from '../../src/forwarder/parse-resolv-conf.js'
import { inspectResponse, stripOpt } from '../../src/packet/response-info.js'
import { responseForClient } from '../../src/forwarder/wire-response.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { makeQuery } from './helpers.js'

describe('names', () => {
  it('builds and reads reverse names for IPv4 and IPv6', () => {
    expect(reverseName('192.0.2.1')).toBe('1.2.0.192.in-addr.arpa.')
    expect(reverseName('2001:db8::1')).toBe('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.')
    expect(reverseName('not an address')).toBeUndefined()
    expect([...reverseAddress('1.2.0.192.in-addr.arpa.')!]).toEqual([192, 0, 2, 1])
    expect(reverseAddress('2.0.192.in-addr.arpa.')).toBeUndefined()
  })

  it.each([
    ['1.0.0.10.in-addr.arpa.', true],
    ['10.in-addr.arpa.', true],
    ['1.1.16.172.in-addr.arpa.', true],
    ['1.1.32.172.in-addr.arpa.', false],
    ['1.1.168.192.in-addr.arpa.', true],
    ['1.1.254.169.in-addr.arpa.', true],
    ['1.0.0.127.in-addr.arpa.', true],
    ['8.8.8.8.in-addr.arpa.', false],
    [reverseName('fd12::1')!, true],
    [reverseName('fe80::1')!, true],
    [reverseName('::1')!, true],
    [reverseName('2001:db9::1')!, false],
    ['www.example.com.', false],
  ])('isPrivateReverse(%s) is %s', (name, expected) => {
    expect(isPrivateReverse(name)).toBe(expected)
  })

  it('knows bare names', () => {
    expect(isBareName('printer.')).toBe(true)
    expect(isBareName('printer.lan.')).toBe(false)
    expect(isBareName('.')).toBe(false)
  })
})

describe('wire responses', () => {
  const response = dnsPacket.encode({
    id: 99,
    type: 'response',
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: [{ name: 'www.example.com', type: 'A' }],
    answers: [
      { name: 'www.example.com', type: 'CNAME', ttl: 600, data: 'web.example.com' },
      { name: 'web.example.com', type: 'A', ttl: 120, data: '192.0.2.1' },
    ],
    authorities: [{ name: 'example.com', type: 'SOA', ttl: 900, data: { mname: 'ns.example.com', rname: 'h.example.com', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 30 } }],
    additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 4096 } as never],
  })

  it('inspects rcode, TTL offsets, the smallest answer TTL, the SOA negative TTL and the trailing OPT', () => {
    const info = inspectResponse(response)
    expect(info).toMatchObject({ rcode: 0, truncated: false, ancount: 2, minTtl: 120, soaNegativeTtl: 30, optInside: false })
    expect(info.ttlOffsets).toHaveLength(3)
    expect(info.optStart).toBe(response.length - 11)
  })

  it('strips OPT and re-targets a stored response to a client: its case, RD, TTLs lowered, its own OPT', () => {
    const info = inspectResponse(response)
    const stored = stripOpt(response, info)!
    expect(stored.length).toBe(response.length - 11)
    const query = makeQuery('WWW.Example.com', 'A', { edns: false })
    const out = dnsPacket.decode(responseForClient(stored, info.ttlOffsets, query, 100, undefined, 1232))
    expect(out.questions?.[0]?.name).toBe('WWW.Example.com')
    expect(out.answers?.map((a) => (a as { ttl: number }).ttl)).toEqual([500, 20])
    expect(out.authorities?.map((a) => (a as { ttl: number }).ttl)).toEqual([800])
    expect(out.additionals).toEqual([])
    const withEdns = dnsPacket.decode(responseForClient(stored, info.ttlOffsets, makeQuery('www.example.com', 'A'), 200, undefined, 1232))
    expect(withEdns.answers?.map((a) => (a as { ttl: number }).ttl)).toEqual([400, 0])
    expect(withEdns.additionals?.map((a) => a.type)).toEqual(['OPT'])
  })

  it('never throws anything but an Error on random bytes, and offsets stay in bounds', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          const info = inspectResponse(bytes)
          for (const at of info.ttlOffsets) expect(at + 4).toBeLessThanOrEqual(bytes.length)
        } catch (e) {
          expect(e).toBeInstanceOf(Error)
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('never throws anything but an Error on mutated real responses', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: response.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, value) => {
        const copy = Buffer.from(response)
        copy[at] = value
        try {
          inspectResponse(copy)
        } catch (e) {
          expect(e).toBeInstanceOf(Error)
        }
      }),
      { numRuns: 2000 },
    )
  })
})

describe('parsers on arbitrary text', () => {
  it('throw only ERR_CONFIG', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        for (const parse of [() => parseHosts(text), () => parseResolvConf(text), () => parseDnsmasqConf(text)]) {
          try {
            parse()
          } catch (e) {
            expect(isDnsHaError(e, 'ERR_CONFIG')).toBe(true)
          }
        }
      }),
      { numRuns: 1000 },
    )
  })
})
