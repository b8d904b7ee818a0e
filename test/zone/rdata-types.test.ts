import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { formatZone, parseZone } from './imports.js'

/** Wire rdata (hex) of one record line parsed in zone `example.`. */
function wire(line: string): string {
  const zone = parseZone(`$TTL 1\n${line}\n`, { origin: 'example.' })
  const [record] = [...zone.eachRecord()]
  return (record?.data as Buffer).toString('hex')
}

describe('presentation parsers for LOC, WKS, APL, IPSECKEY, HIP, AMTRELAY, DSYNC, HHIT, BRID', () => {
  it.each([
    // RFC 3123 §4's example, plus an IPv6 item (trailing zero bytes dropped)
    ['a APL 1:192.168.32.0/21 !1:192.168.38.0/28 2:ff00::/8', '00011503c0a82000011c83c0a82600020801ff'],
    // 60°9'N 24°39'E, 10 m, size 20 m (2e3 cm: 0x23), hp 2000 m (0x25), vp 20 m (0x23)
    ['a LOC 60 9 N 24 39 E 10 20 2000 20', '002325238ce82360854a10a000989a68'],
    ['a LOC 60 09 00.000 N 24 39 00.000 E 10.00m 20.00m 2000.00m 20.00m', '002325238ce82360854a10a000989a68'],
    // defaults: size 1 m, hp 10 km, vp 10 m; south and west below 2^31; negative altitude
    ['a LOC 0 9 1 S 24 39 0.000 W -10.5m', '001216137ff7beb87ab5ef6000989266'],
    ['a WKS 10.0.0.1 tcp ( 0 1 2 21 smtp )', '0a00000106e0000440'],
    ['a IPSECKEY 10 1 2 192.0.2.38 AQID', '0a0102c0000226010203'],
    ['a IPSECKEY 10 3 2 gw AQID', '0a0302026777076578616d706c6500010203'],
    ['a IPSECKEY 10 0 2 .', '0a0002'],
    ['a HIP 2 200100107B1A74DF365639CC39F1D578 AwEAAQ== rvs.example.com.', '10020004200100107b1a74df365639cc39f1d5780301000103727673076578616d706c6503636f6d00'],
    ['a AMTRELAY 128 1 3 relay.example.com.', '80830572656c6179076578616d706c6503636f6d00'],
    ['a AMTRELAY 0 0 0 .', '0000'],
    ['a AMTRELAY 10 0 2 2001:db8::15', '0a0220010db8000000000000000000000015'],
    ['a DSYNC CDS NOTIFY 5300 ep.example.', '003b0114b4026570076578616d706c6500'],
    ['a DSYNC CSYNC 128 443 ep', '003e8001bb026570076578616d706c6500'],
    ['a HHIT AQID', '010203'],
    ['a BRID AQID BA==', '01020304'],
  ])('%s', (line, hex) => {
    expect(wire(line)).toBe(hex)
  })

  it.each([
    ['a LOC 91 0 N 24 39 E 10', 'bad LOC coordinate'],
    ['a LOC 60 9 X 24 39 E 10', 'bad LOC coordinate'],
    ['a LOC 60 9 N 24 39 E 10 99999999999', 'bad LOC size'],
    ['a APL 3:1.2.3.4/8', 'bad APL item'],
    ['a APL 1:1.2.3.4/33', 'bad APL item'],
    ['a WKS 10.0.0.1 tcp no-such-service', 'unknown WKS service'],
    ['a IPSECKEY 10 0 2 gw.example. AQID', "must be '.'"],
    ['a IPSECKEY 10 1 2 ::1 AQID', 'bad IPv4'],
    ['a AMTRELAY 0 2 0 .', 'discovery'],
    ['a HIP 2 XYZ AQID', 'bad HIP HIT'],
    ['a DSYNC CDS FAX 53 ep', 'bad DSYNC scheme'],
  ])('rejects %s', (line, message) => {
    expect(() => parseZone(`$TTL 1\n${line}\n`, { origin: 'example.' })).toThrow(message)
  })

  it('stores them as wire rdata that dns-packet encodes and decodes unchanged', () => {
    const zone = parseZone('$TTL 1\na LOC 60 9 N 24 39 E 10\nb WKS 10.0.0.1 udp 53\nc APL 1:10.0.0.0/8\nd HHIT AQID\n', { origin: 'example.' })
    const answers = [...zone.eachRecord()]
    const decoded = dnsPacket.decode(dnsPacket.encode({ type: 'response', id: 1, answers: answers as never }))
    expect(decoded.answers?.map((a) => [a.type, (a as { data: Buffer }).data.toString('hex')])).toEqual(answers.map((a) => [a.type, (a.data as Buffer).toString('hex')]))
  })

  it('formats them back as text parseZone reads to the same rdata', () => {
    const text = '$TTL 1\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\na LOC 60 9 N 24 39 E 10\nb IPSECKEY 10 1 2 192.0.2.38 AQID\nc DSYNC CDS 1 53 ns\n'
    const once = parseZone(text, { origin: 'example.' })
    const twice = parseZone(formatZone(once), { origin: 'example.' })
    expect([...twice.eachRecord()]).toEqual([...once.eachRecord()])
  })
})
