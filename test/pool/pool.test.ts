// The upstream pool on a FakeClock with a scripted exchange: passive failures, events, the probe
// loop, weights and the snapshot.
import { describe, expect, it } from 'vitest'
import type { Exchange } from '../../src/pool/exchange.js'
import type { PoolEvents, UpstreamPoolOptions } from '../../src/pool/pool.js'
import { UpstreamPool } from '../../src/pool/pool.js'
import { createStrategy, usable } from '../../src/pool/strategies.js'
import type { HealthChange, HealthSource, HealthState } from '../../src/pool/tracking.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { DnsHaError, isDnsHaError } from '../../src/util/errors.js'

type Behaviour = { kind: 'answer'; rcode?: number; rttMs?: number } | { kind: 'timeout' } | { kind: 'garbage' } | { kind: 'hang' }

/** An exchange whose answer per server is set by the test; it records every message it was sent. */
function scripted() {
  const behaviour = new Map<string, Behaviour>()
  const sent: { server: string; message: Uint8Array }[] = []
  const exchange: Exchange = (server, message, options) => {
    const key = `${server.address}#${server.port}`
    sent.push({ server: key, message })
    const b = behaviour.get(key) ?? { kind: 'answer' }
    if (b.kind === 'timeout') return Promise.reject(new DnsHaError('ERR_QUERY_TIMEOUT', `${key} timed out`))
    if (b.kind === 'garbage') return Promise.resolve({ raw: new Uint8Array([1, 2, 3]), rttMs: 1, transport: 'udp' as const })
    if (b.kind === 'hang') {
      return new Promise((_, reject) => options.signal?.addEventListener('abort', () => reject(new DnsHaError('ERR_QUERY_ABORTED', 'aborted'))))
    }
    const raw = new Uint8Array(12)
    raw[2] = 0x81 // QR, RD
    raw[3] = 0x80 | (b.rcode ?? 0) // RA, rcode
    return Promise.resolve({ raw, rttMs: b.rttMs ?? 10, transport: 'udp' as const })
  }
  const set = (address: string, b: Behaviour): void => void behaviour.set(`${address}#53`, b)
  return { exchange, set, sent }
}

function setup(options: Partial<UpstreamPoolOptions> = {}) {
  const clock = new FakeClock()
  const script = scripted()
  const pool = new UpstreamPool({ exchange: script.exchange, clock, probeIntervalMs: 1000, ...options })
  const events: { name: keyof PoolEvents; payload: unknown }[] = []
  for (const name of ['member-up', 'member-down', 'member-weight'] as const) pool.on(name, (payload: unknown) => events.push({ name, payload }))
  return { clock, pool, events, ...script }
}

const QUERY = new Uint8Array(17)

