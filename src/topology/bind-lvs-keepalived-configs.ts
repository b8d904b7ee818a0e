/**
 * The "LVS in front of BIND slaves" public DNS seed, as its own configuration files: a master
 * named (edited through a web front end) notifying and transferring to slaves, an LVS director
 * pair (keepalived `virtual_server`, `lb_kind DR`, `protocol UDP`, a `MISC_CHECK` per slave)
 * spreading queries over the slaves, and VRRP moving the VIP between the directors.
 *
 * The seed names only one slave address (180.186.22.62, its `also-notify` and `allow-transfer`)
 * and writes its virtual_server with placeholders (`vip`, `real_server1`, `real_server2`); the
 * other machines here take the neighbouring addresses, listed in {@link BIND_LVS_ADDRESSES}. The
 * seed shows no `vrrp_instance` for its directors: {@link bindLvsKeepalivedConf} uses keepalived's
 * sample values (vrid 51, priority 100 on the master, advert 1 s, PASS 1111), the backup at 90.
 */
import { keepalivedInstanceText } from './keepalived-text.js'

/** The seed's machines, with the addresses the seed leaves as placeholders filled in. */
export const BIND_LVS_ADDRESSES = {
  /** The master named (`type master`, edited by the web front end). */
  primary: '180.186.22.61',
  /** The slave named in the seed (`also-notify` / `allow-transfer`), LVS `real_server1`. */
  secondary1: '180.186.22.62',
  /** The second slave, LVS `real_server2`. */
  secondary2: '180.186.22.63',
  /** The LVS director that is VRRP master (keepalived `state MASTER`, priority 100). */
  director1: '180.186.22.51',
  /** The backup director (priority 90). */
  director2: '180.186.22.52',
  /** The virtual_server's address: the VIP the directors pass between them. */
  vip: '180.186.22.60',
} as const

/** The zone every slave follows (the one with `notify yes` in the seed's named.conf). */
export const BIND_LVS_ORIGIN = 'vipshop.com.'

/**
 * The seed's vipshop.zone, its `xxxx` addresses replaced by documentation addresses
 * (192.0.2.x): the zone as the master loads it the first time.
 */
export const BIND_LVS_VIPSHOP_ZONE = `$TTL  86400
@     IN      SOA     ns1.vipshop.com.  root.vipshop.com.  (
                                         2013051501 ; Serial
                                         28800     ; Refresh
                                         14400     ; Retry
                                         3500000   ; Expire
                                         86400 )   ; Minimum
@        IN      NS      dns1
@       IN      NS      dns2
localhost       IN      A       127.0.0.1
img1            IN      A       192.0.2.11
img3            IN      A       192.0.2.13
img2            IN      A       192.0.2.12
img2            IN      A       192.0.2.22
dns1            IN      A       192.0.2.53
dns2            IN      A       192.0.2.54
`

/**
 * The seed's localhost.zone, corrected. As written, `1D IN NS @` and `1D IN A 127.0.0.1` start
 * in column 0, so `1D` is read as their owner name (`1D.localhost.`), not as a TTL: the zone has
 * no apex NS and BIND refuses it ("has no NS records"). Indented, they belong to the apex.
 */
export const BIND_LVS_LOCALHOST_ZONE = `$TTL 86400
$ORIGIN localhost.
@ 1D IN SOA @ root (
42 ; serial (d. adams)
3H ; refresh
15M ; retry
1W ; expiry
1D ) ; minimum
  1D IN NS @
  1D IN A 127.0.0.1
`

/**
 * The seed's localhost.rev (zone 0.0.127.in-addr.arpa), corrected. As written, `IN NS
 * localhost.` starts in column 0, so its owner is the name `IN` and the apex has no NS: BIND
 * refuses the zone. Indented, the NS belongs to the apex.
 */
export const BIND_LVS_LOCALHOST_REV = `$TTL 86400
@ IN SOA localhost. root.localhost. (
1997022700 ; Serial
28800 ; Refresh
14400 ; Retry
3600000 ; Expire
86400 ) ; Minimum
  IN NS localhost.
1 IN PTR localhost.
`

/**
 * The master's named.conf: the seed's `options` and zones, with both slaves in `also-notify`
 * and `allow-transfer` (the seed lists one). Its logging, root hints, rndc key and `controls`
 * have no part here (see the example's README); `notify yes` would also notify the zone's NS
 * hosts (dns1, dns2), whose documentation addresses lead nowhere on this machine, so the
 * topology notifies the `also-notify` list only (BIND's `notify explicit`).
 */
export const BIND_LVS_PRIMARY_NAMED_CONF = `options {
    directory "/etc/namedb";
    version "vipshop-cdn-dns";
    listen-on port 53 { any; };
    allow-query { any; };
    zone-statistics yes;
};
zone "localhost" IN {
    type master;
    file "localhost.zone";
};
zone "0.0.127.in-addr.arpa" IN {
    type master;
    file "slaves/localhost.rev";
};
zone "vipshop.com" IN {
    type master;
    file "vipshop.zone";
    notify yes;
    also-notify { ${BIND_LVS_ADDRESSES.secondary1}; ${BIND_LVS_ADDRESSES.secondary2}; };
    allow-transfer { ${BIND_LVS_ADDRESSES.secondary1}; ${BIND_LVS_ADDRESSES.secondary2}; };
};
`

/**
 * A slave's named.conf: the local zones as on the master, vipshop.com copied from it. It listens
 * on the VIP (LVS DR delivers packets addressed to it) and on its own address (for the master).
 */
export function bindLvsSecondaryNamedConf(self: string): string {
  return `options {
    directory "/etc/namedb";
    version "vipshop-cdn-dns";
    listen-on port 53 { ${BIND_LVS_ADDRESSES.vip}; ${self}; };
    allow-query { any; };
};
zone "localhost" IN { type master; file "localhost.zone"; };
zone "0.0.127.in-addr.arpa" IN { type master; file "slaves/localhost.rev"; };
zone "vipshop.com" IN {
    type slave;
    masters { ${BIND_LVS_ADDRESSES.primary}; };
    file "slaves/vipshop.zone";
};
`
}

/**
 * A director's keepalived.conf: a `vrrp_instance` holding the VIP (`master`: director 1's,
 * priority 100; else director 2's, priority 90) and the seed's `virtual_server` block as
 * written, its placeholders filled in. With an advert interval other than whole seconds (a
 * faster run) the file says `vrrp_version 3` and drops the PASS block, which VRRPv3 does not have.
 */
export function bindLvsKeepalivedConf(master: boolean, advertIntervalMs = 1000): string {
  const A = BIND_LVS_ADDRESSES
  const [self, peer] = master ? [A.director1, A.director2] : [A.director2, A.director1]
  return `${keepalivedInstanceText({
    routerId: master ? 'LVS_DNS_1' : 'LVS_DNS_2',
    master,
    interface: 'eth0',
    vrid: 51,
    priority: master ? 100 : 90,
    self,
    peer,
    advertIntervalMs,
    authPass: '1111',
    vip: `${A.vip}/24 dev eth0`,
  })}virtual_server ${A.vip} 53 {
      delay_loop 2
      lb_algo rr
      lb_kind DR
      protocol UDP
      real_server ${A.secondary1} 53 {
      weight 100
      MISC_CHECK {
           misc_path  "/etc/keepalived/check_named.sh ${A.secondary1}"
           misc_timeout 5
         }
      }
         real_server ${A.secondary2} 53 {
         weight 100
      MISC_CHECK {
           misc_path  "/etc/keepalived/check_named.sh ${A.secondary2}"
           misc_timeout 5
         }
         }
}
`
}
