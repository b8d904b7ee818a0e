import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ObservedEmitter } from '../../src/server/observed-emitter.js'

interface Events {
  query: (event: { n: number }) => void
  response: (event: { n: number }) => void
  other: (event: Record<string, never>) => void
}

class Probe extends ObservedEmitter<Events> {
  constructor() {
    super(['query', 'response'])
  }
  get isObserved(): boolean {
    return this.observed
  }
}

describe('ObservedEmitter', () => {
  it('tracks listeners of the watched events through every add and remove method', () => {
    const e = new Probe()
    const f = () => {}
    expect(e.isObserved).toBe(false)
    e.on('other', f)
    expect(e.isObserved).toBe(false)
    e.on('query', f)
    expect(e.isObserved).toBe(true)
    e.off('query', f)
    expect(e.isObserved).toBe(false)
    e.addListener('response', f)
    expect(e.isObserved).toBe(true)
    e.removeListener('response', f)
    expect(e.isObserved).toBe(false)
    e.on('query', f).on('response', f)
    e.removeAllListeners('query')
    expect(e.isObserved).toBe(true)
    e.removeAllListeners()
    expect(e.isObserved).toBe(false)
  })

  it('counts a once-listener until it has fired', () => {
    const e = new Probe()
    const seen: number[] = []
    e.once('query', ({ n }) => seen.push(n))
    expect(e.isObserved).toBe(true)
    e.emit('query', { n: 1 })
    e.emit('query', { n: 2 })
    expect(seen).toEqual([1])
    expect(e.isObserved).toBe(false)
  })

  it('nothing in src/ reads eventemitter3 internals (_events)', () => {
    const root = fileURLToPath(new URL('../../src/', import.meta.url))
    const offenders = (readdirSync(root, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /\b_events\b/.test(readFileSync(root + f, 'utf8')))
    expect(offenders).toEqual([])
  })
})
