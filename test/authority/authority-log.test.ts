// Authority's logger: zone loads and reloads with serials, a rejected zone with file, line and column.
import { describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { recordingLogger } from '../support/log-lines.js'
import { EXAMPLE } from './fixtures.js'

const O = 'example.test.'

describe('Authority logger', () => {
  it('logs a load and a reload at info with serials, and a zone that fails to load at error with file:line:col', async () => {
    const files: Record<string, string> = { '/zones/example.test': EXAMPLE }
    const { logger, lines } = recordingLogger()
    const auth = new Authority({ zones: [{ file: '/zones/example.test', origin: O }], readFile: async (p) => files[p]!, logger })
    await auth.ready()
    expect(lines).toEqual([['info', 'zone loaded', { component: 'authority', view: 'default', origin: O, serial: 2024010101, previousSerial: undefined, file: '/zones/example.test' }]])
    files['/zones/example.test'] = EXAMPLE.replace('2024010101', '2024010102')
    await auth.reloadZone(O)
    expect(lines[1]).toEqual(['info', 'zone reloaded', { component: 'authority', view: 'default', origin: O, serial: 2024010102, previousSerial: 2024010101, file: '/zones/example.test' }])
    const badLine = EXAMPLE.split('\n').length + 1
    files['/zones/example.test'] = EXAMPLE + '\nbroken IN A not-an-address\n'
    await expect(auth.reloadZone(O)).rejects.toThrow()
    expect(lines).toHaveLength(3)
    const [level, message, meta] = lines[2]!
    expect(level).toBe('error')
    expect(message).toMatch(/^zone example\.test\. \(view default, file \/zones\/example\.test\) failed to load: /)
    expect(meta).toMatchObject({ component: 'authority', view: 'default', origin: O, file: '/zones/example.test', line: badLine, column: expect.any(Number) })
    expect(meta.err).toBeInstanceOf(Error)
  })
})
