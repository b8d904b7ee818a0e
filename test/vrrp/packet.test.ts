// The VRRP codec: round trips for v2 and v3 over IPv4 and IPv6, the exact bytes of the RFC
// layouts, every malformed input dropped with a typed reason (never thrown), and tshark reading
// what we encode (vrid, priority, interval, addresses, a good checksum).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeVrrpPacket, encodeVrrpPacket, type VrrpPacket } from '../../src/vrrp/packet.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { pcapFile, type Framed } from './pcap.js'

const v4 = { source: '10.0.0.1', destination: '224.0.0.18' }
const v6 = { source: 'fe80::1', destination: 'ff02::12' }
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('encodeVrrpPacket / decodeVrrpPacket', () => {
  it('lays out VRRPv3 over IPv4 as RFC 5798 §5.1, checksum over the pseudo-header', () => {
    const bytes = encodeVrrpPacket({ version: 3, vrid: 88, priority: 150, advertIntervalMs: 1000, addresses: ['10.0.0.100'] }, v4)
    // version 3 type 1, vrid 88, priority 150, 1 address, rsvd+interval 100 cs, checksum, address
    expect(hex(bytes.subarray(0, 6))).toBe('315896010064')
    expect(hex(bytes.subarray(8))).toBe('0a000064')
    // Pseudo-header: 10.0.0.1 + 224.0.0.18 + protocol 112 + length 12, plus the message, sums to 0xffff.
    let sum = 0x0a00 + 0x0001 + 0xe000 + 0x0012 + 112 + 12
    for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
    expect(sum).toBe(0xffff)
  })

  it('lays out VRRPv2 as RFC 3768 §5.1 with the PASS password zero-padded in the auth data', () => {
    const bytes = encodeVrrpPacket({ version: 2, vrid: 88, priority: 100, advertIntervalMs: 1000, addresses: ['10.0.0.100'], auth: { type: 'pass', password: 'secret' } }, v4)
    expect(bytes.length).toBe(8 + 4 + 8)
    expect(hex(bytes.subarray(0, 6))).toBe('215864010101')
    expect(hex(bytes.subarray(12))).toBe(Buffer.from('secret\0\0').toString('hex'))
    // v2 checksums the message alone: the same bytes verify from any addresses.
    expect(decodeVrrpPacket(bytes, { source: '192.0.2.7', destination: '192.0.2.8' }).ok).toBe(true)
  })

  it('round-trips v3 over IPv4 and IPv6 and v2 with and without PASS', () => {
    const cases: [VrrpPacket, typeof v4][] = [
      [{ version: 3, vrid: 1, priority: 255, advertIntervalMs: 10, addresses: ['192.0.2.1', '192.0.2.2', '192.0.2.3'] }, v4],
      [{ version: 3, vrid: 255, priority: 0, advertIntervalMs: 40950, addresses: ['2001:db8::1', 'fe80::abcd'] }, v6],
      [{ version: 2, vrid: 88, priority: 150, advertIntervalMs: 255_000, addresses: ['10.0.0.100'], auth: { type: 'pass', password: '12345678' } }, v4],
      [{ version: 2, vrid: 9, priority: 1, advertIntervalMs: 1000, addresses: ['10.0.0.100'], auth: { type: 'none' } }, v4],
      [{ version: 2, vrid: 10, priority: 2, advertIntervalMs: 3000, addresses: ['10.0.0.100', '10.0.0.101'], auth: { type: 'pass', password: 'secret' } }, v4],
    ]
    for (const [packet, addressing] of cases) expect(decodeVrrpPacket(encodeVrrpPacket(packet, addressing), addressing)).toEqual({ ok: true, packet })
  })

  it('v3 checksum binds the IP addresses: another source or destination fails it', () => {
    const bytes = encodeVrrpPacket({ version: 3, vrid: 5, priority: 100, advertIntervalMs: 100, addresses: ['10.0.0.100'] }, v4)
    expect(decodeVrrpPacket(bytes, { ...v4, source: '10.0.0.2' })).toMatchObject({ ok: false, reason: 'checksum' })
    expect(decodeVrrpPacket(bytes, { ...v4, destination: '10.0.0.9' })).toMatchObject({ ok: false, reason: 'checksum' })
    const six = encodeVrrpPacket({ version: 3, vrid: 5, priority: 100, advertIntervalMs: 100, addresses: ['2001:db8::1'] }, v6)
    expect(decodeVrrpPacket(six, { ...v6, source: 'fe80::2' })).toMatchObject({ ok: false, reason: 'checksum' })
  })

  it('drops malformed input with a typed reason', () => {
    const good = encodeVrrpPacket({ version: 3, vrid: 5, priority: 100, advertIntervalMs: 100, addresses: ['10.0.0.100'] }, v4)
    const v2 = encodeVrrpPacket({ version: 2, vrid: 5, priority: 100, advertIntervalMs: 1000, addresses: ['10.0.0.100'] }, v4)
    const edit = (b: Uint8Array, at: number, value: number): Uint8Array => {
      const c = b.slice()
      c[at] = value
      return c
    }
    const reason = (b: Uint8Array, a = v4): unknown => {
      const r = decodeVrrpPacket(b, a)
      return r.ok ? 'ok' : r.reason
    }
    expect(reason(good.subarray(0, 7))).toBe('truncated')
    expect(reason(good.subarray(0, 11))).toBe('truncated')
    expect(reason(new Uint8Array([...good, 0]))).toBe('length')
    expect(reason(edit(good, 0, 0x41))).toBe('version')
    expect(reason(edit(good, 0, 0x11))).toBe('version')
    expect(reason(edit(good, 0, 0x32))).toBe('type')
    expect(reason(edit(good, 2, 99))).toBe('checksum')
    expect(reason(edit(v2, 2, 99))).toBe('checksum')
    expect(reason(v2.subarray(0, 15))).toBe('truncated')
    expect(reason(v2, { source: 'fe80::1', destination: 'ff02::12' })).toBe('family')
    expect(reason(good, { source: '10.0.0.1', destination: 'ff02::12' })).toBe('family')
    expect(reason(good, { source: 'nonsense', destination: '224.0.0.18' })).toBe('family')
    // Interval 0 with a checksum that verifies.
    const zero = new Uint8Array([0x31, 5, 100, 0, 0, 0, 0, 0])
    let sum = 0x0a00 + 0x0001 + 0xe000 + 0x0012 + 112 + 8 + 0x3105 + 0x6400
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
    zero[6] = (~sum >> 8) & 0xff
    zero[7] = ~sum & 0xff
    expect(reason(zero)).toBe('interval')
  })

  it('ignores the v3 reserved bits, reads v2 AH, and drops a v2 interval 0 or an unknown auth type', () => {
    const reason = (b: Uint8Array): unknown => {
      const r = decodeVrrpPacket(b, v4)
      return r.ok ? r.packet : r.reason
    }
    const v3 = encodeVrrpPacket({ version: 3, vrid: 5, priority: 100, advertIntervalMs: 40950, addresses: ['10.0.0.100'] }, v4)
    expect(reason(withChecksum(v3, 4, v3[4]! | 0xf0, true))).toMatchObject({ advertIntervalMs: 40950 })
    const v2 = encodeVrrpPacket({ version: 2, vrid: 5, priority: 100, advertIntervalMs: 1000, addresses: ['10.0.0.100'] }, v4)
    expect(reason(withChecksum(v2, 5, 0, false))).toBe('interval')
    expect(reason(withChecksum(v2, 4, 3, false))).toBe('auth')
    expect(reason(withChecksum(v2, 4, 2, false))).toMatchObject({ auth: { type: 'ah' } })
    // A v2 packet may carry bytes after the auth data (keepalived does not, others might): the checksum covers the message only.
    expect(reason(new Uint8Array([...v2, 0x12, 0x34]))).toMatchObject({ vrid: 5 })
  })

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.boolean(), (bytes, six) => {
        const r = decodeVrrpPacket(bytes, six ? v6 : v4)
        expect(typeof r.ok).toBe('boolean')
      }),
      { numRuns: 2000 },
    )
  })

  it('refuses to encode what the wire cannot carry', () => {
    const base: VrrpPacket = { version: 3, vrid: 5, priority: 100, advertIntervalMs: 100, addresses: ['10.0.0.100'] }
    const bad: [VrrpPacket, typeof v4][] = [
      [{ ...base, vrid: 0 }, v4],
      [{ ...base, priority: 256 }, v4],
      [{ ...base, advertIntervalMs: 15 }, v4],
      [{ ...base, advertIntervalMs: 40960 }, v4],
      [{ ...base, addresses: ['2001:db8::1'] }, v4],
      [{ ...base, auth: { type: 'pass', password: 'x' } }, v4],
      [{ ...base, version: 2, advertIntervalMs: 1500 }, v4],
      [{ ...base, version: 2, advertIntervalMs: 1000, addresses: ['2001:db8::1'] }, v6],
      [{ ...base, version: 2, advertIntervalMs: 1000, auth: { type: 'pass', password: 'ninechars' } }, v4],
      [{ ...base, version: 2, advertIntervalMs: 1000, auth: { type: 'ah' } }, v4],
      [base, { source: 'x', destination: '224.0.0.18' }],
    ]
    for (const [packet, addressing] of bad) {
      let error: unknown
      try {
        encodeVrrpPacket(packet, addressing)
      } catch (e) {
        error = e
      }
      expect(isDnsHaError(error, 'ERR_VRRP_ENCODE'), JSON.stringify(packet)).toBe(true)
    }
  })
})

