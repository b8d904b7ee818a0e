// ZoneStore's logger: zones opened with serials, updates, refused updates, a torn journal tail, compaction.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ZoneStore } from '../../src/records/zone-store.js'
import { recordingLogger } from '../support/log-lines.js'
import { exampleZone, rr, tempDir } from './helpers.js'

let dir: string
let cleanup: () => void
beforeEach(() => {
  ;({ dir, cleanup } = tempDir())
})
afterEach(() => cleanup())

describe('ZoneStore logger', () => {
  it('logs open, updates and compaction at info, a refused update and a torn journal tail at warn', async () => {
    const { logger, lines } = recordingLogger()
    let store = await ZoneStore.open({ dir, zones: [exampleZone()], fsync: false, compactAfter: 2, logger })
    expect(lines).toEqual([['info', 'example.com. opened, serial 10', { component: 'records', origin: 'example.com.', serial: 10, journalEntries: 0 }]])
    await store.update('example.com.', [{ op: 'add', record: rr('a.example.com. 300 IN A 192.0.2.1') }], { source: 'api' })
    expect(lines[1]).toEqual(['info', 'example.com. updated: serial 10 -> 11', { component: 'records', origin: 'example.com.', previousSerial: 10, serial: 11, changes: 1, source: 'api' }])
    await expect(store.update('example.com.', [{ op: 'add', record: rr('b.example.com. 300 IN A 192.0.2.2') }], { ifSerial: 99 })).rejects.toThrow()
    expect(lines[2]![0]).toBe('warn')
    expect(lines[2]![1]).toMatch(/^example\.com\. update refused: /)
    expect(lines[2]![2]).toMatchObject({ component: 'records', origin: 'example.com.', code: expect.any(String) })
    await store.update('example.com.', [{ op: 'add', record: rr('c.example.com. 300 IN A 192.0.2.3') }])
    // Group commit answers an update once its fsync returns; compaction follows it, off the caller's path.
    await vi.waitFor(() => expect(lines).toHaveLength(5))
    expect(lines.slice(3).map((l) => [l[0], l[1]])).toEqual([
      ['info', 'example.com. updated: serial 11 -> 12'],
      ['info', 'example.com. compacted'],
    ])
    expect(lines[4]![2]).toEqual({ component: 'records', origin: 'example.com.', journalEntries: 2, serial: 12 })
    await store.update('example.com.', [{ op: 'add', record: rr('d.example.com. 300 IN A 192.0.2.4') }])
    await store.close()

    const path = join(dir, 'example.com.journal')
    const whole = readFileSync(path)
    writeFileSync(path, whole.subarray(0, whole.length - 1))
    lines.length = 0
    store = await ZoneStore.open({ dir, zones: [exampleZone()], fsync: false, logger })
    expect(lines).toEqual([
      ['warn', 'example.com.: dropped a torn journal tail (an update never acknowledged)', { component: 'records', origin: 'example.com.', file: path, offset: 0, bytes: whole.length - 1 }],
      ['info', 'example.com. opened, serial 12', { component: 'records', origin: 'example.com.', serial: 12, journalEntries: 0 }],
    ])
    await store.close()
  })
})
