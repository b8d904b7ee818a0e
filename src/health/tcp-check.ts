/**
 * {@link tcpCheck}: the port accepts a connection (keepalived `TCP_CHECK`; dnsdist's TCP health
 * check minus the query, for which use `dnsCheck` with `transport: 'tcp'`).
 */
import type { Network } from '../util/network.js'
import { nodeNetwork } from '../util/network.js'
import type { CheckContext, CheckOutcome, HealthCheck } from './types.js'

/** Options of {@link tcpCheck}. */
export interface TcpCheckOptions {
  address: string
  port: number
  /** Sockets (default: Node's). */
  network?: Network
}

/** A check that opens a TCP connection and closes it at once: connected is up. */
export function tcpCheck(options: TcpCheckOptions): HealthCheck {
  const network = options.network ?? nodeNetwork
  const where = `${options.address}#${options.port}`
  return (context: CheckContext): Promise<CheckOutcome> =>
    new Promise<CheckOutcome>((resolve, reject) => {
      const startedAt = context.clock.now()
      const onAbort = (): void => reject(new Error(`TCP connect to ${where} aborted`))
      context.signal.addEventListener('abort', onAbort, { once: true })
      network.connectStream(options.address, options.port, { timeoutMs: context.timeoutMs }).then(
        (socket) => {
          socket.destroy()
          context.signal.removeEventListener('abort', onAbort)
          resolve({ ok: true, reason: `TCP connect to ${where} in ${context.clock.now() - startedAt} ms` })
        },
        (error: unknown) => {
          context.signal.removeEventListener('abort', onAbort)
          resolve({ ok: false, reason: `TCP connect to ${where} failed: ${error instanceof Error ? error.message : String(error)}` })
        },
      )
    })
}
