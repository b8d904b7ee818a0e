// The transfer loggers end to end in memory: a primary Authority (TransferPrimary) and a
// SecondaryZone following it. The primary logs the AXFR it sent; the secondary the copy it took,
// the NOTIFY it got, and a refresh that failed.
import { describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { FakeClock, flush, MemoryNetwork } from '../../src/testing/index.js'
import { SecondaryZone } from '../../src/transfer/secondary-zone.js'
import { seededRandom } from '../../src/util/random.js'
import { DnsQuery } from '../../src/server/query.js'
import { recordingLogger } from '../support/log-lines.js'

const ORIGIN = 'example.com.'
const zoneText = (serial: number): string => `$ORIGIN example.com.\n$TTL 300\n@ SOA ns1 hostmaster ${serial} 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.10\n`

async function settle(): Promise<void> {
  for (let i = 0; i < 40; i++) await flush()
}

describe('transfer loggers', () => {
  it('primary: AXFR out at info; secondary: the copy taken at info, NOTIFY received, a failed refresh at warn', async () => {
    const clock = new FakeClock()
    const network = new MemoryNetwork({ clock })
    const files: Record<string, string> = { '/z': zoneText(5) }
    const p = recordingLogger()
    const s = recordingLogger()
    const primary = new Authority({ zones: [{ file: '/z', origin: ORIGIN }], readFile: async (f) => files[f]!, allowTransfer: ['any'], notify: false, clock, network, logger: p.logger })
    const server = new DnsServer({ handler: primary, network, clock })
    await server.listen({ port: 53, address: '10.0.0.1' })
    const secondary = new SecondaryZone({ origin: ORIGIN, primaries: [{ address: '10.0.0.1', port: 53 }], clock, network, random: seededRandom(7), timers: { minRefreshSec: 0, minRetrySec: 0 }, queryTimeoutMs: 500, logger: s.logger })
    const auth = new Authority({ secondaries: [secondary] })
    await auth.start()
    await settle()

    expect(p.lines.filter((l) => l[1] !== 'zone loaded')).toEqual([
      ['info', 'AXFR of example.com. serial 5 to 127.0.0.1#' + String((p.lines.at(-1)![2] as { client: string }).client.split('#')[1]), expect.objectContaining({ component: 'transfer', zone: ORIGIN, kind: 'axfr', requested: 'axfr', serial: 5, records: 5 })],
    ])
    expect(s.lines).toEqual([['info', 'AXFR from 10.0.0.1:53: serial none -> 5', { component: 'secondary', zone: ORIGIN, primary: '10.0.0.1:53', kind: 'axfr', serial: 5, previousSerial: undefined, records: 5, ms: 0 }]])

    const notify = DnsQuery.from({ opcode: 'NOTIFY', flags: 0x2000, questions: [{ name: ORIGIN, type: 'SOA' }] } as never, { client: { address: '10.0.0.9', port: 5353 } })
    secondary.answerNotify(notify)
    expect(s.lines[1]).toEqual(['info', 'NOTIFY from 10.0.0.9#5353: REFUSED', { component: 'secondary', zone: ORIGIN, client: '10.0.0.9#5353', rcode: 'REFUSED' }])

    await server.close()
    s.lines.length = 0
    void secondary.refresh()
    for (let i = 0; i < 20 && s.lines.length === 0; i++) {
      await clock.advanceAsync(250)
      await settle()
    }
    expect(s.lines).toEqual([['warn', expect.stringMatching(/^refresh failed: /), expect.objectContaining({ component: 'secondary', zone: ORIGIN, serial: 5 })]])
    secondary.stop()
  })
})
