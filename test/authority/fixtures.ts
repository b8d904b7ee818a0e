// Zones shared by the authority unit tests.
import type { Zone } from '../../src/zone/zone.js'
import { zoneOf } from './helpers.js'

export const EXAMPLE = `
$TTL 3600
@        SOA   ns1 hostmaster 2024010101 7200 3600 1209600 300
@        NS    ns1
@        NS    ns.other.test.
@        MX    10 mail
@        A     192.0.2.1
ns1      A     192.0.2.53
ns1      AAAA  2001:db8::53
mail     A     192.0.2.25
www      A     192.0.2.80
www      AAAA  2001:db8::80
web      CNAME www
chain1   CNAME chain2
chain2   CNAME www
loop1    CNAME loop2
loop2    CNAME loop1
out      CNAME www.elsewhere.example.
cross    CNAME host.other.test.
gone     CNAME nothing
*.apps   A     192.0.2.100
*.apps   TXT   "wildcard"
a.b      A     192.0.2.7
sub      NS    ns1.sub
sub      NS    ns.other.test.
sub      DS    12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE49FD46E6C4B45C55D4AC69CB
ns1.sub  A     192.0.2.153
_sip._udp SRV  10 60 5060 sip
sip      A     192.0.2.60
`

export const OTHER = `
$TTL 600
@        SOA   ns hostmaster 5 3600 600 86400 60
@        NS    ns
ns       A     198.51.100.1
host     A     198.51.100.2
`

export function example(): Zone {
  return zoneOf('example.test.', EXAMPLE)
}

export function other(): Zone {
  return zoneOf('other.test.', OTHER)
}