describe('UpstreamPool: passive health', () => {
  it('marks a member down after failuresToDown failures in a row, with the last failure as the reason', async () => {
    const { pool, events, set } = setup({ failuresToDown: 3 })
    const a = pool.get({ address: '10.0.0.1' })
    set('10.0.0.1', { kind: 'timeout' })
    await expect(pool.ask(a, QUERY, undefined)).rejects.toThrow()
    await expect(pool.ask(a, QUERY, undefined)).rejects.toThrow()
    expect(a.status).toBe('up')
    expect(events).toEqual([])
    await expect(pool.ask(a, QUERY, undefined)).rejects.toThrow()
    expect(a.status).toBe('down')
    expect(events).toEqual([{ name: 'member-down', payload: { server: { address: '10.0.0.1', port: 53 }, reason: '10.0.0.1#53 timed out', failures: 3 } }])
    expect(pool.snapshot().members[0]).toMatchObject({ state: 'down', reason: '10.0.0.1#53 timed out', failures: 3, counters: { queries: 3, timeouts: 3 } })
  })

  it('resets the failure count on a good answer, so only failures in a row count', async () => {
    const { pool, events, set } = setup({ failuresToDown: 2 })
    const a = pool.get({ address: '10.0.0.1' })
    set('10.0.0.1', { kind: 'timeout' })
    await pool.ask(a, QUERY, undefined).catch(() => {})
    set('10.0.0.1', { kind: 'answer' })
    await pool.ask(a, QUERY, undefined)
    expect(a.consecutiveFailures).toBe(0)
    set('10.0.0.1', { kind: 'timeout' })
    await pool.ask(a, QUERY, undefined).catch(() => {})
    expect(a.status).toBe('up')
    expect(events).toEqual([])
  })

  it('counts a garbage answer as a failure', async () => {
    const { pool, set } = setup()
    const a = pool.get({ address: '10.0.0.1' })
    set('10.0.0.1', { kind: 'garbage' })
    await expect(pool.ask(a, QUERY, undefined)).rejects.toThrow()
    expect(a.status).toBe('down')
    expect(a.reason).toBe('unparseable answer')
    expect(a.counters.garbage).toBe(1)
  })

  it('by default takes an answer without the QR bit for garbage', async () => {
    const clock = new FakeClock()
    const pool = new UpstreamPool({ exchange: () => Promise.resolve({ raw: new Uint8Array(12), rttMs: 1, transport: 'udp' }), clock })
    const a = pool.get({ address: '10.0.0.1' })
    const error = await pool.ask(a, QUERY, undefined).catch((e: unknown) => e)
    expect(isDnsHaError(error, 'ERR_PACKET_MALFORMED')).toBe(true)
    expect(a.counters.garbage).toBe(1)
  })

  it('hands back what a custom inspect read, with the rcode', async () => {
    const { exchange } = scripted()
    const pool = new UpstreamPool({ exchange, clock: new FakeClock(), inspect: (raw) => ({ rcode: raw[3]! & 0xf, length: raw.length }) })
    const reply = await pool.ask(pool.get({ address: '10.0.0.1' }), QUERY, undefined)
    expect(reply.info).toEqual({ rcode: 0, length: 12 })
  })

  it('does not count an aborted exchange (another member won the race)', async () => {
    const { pool, set } = setup()
    const a = pool.get({ address: '10.0.0.1' })
    set('10.0.0.1', { kind: 'hang' })
    const controller = new AbortController()
    const pending = pool.ask(a, QUERY, controller.signal)
    controller.abort()
    await expect(pending).rejects.toThrow()
    expect(a.status).toBe('up')
    expect(a.consecutiveFailures).toBe(0)
    expect(a.counters).toMatchObject({ queries: 1, timeouts: 0, errors: 0 })
  })

  it('smooths latency as an EWMA with 1/8 weight per sample', async () => {
    const { pool, set } = setup()
    const a = pool.get({ address: '10.0.0.1' })
    set('10.0.0.1', { kind: 'answer', rttMs: 10 })
    await pool.ask(a, QUERY, undefined)
    set('10.0.0.1', { kind: 'answer', rttMs: 18 })
    await pool.ask(a, QUERY, undefined)
    expect(pool.snapshot().members[0]!.latencyMs).toBe(11)
  })
})

describe('UpstreamPool: probe loop', () => {
  it('probes a down member every probeIntervalMs until it answers, then emits member-up', async () => {
    const { pool, events, set, sent, clock } = setup({ probeIntervalMs: 1000 })
    const a = pool.get({ address: '10.0.0.1' })
    set('10.0.0.1', { kind: 'timeout' })
    await pool.ask(a, QUERY, undefined).catch(() => {})
    expect(a.status).toBe('down')
    sent.length = 0
    await clock.advanceAsync(999)
    expect(sent).toHaveLength(0)
    await clock.advanceAsync(1)
    expect(sent).toHaveLength(1) // first probe, which times out
    // The default probe question is `. NS` with RD.
    expect([...sent[0]!.message]).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1])
    expect(a.status).toBe('down')
    set('10.0.0.1', { kind: 'answer', rcode: 5, rttMs: 42 }) // REFUSED still proves it alive
    await clock.advanceAsync(1000)
    expect(sent).toHaveLength(2)
    expect(a.status).toBe('up')
    expect(events.at(-1)).toEqual({ name: 'member-up', payload: { server: { address: '10.0.0.1', port: 53 }, downForMs: 2000 } })
    expect(pool.snapshot().members[0]).toMatchObject({ state: 'up', reason: undefined, failures: 0, latencyMs: 42, downSince: undefined, counters: { probes: 2 } })
    expect(clock.pending).toBe(0) // no probe for an up member
  })

  it('stops probing when a real exchange brings the member back first', async () => {
    const { pool, events, set, clock } = setup()
    const a = pool.get({ address: '10.0.0.1' })
    set('10.0.0.1', { kind: 'timeout' })
    await pool.ask(a, QUERY, undefined).catch(() => {})
    expect(clock.pending).toBe(1)
    set('10.0.0.1', { kind: 'answer' })
    await pool.ask(a, QUERY, undefined)
    expect(a.status).toBe('up')
    expect(clock.pending).toBe(0)
    expect(events.map((e) => e.name)).toEqual(['member-down', 'member-up'])
  })

  it('keeps probing after a garbage probe answer', async () => {
    const { pool, set, sent, clock } = setup()
    const a = pool.get({ address: '10.0.0.1' })
    set('10.0.0.1', { kind: 'timeout' })
    await pool.ask(a, QUERY, undefined).catch(() => {})
    set('10.0.0.1', { kind: 'garbage' })
    sent.length = 0
    await clock.advanceAsync(1000)
    expect(a.status).toBe('down')
    expect(a.counters.garbage).toBe(1)
    await clock.advanceAsync(1000)
    expect(sent).toHaveLength(2)
  })

  it('stops probing members it forgets (retain) and everything on close', async () => {
    const { pool, set, clock } = setup()
    const a = pool.get({ address: '10.0.0.1' })
    const b = pool.get({ address: '10.0.0.2' })
    set('10.0.0.1', { kind: 'timeout' })
    set('10.0.0.2', { kind: 'timeout' })
    await pool.ask(a, QUERY, undefined).catch(() => {})
    await pool.ask(b, QUERY, undefined).catch(() => {})
    expect(clock.pending).toBe(2)
    pool.retain(new Set(['10.0.0.2#53']))
    expect(clock.pending).toBe(1)
    expect(pool.snapshot().members.map((m) => m.address)).toEqual(['10.0.0.2'])
    pool.close()
    expect(clock.pending).toBe(0)
  })
})

