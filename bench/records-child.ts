/**
 * The HTTP client of `npm run bench -- records`, in its own process so that it never shares the
 * server's event loop (in one process, the client's fetch work would be counted as the server's
 * and would delay its callbacks). After one read to warm the client up, adds records through the
 * API and prints one JSON line,
 * `{"seconds": <wall time of the adds>}`.
 *
 * `node --import tsx bench/records-child.ts <records URL> <token> <mode> <count> <prefix> [batch]`:
 * mode `sequential` (one add per request, one request at a time), `concurrent` (one add per
 * request, 16 in flight) or `batch` (`batch` adds per request, one request at a time).
 */
import { performance } from 'node:perf_hooks'

const [url, token, mode, countText, prefix, batchText] = process.argv.slice(2) as [string, string, string, string, string, string | undefined]
const count = Number(countText)
const batch = Number(batchText ?? 50)
const address = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`

async function post(records: { name: string; type: string; data: string }[]): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ records }) })
  if (res.status !== 201) throw new Error(`HTTP ${res.status}: ${await res.text()}`)
  await res.arrayBuffer()
}

// Warm up the client (fetch loads and compiles undici on first use) with a read, not an update.
const health = await fetch(new URL('/api/health', url), { headers: { Authorization: `Bearer ${token}` } })
await health.arrayBuffer()
const t = performance.now()
if (mode === 'sequential') {
  for (let i = 0; i < count; i++) await post([{ name: `${prefix}${i}`, type: 'A', data: address(i) }])
} else if (mode === 'concurrent') {
  let next = 0
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < count) {
      const i = next++
      await post([{ name: `${prefix}${i}`, type: 'A', data: address(i) }])
    }
  }))
} else if (mode === 'batch') {
  for (let i = 0; i < count; i += batch) await post(Array.from({ length: Math.min(batch, count - i) }, (_, j) => ({ name: `${prefix}${i + j}`, type: 'A', data: address(i + j) })))
} else {
  throw new Error(`unknown mode ${mode}: sequential, concurrent or batch`)
}
console.log(JSON.stringify({ seconds: (performance.now() - t) / 1000 }))
