/**
 * Child process of bench/zone.ts: parses one zone file with readZoneFile and prints a JSON
 * line with the record count, parse time and heap held per record after a GC.
 */
import { readZoneFile } from '../src/zone/index.js'

const file = process.argv[2] as string
const gc = (globalThis as { gc?: () => void }).gc
gc?.()
const before = process.memoryUsage().heapUsed
const start = process.hrtime.bigint()
const zone = await readZoneFile(file, { origin: 'bench.example.', positions: process.env.ZONE_BENCH_POSITIONS === '1' })
const parseSeconds = Number(process.hrtime.bigint() - start) / 1e9
gc?.()
const held = process.memoryUsage().heapUsed - before
console.log(JSON.stringify({ records: zone.size, parseSeconds, heapMbAfterGc: held / 1e6, bytesPerRecord: held / zone.size }))
