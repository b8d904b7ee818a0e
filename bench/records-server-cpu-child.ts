/**
 * `node --import tsx bench/records-server-cpu-child.ts [N]`: the CPU time a records server spends
 * per update (process.cpuUsage of the server process, user + system), fsync off, N adds per row
 * (default 1000): through the HTTP API (the client, bench/records-child.ts, in its own process;
 * one add per request in sequence, 16 in flight, batches of 50) and through nsupdate (one add per
 * UPDATE, 50 per UPDATE), the zone growing by N per row. Run directly, not by `npm run bench`.
 * `ROOT=<another checkout>` measures that tree's server code with this tree's client (for a
 * before/after of the same machine minutes apart).
 */
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
const ROOT = process.env['ROOT'] ?? fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '')
const CLIENT = fileURLToPath(new URL('./records-child.ts', import.meta.url))
const { ZoneStore, serveAdmin, UpdateResponder } = await import(`${ROOT}/src/records/index.js`)
const { parseZone } = await import(`${ROOT}/src/zone/index.js`)
const { Authority } = await import(`${ROOT}/src/authority/index.js`)
const { DnsServer } = await import(`${ROOT}/src/server/index.js`)
const { createKeyring } = await import(`${ROOT}/src/tsig/index.js`)
const ZONE = `$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n@ IN NS ns1\nns1 IN A 192.0.2.1\n`
const SECRET = Buffer.alloc(32, 9).toString('base64')
const n = Number(process.argv[2] ?? 1000)
const dir = mkdtempSync(join(tmpdir(), 'upd-cpu-'))
const store = await ZoneStore.open({ dir, zones: [parseZone(ZONE, { origin: 'example.com.' })], fsync: false })
const admin = await serveAdmin({ store, tokens: [{ token: 'bench-token-0123456789abcdef', name: 'b', access: 'write' }] })
const url = `http://127.0.0.1:${admin.port}/api/zones/example.com./records`
const client = (mode: string, prefix: string) => new Promise<void>((res, rej) => { const c = spawn(process.execPath, ['--import', 'tsx', CLIENT, url, 'bench-token-0123456789abcdef', mode, String(n), prefix, '50'], { stdio: ['ignore', 'ignore', 'inherit'] }); c.on('exit', (code) => code === 0 ? res() : rej(new Error(String(code)))) })
const update = new UpdateResponder({ store, allowUpdate: [{ key: 'k', names: 'zonesub' }] })
const server = new DnsServer({ handler: new Authority({ store, update, notify: false }), tsig: createKeyring([{ name: 'k', algorithm: 'hmac-sha256', secret: SECRET }]) })
const bound = await server.listen({ address: '127.0.0.1', port: 0 })
const nsupdate = async (prefix: string, per: number) => {
  const lines = [`server 127.0.0.1 ${bound.port}`, 'zone example.com']
  for (let i = 0; i < n; i += per) { for (let j = i; j < Math.min(n, i + per); j++) lines.push(`update add ${prefix}${j}.example.com 300 A 10.0.${(j >> 8) & 255}.${j & 255}`); lines.push('send') }
  writeFileSync(join(dir, prefix), lines.join('\n') + '\n')
  await promisify(execFile)('nsupdate', ['-y', `hmac-sha256:k:${SECRET}`, join(dir, prefix)], { maxBuffer: 1 << 24 })
}
const measure = async (label: string, f: () => Promise<void>) => { const b = process.cpuUsage(); await f(); const c = process.cpuUsage(b); return `${label} ${((c.user + c.system) / 1000 / n).toFixed(3)}` }
await client('sequential', 'w')
const out = [
  await measure('http-seq', () => client('sequential', 's')),
  await measure('http-16', () => client('concurrent', 'c')),
  await measure('http-b50', () => client('batch', 'b')),
  await measure('ns-seq', () => nsupdate('ns', 1)),
  await measure('ns-b50', () => nsupdate('nb', 50)),
]
console.log(`${ROOT}: server CPU ms/update: ${out.join('  ')}`)
await admin.close(); await server.close(); await store.close()
