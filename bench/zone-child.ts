/**
 * Child process of bench/zone.ts: loads one zone file with readZoneFile and prints a JSON line
 * with the record count, load time, heap held per record after a GC, and its own VmHWM.
 * Arguments: the file, then `1`/`0` for source positions (default 1).
 */
import { readFileSync } from 'node:fs'
import { readZoneFile } from '../src/zone/index.js'

const file = process.argv[2] as string
const gc = (globalThis as { gc?: () => void }).gc
gc?.()
const before = process.memoryUsage().heapUsed
const start = process.hrtime.bigint()
const zone = await readZoneFile(file, { origin: 'bench.example.', positions: process.argv[3] !== '0' })
const parseSeconds = Number(process.hrtime.bigint() - start) / 1e9
gc?.()
const held = process.memoryUsage().heapUsed - before
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'latin1'))
console.log(JSON.stringify({ records: zone.size, parseSeconds, bytesPerRecord: held / zone.size, vmHwmMb: hwm ? Number(hwm[1]) / 1024 : NaN }))
