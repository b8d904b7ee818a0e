// UdpProxyPool's logger: members down (warn, with the reason) and up, every member down (error).
import { describe, expect, it } from 'vitest'
import { recordingLogger } from '../support/log-lines.js'
import { answeredBy, rig } from './helpers.js'

describe('UdpProxyPool logger', () => {
  it('logs a member going down at warn with its reason, and all members down at error', async () => {
    const { logger, lines } = recordingLogger()
    const r = await rig([{}, {}], { policy: 'first', logger })
    expect(lines[0]).toEqual(['info', 'listening', expect.objectContaining({ component: 'proxy' })])
    await r.members[0]!.close()
    r.ask('www.example.')
    await r.settle()
    expect(r.replies.map(answeredBy)).toEqual(['10.0.1.2'])
    expect(lines.slice(1)).toEqual([
      ['warn', 'member 10.0.1.1#53 down: port unreachable (ECONNREFUSED)', { component: 'proxy', member: '10.0.1.1#53', backup: false, reason: 'port unreachable (ECONNREFUSED)' }],
    ])
    await r.members[1]!.close()
    r.ask('www.example.')
    await r.settle()
    expect(lines.slice(2)).toEqual([
      ['warn', 'member 10.0.1.2#53 down: port unreachable (ECONNREFUSED)', expect.objectContaining({ member: '10.0.1.2#53' })],
      ['error', 'all members down: answering SERVFAIL', { component: 'proxy', members: ['10.0.1.1#53', '10.0.1.2#53'] }],
    ])
  })
})
