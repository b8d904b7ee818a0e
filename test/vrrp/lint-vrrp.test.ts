import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { lintVrrp, VRRP_LINT_EXPLANATIONS, type VrrpLintRouter } from '../../src/vrrp/lint-vrrp.js'
import { parseKeepalivedConf } from '../../src/vrrp/parse-keepalived-conf.js'

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8')
const withoutAuth = (text: string): string => text.replace(/authentication \{\nauth_type PASS\nauth_pass 8888\n\}\n/, '')

/** The master and backup seeds, edited by `edit`, without PASS authentication unless `keepAuth`. */
function seeds(edit: (text: string, role: 'master' | 'backup') => string = (t) => t, keepAuth = false) {
  return (['master', 'backup'] as const).map((role) => {
    const text = fixture(`keepalived-${role}.conf`)
    return parseKeepalivedConf(edit(keepAuth ? text : withoutAuth(text), role), { file: `${role}.conf` })
  })
}

const rules = (findings: ReturnType<typeof lintVrrp>): string[] => findings.map((f) => `${f.rule}@${f.file ?? '-'}:${f.line ?? '-'}`)

describe('lintVrrp', () => {
  it('finds nothing in a clean pair (the seeds without PASS authentication), from configs and from router options', () => {
    expect(seeds()[0]!.instances[0]!.authentication).toBeUndefined()
    expect(lintVrrp(seeds())).toEqual([])
    const routers: VrrpLintRouter[] = [
      { name: 'a', vrid: 7, priority: 150, vips: ['10.0.0.100'], primaryAddress: '10.0.0.1', unicastPeers: ['10.0.0.2'], track: [{ target: 'dns', weight: 60 }] },
      { name: 'b', vrid: 7, priority: 100, vips: ['10.0.0.100'], primaryAddress: '10.0.0.2', unicastPeers: ['10.0.0.1'] },
    ]
    expect(lintVrrp(routers)).toEqual([])
  })

  it('pass-authentication: the seeds as written', () => {
    const findings = lintVrrp(seeds(undefined, true))
    expect(rules(findings)).toEqual(['pass-authentication@master.conf:15', 'pass-authentication@backup.conf:15'])
    expect(findings[0]).toEqual({
      rule: 'pass-authentication',
      severity: 'warning',
      instance: 'VI_1',
      message: 'VI_1: PASS authentication (a clear-text password in every advert)',
      explanation: VRRP_LINT_EXPLANATIONS['pass-authentication'],
      file: 'master.conf',
      line: 15,
    })
    expect(rules(lintVrrp([{ vrid: 1, priority: 100, vips: ['10.0.0.1'], version: 2, auth: { type: 'pass', password: 'x' } }]))).toEqual(['pass-authentication@-:-'])
  })

  it('track-weight-cannot-cross: 150 vs 100 with weight -20 never hands over; -60 does', () => {
    const track = (weight: number) => (text: string, role: string) =>
      role === 'master' ? `vrrp_script chk {\n script /bin/true\n}\n${text.replace('advert_int 1', `advert_int 1\ntrack_script {\nchk weight ${weight}\n}`)}` : text
    const findings = lintVrrp(seeds(track(-20)))
    expect(rules(findings)).toEqual(['track-weight-cannot-cross@master.conf:12'])
    expect(findings[0]!.message).toBe('VI_1: priority 150 with tracks (weights -20) falls at most to 130, still above its peer VI_1 at 100: a failing check never hands the VIPs over')
    expect(lintVrrp(seeds(track(-60)))).toEqual([])
    // A positive weight on the backup counts as its best case: 100 + 40 = 140 > 130.
    const backupUp = (text: string, role: string) =>
      role === 'master' ? track(-20)(text, role) : `vrrp_script up {\n script /bin/true\n weight 40\n}\n${text.replace('advert_int 1', 'advert_int 1\ntrack_script {\nup\n}')}`
    expect(lintVrrp(seeds(backupUp))).toEqual([])
    // Router options: the router's weight lowers while down.
    const routers: VrrpLintRouter[] = [
      { name: 'a', vrid: 7, priority: 150, vips: ['10.0.0.100'], track: [{ target: 'dns', weight: 20 }] },
      { name: 'b', vrid: 7, priority: 100, vips: ['10.0.0.100'] },
    ]
    expect(rules(lintVrrp(routers))).toEqual(['track-weight-cannot-cross@-:-'])
  })

  it('nopreempt-initial-master', () => {
    const findings = lintVrrp(seeds((t, role) => (role === 'master' ? t.replace('advert_int 1', 'advert_int 1\nnopreempt') : t)))
    expect(rules(findings)).toEqual(['nopreempt-initial-master@master.conf:15'])
    expect(findings[0]!.severity).toBe('error')
    expect(rules(lintVrrp([{ vrid: 1, priority: 100, vips: ['10.0.0.1'], preempt: false, initialState: 'master' }]))).toEqual(['nopreempt-initial-master@-:-'])
  })

  it('equal-priority on a pair', () => {
    expect(rules(lintVrrp(seeds((t) => t.replace(/priority \d+/, 'priority 120'))))).toEqual(['equal-priority@backup.conf:9'])
  })

  it('duplicate-vrid: two instances on one interface of one host, and one vrid with different VIPs across a linked pair', () => {
    const twice = (t: string, role: string) => (role === 'master' ? `${t}\n${t.replace('VI_1', 'VI_2').replace('172.22.10.210', '172.22.10.211').replace(/global_defs \{\nrouter_id \w+\n\}\n/, '')}` : t)
    const findings = lintVrrp(seeds(twice).slice(0, 1))
    expect(rules(findings)).toEqual(['duplicate-vrid@master.conf:24'])
    expect(findings[0]!.message).toBe('VI_2: vrid 88 is also used by VI_1 on interface ens192')
    const otherVip = (t: string, role: string) => (role === 'backup' ? t.replace('172.22.10.210/24', '172.22.10.211/24') : t)
    expect(rules(lintVrrp(seeds(otherVip)))).toEqual(['duplicate-vrid@backup.conf:8'])
  })

  it('advert-interval: what VRRPv2 and VRRPv3 cannot carry', () => {
    expect(rules(lintVrrp(seeds((t) => t.replace('advert_int 1', 'advert_int 1.5'))))).toEqual(['advert-interval@master.conf:14', 'advert-interval@backup.conf:14'])
    expect(rules(lintVrrp(seeds((t) => t.replace('advert_int 1', 'version 3\nadvert_int 1.5'))))).toEqual([])
    expect(rules(lintVrrp(seeds((t) => t.replace('advert_int 1', 'version 3\nadvert_int 41'))))).toEqual(['advert-interval@master.conf:15', 'advert-interval@backup.conf:15'])
    expect(rules(lintVrrp([{ vrid: 1, priority: 100, vips: ['10.0.0.1'], version: 3, advertIntervalMs: 15 }]))).toEqual(['advert-interval@-:-'])
    expect(rules(lintVrrp([{ vrid: 1, priority: 100, vips: ['10.0.0.1'], version: 3, advertIntervalMs: 40_950 }]))).toEqual([])
  })

  it('unicast-peer-self', () => {
    const self = (t: string, role: string) => (role === 'master' ? t.replace('unicast_peer {\n172.22.10.50', 'unicast_peer {\n172.22.10.50\n172.22.10.237') : t)
    expect(rules(lintVrrp(seeds(self)))).toEqual(['unicast-peer-self@master.conf:11'])
  })

  it('vip-subnet: a VIP prefix that does not hold our own address; a /32 or a VIP without prefix is fine', () => {
    const moved = (t: string, role: string) => (role === 'master' ? t.replace('172.22.10.210/24', '172.22.11.210/24') : t)
    // Moving one host's VIP also makes the pair's VIP sets differ.
    expect(rules(lintVrrp(seeds(moved)))).toEqual(['vip-subnet@master.conf:15', 'duplicate-vrid@backup.conf:8'])
    expect(rules(lintVrrp(seeds((t) => t.replace('172.22.10.210/24', '172.22.11.210/32'))))).toEqual([])
    expect(rules(lintVrrp(seeds((t) => t.replace('172.22.10.210/24', '172.22.11.210'))))).toEqual([])
    expect(rules(lintVrrp([{ vrid: 1, priority: 100, vips: ['2001:db8:1::5/64'], primaryAddress: '2001:db8:2::1' }]))).toEqual(['vip-subnet@-:-'])
    expect(rules(lintVrrp([{ vrid: 1, priority: 100, vips: ['2001:db8:1::5/64'], primaryAddress: '2001:db8:1::1' }]))).toEqual([])
  })
})
