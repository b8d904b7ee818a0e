// Zone transfer metrics: a primary Authority and a SecondaryZone on a MemoryNetwork and a
// FakeClock. The secondary's serial, the primary's serial seen, the lag while the primary has a
// newer serial the secondary has not checked for yet, transfers out and in, the IXFR journal.
import { describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { createMetrics } from '../../src/metrics/index.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { FakeClock, flush, MemoryNetwork } from '../../src/testing/index.js'
import type { TransferFiles } from '../../src/transfer/node-files.js'
import { SecondaryZone } from '../../src/transfer/secondary-zone.js'
import { seededRandom } from '../../src/util/random.js'
import { parseZone } from '../../src/zone/parse.js'
import { scrape } from './helpers.js'

/** refresh 3600, retry 600, expire 86400. */
const zone = (serial: number, extra = '') => parseZone(`$TTL 300\n@ SOA ns1 hostmaster ${serial} 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.10\n${extra}`, { origin: 'example.com.' })

function memoryFiles(): TransferFiles {
  const store = new Map<string, string>()
  return { read: async (path) => store.get(path), writeAtomic: async (path, text) => void store.set(path, text), join: (dir, name) => `${dir}/${name}` }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await flush()
}

describe('metrics: zone transfer', () => {
  it('exposes the secondary\'s serial, the primary\'s serial, the lag and transfers; the primary\'s transfers out and journal', async () => {
    const clock = new FakeClock({ now: 1_700_000_000_000 })
    const network = new MemoryNetwork({ clock })
    const primary = new Authority({ zones: [zone(1)], allowTransfer: ['0.0.0.0/0'], notify: false })
    const server = new DnsServer({ handler: primary, network, clock })
    await server.listen({ port: 53, address: '10.0.0.1' })
    const secondary = new SecondaryZone({ origin: 'example.com.', primaries: [{ address: '10.0.0.1', port: 53 }], clock, network, random: seededRandom(7), stateDir: '/state', files: memoryFiles(), timers: { minRefreshSec: 0, minRetrySec: 0 } })
    const replica = new Authority({ secondaries: [secondary] })
    try {
      await replica.start()
      await settle()
      const metrics = await createMetrics({ clock })
      metrics.watch('ns2', secondary)
      metrics.watch('ns1', primary)
      const zoneLabels = { secondary: 'ns2', zone: 'example.com.' }
      let s = await scrape(metrics)
      expect(s.value('dnsha_secondary_serial', zoneLabels)).toBe(1)
      expect(s.value('dnsha_secondary_primary_serial', zoneLabels)).toBe(1)
      expect(s.value('dnsha_secondary_lag_seconds', zoneLabels)).toBe(0)
      expect(s.value('dnsha_secondary_transfers_total', zoneLabels)).toBe(1)
      expect(s.value('dnsha_secondary_failures_total', zoneLabels)).toBe(0)
      expect(s.value('dnsha_secondary_last_success_timestamp_seconds', zoneLabels)).toBe(1_700_000_000)
      expect(s.value('dnsha_secondary_expiry_timestamp_seconds', zoneLabels)).toBe(1_700_000_000 + 86_400)
      expect(s.samples('dnsha_secondary_state')).toEqual({
        'secondary=ns2,state=loading,zone=example.com.': 0,
        'secondary=ns2,state=serving,zone=example.com.': 1,
        'secondary=ns2,state=expired,zone=example.com.': 0,
        'secondary=ns2,state=stopped,zone=example.com.': 0,
      })
      expect(s.value('dnsha_transfer_out_total', { authority: 'ns1' })).toBe(1)
      expect(s.value('dnsha_zone_serial', { authority: 'ns1', view: 'default', zone: 'example.com.' })).toBe(1)

      primary.replaceZone(zone(2, 'new A 192.0.2.99\n'))
      await clock.advanceAsync(1_800_000) // half a refresh: the secondary has not looked yet
      await settle()
      s = await scrape(metrics)
      expect(s.value('dnsha_zone_serial', { authority: 'ns1', view: 'default', zone: 'example.com.' })).toBe(2)
      expect(s.value('dnsha_ixfr_journal_entries', { authority: 'ns1', view: 'default', zone: 'example.com.' })).toBe(1)
      expect(s.value('dnsha_ixfr_journal_newest_serial', { authority: 'ns1', view: 'default', zone: 'example.com.' })).toBe(2)
      expect(s.value('dnsha_secondary_serial', zoneLabels)).toBe(1)
      expect(s.value('dnsha_secondary_primary_serial', zoneLabels)).toBe(1)
      expect(s.value('dnsha_secondary_lag_seconds', zoneLabels)).toBe(1800)

      await clock.advanceAsync(1_800_000) // refresh: SOA 2 seen, IXFR
      await settle()
      s = await scrape(metrics)
      expect(s.value('dnsha_secondary_serial', zoneLabels)).toBe(2)
      expect(s.value('dnsha_secondary_primary_serial', zoneLabels)).toBe(2)
      expect(s.value('dnsha_secondary_lag_seconds', zoneLabels)).toBe(0)
      expect(s.value('dnsha_secondary_transfers_total', zoneLabels)).toBe(2)
      expect(s.value('dnsha_transfer_out_total', { authority: 'ns1' })).toBe(2)
      expect(s.value('dnsha_transfer_refused_total', { authority: 'ns1' })).toBe(0)
    } finally {
      secondary.stop()
      await server.close()
    }
  })
})
