/**
 * The dns-ha side of `npm run bench -- transfer`, in its own process so its RSS is its own.
 * `--primary <zone file>`: an Authority serving the file with transfers allowed to 127.0.0.1,
 * printing `PORT <n>` once it listens. `--secondary <primary port>`: a SecondaryZone behind a
 * DnsServer taking the zone from 127.0.0.1:<primary port>, printing `PORT <n>` when it listens and
 * `TRANSFERRED <ms> <records> <kind>` when the copy is served.
 */
import { readFileSync } from 'node:fs'
import { Authority } from '../src/authority/index.js'
import { DnsServer } from '../src/server/index.js'
import { SecondaryZone } from '../src/transfer/index.js'
import { parseZone } from '../src/zone/index.js'
import { argValue } from './lib/index.js'

const args = process.argv.slice(2)
const origin = argValue(args, '--origin') ?? 'xfr.bench.'
const primaryFile = argValue(args, '--primary')
const primaryPort = argValue(args, '--secondary')

async function main(): Promise<void> {
  let authority: Authority
  if (primaryFile !== undefined) {
    // Our own generated file: the file limits (no bound on records or bytes), as readZoneFile has them.
    const zone = parseZone(readFileSync(primaryFile, 'utf8'), { origin, fileName: primaryFile, maxRecords: 0, maxZoneBytes: 0 })
    authority = new Authority({ zones: [zone], allowTransfer: ['127.0.0.1'], notify: false })
  } else if (primaryPort !== undefined) {
    const secondary = new SecondaryZone({ origin, primaries: [{ address: '127.0.0.1', port: Number(primaryPort) }], limits: { maxRecords: 0, maxZoneBytes: 0 } })
    secondary.on('transferred', (e) => console.log(`TRANSFERRED ${e.ms} ${e.records} ${e.kind}`))
    secondary.on('failed', (e) => console.log(`FAILED ${e.reason}`))
    authority = new Authority({ secondaries: [secondary] })
  } else {
    throw new Error('usage: transfer-child.ts --primary <zone file> | --secondary <primary port>')
  }
  const server = new DnsServer({ handler: authority })
  const bound = await server.listen({ port: Number(argValue(args, '--port') ?? 0), address: '127.0.0.1' })
  console.log(`PORT ${bound.port}`)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void server.close().then(() => process.exit(0)))
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
