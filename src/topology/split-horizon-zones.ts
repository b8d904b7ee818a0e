/**
 * The split-horizon example's data: one domain seen two ways (the "smart DNS" by view of an
 * authoritative cluster). Inside, `example.test.` names resolve to private 10.0.0.0/8 addresses
 * and an intranet host exists; outside, the same names have public addresses and the intranet
 * host does not exist. A second zone, `corp.test.`, is served to internal clients only, so an
 * external client asking for it is REFUSED (no view of theirs serves it), as BIND answers a
 * name outside every zone of the matched view.
 */

/** `example.test.` as internal clients see it. */
export const SPLIT_INTERNAL_ZONE = `$ORIGIN example.test.
$TTL 300
@        IN SOA   ns1.example.test. hostmaster.example.test. 2026120301 3600 600 86400 300
@        IN NS    ns1
@        IN NS    ns2
ns1      IN A     10.0.0.53
ns2      IN A     10.0.1.53
www      IN A     10.0.0.80
img1     IN A     10.0.0.81
img2     IN A     10.0.0.82
img2     IN A     10.0.0.83
intranet IN A     10.0.0.10
`

/** `example.test.` as everyone else sees it: public addresses, no intranet host. */
export const SPLIT_EXTERNAL_ZONE = `$ORIGIN example.test.
$TTL 300
@        IN SOA   ns1.example.test. hostmaster.example.test. 2026120301 3600 600 86400 300
@        IN NS    ns1
@        IN NS    ns2
ns1      IN A     203.0.113.53
ns2      IN A     198.51.100.53
www      IN A     203.0.113.80
img1     IN A     203.0.113.81
img2     IN A     203.0.113.82
img2     IN A     203.0.113.83
`

/** `corp.test.`: internal only. */
export const SPLIT_CORP_ZONE = `$ORIGIN corp.test.
$TTL 300
@        IN SOA   ns1.example.test. hostmaster.example.test. 2026120301 3600 600 86400 300
@        IN NS    ns1.example.test.
wiki     IN A     10.0.2.10
`
