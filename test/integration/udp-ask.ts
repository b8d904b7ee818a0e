/** Sends raw query bytes over UDP and resolves with the first datagram back (`timeoutMs`, default 2 s). */
import dgram from 'node:dgram'

export function udpAsk(address: string, port: number, packet: Uint8Array, timeoutMs = 2000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4')
    const timer = setTimeout(() => {
      s.close()
      reject(new Error('udp timeout'))
    }, timeoutMs)
    s.on('message', (m) => {
      clearTimeout(timer)
      s.close()
      resolve(m)
    })
    s.send(packet, port, address)
  })
}
