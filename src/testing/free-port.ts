/**
 * {@link freeLoopbackPort}: a port for a peer that cannot bind port 0 itself (NSD, Knot, dnsmasq
 * and BIND take their port from a config file), free for both UDP and TCP on 127.0.0.1.
 */
import dgram from 'node:dgram'
import net from 'node:net'

/**
 * A port that is free for both TCP and UDP on 127.0.0.1 right now: the kernel picks one for a TCP
 * listener, which is closed, then UDP is bound and closed on it; a port taken on either side is
 * skipped. Another process may still take it before the caller does: start the peer promptly.
 */
export async function freeLoopbackPort(): Promise<number> {
  for (;;) {
    const server = net.createServer()
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port))
    })
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = dgram.createSocket('udp4')
      socket.once('error', () => {
        socket.close()
        resolve(false)
      })
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)))
    })
    if (udpFree) return port
  }
}
