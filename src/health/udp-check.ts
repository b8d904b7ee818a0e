/**
 * {@link udpCheck}: a datagram out, a reply expected (keepalived `UDP_CHECK` with a payload).
 *
 * The probe goes out of a socket connected to the target: the kernel then delivers only the
 * target's datagrams, and reports the ICMP port unreachable of a closed port as `ECONNREFUSED`,
 * so a closed port fails at once instead of at the run's `timeoutMs`. A send error fails at once
 * too.
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

/** A check that sends `payload` and passes on the first acceptable reply from `address`:`port`; a closed port (ICMP port unreachable) fails at once. */
export function udpCheck(options: UdpCheckOptions): HealthCheck {
  const network = options.network ?? nodeNetwork
  const where = `${options.address}#${options.port}`
  const family = addressFamily(options.address)
  return async (context: CheckContext): Promise<CheckOutcome> => {
    const socket: DatagramSocket = network.createDatagramSocket(family)
    const startedAt = context.clock.now()
    try {
      return await new Promise<CheckOutcome>((resolve, reject) => {
        const onAbort = (): void => reject(new Error(`UDP probe of ${where} aborted`))
        if (context.signal.aborted) return onAbort()
        context.signal.addEventListener('abort', onAbort, { once: true })
        const settle = (outcome: CheckOutcome): void => {
          context.signal.removeEventListener('abort', onAbort)
          resolve(outcome)
        }
        const failed = (error: Error): void => {
          const refused = (error as NodeJS.ErrnoException).code === 'ECONNREFUSED'
          settle({ ok: false, reason: refused ? `UDP probe of ${where}: port unreachable (ECONNREFUSED)` : `UDP probe of ${where} failed: ${error.message}` })
        }
        socket.onError(failed)
        // Connected: only the target's datagrams arrive, so any reply is the target's.
        socket.onMessage((reply) => {
          if (!accepts(options.expect, reply)) return settle({ ok: false, reason: `UDP probe of ${where}: unexpected reply (${reply.length} bytes)` })
          settle({ ok: true, reason: `UDP reply from ${where} in ${context.clock.now() - startedAt} ms` })
        })
        socket.connect(options.port, options.address).then(
          () => {
            if (context.signal.aborted) return
            socket.send(options.payload, options.port, options.address, (error) => {
              if (error) failed(error)
            })
          },
          (error: Error) => settle({ ok: false, reason: `UDP probe of ${where}: cannot connect: ${error.message}` }),
        )
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
