import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ConfigSyntaxError, isDnsHaError } from '../../src/util/errors.js'
import { parseKeepalivedConf, readKeepalivedConf } from '../../src/vrrp/parse-keepalived-conf.js'

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))
const fixture = (name: string): string => readFileSync(`${fixtures}${name}`, 'utf8')

/** The error a parse throws (fails the test when it does not throw). */
function parseError(text: string, options: Parameters<typeof parseKeepalivedConf>[1] = { file: 't.conf' }): ConfigSyntaxError {
  try {
    parseKeepalivedConf(text, options)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigSyntaxError)
    expect(isDnsHaError(error, 'ERR_VRRP_CONFIG')).toBe(true)
    return error as ConfigSyntaxError
  }
  throw new Error('expected a ConfigSyntaxError')
}

/** An instance around `body` (the body starts on line 5). */
const instance = (body: string): string => `vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n${body}\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n}\n`

describe('parseKeepalivedConf: the seed configurations', () => {
  it('reads the master seed (without the // comments) field by field', () => {
    const config = parseKeepalivedConf(fixture('keepalived-master.conf'), { file: 'master.conf' })
    expect(config.globalDefs.routerId).toBe('ld444')
    expect(config.warnings).toEqual([])
    expect(config.unused).toEqual([])
    const [vi] = config.instances
    expect(vi).toMatchObject({
      name: 'VI_1',
      state: 'MASTER',
      interface: 'ens192',
      virtualRouterId: 88,
      priority: 150,
      unicastSrcIp: '172.22.10.237',
      advertInt: 1,
      nopreempt: false,
      authentication: { type: 'PASS', password: '8888' },
    })
    expect(vi!.unicastPeers.map((p) => p.address)).toEqual(['172.22.10.50'])
    expect(vi!.virtualIpaddresses).toEqual([{ address: '172.22.10.210', prefixLength: 24, dev: 'ens192', label: 'ens192:0', location: { file: 'master.conf', line: 20, column: 1 } }])
  })

  it('reads the backup seed', () => {
    const [vi] = parseKeepalivedConf(fixture('keepalived-backup.conf')).instances
    expect(vi).toMatchObject({ state: 'BACKUP', interface: 'enp4s0', priority: 100, unicastSrcIp: '172.22.10.50' })
    expect(vi!.unicastPeers.map((p) => p.address)).toEqual(['172.22.10.237'])
    expect(vi!.virtualIpaddresses[0]).toMatchObject({ address: '172.22.10.210', prefixLength: 24, dev: 'enp4s0', label: 'enp4s0:0' })
  })

  it('rejects the // copies where keepalived does: a lone word after a unicast_peer address is "missing a value"', () => {
    for (const name of ['keepalived-master-slash-comments.conf', 'keepalived-backup-slash-comments.conf']) {
      const error = parseError(fixture(name), { file: name })
      expect(error.line).toBe(12)
      expect(error.column).toBe(name.includes('master') ? 14 : 15)
      expect(error.reason).toMatch(/^unicast_peer 172\.22\.10\.(50|237): '\/\/同组中其他服务器ip' is missing a value/)
    }
  })

  it('accepts // trailing words after single-value keywords with a warning, as keepalived ignores them', () => {
    const config = parseKeepalivedConf('global_defs {\nrouter_id ld444 //定义路由标识信息\n}\n' + instance('  priority 150 //优先级'), { file: 'w.conf' })
    expect(config.globalDefs.routerId).toBe('ld444')
    expect(config.instances[0]!.priority).toBe(150)
    expect(config.warnings).toEqual([
      { file: 'w.conf', line: 2, column: 17, message: "router_id: extra words ignored ('//定义路由标识信息'; keepalived ignores them silently)", configTestFails: false },
      { file: 'w.conf', line: 8, column: 16, message: "priority: extra words ignored ('//优先级'; keepalived ignores them silently)", configTestFails: false },
    ])
  })

  it('reads the LVS seed with real addresses, and refuses the placeholder copy as keepalived does', () => {
    const [vs] = parseKeepalivedConf(fixture('keepalived-lvs-dns.conf')).virtualServers
    expect(vs).toMatchObject({ address: '192.0.2.53', port: 53, delayLoop: 2, lbAlgo: 'rr', lbKind: 'DR', protocol: 'UDP' })
    expect(vs!.realServers.map((r) => [r.address, r.port, r.weight, r.checks])).toEqual([
      ['192.0.2.11', 53, 100, [{ kind: 'misc', path: '/etc/keepalived/check_named.sh 192.0.2.11', timeout: 5, dynamic: false, location: expect.objectContaining({ line: 8 }) }]],
      ['192.0.2.12', 53, 100, [{ kind: 'misc', path: '/etc/keepalived/check_named.sh 192.0.2.12', timeout: 5, dynamic: false, location: expect.objectContaining({ line: 15 }) }]],
    ])
    const error = parseError(fixture('keepalived-lvs-dns-placeholders.conf'))
    expect(error.message).toBe("t.conf:1:16: 'vip' is not an IP address")
  })
})

