// LinuxVip against a fake host: the `ip` command lines it runs, which failures are harmless,
// the gratuitous ARPs it sends, and its errors. The real `ip` and AF_PACKET socket are
// exercised by test/vrrp/namespace.test.ts.
import { describe, expect, it } from 'vitest'
import { isDnsHaError } from '../../src/util/errors.js'
import { gratuitousArpFrame } from '../../src/vrrp/arp.js'
import { ipAddrArgs, LinuxVip } from '../../src/vrrp/linux-vip.js'
import { unsolicitedNaFrame } from '../../src/vrrp/ndisc.js'
import { FakeClock } from '../../src/testing/index.js'
import { eth0, FakeHost } from './fake-host.js'

describe('ipAddrArgs', () => {
  it('builds the ip command keepalived runs, with a /32 and the default label', () => {
    expect(ipAddrArgs('add', '192.0.2.100', { interface: 'eth0' })).toEqual(['-4', 'addr', 'add', '192.0.2.100/32', 'dev', 'eth0', 'label', 'eth0:vip'])
    expect(ipAddrArgs('del', '192.0.2.100', { interface: 'eth0', prefixLength: 24, label: 'eth0:web' })).toEqual(['-4', 'addr', 'del', '192.0.2.100/24', 'dev', 'eth0', 'label', 'eth0:web'])
    expect(ipAddrArgs('add', '192.0.2.100', { interface: 'eth0', label: false })).toEqual(['-4', 'addr', 'add', '192.0.2.100/32', 'dev', 'eth0'])
  })

  it('leaves the label out when <interface>:vip would pass 15 characters', () => {
    expect(ipAddrArgs('add', '192.0.2.100', { interface: 'enp0s31f6abcd' })).toEqual(['-4', 'addr', 'add', '192.0.2.100/32', 'dev', 'enp0s31f6abcd'])
    expect(ipAddrArgs('add', '192.0.2.100', { interface: 'enp0s31f6ab' })).toContain('enp0s31f6ab:vip')
  })

  it('IPv6: /128, nodad on add, no label', () => {
    expect(ipAddrArgs('add', '2001:db8::100', { interface: 'eth0' })).toEqual(['-6', 'addr', 'add', '2001:db8::100/128', 'dev', 'eth0', 'nodad'])
    expect(ipAddrArgs('del', '2001:db8::100', { interface: 'eth0' })).toEqual(['-6', 'addr', 'del', '2001:db8::100/128', 'dev', 'eth0'])
  })

  it('refuses what is not an address', () => {
    expect(() => ipAddrArgs('add', '192.0.2.300', { interface: 'eth0' })).toThrow(/not an IP address/)
  })
})

