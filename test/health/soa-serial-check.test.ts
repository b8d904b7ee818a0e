// soaSerialCheck: RFC 1982 lag, maxLag and graceMs on a fake clock with a function reference;
// then a primary and a secondary Authority on real DnsServers, the primary reloaded with a higher
// serial while the secondary keeps the old one.
import { describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { memberTarget } from '../../src/health/member-target.js'
import { HealthProber } from '../../src/health/prober.js'
import { serialLag } from '../../src/health/serial-arithmetic.js'
import { soaSerialCheck } from '../../src/health/soa-serial-check.js'
import type { CheckContext } from '../../src/health/types.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { realClock } from '../../src/util/clock.js'
import { exampleZone, next } from './helpers.js'

describe('serialLag (RFC 1982)', () => {
  it('counts steps behind, across the wrap, and zero when equal or ahead', () => {
    expect(serialLag(5, 5)).toBe(0)
    expect(serialLag(5, 8)).toBe(3)
    expect(serialLag(8, 5)).toBe(0)
    expect(serialLag(4294967295, 1)).toBe(2) // 1 follows 2^32 - 1
    expect(serialLag(1, 4294967295)).toBe(0) // ahead across the wrap
    expect(serialLag(0, 0x7fffffff)).toBe(0x7fffffff)
    expect(serialLag(0, 0x80000000)).toBe(0x80000000) // undefined in RFC 1982: counted as behind
    expect(serialLag(0, 0x80000001)).toBe(0) // that far "behind" is ahead
  })
})

describe('soaSerialCheck with a function reference (fake clock)', () => {
  let port: number
  const withServer = async (serial: number, run: (port: number) => Promise<void>): Promise<void> => {
    const server = new DnsServer({ handler: new Authority({ zones: [exampleZone('192.0.2.80', serial)] }) })
    port = (await server.listen({ port: 0, address: '127.0.0.1' })).port
    try {
      await run(port)
    } finally {
      await server.close()
    }
  }
  const ctx = (clock: FakeClock): CheckContext => ({ signal: new AbortController().signal, clock, timeoutMs: 1000, target: 's' })

  it('behind within graceMs passes; behind for graceMs fails; caught up resets the grace', async () => {
    await withServer(10, async (p) => {
      const clock = new FakeClock({ now: 0 })
      let reference = 10
      const check = soaSerialCheck({ server: { address: '127.0.0.1', port: p }, zone: 'example.test', reference: () => reference, graceMs: 1000 })
      expect(await check(ctx(clock))).toEqual({ ok: true, reason: `example.test serial 10 at 127.0.0.1#${p}, reference 10` })
      reference = 11
      expect(await check(ctx(clock))).toMatchObject({ ok: true, reason: expect.stringContaining('within grace (0 of 1000 ms)') })
      clock.advance(999)
      expect((await check(ctx(clock))).ok).toBe(true)
      clock.advance(1)
      expect(await check(ctx(clock))).toEqual({ ok: false, reason: `example.test serial 10 at 127.0.0.1#${p} is 1 behind reference 11 for 1000 ms (graceMs 1000)` })
      reference = 10
      expect((await check(ctx(clock))).ok).toBe(true)
      reference = 11
      clock.advance(5000)
      expect((await check(ctx(clock))).ok).toBe(true) // a new lag starts a new grace
    })
  })

  it('more than maxLag behind fails at once; across the serial wrap too; default graceMs 0 fails any lag', async () => {
    await withServer(4294967295, async (p) => {
      const clock = new FakeClock({ now: 0 })
      const server = { address: '127.0.0.1', port: p }
      const lagging = soaSerialCheck({ server, zone: 'example.test.', reference: () => 3, maxLag: 3, graceMs: 60_000 })
      expect(await lagging(ctx(clock))).toMatchObject({ ok: false, reason: expect.stringContaining('is 4 behind reference 3 (more than maxLag 3)') })
      const within = soaSerialCheck({ server, zone: 'example.test.', reference: () => 2, maxLag: 3, graceMs: 60_000 })
      expect((await within(ctx(clock))).ok).toBe(true)
      const strict = soaSerialCheck({ server, zone: 'example.test.', reference: async () => 0 })
      expect(await strict(ctx(clock))).toMatchObject({ ok: false, reason: expect.stringContaining('for 0 ms (graceMs 0)') })
      const ahead = soaSerialCheck({ server, zone: 'example.test.', reference: () => 4294967290 })
      expect((await ahead(ctx(clock))).ok).toBe(true)
    })
  })

  it('an unreadable reference passes (the lag is unknown) and says so; a server without the zone fails', async () => {
    await withServer(7, async (p) => {
      const clock = new FakeClock({ now: 0 })
      const check = soaSerialCheck({
        server: { address: '127.0.0.1', port: p },
        zone: 'example.test',
        reference: () => {
          throw new Error('primary unreachable')
        },
      })
      expect(await check(ctx(clock))).toEqual({ ok: true, reason: `example.test serial 7 at 127.0.0.1#${p}; reference unavailable (primary unreachable)` })
      const other = soaSerialCheck({ server: { address: '127.0.0.1', port: p }, zone: 'other.test', reference: () => 1 })
      await expect(other(ctx(clock))).rejects.toThrow(`127.0.0.1#${p} has no SOA for other.test (rcode REFUSED)`)
    })
  })
})

describe('replication lag between two Authorities on loopback', () => {
  it('the secondary left on the old serial goes down within graceMs, and up once it is reloaded', async () => {
    const GRACE = 500
    const INTERVAL = 100
    const primary = new Authority({ zones: [exampleZone('192.0.2.80', 100)] })
    const secondary = new Authority({ zones: [exampleZone('192.0.2.80', 100)] })
    const primaryServer = new DnsServer({ handler: primary })
    const secondaryServer = new DnsServer({ handler: secondary })
    const p = (await primaryServer.listen({ port: 0, address: '127.0.0.1' })).port
    const s = (await secondaryServer.listen({ port: 0, address: '127.0.0.1' })).port
    const prober = new HealthProber({ clock: realClock })
    const name = memberTarget('127.0.0.1', s)
    try {
      prober.add({
        name,
        check: soaSerialCheck({ server: { address: '127.0.0.1', port: s }, zone: 'example.test', reference: { address: '127.0.0.1', port: p }, graceMs: GRACE }),
        intervalMs: INTERVAL,
        timeoutMs: 200,
        fall: 1,
        rise: 1,
        initialState: 'unknown',
      })
      await next(prober, 'up', name)

      const since = Date.now()
      primary.replaceZone(exampleZone('192.0.2.80', 101))
      const down = await next(prober, 'down', name)
      const downMs = Date.now() - since
      expect(down.reason).toContain('serial 100')
      expect(down.reason).toContain('is 1 behind reference 101')
      expect(downMs).toBeGreaterThanOrEqual(GRACE) // the grace is honoured
      expect(downMs).toBeLessThanOrEqual(GRACE + 2 * INTERVAL + 300) // first sight of the lag, then the grace, then the next run
      // A stale secondary still answers: a plain dnsCheck would call it up.
      expect(prober.state(name)).toBe('down')

      const caughtUp = Date.now()
      secondary.replaceZone(exampleZone('192.0.2.80', 101))
      await next(prober, 'up', name)
      const upMs = Date.now() - caughtUp
      expect(upMs).toBeLessThanOrEqual(INTERVAL + 150)
      console.log(`soaSerialCheck (graceMs ${GRACE}, interval ${INTERVAL} ms): secondary behind -> down in ${downMs} ms; reloaded -> up in ${upMs} ms`)
    } finally {
      prober.close()
      await primaryServer.close()
      await secondaryServer.close()
    }
  })
})
