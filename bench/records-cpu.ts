/**
 * `node --import tsx bench/records-cpu.ts [--records N] [--updates M]`: the CPU time the record
 * store spends per update, independent of the machine's load (process.cpuUsage, user + system):
 * a store (fsync off, an Authority attached) over a zone of N records read by the parser, then
 * M updates of one add each, one at a time.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Authority } from '../src/authority/index.js'
import { ZoneStore } from '../src/records/index.js'
import { parseZone } from '../src/zone/index.js'

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

const records = option('--records', 2000)
const updates = option('--updates', 500)
const lines = ['$TTL 300', '@ IN SOA ns1 hostmaster 1 7200 900 1209600 300', '@ IN NS ns1', 'ns1 IN A 192.0.2.1']
for (let i = lines.length - 1; i < records; i++) lines.push(`h${i} IN A 10.0.${(i >> 8) & 255}.${i & 255}`)
const dir = mkdtempSync(join(tmpdir(), 'dns-ha-records-cpu-'))
const store = await ZoneStore.open({ dir, zones: [parseZone(lines.join('\n') + '\n', { origin: 'example.com.' })], fsync: false })
const authority = new Authority({ store })
const add = (i: number) => store.update('example.com.', [{ op: 'add', record: { name: `n${i}.example.com.`, type: 'A', class: 'IN', ttl: 300, data: `10.1.${(i >> 8) & 255}.${i & 255}` } }])
for (let i = 0; i < 20; i++) await add(1_000_000 + i) // warm up
const start = process.cpuUsage()
const t0 = performance.now()
for (let i = 0; i < updates; i++) await add(i)
const cpu = process.cpuUsage(start)
const wall = performance.now() - t0
console.log(`${updates} single-add updates, zone ${records} -> ${store.snapshot().zones[0]!.records} records: CPU ${((cpu.user + cpu.system) / 1000 / updates).toFixed(2)} ms/update (user ${(cpu.user / 1000 / updates).toFixed(2)}), wall ${(wall / updates).toFixed(2)} ms/update`)
void authority
await store.close()
rmSync(dir, { recursive: true, force: true })
