/**
 * `npm run bench -- axfr-cpu [--records N] [--rounds N]` (or `node --import tsx bench/axfr-cpu.ts`):
 * the CPU time the primary spends encoding one whole AXFR of the transfer bench's zone (default
 * 1,000,000 records, `generateZone` of bench/transfer.ts), in process, no sockets: the messages
 * are built and dropped. Two encoders, in turns, `--rounds` times each (best kept), in one
 * process over the same zone:
 *
 * - `records + encodeRecordStream`: the zone's records as objects (`axfrRecords`) packed by the
 *   generic stream encoder (the AXFR path before the column walk).
 * - `column walk + RecordStreamEncoder`: what `TransferPrimary` sends now (`axfrMessages`).
 *
 * CPU is `process.cpuUsage()` (user + system) around the whole encode, steadier than wall time
 * on a loaded machine. Also printed: bytes and messages (they must agree), and the heap in use
 * after each encode.
 */
import { fileURLToPath } from 'node:url'
import { encodeRecordStream } from '../src/packet/encode-message.js'
import { axfrMessages, axfrRecords } from '../src/transfer/axfr-out.js'
import type { TransferHead } from '../src/transfer/axfr-out.js'
import { parseZone } from '../src/zone/index.js'
import type { Zone } from '../src/zone/zone.js'
import { argValue } from './lib/index.js'
import { generateZone } from './transfer.js'

const ORIGIN = 'xfr.bench.'
const HEAD: TransferHead = { id: 1, flags: 0x8400, question: { name: ORIGIN, type: 252, class: 1 } }

interface Encoder {
  name: string
  encode(zone: Zone): Iterable<Uint8Array>
}

const ENCODERS: Encoder[] = [
  { name: 'records + encodeRecordStream', encode: (zone) => encodeRecordStream(HEAD, axfrRecords(zone) as Iterable<never>, 16384) },
  { name: 'column walk + RecordStreamEncoder', encode: (zone) => axfrMessages(HEAD, zone, 16384, 0) },
]

/** Runs the benchmark. */
export async function run(args: string[]): Promise<void> {
  const records = Number(argValue(args, '--records') ?? 1_000_000)
  const rounds = Number(argValue(args, '--rounds') ?? 3)
  const t0 = performance.now()
  const zone = parseZone(generateZone(records).text, { origin: ORIGIN, maxRecords: 0, maxZoneBytes: 0 })
  console.log(`zone: ${zone.size} records, parsed in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  // The first walk sorts the zone's names (once per zone): done here, outside the measurements.
  for (const _ of zone.eachRecord()) break
  const best = new Map<string, { cpuMs: number; wallMs: number; bytes: number; messages: number; heapMb: number }>()
  for (let round = 0; round < rounds; round++) {
    for (const e of ENCODERS) {
      const r = measure(e, zone)
      const prev = best.get(e.name)
      if (!prev || r.cpuMs < prev.cpuMs) best.set(e.name, r)
    }
  }
  const base = best.get(ENCODERS[0]!.name)!
  console.log(`\nAXFR encode of ${zone.size} records (+1: the SOA twice), in process, best of ${rounds}, in turns`)
  console.log('encoder                             CPU ms  µs/record  wall ms  CPU / old  bytes       messages  heap MB after')
  for (const [name, r] of best) {
    console.log(
      `${name.padEnd(36)}${r.cpuMs.toFixed(0).padStart(6)}  ${((r.cpuMs * 1000) / (zone.size + 1)).toFixed(3).padStart(9)}  ${r.wallMs.toFixed(0).padStart(7)}  ${(r.cpuMs / base.cpuMs).toFixed(2).padStart(9)}  ${String(r.bytes).padEnd(10)}  ${String(r.messages).padEnd(8)}  ${r.heapMb.toFixed(0)}`,
    )
  }
  if (!ENCODERS.every((e) => best.get(e.name)!.bytes === base.bytes)) console.warn('the encoders disagree on the byte count')
}

function measure(e: Encoder, zone: Zone): { cpuMs: number; wallMs: number; bytes: number; messages: number; heapMb: number } {
  let bytes = 0
  let messages = 0
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  for (const m of e.encode(zone)) {
    bytes += m.length
    messages++
  }
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs, bytes, messages, heapMb: process.memoryUsage().heapUsed / 2 ** 20 }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run(process.argv.slice(2))
