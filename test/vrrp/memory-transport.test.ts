// The simulated segment: multicast to every other member, unicast to one, delay on the clock,
// loss from the injected Random, partitions and one-way blocks (also for messages in flight).
import { describe, expect, it } from 'vitest'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { MemoryVrrpSegment } from '../../src/vrrp/memory-transport.js'
import type { VrrpInbound } from '../../src/vrrp/transport.js'
import { seededRandom } from '../../src/util/random.js'

async function segment(options: { delayMs?: number; loss?: number } = {}) {
  const clock = new FakeClock({ now: 0 })
  const seg = new MemoryVrrpSegment({ clock, random: seededRandom(1), ...options })
  const got = new Map<string, (VrrpInbound & { at: number })[]>()
  const attach = async (address: string) => {
    const t = seg.attach(address)
    got.set(address, [])
    await t.open((m) => got.get(address)!.push({ ...m, at: clock.now() }))
    return t
  }
  return { clock, seg, got, attach }
}

const msg = new Uint8Array([1, 2, 3])

describe('MemoryVrrpSegment', () => {
  it('multicast reaches every other member after the delay, with TTL 255; unicast reaches one', async () => {
    const { clock, got, attach, seg } = await segment({ delayMs: 5 })
    const a = await attach('10.0.0.1')
    await attach('10.0.0.2')
    await attach('10.0.0.3')
    a.send(msg, '224.0.0.18')
    expect(got.get('10.0.0.2')).toEqual([])
    clock.advance(5)
    expect(got.get('10.0.0.1')).toEqual([])
    expect(got.get('10.0.0.2')).toEqual([{ bytes: msg, source: '10.0.0.1', destination: '224.0.0.18', ttl: 255, at: 5 }])
    expect(got.get('10.0.0.3')).toHaveLength(1)
    a.send(msg, '10.0.0.3')
    clock.advance(5)
    expect(got.get('10.0.0.2')).toHaveLength(1)
    expect(got.get('10.0.0.3')).toHaveLength(2)
    expect(seg.counters).toEqual({ sent: 3, delivered: 3, lost: 0 })
  })

  it('partitions, one-way blocks and cuts of messages in flight; heal restores', async () => {
    const { clock, got, attach, seg } = await segment({ delayMs: 10 })
    const a = await attach('10.0.0.1')
    const b = await attach('10.0.0.2')
    seg.block('10.0.0.1', '10.0.0.2')
    a.send(msg, '10.0.0.2')
    b.send(msg, '10.0.0.1')
    clock.advance(10)
    expect([got.get('10.0.0.1')!.length, got.get('10.0.0.2')!.length]).toEqual([1, 0])
    seg.heal()
    a.send(msg, '10.0.0.2')
    seg.partition(['10.0.0.1'], ['10.0.0.2']) // while in flight
    clock.advance(10)
    expect(got.get('10.0.0.2')).toHaveLength(0)
    seg.heal()
    a.send(msg, '10.0.0.2')
    clock.advance(10)
    expect(got.get('10.0.0.2')).toHaveLength(1)
    expect(seg.counters).toEqual({ sent: 4, delivered: 2, lost: 2 })
  })

  it('loses about the asked fraction, and nothing to or from a closed transport', async () => {
    const { clock, got, attach, seg } = await segment({ loss: 0.3 })
    const a = await attach('10.0.0.1')
    const b = await attach('10.0.0.2')
    for (let i = 0; i < 1000; i++) a.send(msg, '10.0.0.2')
    clock.advance(1)
    const n = got.get('10.0.0.2')!.length
    expect(n).toBeGreaterThan(640)
    expect(n).toBeLessThan(760)
    seg.set({ loss: 0 })
    await b.close()
    a.send(msg, '10.0.0.2')
    clock.advance(1)
    expect(got.get('10.0.0.2')!.length).toBe(n)
    await a.close()
    a.send(msg, '224.0.0.18')
    expect(seg.counters.sent).toBe(1001)
  })
})
