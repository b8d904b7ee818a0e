import { describe, expect, it } from 'vitest'
import { createLineLogger, isLogLevel } from '../../src/util/line-logger.js'
import type { Logger, ObjectFirstLogger } from '../../src/util/logger.js'
import { isObjectFirstLogger, silentLogger, toLogger } from '../../src/util/logger.js'
import { FakeClock } from '../../src/testing/fake-clock.js'

type Call = { level: string; args: unknown[]; bindings: Record<string, unknown> }

/**
 * A pino-shaped fake recording calls as pino's API takes them: `info(mergingObject, message)`,
 * `child(bindings)` returning a logger whose lines carry the parent's bindings plus these,
 * `levels.values`, `isLevelEnabled(level)` against `level`.
 */
function fakePino(calls: Call[], level = 'info', bindings: Record<string, unknown> = {}) {
  const values: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 }
  const method = (name: string) =>
    function (this: unknown, ...args: unknown[]) {
      if (this !== logger) throw new Error('pino methods must be called on the logger')
      if (values[name]! >= values[level]!) calls.push({ level: name, args, bindings })
    }
  const logger = {
    levels: { values, labels: {} },
    level,
    trace: method('trace'),
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    fatal: method('fatal'),
    child: (more: Record<string, unknown>) => fakePino(calls, level, { ...bindings, ...more }),
    isLevelEnabled: (l: string) => values[l]! >= values[level]!,
  }
  return logger
}

describe('toLogger with a console-shaped logger', () => {
  it('calls message first, with the bindings merged into the meta (the line’s own meta wins a clash)', () => {
    const lines: unknown[][] = []
    const target: Logger = { info: (...a) => lines.push(['info', ...a]), warn: (...a) => lines.push(['warn', ...a]) }
    const log = toLogger(target, { component: 'vrrp', instance: 'VI_1' })
    log.info('Entering MASTER STATE', { reason: 'no advert', instance: 'override' })
    log.warn('plain')
    log.debug('dropped: the target has no debug')
    log.error('dropped too')
    expect(lines).toEqual([
      ['info', 'Entering MASTER STATE', { component: 'vrrp', instance: 'override', reason: 'no advert' }],
      ['warn', 'plain', { component: 'vrrp', instance: 'VI_1' }],
    ])
    expect(log.enabled('info')).toBe(true)
    expect(log.enabled('debug')).toBe(false)
  })

  it('passes the message alone when there are neither bindings nor meta (console prints no "undefined")', () => {
    const lines: unknown[][] = []
    toLogger({ info: (...a: unknown[]) => lines.push(a) }).info('hello')
    expect(lines).toEqual([['hello']])
  })

  it('takes console itself, calling its methods on console', () => {
    expect(isObjectFirstLogger(console)).toBe(false)
    const original = console.warn
    const seen: unknown[][] = []
    console.warn = function (this: unknown, ...a: unknown[]) {
      seen.push([this === console, ...a])
    }
    try {
      toLogger(console, { component: 'server' }).warn('w', { n: 1 })
    } finally {
      console.warn = original
    }
    expect(seen).toEqual([[true, 'w', { component: 'server', n: 1 }]])
  })

  it('child() adds bindings; undefined and silentLogger drop everything', () => {
    const lines: unknown[][] = []
    const log = toLogger({ error: (...a: unknown[]) => lines.push(a) }, { component: 'pool' }).child({ member: 'a:53' })
    log.error('down', { reason: 'timeout' })
    expect(lines).toEqual([['down', { component: 'pool', member: 'a:53', reason: 'timeout' }]])
    expect(log.bindings).toEqual({ component: 'pool', member: 'a:53' })
    const none = toLogger(undefined, { component: 'x' })
    expect(() => none.error('nothing')).not.toThrow()
    expect(none.enabled('error')).toBe(false)
    expect(toLogger(silentLogger).enabled('info')).toBe(false)
  })

  it('a ComponentLogger passed on is used as is, with the new bindings added', () => {
    const lines: unknown[][] = []
    const outer = toLogger({ info: (...a: unknown[]) => lines.push(a) }, { component: 'topology' })
    toLogger(outer, { component: 'vrrp' }).info('m')
    expect(toLogger(outer)).toBe(outer)
    expect(lines).toEqual([['m', { component: 'vrrp' }]])
  })
})

