// The child of crash.test.ts: opens the store in argv[2] (fsync on, compaction every 7 entries)
// and applies updates forever, each one three changes (add u<i> A, add u<i> TXT, replace the
// counter TXT), printing `ack <i> <serial>` once update() resolved. The parent kills it with SIGKILL.
import { ZoneStore } from '../../src/records/zone-store.js'
import { parseRecordLine } from '../../src/records/update-apply.js'
import { exampleZone } from './helpers.js'

const store = await ZoneStore.open({ dir: process.argv[2]!, zones: [exampleZone()], compactAfter: 7 })
const counter = store.zone('example.com.').rrset('counter.example.com.', 'TXT')?.records[0]
let i = counter === undefined ? 1 : Number(String(counter.data[0])) + 1
process.stdout.write(`ready ${i - 1}\n`)
for (;;) {
  const { serial } = await store.update('example.com.', [
    { op: 'add', record: parseRecordLine(`u${i}.example.com. 300 IN A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`) },
    { op: 'add', record: parseRecordLine(`u${i}.example.com. 300 IN TXT "update ${i}"`) },
    { op: 'delete-rrset', name: 'counter.example.com.', type: 'TXT' },
    { op: 'add', record: parseRecordLine(`counter.example.com. 300 IN TXT "${i}"`) },
  ], { source: 'crash-child' })
  process.stdout.write(`ack ${i} ${serial}\n`)
  i++
}
