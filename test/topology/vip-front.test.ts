// VipFront: the VIP on loopback follows the routers' add/remove actions, including the moment
// when two routers both hold it (split brain under load): releasing it by one leaves it with the
// other, not with nobody.
import { describe, expect, it } from 'vitest'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import { VipFront } from '../../src/topology/index.js'

const VIPS = ['192.0.2.1']
const CTX = { vrid: 1, acceptMode: false }

function front(): { vip: VipFront; moves: (string | undefined)[] } {
  const clock = new FakeClock()
  const vip = new VipFront({ network: new MemoryNetwork({ clock }), clock })
  const moves: (string | undefined)[] = []
  vip.on('holder', ({ to }) => moves.push(to))
  return { vip, moves }
}

describe('VipFront', () => {
  it('moves to the router that adds the VIP and to nobody when it removes it', () => {
    const { vip, moves } = front()
    const a = vip.actionsFor({ name: 'a', address: '127.0.0.1', port: 1 })
    void a.add(VIPS, CTX)
    expect(vip.holder).toBe('a')
    void a.remove(VIPS, CTX)
    expect(vip.holder).toBeUndefined()
    expect(moves).toEqual(['a', undefined])
  })

  it('two holders at once: the last to add takes it; when it lets go, the other still holds it', () => {
    const { vip, moves } = front()
    const a = vip.actionsFor({ name: 'a', address: '127.0.0.1', port: 1 })
    const b = vip.actionsFor({ name: 'b', address: '127.0.0.1', port: 2 })
    void a.add(VIPS, CTX)
    void b.add(VIPS, CTX)
    expect(vip.holder).toBe('b')
    void b.remove(VIPS, CTX)
    expect(vip.holder).toBe('a')
    // A router removing a VIP that another holds changes nothing.
    void b.remove(VIPS, CTX)
    expect(vip.holder).toBe('a')
    void a.remove(VIPS, CTX)
    expect(vip.holder).toBeUndefined()
    expect(moves).toEqual(['a', 'b', 'a', undefined])
  })

  it('the earlier holder letting go first leaves the later one holding', () => {
    const { vip } = front()
    const a = vip.actionsFor({ name: 'a', address: '127.0.0.1', port: 1 })
    const b = vip.actionsFor({ name: 'b', address: '127.0.0.1', port: 2 })
    void a.add(VIPS, CTX)
    void b.add(VIPS, CTX)
    void a.remove(VIPS, CTX)
    expect(vip.holder).toBe('b')
    void b.remove(VIPS, CTX)
    expect(vip.holder).toBeUndefined()
  })
})
