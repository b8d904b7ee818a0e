// The additional section as NSD 4.6 and BIND 9.18 fill it (checked with dig against both on the
// same zones): addresses come only from the zone that answers, never from another zone this
// authority also serves; NS targets may use glue (data below a cut), MX and SRV targets may not;
// a target that only a wildcard covers gets the synthesized address, owned by the target name.
import { describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { ask, lines, rrs, zoneOf } from './helpers.js'

const O = 'example.test.'

const PARENT = `
$TTL 3600
@        SOA   ns1 hostmaster 1 7200 3600 1209600 300
@        NS    ns1
@        NS    ns.other.test.
ns1      A     192.0.2.1
www      A     192.0.2.3
*.wild   A     192.0.2.6
deleg    NS    ns.deleg
deleg    NS    ns.other.test.
ns.deleg A     192.0.2.10
host.deleg A   192.0.2.11
sub      NS    ns1.sub
ns1.sub  A     192.0.2.20
oob2     NS    ns.deleg.example.test.
oob2     NS    ns1.sub.example.test.
wns      NS    foo.wild.example.test.
mxother  MX    10 www.other.test.
mxsub    MX    10 www.sub.example.test.
mxocc    MX    10 host.deleg.example.test.
mxocc    MX    20 ns.deleg.example.test.
srvw     SRV   0 0 1 x.wild.example.test.
`

const SUB = `
$TTL 600
@        SOA   ns1 hostmaster 5 7200 3600 1209600 900
@        NS    ns1
ns1      A     192.0.2.20
www      A     192.0.2.21
`

const OTHER = `
$TTL 1800
@        SOA   ns hostmaster 7 7200 3600 1209600 120
@        NS    ns
ns       A     192.0.2.30
www      A     192.0.2.31
`

function authority(): Authority {
  return new Authority({ zones: [zoneOf(O, PARENT), zoneOf('sub.example.test.', SUB), zoneOf('other.test.', OTHER)], minimalResponses: true })
}

describe('additional section (NSD / BIND)', () => {
  it('a referral carries no address from another served zone for an out-of-bailiwick NS', async () => {
    const r = await ask(authority(), 'host.deleg.example.test.', 'A')
    expect(r.flag_aa).toBe(false)
    expect(lines(r.authorities)).toEqual(rrs(O, 'deleg 3600 IN NS ns.deleg', 'deleg 3600 IN NS ns.other.test.'))
    expect(lines(r.additionals)).toEqual(rrs(O, 'ns.deleg 3600 IN A 192.0.2.10'))
  })

  it('referral NS targets use the parent zone data, glue under another cut included, not the child zone we serve', async () => {
    const r = await ask(authority(), 'a.oob2.example.test.', 'A')
    expect(lines(r.additionals)).toEqual(rrs(O, 'ns.deleg 3600 IN A 192.0.2.10', 'ns1.sub 3600 IN A 192.0.2.20'))
  })

  it('an NS target covered only by a wildcard gets the synthesized address', async () => {
    const r = await ask(authority(), 'a.wns.example.test.', 'A')
    expect(lines(r.additionals)).toEqual(rrs(O, 'foo.wild 3600 IN A 192.0.2.6'))
  })

  it('MX targets in another served zone, in a served child zone, or below a cut get no address', async () => {
    for (const name of ['mxother', 'mxsub', 'mxocc']) {
      const r = await ask(authority(), `${name}.example.test.`, 'MX')
      expect(r.rcode).toBe('NOERROR')
      expect(r.answers!.length).toBeGreaterThan(0)
      expect(lines(r.additionals)).toEqual([])
    }
  })

  it('an SRV target covered by a wildcard gets the synthesized address, owned by the target', async () => {
    const r = await ask(authority(), 'srvw.example.test.', 'SRV')
    expect(lines(r.additionals)).toEqual(rrs(O, 'x.wild 3600 IN A 192.0.2.6'))
  })

  it('the apex NS of a positive answer gets addresses from its own zone only', async () => {
    const auth = new Authority({ zones: [zoneOf(O, PARENT), zoneOf('other.test.', OTHER)] })
    const r = await ask(auth, 'www.example.test.', 'A')
    expect(lines(r.authorities)).toEqual(rrs(O, '@ 3600 IN NS ns1', '@ 3600 IN NS ns.other.test.'))
    expect(lines(r.additionals)).toEqual(rrs(O, 'ns1 3600 IN A 192.0.2.1'))
  })
})
