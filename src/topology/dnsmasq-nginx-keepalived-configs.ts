/**
 * The "double-active" internal DNS seed, as its own configuration files: two machines
 * (172.22.10.237 and 172.22.10.50), each running dnsmasq on a side port (5454) with a hosts
 * overlay, nginx `stream` on port 53 spreading queries over both dnsmasqs, and keepalived moving
 * the VIP 172.22.10.210 between them (priority 150/100, vrid 88, advert 1 s, unicast, PASS).
 * The upstream resolver (114.114.114.114 in the seed) is an embedded authority here, so the
 * topology runs with no network. The files are the seed's, minus its trailing `//` notes and
 * with the upstream line pointing at the stand-in; the topology maps the machines' addresses to
 * loopback endpoints.
 */
import { keepalivedInstanceText } from './keepalived-text.js'

/** The seed's machines and VIP. */
export const SEED_ADDRESSES = {
  /** The master (keepalived priority 150). */
  nodeA: '172.22.10.237',
  /** The backup (priority 100). */
  nodeB: '172.22.10.50',
  vip: '172.22.10.210',
  /** The upstream resolver of the seed's resolv.dnsmasq.conf. */
  upstream: '114.114.114.114',
} as const

/** dnsmasq.conf of one machine (`listen` is the machine's own address). */
export function seedDnsmasqConf(listen: string): string {
  return `# dnsmasq on a side port: nginx owns :53
port=5454
listen-address=127.0.0.1,${listen}
# the seed reads its upstream from resolv-file=/etc/resolv.dnsmasq.conf (nameserver ${SEED_ADDRESSES.upstream})
no-resolv
server=${SEED_ADDRESSES.upstream}
strict-order
no-hosts
addn-hosts=/etc/dnsmasq.hosts
cache-size=1000
`
}

/** The seed's /etc/dnsmasq.hosts, with a few more names to ask for. */
export const SEED_HOSTS = `192.168.111.111  xpt.redhat.cn
172.22.10.237    dns1.corp.example dns1
172.22.10.50     dns2.corp.example dns2
172.22.10.210    vip.corp.example dns-vip
10.0.0.10        app.corp.example app
`

/** nginx.conf's stream block, the same on both machines. */
export const SEED_NGINX_STREAM = `stream {
    upstream dns {
        server ${SEED_ADDRESSES.nodeA}:5454 weight=1 max_fails=2 fail_timeout=5s;
        server ${SEED_ADDRESSES.nodeB}:5454 weight=1 max_fails=2 fail_timeout=5s;
    }
    server {
        listen 53 udp;
        proxy_pass dns;
        proxy_timeout 20s;
        proxy_responses 1;
    }
}
`

/**
 * keepalived.conf of one machine: `master` is 172.22.10.237's, the other the backup's. With an
 * advert interval other than whole seconds (a faster demo) the file says `vrrp_version 3` and
 * drops the PASS block, which VRRPv3 does not have.
 */
export function seedKeepalivedConf(master: boolean, advertIntervalMs = 1000): string {
  const [self, peer] = master ? [SEED_ADDRESSES.nodeA, SEED_ADDRESSES.nodeB] : [SEED_ADDRESSES.nodeB, SEED_ADDRESSES.nodeA]
  const dev = master ? 'ens192' : 'enp4s0'
  return keepalivedInstanceText({
    routerId: master ? 'ld444' : 'ld555',
    master,
    interface: dev,
    vrid: 88,
    priority: master ? 150 : 100,
    self,
    peer,
    advertIntervalMs,
    authPass: '8888',
    vip: `${SEED_ADDRESSES.vip}/24 dev ${dev} label ${dev}:0`,
  })
}

/** The zone the stand-in upstream serves (the names behind the seed's public resolver). */
export const UPSTREAM_ZONE = `$ORIGIN example.test.
$TTL 3600
@    IN SOA ns1 hostmaster 2026120301 7200 3600 1209600 300
     IN NS  ns1
ns1  IN A   192.0.2.53
www  IN A   192.0.2.80
web  IN CNAME www
mail IN A   192.0.2.25
`
