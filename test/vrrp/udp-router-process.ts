// A VRRP router in its own process over UDP, for the loopback failover test:
//   node --import tsx udp-router-process.ts <address> <priority> <peer-address> <peer-port>
// Prints "port <n>" once bound, then "state <to> <epoch ms>" on every change. SIGTERM stops it
// cleanly (priority 0); SIGKILL is the crash the test wants.
import { UdpTransport } from '../../src/vrrp/udp-transport.js'
import { VrrpRouter } from '../../src/vrrp/router.js'

const [address, priority, peer, peerPort] = process.argv.slice(2) as [string, string, string, string]
const transport = new UdpTransport({ address, port: 0, peerPorts: { [peer]: Number(peerPort) } })
const router = new VrrpRouter({ vrid: 51, priority: Number(priority), advertIntervalMs: 100, vips: ['127.0.0.100'], transport, unicastPeers: [peer] })
router.on('state', (e) => process.stdout.write(`state ${e.to} ${Date.now()}\n`))
await router.start()
process.stdout.write(`port ${transport.boundPort}\n`)
process.on('SIGTERM', () => void router.stop().then(() => process.exit(0)))
