/**
 * `--metrics ADDR:PORT` on the serving commands: Prometheus metrics of what the command runs, on
 * a listener of their own (`http://ADDR:PORT/metrics`). prom-client is loaded only when asked for.
 */
import { InvalidArgumentError } from 'commander'
import type { DnsHaMetrics } from '../metrics/index.js'
import type { CliIo, RunningService } from './service.js'

/** Where `--metrics` listens. */
export interface MetricsEndpoint {
  address: string
  port: number
}

/** The name a listening component is watched under: its first bound `address#port`. */
export function endpointName(component: { snapshot(): { listening: readonly { address: string; port: number }[] } }): string {
  const first = component.snapshot().listening[0]
  return first === undefined ? 'unbound' : `${first.address}#${first.port}`
}

/** commander's parser for `--metrics`: `127.0.0.1:9153`, `[::1]:9153`, or `:9153` (loopback). */
export function parseMetricsEndpoint(value: string): MetricsEndpoint {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value)
  const port = m === null ? NaN : Number(m[3])
  if (m === null || port > 65535) throw new InvalidArgumentError(`expected ADDRESS:PORT (e.g. 127.0.0.1:9153 or [::1]:9153), got '${value}'`)
  const address = m[1] ?? (m[2] === '' ? '127.0.0.1' : m[2]!)
  return { address, port }
}

/**
 * Starts `service`, then, with an endpoint, its metrics: the service's components watched and
 * served; a metrics listener that cannot start stops the service and fails the command.
 */
export async function withMetrics(start: Promise<RunningService>, endpoint: MetricsEndpoint | undefined, io: CliIo): Promise<RunningService> {
  const service = await start
  // A one-shot run (`vrrp --check`) has nothing to watch.
  if (endpoint === undefined || service.watch === undefined) return service
  let metrics: DnsHaMetrics
  let http: { address: string; port: number; close(): Promise<void> }
  try {
    const { createMetrics, serveMetrics } = await import('../metrics/index.js')
    metrics = await createMetrics()
    service.watch?.(metrics)
    http = await serveMetrics({ metrics, address: endpoint.address, port: endpoint.port })
  } catch (error) {
    await service.close()
    throw error
  }
  const host = http.address.includes(':') ? `[${http.address}]` : http.address
  io.out(`metrics on http://${host}:${http.port}/metrics`)
  return {
    ...service,
    async close() {
      await http.close()
      await service.close()
    },
  }
}