describe('LinuxVip', () => {
  it('add: one ip command per VIP, then garpRepeat gratuitous ARPs per IPv4 VIP and unsolicited NAs per IPv6 VIP from the interface MAC', async () => {
    const host = new FakeHost([eth0])
    const vip = new LinuxVip({ interface: 'eth0', host, garpRepeat: 2 })
    await vip.add(['192.0.2.100', '192.0.2.101', '2001:db8::100'])
    expect(host.calls.map((c) => [c.command, ...c.args].join(' '))).toEqual([
      'ip -4 addr add 192.0.2.100/32 dev eth0 label eth0:vip',
      'ip -4 addr add 192.0.2.101/32 dev eth0 label eth0:vip',
      'ip -6 addr add 2001:db8::100/128 dev eth0 nodad',
    ])
    expect(host.calls.every((c) => c.timeoutMs === 5000)).toBe(true)
    const a = gratuitousArpFrame(eth0.mac, '192.0.2.100')
    const b = gratuitousArpFrame(eth0.mac, '192.0.2.101')
    const c = unsolicitedNaFrame(eth0.mac, '2001:db8::100')
    expect(host.frames).toEqual([{ iface: 'eth0', frames: [a, b, c, a, b, c] }])
  })

  it('defaults to 5 gratuitous ARPs (keepalived garp_master_repeat); 0 sends none', async () => {
    const host = new FakeHost([eth0])
    await new LinuxVip({ interface: 'eth0', host }).add(['192.0.2.100'])
    expect(host.frames[0]!.frames).toHaveLength(5)
    const quiet = new FakeHost([eth0])
    await new LinuxVip({ interface: 'eth0', host: quiet, garpRepeat: 0 }).add(['192.0.2.100'])
    expect(quiet.frames).toEqual([])
  })

  it('add of an address already held is not an error and re-announces it', async () => {
    const host = new FakeHost([eth0])
    host.answer = () => ({ code: 2, stderr: 'RTNETLINK answers: File exists\n' })
    await new LinuxVip({ interface: 'eth0', host, garpRepeat: 1 }).add(['192.0.2.100'])
    expect(host.frames).toHaveLength(1)
  })

  it('remove: ip addr del for each; an address not held is not an error (both iproute2 wordings)', async () => {
    const host = new FakeHost([eth0])
    const stderrs = ['RTNETLINK answers: Cannot assign requested address\n', 'Error: ipv4: Address not found.\n']
    host.answer = (c) => ({ code: 2, stderr: stderrs[host.calls.indexOf(c)]! })
    const vip = new LinuxVip({ interface: 'eth0', host, ipCommand: '/sbin/ip' })
    await vip.removeStale(['192.0.2.100', '192.0.2.101'])
    expect(host.calls.map((c) => [c.command, ...c.args].join(' '))).toEqual(['/sbin/ip -4 addr del 192.0.2.100/32 dev eth0 label eth0:vip', '/sbin/ip -4 addr del 192.0.2.101/32 dev eth0 label eth0:vip'])
    expect(host.frames).toEqual([])
  })

  it('a real failure rejects with ERR_VRRP_VIP naming the command and stderr, after trying every VIP', async () => {
    const host = new FakeHost([eth0])
    host.answer = (c) => (c.args[3] === '192.0.2.100/32' ? { code: 2, stderr: 'RTNETLINK answers: Operation not permitted\n' } : {})
    const error = await new LinuxVip({ interface: 'eth0', host, garpRepeat: 1 })
      .add(['192.0.2.100', '192.0.2.101'])
      .then(() => undefined, (e: unknown) => e)
    expect(isDnsHaError(error, 'ERR_VRRP_VIP')).toBe(true)
    expect((error as Error).message).toBe('ip -4 addr add 192.0.2.100/32 dev eth0 label eth0:vip: exit 2: RTNETLINK answers: Operation not permitted')
    expect(host.calls).toHaveLength(2)
    // The VIP that was added is still announced.
    expect(host.frames).toEqual([{ iface: 'eth0', frames: [gratuitousArpFrame(eth0.mac, '192.0.2.101')] }])
  })

  it('a hung ip, a missing ip binary and a failed ARP send are errors too', async () => {
    const host = new FakeHost([eth0])
    host.answer = () => ({ code: null, signal: 'SIGKILL', timedOut: true })
    await expect(new LinuxVip({ interface: 'eth0', host, commandTimeoutMs: 50 }).remove(['192.0.2.100'])).rejects.toThrow('ip -4 addr del 192.0.2.100/32 dev eth0 label eth0:vip: killed after 50 ms')
    host.answer = () => {
      throw new Error('spawn ip ENOENT')
    }
    await expect(new LinuxVip({ interface: 'eth0', host }).remove(['192.0.2.100'])).rejects.toThrow(/spawn ip ENOENT/)
    host.answer = () => ({})
    host.framesError = new Error('sendto: Network is down')
    await expect(new LinuxVip({ interface: 'eth0', host }).add(['192.0.2.100'])).rejects.toThrow('gratuitous ARP / unsolicited NA for 192.0.2.100: sendto: Network is down')
    const gone = new FakeHost([])
    await expect(new LinuxVip({ interface: 'eth0', host: gone }).add(['192.0.2.100'])).rejects.toThrow(/no interface eth0/)
  })

  it('checks its options', () => {
    expect(() => new LinuxVip({ interface: 'eth0/x' })).toThrow(/interface/)
    expect(() => new LinuxVip({ interface: 'eth0', prefixLength: 33 })).toThrow(/prefixLength/)
    expect(() => new LinuxVip({ interface: 'eth0', label: 'eth1:vip' })).toThrow(/label/)
    expect(() => new LinuxVip({ interface: 'eth0', label: 'eth0:0123456789a' })).toThrow(/label/)
    expect(() => new LinuxVip({ interface: 'eth0', garpRepeat: -1 })).toThrow(/garpRepeat/)
    expect(() => new LinuxVip({ interface: 'eth0', label: 'eth0:web', prefixLength: 24, garpRepeat: 0 })).not.toThrow()
  })
})