describe('parseKeepalivedConf: lexical rules', () => {
  it('reads braces on the keyword line, on their own line, and around items on one line', () => {
    const text = 'vrrp_instance VI_1\n{\n interface eth0 # a comment\n virtual_router_id 5 ! another\n virtual_ipaddress { 10.0.0.1 }\n unicast_peer {10.0.0.7}\n}\n'
    const [vi] = parseKeepalivedConf(text).instances
    expect(vi!.virtualRouterId).toBe(5)
    expect(vi!.unicastPeers.map((p) => p.address)).toEqual(['10.0.0.7'])
    // One line is one entry: "10.0.0.1 10.0.0.2" is an address and an unknown option word.
    expect(() => parseKeepalivedConf('vrrp_instance A {\n virtual_router_id 5\n virtual_ipaddress { 10.0.0.1 10.0.0.2 }\n}\n')).toThrow(/unknown option '10\.0\.0\.2'/)
  })

  it('keeps quoted strings whole, comment characters included', () => {
    const text = instance('  notify_master "/usr/bin/notify master # not a comment"\n  notify "/bin/n"')
    const [vi] = parseKeepalivedConf(text).instances
    expect(vi!.notify).toEqual({ master: '/usr/bin/notify master # not a comment', any: '/bin/n' })
  })

  it('reports an unterminated quote, an extra }, and a { that never closes, with positions', () => {
    expect(parseError('global_defs {\n router_id "abc\n}\n').message).toBe('t.conf:2:12: unterminated quoted string')
    expect(parseError(instance('') + '}\n').message).toBe("t.conf:10:1: extra '}': no block is open")
    expect(parseError('vrrp_instance VI_1 {\n virtual_router_id 5\n virtual_ipaddress {\n 10.0.0.1\n}\n').message).toBe("t.conf:1:20: this '{' is never closed (missing '}')")
    expect(parseError('{\n}\n').message).toBe("t.conf:1:1: unexpected '{': no keyword before it")
  })

  it('follows include through the readFile seam, relative to the including file, with globs and brace lists', () => {
    const files: Record<string, string> = {
      '/etc/keepalived/conf.d/a.conf': 'vrrp_instance A {\n virtual_router_id 1\n virtual_ipaddress {\n 10.0.0.1\n }\n}\n',
      '/etc/keepalived/conf.d/b.conf': 'vrrp_instance B {\n virtual_router_id 2\n virtual_ipaddress {\n 10.0.0.2\n }\n}\n',
      '/etc/keepalived/conf.d/b.bak': 'garbage {',
      '/etc/keepalived/scripts.conf': 'vrrp_script chk {\n script "/bin/true"\n}\n',
    }
    const readFile = (path: string): string => {
      const text = files[path]
      if (text === undefined) throw new Error(`ENOENT ${path}`)
      return text
    }
    const listDir = (dir: string): string[] =>
      Object.keys(files)
        .filter((p) => p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes('/'))
        .map((p) => p.slice(dir.length + 1))
    const top = 'include conf.d/*.conf\ninclude {scripts,missing}.conf\ninclude nothing/*.conf\n'
    const config = parseKeepalivedConf(top, { file: '/etc/keepalived/keepalived.conf', readFile, listDir })
    expect(config.instances.map((i) => [i.name, i.location.file, i.location.line])).toEqual([
      ['A', '/etc/keepalived/conf.d/a.conf', 1],
      ['B', '/etc/keepalived/conf.d/b.conf', 1],
    ])
    expect(config.scripts.map((s) => s.name)).toEqual(['chk'])
    expect(config.files).toEqual(['/etc/keepalived/keepalived.conf', '/etc/keepalived/conf.d/a.conf', '/etc/keepalived/conf.d/b.conf', '/etc/keepalived/scripts.conf'])
    expect(config.warnings).toEqual([
      { file: '/etc/keepalived/keepalived.conf', line: 2, column: 1, message: 'include {scripts,missing}.conf: /etc/keepalived/missing.conf does not exist (keepalived: "Some config files missing"; it goes on)', configTestFails: false },
      { file: '/etc/keepalived/keepalived.conf', line: 3, column: 1, message: 'include nothing/*.conf: no file matches (keepalived: "Config files missing"; it goes on)', configTestFails: false },
    ])
  })

  it('an error inside an included file names that file; includes are bounded in depth', () => {
    const readFile = (path: string): string => (path === '/k/inc.conf' ? 'global_defs {\n bogus_word 1\n}\n' : 'include loop.conf\n')
    expect(parseError('include inc.conf\n', { file: '/k/top.conf', readFile }).message).toBe("/k/inc.conf:2:2: unknown keyword 'bogus_word' in global_defs")
    expect(parseError('include loop.conf\n', { file: '/k/top.conf', readFile }).message).toBe('/k/loop.conf:1:1: includes nest deeper than 8 (does a file include itself?)')
  })

  it('readKeepalivedConf reads a file from disk', () => {
    const config = readKeepalivedConf(`${fixtures}keepalived-backup.conf`)
    expect(config.instances[0]!.priority).toBe(100)
    expect(() => readKeepalivedConf(`${fixtures}does-not-exist.conf`)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_FILE' }))
  })

  it('property: whitespace, blank lines and comments between statements change nothing', () => {
    const base = fixture('keepalived-master.conf').split('\n')
    const lead = fc.constantFrom('', ' ', '\t', '   ')
    const trail = fc.constantFrom('', ' ', ' # c', ' ! { "x', '\t# }')
    const between = fc.constantFrom('', '# a comment', '! another { }', '   ', '\t')
    fc.assert(
      fc.property(fc.array(fc.tuple(lead, trail, between), { minLength: base.length, maxLength: base.length }), (pads) => {
        const text = base.map((line, i) => `${pads[i]![0]}${line}${line === '' || line.startsWith('!') ? '' : pads[i]![1]}\n${pads[i]![2]}`).join('\n')
        const strip = (c: ReturnType<typeof parseKeepalivedConf>): unknown => JSON.parse(JSON.stringify(c, (key, value) => (key === 'line' || key === 'column' ? undefined : value)))
        expect(strip(parseKeepalivedConf(text))).toEqual(strip(parseKeepalivedConf(base.join('\n'))))
      }),
      { numRuns: 200 },
    )
  })
})

describe('parseKeepalivedConf: what keepalived refuses is a ConfigSyntaxError at file:line:column', () => {
  const cases: [string, string, string][] = [
    ['unknown keyword', instance('  frobnicate 3'), "t.conf:5:3: unknown keyword 'frobnicate' in vrrp_instance VI_1"],
    ['missing value', instance('  priority'), 't.conf:5:11: priority is missing a value'],
    ['bad number', instance('  priority abc'), "t.conf:5:12: priority: invalid number 'abc' (a whole number)"],
    ['priority 0', instance('  priority 0'), 't.conf:5:12: priority 0 is outside 1..255'],
    ['priority 256', instance('  priority 256'), 't.conf:5:12: priority 256 is outside 1..255'],
    ['vrid 0', instance('  virtual_router_id 0'), 't.conf:5:21: virtual_router_id (VRID) 0 is outside 1..255'],
    ['vrid 256', instance('  virtual_router_id 256'), 't.conf:5:21: virtual_router_id (VRID) 256 is outside 1..255'],
    ['bad address', instance('  unicast_src_ip 10.0.0.500'), "t.conf:5:18: '10.0.0.500' is not an IP address"],
    ['bad VIP', instance('  virtual_ipaddress_excluded {\n    10.0.0.300/24\n  }'), "t.conf:6:5: '10.0.0.300' is not an IP address"],
    ['bad prefix', instance('  virtual_ipaddress_excluded {\n    10.0.0.3/33\n  }'), "t.conf:6:5: '10.0.0.3/33': prefix length must be 0..32"],
    ['unknown state', instance('  state FOO'), "t.conf:5:9: unknown state 'FOO': MASTER or BACKUP (keepalived falls back to BACKUP)"],
    ['auth type', instance('  authentication {\n    auth_type FOO\n  }'), "t.conf:6:15: unknown authentication type 'FOO' (PASS or AH)"],
    ['advert_int 0', instance('  advert_int 0'), 't.conf:5:14: advert_int 0 is outside 0.01..255'],
    ['advert_int 300', instance('  advert_int 300'), 't.conf:5:14: advert_int 300 is outside 0.01..255'],
    ['preempt_delay 2000', instance('  preempt_delay 2000'), 't.conf:5:17: preempt_delay 2000 is outside 0..1000'],
    ['version 4', instance('  version 4'), 't.conf:5:11: version 4 is outside 2..3'],
    ['track weight', instance('  track_interface {\n    eth1 weight -300\n  }'), 't.conf:6:17: weight -300 is outside -253..253'],
    ['unknown track script', instance('  track_script {\n    chk\n  }'), 't.conf:6:5: track_script chk: no vrrp_script of that name (keepalived: "track script not found")'],
    ['no vrid', 'vrrp_instance VI_9 {\n interface eth0\n}\n', 't.conf:1:15: vrrp_instance VI_9: the virtual router id must be set (virtual_router_id 1..255)'],
    ['global unknown', 'global_defs {\n router_id x\n foo_bar 1\n}\n', "t.conf:3:2: unknown keyword 'foo_bar' in global_defs"],
    ['top unknown', 'vrrp_instanse VI_1 {\n}\n', "t.conf:1:1: unknown keyword 'vrrp_instanse' at the top level"],
    ['VIP family', 'vrrp_instance VI_1 {\n virtual_router_id 5\n virtual_ipaddress {\n  10.0.0.1/24\n  fe80::1/64\n }\n}\n', "t.conf:5:3: virtual_ipaddress fe80::1: address family must match the instance's first address 10.0.0.1 (use virtual_ipaddress_excluded for the other family)"],
    ['lb_algo', 'virtual_server 10.0.0.1 53 {\n lb_algo fastest\n}\n', "t.conf:2:10: unknown lb_algo 'fastest' (rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh)"],
    ['real server port', 'virtual_server 10.0.0.1 53 {\n real_server 10.0.0.2 99999 {\n }\n}\n', 't.conf:2:23: port 99999 is outside 0..65535'],
    ['duplicate instance', instance('') + instance(''), 't.conf:10:15: vrrp_instance VI_1 is defined twice'],
  ]
  for (const [name, text, message] of cases) {
    it(name, () => expect(parseError(text).message).toBe(message))
  }
})

describe('parseKeepalivedConf: what keepalived repairs is a warning', () => {
  it('auth_pass longer than 8 is truncated, as keepalived does, and --config-test would fail', () => {
    const config = parseKeepalivedConf(instance('  authentication {\n    auth_type PASS\n    auth_pass 123456789\n  }'), { file: 't.conf' })
    expect(config.instances[0]!.authentication!.password).toBe('12345678')
    expect(config.warnings).toEqual([{ file: 't.conf', line: 7, column: 15, message: 'auth_pass is 9 bytes: keepalived truncates it to 8 ("12345678"), and so does this parser', configTestFails: true }])
  })

  it('nopreempt with state MASTER, a fractional VRRPv2 interval, v3 authentication, weights on an owner, a duplicate vrid', () => {
    const messages = (text: string): string[] => parseKeepalivedConf(text).warnings.map((w) => `${w.line}:${w.configTestFails}:${w.message}`)
    expect(messages(instance('  state MASTER\n  nopreempt'))).toEqual(['6:true:nopreempt with state MASTER: keepalived clears nopreempt (a MASTER start preempts); dns-ha refuses this combination'])
    expect(messages(instance('  advert_int 0.5'))).toEqual(['5:true:advert_int 0.5: VRRPv2 carries whole seconds; keepalived rounds it to 1'])
    expect(messages(instance('  version 3\n  advert_int 0.5'))).toEqual([])
    expect(messages(instance('  version 3\n  advert_int 41'))).toEqual(['6:true:advert_int 41: VRRPv3 carries at most 40.95 s; keepalived uses 40.95'])
    expect(messages(instance('  version 3\n  authentication {\n    auth_type PASS\n    auth_pass x\n  }'))).toEqual(['6:true:authentication: VRRPv3 has none (RFC 5798 removed it); keepalived ignores it'])
    expect(messages(instance('  priority 255\n  track_interface {\n    eth1 weight -20\n  }'))).toEqual(['7:true:track eth1 weight -20: keepalived ignores weighted tracking on an address owner (priority 255)'])
    expect(messages(instance('') + instance('').replace('VI_1', 'VI_2'))).toEqual(['13:true:VI_1 and VI_2 both use VRID 51 with IPv4 on interface eth0'])
    expect(messages(instance('  nopreempt\n  preempt_delay 10'))).toEqual(['6:true:preempt_delay with nopreempt: keepalived resets preempt_delay (it delays a preemption that never happens)'])
    expect(messages('vrrp_instance A {\n virtual_router_id 1\n}\n')).toEqual(['1:false:vrrp_instance A: no virtual_ipaddress (keepalived: "at least one is sensible")'])
  })

  it('keeps keepalived-internal keywords as unused, with their location', () => {
    const config = parseKeepalivedConf('global_defs {\n notification_email {\n  a@b\n }\n vrrp_skip_check_adv_addr\n}\n' + instance('  dont_track_primary'), { file: 'u.conf' })
    expect(config.unused).toEqual([
      { file: 'u.conf', line: 2, column: 2, section: 'global_defs', keyword: 'notification_email', args: [] },
      { file: 'u.conf', line: 5, column: 2, section: 'global_defs', keyword: 'vrrp_skip_check_adv_addr', args: [] },
      { file: 'u.conf', line: 11, column: 3, section: 'vrrp_instance VI_1', keyword: 'dont_track_primary', args: [] },
    ])
    expect(config.instances[0]!.unused).toHaveLength(1)
  })
})

describe('parseKeepalivedConf: every instance, script and LVS keyword', () => {
  it('reads a full instance', () => {
    const text = [
      'global_defs {',
      ' router_id lb1',
      ' vrrp_version 3',
      ' script_user keepalived_script users',
      ' enable_script_security',
      ' vrrp_garp_master_delay 3',
      ' vrrp_garp_master_repeat 2',
      ' vrrp_garp_master_refresh 60',
      '}',
      'vrrp_script chk_dns {',
      ' script "/usr/local/bin/check-dns 127.0.0.1"',
      ' interval 2',
      ' timeout 1',
      ' weight -30',
      ' rise 2',
      ' fall 3',
      ' user nobody nogroup',
      '}',
      'vrrp_instance DNS {',
      ' state BACKUP',
      ' interface eth0',
      ' virtual_router_id 53',
      ' priority 120',
      ' advert_int 0.5',
      ' preempt_delay 30',
      ' unicast_src_ip 192.0.2.1',
      ' unicast_peer {',
      '  192.0.2.2 min_ttl 1 max_ttl 2',
      ' }',
      ' virtual_ipaddress {',
      '  192.0.2.53/24 brd 192.0.2.255 dev eth0 scope global label eth0:dns',
      '  192.0.2.54',
      ' }',
      ' virtual_ipaddress_excluded {',
      '  2001:db8::53/64 dev eth0',
      ' }',
      ' track_script {',
      '  chk_dns weight -40',
      ' }',
      ' track_interface {',
      '  eth1',
      '  eth2 weight 10',
      ' }',
      ' notify_master /etc/keepalived/master.sh',
      ' notify_backup "/etc/keepalived/state.sh backup"',
      ' notify_fault /etc/keepalived/fault.sh',
      ' notify_stop /etc/keepalived/stop.sh',
      ' notify /etc/keepalived/any.sh',
      ' garp_master_delay 1',
      ' no_accept',
      '}',
    ].join('\n')
    const config = parseKeepalivedConf(text)
    expect(config.warnings).toEqual([])
    expect(config.globalDefs).toMatchObject({ routerId: 'lb1', vrrpVersion: 3, scriptUser: { user: 'keepalived_script', group: 'users' }, enableScriptSecurity: true, garpMasterDelay: 3, garpMasterRepeat: 2, garpMasterRefresh: 60 })
    expect(config.scripts).toEqual([
      { name: 'chk_dns', script: '/usr/local/bin/check-dns 127.0.0.1', interval: 2, timeout: 1, weight: -30, rise: 2, fall: 3, user: { user: 'nobody', group: 'nogroup' }, location: { file: 'keepalived.conf', line: 10, column: 1 } },
    ])
    const vi = config.instances[0]!
    expect(vi).toMatchObject({ state: 'BACKUP', virtualRouterId: 53, priority: 120, advertInt: 0.5, nopreempt: false, preemptDelay: 30, unicastSrcIp: '192.0.2.1', garpMasterDelay: 1, accept: false })
    expect(vi.unicastPeers).toEqual([{ address: '192.0.2.2', minTtl: 1, maxTtl: 2, location: { file: 'keepalived.conf', line: 28, column: 3 } }])
    expect(vi.virtualIpaddresses.map(({ location: _location, ...v }) => v)).toEqual([
      { address: '192.0.2.53', prefixLength: 24, broadcast: '192.0.2.255', dev: 'eth0', scope: 'global', label: 'eth0:dns' },
      { address: '192.0.2.54' },
    ])
    expect(vi.virtualIpaddressesExcluded.map(({ location: _location, ...v }) => v)).toEqual([{ address: '2001:db8::53', prefixLength: 64, dev: 'eth0' }])
    expect(vi.trackScripts.map(({ location: _location, ...t }) => t)).toEqual([{ name: 'chk_dns', weight: -40 }])
    expect(vi.trackInterfaces.map(({ location: _location, ...t }) => t)).toEqual([{ name: 'eth1' }, { name: 'eth2', weight: 10 }])
    expect(vi.notify).toEqual({ master: '/etc/keepalived/master.sh', backup: '/etc/keepalived/state.sh backup', fault: '/etc/keepalived/fault.sh', stop: '/etc/keepalived/stop.sh', any: '/etc/keepalived/any.sh' })
    expect(parseKeepalivedConf(instance('  accept')).instances[0]!.accept).toBe(true)
  })

  it('reads a virtual_server with every check', () => {
    const text = [
      'virtual_server 10.0.0.10 53 {',
      ' delay_loop 2',
      ' lb_algo wlc',
      ' lb_kind NAT',
      ' protocol UDP',
      ' persistence_timeout 50',
      ' real_server 10.0.0.11 53 {',
      '  weight 3',
      '  inhibit_on_failure',
      '  MISC_CHECK {',
      '   misc_path "/bin/check 10.0.0.11"',
      '   misc_timeout 5',
      '   misc_dynamic',
      '  }',
      '  DNS_CHECK { type a',
      '   name example.com',
      '   connect_ip 10.0.0.11',
      '   connect_port 5353',
      '   connect_timeout 3',
      '   retry 2',
      '   delay_before_retry 1.5 }',
      '  TCP_CHECK {',
      '   connect_port 53',
      '   nb_get_retry 4',
      '  }',
      '  HTTP_GET {',
      '   url {',
      '    path /health',
      '    status_code 200',
      '    digest 9b3a0c85a887a256d6939da88aabd8cd',
      '   }',
      '   connect_timeout 2',
      '  }',
      ' }',
      ' sorry_server 10.0.0.99 53',
      '}',
    ].join('\n')
    const [vs] = parseKeepalivedConf(text).virtualServers
    expect(vs).toMatchObject({ address: '10.0.0.10', port: 53, delayLoop: 2, lbAlgo: 'wlc', lbKind: 'NAT', protocol: 'UDP', persistenceTimeout: 50, sorryServer: { address: '10.0.0.99', port: 53 } })
    const rs = vs!.realServers[0]!
    expect(rs).toMatchObject({ address: '10.0.0.11', port: 53, weight: 3, inhibitOnFailure: true })
    expect(rs.checks.map(({ location: _location, ...c }) => c)).toEqual([
      { kind: 'misc', path: '/bin/check 10.0.0.11', timeout: 5, dynamic: true },
      { kind: 'dns', type: 'A', name: 'example.com', connectIp: '10.0.0.11', connectPort: 5353, connectTimeout: 3, retry: 2, delayBeforeRetry: 1.5 },
      { kind: 'tcp', connectPort: 53, retry: 4 },
      { kind: 'http', tls: false, urls: [{ path: '/health', statusCode: 200, digest: '9b3a0c85a887a256d6939da88aabd8cd' }], connectTimeout: 2 },
    ])
  })
})