describe('toLogger with a pino-shaped logger', () => {
  it('is detected by levels.values and called object first, bindings through its own child()', () => {
    const calls: Call[] = []
    const pino = fakePino(calls)
    expect(isObjectFirstLogger(pino)).toBe(true)
    const log = toLogger(pino as ObjectFirstLogger, { component: 'forwarder' })
    log.info('upstream down', { server: '192.0.2.1:53', reason: 'timeout' })
    log.error('no meta')
    expect(calls).toEqual([
      { level: 'info', args: [{ server: '192.0.2.1:53', reason: 'timeout' }, 'upstream down'], bindings: { component: 'forwarder' } },
      { level: 'error', args: [{}, 'no meta'], bindings: { component: 'forwarder' } },
    ])
  })

  it('child() nests pino children; enabled() asks isLevelEnabled', () => {
    const calls: Call[] = []
    const log = toLogger(fakePino(calls, 'warn') as ObjectFirstLogger, { component: 'vrrp' }).child({ instance: 'VI_1' })
    log.info('below the level')
    log.warn('w', { a: 1 })
    expect(calls).toEqual([{ level: 'warn', args: [{ a: 1 }, 'w'], bindings: { component: 'vrrp', instance: 'VI_1' } }])
    expect(log.enabled('info')).toBe(false)
    expect(log.enabled('warn')).toBe(true)
  })

  it('a pino-shaped logger without child() gets the bindings merged into the object', () => {
    const calls: unknown[][] = []
    const bare = { levels: { values: { info: 30 } }, info: (...a: unknown[]) => calls.push(a) }
    toLogger(bare as ObjectFirstLogger, { component: 'server' }).info('listening', { port: 53 })
    expect(calls).toEqual([[{ component: 'server', port: 53 }, 'listening']])
  })

  it('bunyan (levels() a function, a fields object) is object first; winston-like (no levels table) is message first', () => {
    expect(isObjectFirstLogger({ levels: () => 30, fields: { name: 'app' }, info() {} })).toBe(true)
    expect(isObjectFirstLogger({ levels: { info: 2 }, info() {}, child() {} })).toBe(false)
    expect(isObjectFirstLogger(null)).toBe(false)
  })
})

describe('createLineLogger', () => {
  const clock = new FakeClock({ now: Date.UTC(2026, 11, 3, 18, 0, 0) })

  it('text: time, level, [component instance], message, key=value meta (quoted when needed)', () => {
    const out: string[] = []
    const log = toLogger(createLineLogger({ write: (l) => out.push(l), clock }), { component: 'vrrp', instance: 'VI_1' })
    log.info('Entering MASTER STATE', { reason: 'master down timer', priority: 150, vips: ['192.0.2.10'] })
    log.error('failed', { err: new Error('two words') })
    expect(out).toEqual([
      '2026-12-03T18:00:00.000Z INFO  [vrrp VI_1] Entering MASTER STATE reason="master down timer" priority=150 vips=["192.0.2.10"]',
      '2026-12-03T18:00:00.000Z ERROR [vrrp VI_1] failed err="two words"',
    ])
  })

  it('json: one object per line with time, level, component, msg and the meta flat; errors keep message and code', () => {
    const out: string[] = []
    const log = toLogger(createLineLogger({ write: (l) => out.push(l), format: 'json', clock, level: 'debug' }), { component: 'server' })
    const err = Object.assign(new Error('boom'), { code: 'ERR_X' })
    log.debug('d', { msg: 'not the message', n: 1, err })
    expect(out.map((l) => JSON.parse(l))).toEqual([
      { time: '2026-12-03T18:00:00.000Z', level: 'debug', component: 'server', msg: 'd', n: 1, err: { name: 'Error', message: 'boom', code: 'ERR_X' } },
    ])
    expect(Object.keys(JSON.parse(out[0]!))).toEqual(['time', 'level', 'component', 'msg', 'n', 'err'])
  })

  it('levels below the threshold are absent, so nothing is formatted for them', () => {
    const out: string[] = []
    const logger = createLineLogger({ write: (l) => out.push(l), level: 'warn', clock })
    expect(logger.debug).toBeUndefined()
    expect(logger.info).toBeUndefined()
    toLogger(logger).info('no')
    toLogger(logger).warn('yes')
    expect(out).toHaveLength(1)
    expect(toLogger(logger).enabled('info')).toBe(false)
  })

  it('rejects an unknown level or format', () => {
    expect(() => createLineLogger({ write: () => {}, level: 'loud' as never })).toThrow(/level/)
    expect(() => createLineLogger({ write: () => {}, format: 'xml' as never })).toThrow(/format/)
    expect(isLogLevel('warn')).toBe(true)
    expect(isLogLevel('toString')).toBe(false)
  })
})