describe('tshark reads what we encode', () => {
  const tshark = findTshark()
  const run = tshark ? it : it.skip
  if (!tshark) console.log('skipping the tshark checks: tshark is not installed')

  const dissect = (packets: Framed[], fields: string[]): string[][] => {
    const dir = mkdtempSync(join(tmpdir(), 'vrrp-pcap-'))
    const file = join(dir, 'vrrp.pcap')
    writeFileSync(file, pcapFile(packets))
    const out = execFileSync('tshark', ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    return out.trimEnd().split('\n').map((l) => l.split('\t'))
  }

  run('VRRPv3 over IPv4 and VRRPv2 with PASS: fields and a good checksum, a corrupted one reported bad', () => {
    const p3 = encodeVrrpPacket({ version: 3, vrid: 88, priority: 150, advertIntervalMs: 1000, addresses: ['10.0.0.100', '10.0.0.101'] }, v4)
    const p2 = encodeVrrpPacket({ version: 2, vrid: 88, priority: 100, advertIntervalMs: 1000, addresses: ['10.0.0.100'], auth: { type: 'pass', password: 'secret' } }, v4)
    const unicast = { source: '192.0.2.1', destination: '192.0.2.2' }
    const pu = encodeVrrpPacket({ version: 3, vrid: 7, priority: 0, advertIntervalMs: 100, addresses: ['192.0.2.100'] }, unicast)
    const corrupt = p3.slice()
    corrupt[2] = 151
    const rows = dissect(
      [{ bytes: p3, ...v4 }, { bytes: p2, ...v4 }, { bytes: pu, ...unicast }, { bytes: corrupt, ...v4 }],
      ['vrrp.version', 'vrrp.virt_rtr_id', 'vrrp.prio', 'vrrp.short_adver_int', 'vrrp.adver_int', 'vrrp.ip_addr', 'vrrp.checksum.status', 'vrrp.auth_type', 'vrrp.auth_string', 'ip.ttl', 'ip.proto'],
    )
    // checksum.status: 1 good, 0 bad
    expect(rows).toEqual([
      ['3', '88', '150', '100', '', '10.0.0.100,10.0.0.101', '1', '', '', '255', '112'],
      ['2', '88', '100', '', '1', '10.0.0.100', '1', '1', 'secret', '255', '112'],
      ['3', '7', '0', '10', '', '192.0.2.100', '1', '', '', '255', '112'],
      ['3', '88', '151', '100', '', '10.0.0.100,10.0.0.101', '0', '', '', '255', '112'],
    ])
  })

  run('VRRPv3 over IPv6', () => {
    const bytes = encodeVrrpPacket({ version: 3, vrid: 7, priority: 254, advertIntervalMs: 50, addresses: ['2001:db8::10', 'fe80::1:2'] }, v6)
    const rows = dissect([{ bytes, ...v6 }], ['vrrp.version', 'vrrp.virt_rtr_id', 'vrrp.prio', 'vrrp.short_adver_int', 'vrrp.ipv6_addr', 'vrrp.checksum.status', 'ipv6.hlim'])
    expect(rows).toEqual([['3', '7', '254', '5', '2001:db8::10,fe80::1:2', '1', '255']])
  })
})

/** `bytes` with one byte changed and the checksum made right again (v3: with v4's pseudo-header). */
function withChecksum(bytes: Uint8Array, at: number, value: number, pseudo: boolean): Uint8Array {
  const c = bytes.slice()
  c[at] = value
  c[6] = 0
  c[7] = 0
  let sum = pseudo ? 0x0a00 + 0x0001 + 0xe000 + 0x0012 + 112 + c.length : 0
  const end = pseudo ? c.length : 8 + c[3]! * 4 + 8
  for (let i = 0; i < end; i += 2) sum += (c[i]! << 8) | c[i + 1]!
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  c[6] = (~sum >> 8) & 0xff
  c[7] = ~sum & 0xff
  return c
}

function findTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
