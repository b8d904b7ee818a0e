// What `dns-ha vrrp --config` derives from a keepalived.conf for the raw transport and LinuxVip:
// the IP family of an instance and keepalived's gratuitous ARP timing.
import { describe, expect, it } from 'vitest'
import { familyOf, linuxVipGarpOptions } from '../../src/cli/vrrp-command.js'
import { parseKeepalivedConf, vrrpRouterOptionsFromKeepalived } from '../../src/vrrp/index.js'

function mapping(text: string) {
  const config = parseKeepalivedConf(text)
  return vrrpRouterOptionsFromKeepalived(config.instances[0]!, config)
}

const instance = (body: string, globals = ''): string => `global_defs {\n  vrrp_version 3\n${globals}}\nvrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  advert_int 1\n${body}}\n`

describe('dns-ha vrrp: family and GARP timing from keepalived.conf', () => {
  it('an instance with IPv6 VIPs runs over IPv6, one with IPv4 VIPs over IPv4, unicast_src_ip decides when given', () => {
    expect(familyOf(mapping(instance('  virtual_ipaddress {\n    fd00:dead::1/128\n  }\n')))).toBe(6)
    expect(familyOf(mapping(instance('  virtual_ipaddress {\n    10.0.0.100/32\n  }\n')))).toBe(4)
    expect(familyOf(mapping(instance('  unicast_src_ip fe80::1\n  unicast_peer {\n    fe80::2\n  }\n  virtual_ipaddress {\n    fd00:dead::1/128\n  }\n')))).toBe(6)
  })

  it('keepalived defaults: 5 per burst, a second burst after 5 s, no refresh', () => {
    expect(linuxVipGarpOptions(mapping(instance('  virtual_ipaddress {\n    10.0.0.100\n  }\n')).host.garp)).toEqual({ garpRepeat: 5, garpMasterDelayMs: 5000, garpMasterRefreshMs: 0 })
  })

  it('vrrp_garp_master_delay / _repeat / _refresh in global_defs, garp_master_delay in the instance', () => {
    const globals = '  vrrp_garp_master_delay 2\n  vrrp_garp_master_repeat 3\n  vrrp_garp_master_refresh 60\n'
    expect(linuxVipGarpOptions(mapping(instance('  virtual_ipaddress {\n    10.0.0.100\n  }\n', globals)).host.garp)).toEqual({ garpRepeat: 3, garpMasterDelayMs: 2000, garpMasterRefreshMs: 60_000 })
    expect(linuxVipGarpOptions(mapping(instance('  garp_master_delay 1\n  virtual_ipaddress {\n    10.0.0.100\n  }\n', globals)).host.garp).garpMasterDelayMs).toBe(1000)
  })
})