describe('UpstreamPool: weights and snapshot', () => {
  it('emits member-weight when a weight changes, and only then', () => {
    const { pool, events } = setup()
    pool.get({ address: '10.0.0.1', weight: 2 })
    pool.setWeight({ address: '10.0.0.1' }, 2)
    expect(events).toEqual([])
    pool.setWeight({ address: '10.0.0.1' }, 0)
    expect(events).toEqual([{ name: 'member-weight', payload: { server: { address: '10.0.0.1', port: 53 }, weight: 0, previous: 2 } }])
    expect(pool.snapshot().members[0]!.weight).toBe(0)
  })

  it('refuses a negative or non-finite weight', () => {
    const { pool } = setup()
    expect(() => pool.setWeight({ address: '10.0.0.1' }, -1)).toThrow(/weight/)
    expect(() => pool.get({ address: '10.0.0.2', weight: Number.NaN })).toThrow(/weight/)
  })

  it('files members by address and port (port 53 by default)', () => {
    const { pool } = setup()
    expect(pool.get({ address: '10.0.0.1' })).toBe(pool.get({ address: '10.0.0.1', port: 53 }))
    expect(pool.get({ address: '10.0.0.1', port: 5353 })).not.toBe(pool.get({ address: '10.0.0.1' }))
    expect(pool.list().map((m) => m.key)).toEqual(['10.0.0.1#53', '10.0.0.1#5353'])
  })

  it('snapshots plain data that later changes do not touch', async () => {
    const { pool, set } = setup()
    const a = pool.get({ address: '10.0.0.1', port: 5353, weight: 3 })
    await pool.ask(a, QUERY, undefined)
    const snap = pool.snapshot()
    expect(snap).toEqual({
      members: [
        {
          address: '10.0.0.1',
          port: 5353,
          weight: 3,
          state: 'up',
          reason: undefined,
          failures: 0,
          latencyMs: 10,
          downSince: undefined,
          counters: { queries: 1, answers: 1, timeouts: 0, mismatches: 0, garbage: 0, errors: 0, probes: 0 },
        },
      ],
    })
    // Plain data: a structured clone (which drops prototypes) is strictly equal.
    expect(structuredClone(snap)).toStrictEqual(snap)
    set('10.0.0.1', { kind: 'timeout' }) // port 53: not this member
    await pool.ask(a, QUERY, undefined)
    expect(snap.members[0]!.counters.queries).toBe(1)
    expect(pool.snapshot().members[0]!.counters.queries).toBe(2)
  })
})

describe('UpstreamPool: options typing', () => {
  it('requires inspect when the pool reads more than the rcode (checked by tsc -p .)', () => {
    const make = () =>
      // @ts-expect-error a pool typed to read more than the rcode needs its inspect
      new UpstreamPool<{ rcode: number; extra: string }>({ exchange: scripted().exchange, clock: new FakeClock() })
    expect(make().snapshot()).toEqual({ members: [] })
  })
})

