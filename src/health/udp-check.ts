/**
 * {@link udpCheck}: a datagram out, a reply expected (keepalived `UDP_CHECK` with a payload).
 *
 * The `Network` seam has no connected datagram sockets yet, so the probe goes out of an
 * unconnected socket: Linux reports ICMP port unreachable only to connected sockets, so a closed
 * port fails when the run's `timeoutMs` passes, not at once. A send error does fail at once.
 */
import type { DatagramSocket, Network } from '../util/network.js'
import { addressFamily, nodeNetwork } from '../util/network.js'
import type { CheckContext, CheckOutcome, HealthCheck } from './types.js'

/** Options of {@link udpCheck}. */
export interface UdpCheckOptions {
  address: string
  port: number
  /** The datagram sent. */
  payload: Uint8Array
  /** Which reply passes: a regex over its bytes read as Latin-1, or a predicate (default: any reply). */
  expect?: RegExp | ((reply: Buffer) => boolean)
  /** Sockets (default: Node's). */
  network?: Network
}

/** A check that sends `payload` and passes on the first acceptable reply from `address`:`port`. */
export function udpCheck(options: UdpCheckOptions): HealthCheck {
  const network = options.network ?? nodeNetwork
  const where = `${options.address}#${options.port}`
  const family = addressFamily(options.address)
  return async (context: CheckContext): Promise<CheckOutcome> => {
    const socket: DatagramSocket = network.createDatagramSocket(family)
    const startedAt = context.clock.now()
    try {
      await socket.bind(0, family === 6 ? '::' : '0.0.0.0')
      return await new Promise<CheckOutcome>((resolve, reject) => {
        const onAbort = (): void => reject(new Error(`UDP probe of ${where} aborted`))
        if (context.signal.aborted) return onAbort()
        context.signal.addEventListener('abort', onAbort, { once: true })
        const settle = (outcome: CheckOutcome): void => {
          context.signal.removeEventListener('abort', onAbort)
          resolve(outcome)
        }
        socket.onError((error) => settle({ ok: false, reason: `UDP probe of ${where} failed: ${error.message}` }))
        socket.onMessage((reply, rinfo) => {
          if (rinfo.port !== options.port || rinfo.address !== options.address) return
          if (!accepts(options.expect, reply)) return settle({ ok: false, reason: `UDP probe of ${where}: unexpected reply (${reply.length} bytes)` })
          settle({ ok: true, reason: `UDP reply from ${where} in ${context.clock.now() - startedAt} ms` })
        })
        socket.send(options.payload, options.port, options.address, (error) => {
          if (error) settle({ ok: false, reason: `UDP send to ${where} failed: ${error.message}` })
        })
      })
    } finally {
      await socket.close().catch(() => {})
    }
  }
}

function accepts(expect: UdpCheckOptions['expect'], reply: Buffer): boolean {
  if (expect === undefined) return true
  if (typeof expect === 'function') return expect(reply)
  expect.lastIndex = 0
  return expect.test(reply.toString('latin1'))
}
