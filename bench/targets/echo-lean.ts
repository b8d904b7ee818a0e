// The echo baseline sending through dns-ha's own socket wrapper (`nodeNetwork`), the path
// DnsServer uses: destinations that are IP literals skip dgram's dns.lookup (a regex and a
// process.nextTick per datagram). The Node floor our servers are really held to; `echo.ts` is the
// naive one the issues name.
import { nodeNetwork } from '../../src/util/network.js'

const socket = nodeNetwork.createDatagramSocket(4)
socket.onMessage((msg, rinfo) => {
  msg[2]! |= 0x80
  socket.send(msg, rinfo.port, rinfo.address)
})
const bound = await socket.bind(0, '127.0.0.1')
console.log(`PORT ${bound.port}`)