/** A health source the test drives by hand: `say(target, state, weight?)`. */
function manualSource() {
  const states = new Map<string, HealthState>()
  const listeners = new Set<(change: HealthChange) => void>()
  const source: HealthSource = {
    watch: (listener) => {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    state: (target) => states.get(target),
  }
  const say = (target: string, state: HealthState, weight?: number): void => {
    states.set(target, state)
    for (const l of [...listeners]) l({ target, state, reason: `checked ${state}`, ...(weight === undefined ? {} : { weight }) })
  }
  return { source, say, listeners }
}

describe('UpstreamPool: track(source)', () => {
  it('a target called down is skipped by the strategies as a down member is, and up brings it back', async () => {
    const { pool, events, sent } = setup()
    const { source, say } = manualSource()
    const a = pool.get({ address: '10.0.0.1' })
    const b = pool.get({ address: '10.0.0.2' })
    pool.track(source)
    say('10.0.0.1#53', 'down')
    expect(a.status).toBe('down')
    expect(a.ownStatus).toBe('up')
    expect(usable([a, b])).toEqual([b])
    const strict = createStrategy('strict', { clock: new FakeClock() })
    const reply = await strict.resolve({ upstreams: [a, b], attempt: (u, signal) => pool.ask(u, QUERY, signal), fallbackRcodes: new Set([2, 5]) })
    expect(reply.upstream).toBe(b)
    expect(sent.map((s) => s.server)).toEqual(['10.0.0.2#53'])
    expect(events).toEqual([{ name: 'member-down', payload: { server: { address: '10.0.0.1', port: 53 }, reason: 'health: checked down', failures: 0 } }])
    expect(pool.snapshot().members[0]).toMatchObject({ state: 'down', reason: 'health: checked down' })
    say('10.0.0.1#53', 'up')
    expect(a.status).toBe('up')
    expect(usable([a, b])).toEqual([a, b])
    expect(events.at(-1)).toEqual({ name: 'member-up', payload: { server: { address: '10.0.0.1', port: 53 }, downForMs: 0 } })
  })

  it('a weight in a change becomes the member weight; other targets are not touched', () => {
    const { pool, events } = setup()
    const { source, say } = manualSource()
    const a = pool.get({ address: '10.0.0.1' })
    const b = pool.get({ address: '10.0.0.2' })
    pool.track(source)
    say('10.0.0.1#53', 'up', 0)
    expect(a.weight).toBe(0)
    expect(b.weight).toBe(1)
    expect(usable([a, b])).toEqual([b]) // weight 0 drains it
    expect(events).toEqual([{ name: 'member-weight', payload: { server: { address: '10.0.0.1', port: 53 }, weight: 0, previous: 1 } }])
    say('10.0.0.9#53', 'down')
    expect([a.status, b.status]).toEqual(['up', 'up'])
  })

  it('up from the source does not bring back a member down by its own failures: both must say up', async () => {
    const { pool, events, set, clock } = setup({ probeIntervalMs: 1000 })
    const { source, say } = manualSource()
    const a = pool.get({ address: '10.0.0.1' })
    pool.track(source)
    set('10.0.0.1', { kind: 'timeout' })
    await pool.ask(a, QUERY, undefined).catch(() => {})
    say('10.0.0.1#53', 'down')
    expect(events.map((e) => e.name)).toEqual(['member-down']) // once, by its own failure
    // Its own probe answers while the source still holds it down: still down, no member-up.
    set('10.0.0.1', { kind: 'answer' })
    await clock.advanceAsync(1000)
    expect(a.ownStatus).toBe('up')
    expect(a.status).toBe('down')
    expect(events.map((e) => e.name)).toEqual(['member-down'])
    say('10.0.0.1#53', 'up')
    expect(a.status).toBe('up')
    expect(events.map((e) => e.name)).toEqual(['member-down', 'member-up'])
    // The other way round: the source says up first, the member waits for its own probe.
    set('10.0.0.1', { kind: 'timeout' })
    await pool.ask(a, QUERY, undefined).catch(() => {})
    say('10.0.0.1#53', 'down')
    say('10.0.0.1#53', 'up')
    expect(a.status).toBe('down')
    set('10.0.0.1', { kind: 'answer' })
    await clock.advanceAsync(1000)
    expect(a.status).toBe('up')
    expect(events.map((e) => e.name)).toEqual(['member-down', 'member-up', 'member-down', 'member-up'])
  })

  it('members that join later start from the current verdict; a custom target name; stop lets go', () => {
    const { pool, events } = setup()
    const { source, say, listeners } = manualSource()
    say('ns1', 'down')
    const stop = pool.track(source, { target: (m) => (m.address === '10.0.0.1' ? 'ns1' : 'other') })
    const a = pool.get({ address: '10.0.0.1' })
    expect(a.status).toBe('down')
    expect(a.heldDown).toBe('health: down')
    stop()
    expect(a.status).toBe('up')
    expect(listeners.size).toBe(0)
    expect(events.map((e) => e.name)).toEqual(['member-down', 'member-up'])
    stop() // twice is harmless
    expect(events).toHaveLength(2)
  })

  it('close stops tracking without announcing anything', () => {
    const { pool, events } = setup()
    const { source, say, listeners } = manualSource()
    const a = pool.get({ address: '10.0.0.1' })
    pool.track(source)
    say('10.0.0.1#53', 'down')
    pool.close()
    expect(listeners.size).toBe(0)
    expect(events.map((e) => e.name)).toEqual(['member-down'])
    expect(a.status).toBe('down')
  })
})
