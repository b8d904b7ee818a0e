// Notify hooks on a simulated LAN (FakeClock): which scripts run with which arguments on each
// transition, in order, and that failing, hung or missing scripts become warnings.
import { describe, expect, it } from 'vitest'
import { attachNotify, notifyCalls, splitCommandLine, type NotifyEvent } from '../../src/vrrp/notify.js'
import type { VrrpWarningEvent } from '../../src/vrrp/types.js'
import { FakeHost } from './fake-host.js'
import { lan, masterDown } from './helpers.js'

const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve()
}

describe('splitCommandLine', () => {
  it('splits on white space, quotes group, no shell', () => {
    expect(splitCommandLine('/etc/keepalived/notify.sh  master')).toEqual(['/etc/keepalived/notify.sh', 'master'])
    expect(splitCommandLine(`/usr/bin/logger -t "vrrp state" 'it is $HOME'`)).toEqual(['/usr/bin/logger', '-t', 'vrrp state', 'it is $HOME'])
    expect(splitCommandLine('a "" b')).toEqual(['a', '', 'b'])
    expect(() => splitCommandLine('a "b')).toThrow(/unclosed/)
    expect(() => splitCommandLine('   ')).toThrow(/empty/)
  })
})

describe('notifyCalls', () => {
  const event: NotifyEvent = { type: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 150 }
  it('the state hook as given, then notify with INSTANCE <name> <STATE> <priority> appended', () => {
    const hooks = { notifyMaster: '/bin/master.sh up', notifyBackup: '/bin/backup.sh', notify: '/bin/notify.sh' }
    expect(notifyCalls(hooks, event)).toEqual([['/bin/master.sh', 'up'], ['/bin/notify.sh', 'INSTANCE', 'VI_1', 'MASTER', '150']])
    expect(notifyCalls(hooks, { ...event, state: 'BACKUP', priority: 100 })).toEqual([['/bin/backup.sh'], ['/bin/notify.sh', 'INSTANCE', 'VI_1', 'BACKUP', '100']])
    expect(notifyCalls({ notifyFault: '/f', notifyStop: '/s' }, { ...event, state: 'FAULT' })).toEqual([['/f']])
    expect(notifyCalls({ notifyFault: '/f', notifyStop: '/s' }, { ...event, state: 'STOP' })).toEqual([['/s']])
    expect(notifyCalls({}, event)).toEqual([])
  })
})

describe('attachNotify', () => {
  it('runs the hooks on every transition with keepalived arguments, in order, with the timeout', async () => {
    const net = lan()
    const a = net.add('10.0.0.1', 150)
    const host = new FakeHost()
    const handle = attachNotify(a.router, { notifyMaster: '/bin/m', notifyBackup: '/bin/b', notifyStop: '/bin/s', notify: '/bin/n' }, { name: 'VI_DNS', run: host.run, timeoutMs: 1234 })
    await a.router.start()
    net.advanceTo(masterDown(150) + 1)
    await a.router.stop()
    await handle.settled()
    expect(host.calls.map((c) => [c.command, ...c.args].join(' '))).toEqual([
      '/bin/b',
      '/bin/n INSTANCE VI_DNS BACKUP 150',
      '/bin/m',
      '/bin/n INSTANCE VI_DNS MASTER 150',
      '/bin/s',
      '/bin/n INSTANCE VI_DNS STOP 150',
    ])
    expect(host.calls.every((c) => c.timeoutMs === 1234)).toBe(true)
  })

  it('a function hook gets the event; the name defaults to VI_<vrid>; detaching stops the hooks', async () => {
    const net = lan()
    const a = net.add('10.0.0.1', 100)
    const seen: NotifyEvent[] = []
    const handle = attachNotify(a.router, { notify: (e) => void seen.push(e) })
    await a.router.start()
    await flush()
    expect(seen).toEqual([{ type: 'INSTANCE', name: 'VI_88', state: 'BACKUP', priority: 100 }])
    handle.detach()
    net.advanceTo(masterDown(100) + 1)
    await flush()
    expect(seen).toHaveLength(1)
    expect(a.router.state).toBe('master')
  })

  it('waits for one script before the next: a slow MASTER script finishes before BACKUP starts', async () => {
    const net = lan()
    const a = net.add('10.0.0.1', 100)
    const host = new FakeHost()
    let release!: () => void
    const started: string[] = []
    host.answer = (c) => {
      started.push(c.command)
      return c.command === '/m' ? new Promise((r) => (release = () => r({}))) : {}
    }
    const handle = attachNotify(a.router, { notifyMaster: '/m', notifyBackup: '/b' }, { run: host.run })
    await a.router.start()
    net.advanceTo(masterDown(100) + 1) // master
    const b = net.add('10.0.0.2', 200)
    await b.router.start()
    net.advanceTo(masterDown(100) + 1 + masterDown(200) + 1) // b takes over: a goes back to backup
    expect(a.router.state).toBe('backup')
    await flush()
    expect(started).toEqual(['/b', '/m'])
    let settled = false
    void handle.settled().then(() => (settled = true))
    await flush()
    expect(settled).toBe(false)
    release()
    await handle.settled()
    expect(started).toEqual(['/b', '/m', '/b'])
  })

  it('failing, hung, unstartable scripts and throwing functions become warning events; the router carries on', async () => {
    const net = lan()
    const a = net.add('10.0.0.1', 100)
    const host = new FakeHost()
    host.answer = (c) => {
      if (c.command === '/exit3') return { code: 3, stderr: 'no route\n' }
      if (c.command === '/hung') return { code: null, signal: 'SIGKILL', timedOut: true }
      throw new Error('spawn /missing ENOENT')
    }
    const warnings: VrrpWarningEvent[] = []
    a.router.on('warning', (w) => warnings.push(w))
    attachNotify(
      a.router,
      {
        notifyBackup: '/exit3',
        notifyMaster: '/hung',
        notifyStop: '/missing',
        notify: () => {
          throw new Error('boom')
        },
      },
      { run: host.run, timeoutMs: 500, name: 'VI_X' },
    )
    await a.router.start()
    net.advanceTo(masterDown(100) + 1)
    expect(a.router.state).toBe('master')
    await a.router.stop()
    await flush()
    expect(warnings.map((w) => w.message)).toEqual([
      'vrrp VI_X: notify script "/exit3" for BACKUP ended with exit 3: no route',
      'vrrp VI_X: notify function for BACKUP failed: boom',
      'vrrp VI_X: notify script "/hung" for MASTER was still running after 500 ms: killed',
      'vrrp VI_X: notify function for MASTER failed: boom',
      'vrrp VI_X: notify script "/missing" for STOP could not run: spawn /missing ENOENT',
      'vrrp VI_X: notify function for STOP failed: boom',
    ])
  })

  it('a bad command line throws at attach time, not at the first failover', () => {
    const net = lan()
    const a = net.add('10.0.0.1', 100)
    expect(() => attachNotify(a.router, { notifyMaster: '/bin/x "unclosed' })).toThrow(/unclosed/)
  })
})
