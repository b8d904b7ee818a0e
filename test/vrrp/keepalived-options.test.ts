import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { HealthProber } from '../../src/health/prober.js'
import { scriptCheck } from '../../src/health/script-check.js'
import type { ProcessRunner } from '../../src/health/node-process.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { splitKeepalivedCommand, vrrpRouterOptionsFromKeepalived } from '../../src/vrrp/keepalived-options.js'
import { MemoryVrrpSegment } from '../../src/vrrp/memory-transport.js'
import { parseKeepalivedConf } from '../../src/vrrp/parse-keepalived-conf.js'
import { VrrpRouter } from '../../src/vrrp/router.js'
import { MemoryVipActions } from '../../src/vrrp/vip-actions.js'

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8')

/** Maps the only instance of `text`. */
function map(text: string) {
  const config = parseKeepalivedConf(text, { file: 'k.conf' })
  return vrrpRouterOptionsFromKeepalived(config.instances[0]!, config)
}

/** The error a mapping throws. */
function mapError(text: string): Error & { code: string; details: Record<string, unknown> } {
  try {
    map(text)
  } catch (error) {
    expect(isDnsHaError(error, 'ERR_VRRP_CONFIG')).toBe(true)
    return error as Error & { code: string; details: Record<string, unknown> }
  }
  throw new Error('expected ERR_VRRP_CONFIG')
}

const instance = (body: string, head = ''): string => `${head}vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n${body}\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n}\n`

