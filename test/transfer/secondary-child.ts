// A secondary in its own process, for the kill -9 test: follows the primary at argv[2] (port),
// keeps state in argv[3], serves on 127.0.0.1 port 0 and prints `port N`, then a line per event.
import { Authority } from '../../src/authority/authority.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { SecondaryZone } from '../../src/transfer/secondary-zone.js'

const [primaryPort, stateDir] = process.argv.slice(2)
const secondary = new SecondaryZone({
  origin: 'example.com.',
  primaries: [{ address: '127.0.0.1', port: Number(primaryPort) }],
  stateDir: stateDir!,
  timers: { minRefreshSec: 0, minRetrySec: 0 },
  queryTimeoutMs: 300,
  idleTimeoutMs: 60_000,
})
secondary.on('transferred', (e) => console.log(`transferred ${e.serial}`))
secondary.on('failed', (e) => console.log(`failed ${e.code}`))
const server = new DnsServer({ handler: new Authority({ secondaries: [secondary] }) })
const bound = await server.listen({ port: 0, address: '127.0.0.1' })
console.log(`port ${bound.port}`)
