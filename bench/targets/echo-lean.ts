// The echo baseline with the send path DnsServer uses: destinations that are IP literals skip
// dgram's dns.lookup (a regex and a process.nextTick per datagram). The Node floor our servers
// are really held to; `echo.ts` is the naive one the issues name.
import dgram from 'node:dgram'
import { lookup } from 'node:dns'

const socket = dgram.createSocket({
  type: 'udp4',
  lookup: ((host: string, family: unknown, callback: (err: Error | null, address: string, family: number) => void) =>
    family === 4 && /^\d+\.\d+\.\d+\.\d+$/.test(host) ? callback(null, host, 4) : (lookup as (h: string, f: unknown, c: typeof callback) => void)(host, family, callback)) as unknown as typeof lookup,
})
socket.on('message', (msg, rinfo) => {
  msg[2]! |= 0x80
  socket.send(msg, rinfo.port, rinfo.address)
})
socket.bind(0, '127.0.0.1', () => console.log(`PORT ${socket.address().port}`))
