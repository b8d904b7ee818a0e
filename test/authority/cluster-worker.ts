// The worker side of test/integration/authority-cluster.test.ts: serves a one-zone Authority
// through serveCluster (started by the test's primary with `exec` pointing here).
import { Authority } from '../../src/authority/authority.js'
import { serveCluster } from '../../src/authority/cluster.js'
import { parseZone } from '../../src/zone/index.js'

// With the argument `hang`, setup never finishes: the primary's start timeout is what ends it.
const hang = process.argv.includes('hang')

await serveCluster({
  listen: { port: Number(process.env.DNS_HA_CLUSTER_PORT), address: '127.0.0.1' },
  setup: () =>
    hang ? new Promise<never>(() => {}) : new Authority({
      zones: [parseZone(`$TTL 60\n@ SOA ns h 1 1 1 1 60\n@ NS ns\nns A 192.0.2.53\nwww TXT "pid ${process.pid}"\n`, { origin: 'cluster.test.' })],
    }),
})