describe('LinuxVip burst timing (keepalived garp_master_delay and garp_master_refresh)', () => {
  const bursts = (host: FakeHost): number => host.frames.length

  it('sends a second burst garpMasterDelayMs after an add (default 5000 ms), then nothing more without refresh', async () => {
    const host = new FakeHost([eth0])
    const clock = new FakeClock()
    const vip = new LinuxVip({ interface: 'eth0', host, clock, garpRepeat: 1 })
    await vip.add(['192.0.2.100', 'fd00:dead::1'])
    expect(bursts(host)).toBe(1)
    clock.advance(4999)
    expect(bursts(host)).toBe(1)
    clock.advance(1)
    expect(bursts(host)).toBe(2)
    expect(host.frames[1]!.frames).toEqual([gratuitousArpFrame(eth0.mac, '192.0.2.100'), unsolicitedNaFrame(eth0.mac, 'fd00:dead::1')])
    clock.advance(60_000)
    expect(bursts(host)).toBe(2)
  })

  it('garpMasterDelayMs 0 sends no second burst', async () => {
    const host = new FakeHost([eth0])
    const clock = new FakeClock()
    await new LinuxVip({ interface: 'eth0', host, clock, garpMasterDelayMs: 0 }).add(['192.0.2.100'])
    clock.advance(60_000)
    expect(bursts(host)).toBe(1)
  })

  it('garpMasterRefreshMs repeats the burst while held; remove stops the delayed and periodic bursts', async () => {
    const host = new FakeHost([eth0])
    const clock = new FakeClock()
    const vip = new LinuxVip({ interface: 'eth0', host, clock, garpMasterDelayMs: 2000, garpMasterRefreshMs: 10_000 })
    await vip.add(['192.0.2.100'])
    clock.advance(2000) // the delayed burst
    expect(bursts(host)).toBe(2)
    clock.advance(8000) // 10 s: the first refresh
    expect(bursts(host)).toBe(3)
    clock.advance(10_000)
    expect(bursts(host)).toBe(4)
    await vip.remove(['192.0.2.100'])
    clock.advance(60_000)
    expect(bursts(host)).toBe(4)
    // Removed before the delay ran out: no late burst for an address we no longer hold.
    await vip.add(['192.0.2.100'])
    await vip.remove(['192.0.2.100'])
    clock.advance(60_000)
    expect(bursts(host)).toBe(5)
  })

  it('a second add restarts the delay instead of stacking a second timer', async () => {
    const host = new FakeHost([eth0])
    const clock = new FakeClock()
    const vip = new LinuxVip({ interface: 'eth0', host, clock })
    await vip.add(['192.0.2.100'])
    clock.advance(3000)
    await vip.add(['192.0.2.100'])
    clock.advance(2000)
    expect(bursts(host)).toBe(2)
    clock.advance(3000)
    expect(bursts(host)).toBe(3)
  })

  it('a failed delayed burst goes to onError, not out of the timer', async () => {
    const host = new FakeHost([eth0])
    const clock = new FakeClock()
    const errors: Error[] = []
    const vip = new LinuxVip({ interface: 'eth0', host, clock, onError: (e) => errors.push(e) })
    await vip.add(['192.0.2.100'])
    host.framesError = new Error('sendto: Network is down')
    expect(() => clock.advance(5000)).not.toThrow()
    expect(errors.map((e) => e.message)).toEqual(['vrrp LinuxVip on eth0: delayed gratuitous ARP / unsolicited NA for 192.0.2.100: sendto: Network is down'])
  })

  it('refuses negative timings and IPv6 prefixes outside 1..128; uses prefixLength6 for IPv6 VIPs', async () => {
    expect(() => new LinuxVip({ interface: 'eth0', garpMasterDelayMs: -1 })).toThrow(/garpMasterDelayMs/)
    expect(() => new LinuxVip({ interface: 'eth0', garpMasterRefreshMs: Number.NaN })).toThrow(/garpMasterRefreshMs/)
    expect(() => new LinuxVip({ interface: 'eth0', prefixLength6: 129 })).toThrow(/prefixLength6/)
    const host = new FakeHost([eth0])
    await new LinuxVip({ interface: 'eth0', host, prefixLength6: 64, clock: new FakeClock() }).add(['fd00:dead::1'])
    expect(host.calls[0]!.args).toEqual(['-6', 'addr', 'add', 'fd00:dead::1/64', 'dev', 'eth0', 'nodad'])
  })
})
