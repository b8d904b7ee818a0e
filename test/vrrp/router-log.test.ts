// VrrpRouter's logger: keepalived's wording for the transitions, with instance, reason and priority.
import { describe, expect, it } from 'vitest'
import { recordingLogger } from '../support/log-lines.js'
import { lan, masterDown } from './helpers.js'

describe('VrrpRouter logger', () => {
  it('logs "Entering MASTER STATE" / "Entering BACKUP STATE" at info with instance, vrid, from, reason and priority', async () => {
    const la = recordingLogger()
    const lb = recordingLogger()
    const net = lan()
    const a = net.add('10.0.0.1', 150, { logger: la.logger, name: 'VI_1' })
    const b = net.add('10.0.0.2', 100, { logger: lb.logger })
    await a.router.start()
    await b.router.start()
    net.advanceTo(masterDown(150))
    expect(la.lines.filter((l) => l[0] !== 'debug')).toEqual([
      ['info', 'Entering BACKUP STATE', { component: 'vrrp', instance: 'VI_1', vrid: a.router.snapshot().vrid, from: 'initialize', to: 'backup', reason: expect.any(String), priority: 150 }],
      ['info', 'Entering MASTER STATE', expect.objectContaining({ component: 'vrrp', instance: 'VI_1', from: 'backup', to: 'master', priority: 150, reason: expect.stringMatching(/no advert from a master/) })],
    ])
    expect(lb.lines.filter((l) => l[0] !== 'debug').map((l) => [l[0], l[1], l[2].instance])).toEqual([['info', 'Entering BACKUP STATE', `VRID ${b.router.snapshot().vrid}`]])
    await a.router.stop()
    expect(la.lines.at(-1)).toEqual(['info', 'Entering INITIALIZE STATE', expect.objectContaining({ from: 'master', to: 'initialize', reason: 'stopped' })])
  })

  it('no logger, no listeners added: the router emits as before', async () => {
    const net = lan()
    const a = net.add('10.0.0.1', 150)
    expect(a.router.listenerCount('warning')).toBe(0)
    expect(a.router.listenerCount('split-brain')).toBe(0)
  })
})
