/**
 * keepalived itself as the oracle: every config below goes through `keepalived --config-test`
 * (in a throwaway network namespace whose veth pairs provide the interfaces the configs name)
 * and through parseKeepalivedConf; both must accept or both refuse. "We refuse" means a
 * ConfigSyntaxError, or a warning marked `configTestFails` (keepalived carries on but its
 * config test exits non-zero).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { nodeKeepalivedFiles } from '../../src/vrrp/node-files.js'
import { parseKeepalivedConf } from '../../src/vrrp/parse-keepalived-conf.js'

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8')

const namespaceScript = 'ip link add ens192 type veth peer name enp4s0 && ip link add eth0 type veth peer name eth1 && exec keepalived --config-test -f "$0" --log-console --dont-fork'

function oracleProblem(): string | undefined {
  const version = spawnSync('keepalived', ['--version'], { encoding: 'utf8' })
  if (version.error !== undefined) return 'keepalived is not installed (apt-get install keepalived)'
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link add t0 type veth peer name t1'], { encoding: 'utf8' })
  if (probe.status !== 0) return `cannot make a network namespace with veth pairs (needs root): ${(probe.stderr || probe.error?.message || '').trim()}`
  return undefined
}

const problem = oracleProblem()
if (problem !== undefined) console.warn(`skipping keepalived oracle: ${problem}`)

const instance = (body: string, head = ''): string => `${head}vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n${body}\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n}\n`

/** [name, config text]: keepalived decides which are good. */
const cases: [string, string][] = [
  ['master seed', fixture('keepalived-master.conf')],
  ['backup seed', fixture('keepalived-backup.conf')],
  ['master seed with // comments', fixture('keepalived-master-slash-comments.conf')],
  ['backup seed with // comments', fixture('keepalived-backup-slash-comments.conf')],
  ['LVS seed, real addresses', fixture('keepalived-lvs-dns.conf')],
  ['LVS seed, placeholders', fixture('keepalived-lvs-dns-placeholders.conf')],
  ['// after single-value keywords', 'global_defs {\n router_id ld444 //id\n}\n' + instance('  priority 150 //prio\n  advert_int 1 //int')],
  ['braces on one line', 'vrrp_instance VI_1 { interface eth0\n virtual_router_id 5\n virtual_ipaddress { 10.0.0.1 }\n}\n'],
  ['brace on its own line, # and ! comments', 'vrrp_instance VI_1\n{\n interface eth0 # c\n virtual_router_id 5 ! c\n virtual_ipaddress {\n 10.0.0.1\n }\n}\n'],
  ['two VIPs on one line', 'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 5\n virtual_ipaddress {\n 10.0.0.1 10.0.0.2\n }\n}\n'],
  ['VIP with every option', instance('  virtual_ipaddress_excluded {\n    10.0.0.2/24 brd 10.0.0.255 dev eth0 scope global label eth0:1\n  }')],
  ['unknown keyword', instance('  frobnicate 3')],
  ['unknown global keyword', 'global_defs {\n foo_bar 1\n}\n' + instance('')],
  ['known unused global keywords', 'global_defs {\n notification_email {\n  root@localhost\n }\n smtp_connect_timeout 30\n vrrp_skip_check_adv_addr\n vrrp_garp_interval 0.001\n vrrp_gna_interval 0.000001\n}\n' + instance('')],
  ['missing value', instance('  priority')],
  ['bad number', instance('  priority abc')],
  ['priority 0', instance('  priority 0')],
  ['priority 255', instance('  priority 255')],
  ['priority 256', instance('  priority 256')],
  ['vrid 0', instance('  virtual_router_id 0')],
  ['vrid 255', instance('  virtual_router_id 255')],
  ['vrid 256', instance('  virtual_router_id 256')],
  ['no vrid', 'vrrp_instance VI_1 {\n interface eth0\n virtual_ipaddress {\n 10.0.0.1\n }\n}\n'],
  ['bad unicast_src_ip', instance('  unicast_src_ip 10.0.0.500')],
  ['bad VIP', instance('  virtual_ipaddress_excluded {\n    10.0.0.300/24\n  }')],
  ['VIP of the other family', 'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 5\n virtual_ipaddress {\n 10.0.0.1\n fe80::1/64\n }\n}\n'],
  ['unknown state', instance('  state FOO')],
  ['auth_pass of 8', instance('  authentication {\n    auth_type PASS\n    auth_pass 12345678\n  }')],
  ['auth_pass of 9 (truncated)', instance('  authentication {\n    auth_type PASS\n    auth_pass 123456789\n  }')],
  ['auth AH', instance('  authentication {\n    auth_type AH\n    auth_pass 1234\n  }')],
  ['auth type unknown', instance('  authentication {\n    auth_type FOO\n  }')],
  ['v3 with authentication', instance('  version 3\n  authentication {\n    auth_type PASS\n    auth_pass 1234\n  }')],
  ['nopreempt with MASTER', instance('  state MASTER\n  priority 100\n  nopreempt')],
  ['nopreempt with BACKUP', instance('  nopreempt')],
  ['nopreempt with preempt_delay', instance('  nopreempt\n  preempt_delay 10')],
  ['preempt keyword', instance('  preempt')],
  ['preempt_delay alone', instance('  preempt_delay 10')],
  ['advert_int 0', instance('  advert_int 0')],
  ['advert_int 0.5 on v2', instance('  advert_int 0.5')],
  ['advert_int 0.5 on v3', instance('  version 3\n  advert_int 0.5')],
  ['advert_int 41 on v3', instance('  version 3\n  advert_int 41')],
  ['advert_int 300', instance('  advert_int 300')],
  ['version 4', instance('  version 4')],
  ['preempt_delay 2000', instance('  preempt_delay 2000')],
  ['unicast peers with ttl', instance('  unicast_src_ip 10.0.0.5\n  unicast_peer {\n    10.0.0.6 min_ttl 1 max_ttl 3\n  }')],
  ['track_interface weights', instance('  track_interface {\n    eth1 weight -20\n  }')],
  ['track_interface weight -300', instance('  track_interface {\n    eth1 weight -300\n  }')],
  ['weights on an owner', instance('  priority 255\n  track_interface {\n    eth1 weight -20\n  }')],
  ['unknown track_script', instance('  track_script {\n    chk\n  }')],
  ['vrrp_script and track_script', instance('  track_script {\n    chk weight -20\n  }', 'global_defs {\n enable_script_security\n script_user root\n}\nvrrp_script chk {\n script "/bin/true"\n interval 2\n fall 2\n rise 2\n}\n')],
  ['duplicate vrid on one interface', instance('') + instance('').replace('VI_1', 'VI_2').replace('10.0.0.1/24', '10.0.0.2/24')],
  ['unbalanced: extra }', instance('') + '}\n'],
  ['unbalanced: missing }', 'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 5\n virtual_ipaddress {\n 10.0.0.1\n }\n'],
  ['unknown block', instance('  foo {\n    bar 1\n  }')],
  ['accept and garp_master_delay', instance('  accept\n  garp_master_delay 5')],
  ['no_accept', instance('  no_accept')],
  ['virtual_server with every check', 'virtual_server 10.0.0.10 53 {\n delay_loop 2\n lb_algo wlc\n lb_kind NAT\n protocol UDP\n persistence_timeout 50\n real_server 10.0.0.11 53 {\n  weight 3\n  inhibit_on_failure\n  DNS_CHECK {\n   type A\n   name example.com\n   connect_timeout 3\n   retry 2\n   delay_before_retry 1\n  }\n  TCP_CHECK {\n   connect_port 53\n  }\n  HTTP_GET {\n   url {\n    path /health\n    status_code 200\n   }\n   connect_timeout 2\n  }\n }\n sorry_server 10.0.0.99 53\n}\n'],
  ['unknown lb_algo', 'virtual_server 10.0.0.10 53 {\n lb_algo fastest\n real_server 10.0.0.11 53 {\n }\n}\n'],
]

describe.skipIf(problem !== undefined)('keepalived --config-test agrees with parseKeepalivedConf', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keepalived-oracle-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  for (const [name, text] of cases) {
    it(name, () => {
      const file = join(dir, `${name.replace(/\W+/g, '-')}.conf`)
      writeFileSync(file, text)
      const run = spawnSync('unshare', ['-n', 'sh', '-c', namespaceScript, file], { encoding: 'utf8', timeout: 20_000 })
      const keepalivedAccepts = run.status === 0
      let ours: string
      try {
        const config = parseKeepalivedConf(text, { file, ...nodeKeepalivedFiles })
        const failing = config.warnings.filter((w) => w.configTestFails)
        ours = failing.length === 0 ? 'accept' : `refuse (warning: ${failing[0]!.message})`
      } catch (error) {
        ours = `refuse (${(error as Error).message})`
      }
      const said = `${run.stdout}${run.stderr}`.trim()
      expect({ ours: ours.startsWith('accept'), detail: ours }).toEqual({ ours: keepalivedAccepts, detail: expect.any(String) })
      if (!keepalivedAccepts) expect(said, 'keepalived says why it refuses').not.toBe('')
    })
  }
})
