/** Sends raw query bytes over UDP and resolves with the first datagram back (2 s timeout). */
import dgram from 'node:dgram'

export function udpAsk(address: string, port: number, packet: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4')
    const timer = setTimeout(() => {
      s.close()
      reject(new Error('udp timeout'))
    }, 2000)
    s.on('message', (m) => {
      clearTimeout(timer)
      s.close()
      resolve(m)
    })
    s.send(packet, port, address)
  })
}
