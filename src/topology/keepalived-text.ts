/**
 * The `global_defs` and `vrrp_instance` text of a two-node keepalived.conf, as the examples'
 * seed files write it. One builder, so the v2/v3 rule is in one place: with an advert interval
 * other than whole seconds (a faster run) the file says `vrrp_version 3` and drops the PASS
 * block, which VRRPv3 does not have.
 */

/** What differs between the examples' `vrrp_instance VI_1` blocks. */
export interface KeepalivedInstanceText {
  routerId: string
  master: boolean
  interface: string
  vrid: number
  priority: number
  self: string
  peer: string
  advertIntervalMs: number
  authPass: string
  /** The `virtual_ipaddress` line, e.g. `192.0.2.1/24 dev eth0`. */
  vip: string
}

/** The file's header, `global_defs` and `vrrp_instance VI_1`, newline-terminated. */
export function keepalivedInstanceText(o: KeepalivedInstanceText): string {
  const v2 = o.advertIntervalMs % 1000 === 0
  return `! Configuration File for keepalived
global_defs {
    router_id ${o.routerId}
${v2 ? '' : '    vrrp_version 3\n'}}
vrrp_instance VI_1 {
    state ${o.master ? 'MASTER' : 'BACKUP'}
    interface ${o.interface}
    virtual_router_id ${o.vrid}
    priority ${o.priority}
    unicast_src_ip ${o.self}
    unicast_peer {
        ${o.peer}
    }
    advert_int ${o.advertIntervalMs / 1000}
${
  v2
    ? `    authentication {
        auth_type PASS
        auth_pass ${o.authPass}
    }
`
    : ''
}    virtual_ipaddress {
        ${o.vip}
    }
}
`
}