describe('vrrpRouterOptionsFromKeepalived', () => {
  it('maps the master seed to router fields and host fields', () => {
    const mapping = map(fixture('keepalived-master.conf'))
    expect(mapping.name).toBe('VI_1')
    expect(mapping.router).toEqual({
      vrid: 88,
      priority: 150,
      advertIntervalMs: 1000,
      preempt: true,
      preemptDelayMs: 0,
      acceptMode: false,
      version: 2,
      vips: ['172.22.10.210'],
      initialState: 'backup',
      unicastPeers: ['172.22.10.50'],
      auth: { type: 'pass', password: '8888' },
      primaryAddress: '172.22.10.237',
    })
    expect(mapping.host).toEqual({
      state: 'MASTER',
      interface: 'ens192',
      vips: [{ address: '172.22.10.210', prefixLength: 24, dev: 'ens192', label: 'ens192:0' }],
      excludedVips: [],
      notify: {},
      unicastSrcIp: '172.22.10.237',
      garp: { masterDelayMs: 5000, masterRepeat: 5, masterRefreshMs: 0 },
      enableScriptSecurity: false,
    })
    expect(mapping.tracks).toEqual([])
    expect(mapping.scripts).toEqual([])
  })

  it('the two seeds, mapped, run as a pair: the MASTER takes the VIP, the BACKUP stays backup, and takes over when the master stops', async () => {
    const clock = new FakeClock({ now: 0 })
    const segment = new MemoryVrrpSegment({ clock })
    const start = (file: string) => {
      const { router: fields } = map(fixture(file))
      const vips = new MemoryVipActions(() => clock.now())
      const router = new VrrpRouter({ ...fields, transport: segment.attach(fields.primaryAddress!), clock, vipActions: vips })
      return { router, vips }
    }
    const master = start('keepalived-master.conf')
    const backup = start('keepalived-backup.conf')
    await master.router.start()
    await backup.router.start()
    clock.advance(5000)
    expect(master.router.snapshot().state).toBe('master')
    expect(backup.router.snapshot().state).toBe('backup')
    expect([...master.vips.held]).toEqual(['172.22.10.210'])
    await master.router.stop()
    clock.advance(1000)
    expect(backup.router.snapshot().state).toBe('master')
  })

  it("applies keepalived's defaults: version 2, advert 1 s, priority 255 for state MASTER and 100 otherwise, VIP length /32", () => {
    const text = 'vrrp_instance A {\n virtual_router_id 9\n virtual_ipaddress {\n 10.0.0.9\n }\n}\n'
    expect(map(text).router).toMatchObject({ priority: 100, version: 2, advertIntervalMs: 1000, initialState: 'backup', preempt: true })
    expect(map(text).host.vips).toEqual([{ address: '10.0.0.9', prefixLength: 32, dev: undefined }])
    expect(map(text.replace(' virtual_router_id 9', ' state MASTER\n virtual_router_id 9')).router).toMatchObject({ priority: 255, initialState: 'backup' })
    expect(map(instance('  version 3\n  advert_int 0.25\n  preempt_delay 12.5\n  accept')).router).toMatchObject({
      version: 3,
      advertIntervalMs: 250,
      preempt: true,
      preemptDelayMs: 12_500,
      acceptMode: true,
    })
    expect(map(instance('  nopreempt')).router.preempt).toBe(false)
    expect(map(instance('', 'global_defs {\n vrrp_version 3\n}\n')).router.version).toBe(3)
  })

  it('refuses nopreempt with state MASTER, naming the line', () => {
    const error = mapError(instance('  state MASTER\n  nopreempt'))
    expect(error.message).toMatch(/^k\.conf:5:3: vrrp_instance VI_1: nopreempt with state MASTER: a MASTER start takes the VIPs/)
    expect(error.details).toMatchObject({ file: 'k.conf', line: 5, instance: 'VI_1' })
  })

  it('refuses what keepalived would silently change: a fractional v2 interval, v3 authentication, AH, weights on an owner, weights above 254', () => {
    expect(mapError(instance('  advert_int 1.5')).message).toMatch(/advert_int 1.5: VRRPv2 carries whole seconds/)
    expect(mapError(instance('  version 3\n  authentication {\n    auth_type PASS\n    auth_pass x\n  }')).message).toMatch(/authentication with VRRPv3/)
    expect(mapError(instance('  authentication {\n    auth_type AH\n    auth_pass x\n  }')).message).toMatch(/auth_type AH is not supported/)
    expect(mapError(instance('  priority 255\n  track_interface {\n    eth1 weight -10\n  }')).message).toMatch(/keepalived ignores weights on an address owner/)
    expect(mapError(instance('  priority 250\n  track_interface {\n    eth1 weight 10\n  }')).message).toMatch(/priority 250 plus positive track weights is 260/)
    expect(mapError(instance('  nopreempt\n  preempt_delay 3')).message).toMatch(/preempt_delay with nopreempt/)
    expect(mapError('vrrp_instance A {\n virtual_router_id 1\n}\n').message).toMatch(/no virtual_ipaddress/)
  })

  it('maps track weights: negative lowers while down, positive raises while up (the base includes it), 0 is FAULT', () => {
    const text = instance(
      '  priority 100\n  track_script {\n    chk_a\n    chk_b weight -30\n  }\n  track_interface {\n    eth1 weight 20\n    eth2\n  }',
      'vrrp_script chk_a {\n script "/bin/check a"\n weight -10\n}\nvrrp_script chk_b {\n script /bin/b\n weight 5\n}\n',
    )
    const mapping = map(text)
    expect(mapping.router.priority).toBe(120)
    expect(mapping.tracks.map(({ location: _location, ...t }) => t)).toEqual([
      { kind: 'script', target: 'chk_a', weight: 10, keepalivedWeight: -10 },
      { kind: 'script', target: 'chk_b', weight: 30, keepalivedWeight: -30 },
      { kind: 'interface', target: 'eth1', weight: 20, keepalivedWeight: 20 },
      { kind: 'interface', target: 'eth2', weight: 0, keepalivedWeight: 0 },
    ])
  })

  it('maps a vrrp_script to HealthProber + scriptCheck options, with keepalived defaults (timeout = interval, rise = fall = 1)', async () => {
    const head = 'global_defs {\n script_user keepalived_script\n}\nvrrp_script chk {\n script "/usr/bin/check \'two words\' x"\n interval 2\n rise 2\n fall 3\n}\nvrrp_script other {\n script /bin/true\n timeout 4\n}\n'
    const mapping = map(instance('  track_script {\n    chk\n    other\n    chk weight -5\n  }', head))
    expect(mapping.scripts).toEqual([
      { name: 'chk', script: { command: '/usr/bin/check', args: ['two words', 'x'], timeoutMs: 2000 }, intervalMs: 2000, timeoutMs: 2000, rise: 2, fall: 3, user: { user: 'keepalived_script' } },
      { name: 'other', script: { command: '/bin/true', args: [], timeoutMs: 4000 }, intervalMs: 1000, timeoutMs: 4000, rise: 1, fall: 1, user: { user: 'keepalived_script' } },
    ])
    // The names are the health module's: the target runs as is.
    const clock = new FakeClock({ now: 0 })
    const ran: string[][] = []
    const runner: ProcessRunner = { run: async (command, args) => (ran.push([command, ...args]), { code: 1, signal: null, pid: 1, stderr: 'nope' }) }
    const prober = new HealthProber({ clock })
    const { script, ...target } = mapping.scripts[0]!
    prober.add({ ...target, check: scriptCheck({ ...script, runner }) })
    for (let i = 0; i < 4; i++) await clock.advanceAsync(2000)
    expect(ran[0]).toEqual(['/usr/bin/check', 'two words', 'x'])
    expect(prober.state('chk')).toBe('down')
    prober.close()
  })

  it('passes notify scripts, excluded VIPs, garp timing and script security to the host side', () => {
    const head = 'global_defs {\n enable_script_security\n script_user root\n vrrp_garp_master_delay 2\n vrrp_garp_master_repeat 3\n vrrp_garp_master_refresh 60\n}\n'
    const mapping = map(
      instance('  notify_master "/etc/k/master.sh VI_1"\n  notify /etc/k/any.sh\n  garp_master_delay 1\n  virtual_ipaddress_excluded {\n    2001:db8::1/64 dev eth1\n  }', head),
    )
    expect(mapping.host).toMatchObject({
      notify: { master: '/etc/k/master.sh VI_1', any: '/etc/k/any.sh' },
      excludedVips: [{ address: '2001:db8::1', prefixLength: 64, dev: 'eth1' }],
      garp: { masterDelayMs: 1000, masterRepeat: 3, masterRefreshMs: 60_000 },
      scriptUser: { user: 'root' },
      enableScriptSecurity: true,
    })
  })

  it('splitKeepalivedCommand splits on whitespace with quotes, no shell', () => {
    expect(splitKeepalivedCommand(`/bin/a  b "c d" 'e f'g`)).toEqual(['/bin/a', 'b', 'c d', 'e fg'])
    expect(splitKeepalivedCommand('x ""')).toEqual(['x', ''])
  })
})
