/**
 * {@link serveMetrics}: `/metrics` on a listener of its own (node:http), for a Prometheus scrape
 * where no admin listener runs (`dns-ha serve --metrics 127.0.0.1:9153`).
 */
import { createServer } from 'node:http'
import { DnsHaError } from '../util/errors.js'
import type { DnsHaMetrics } from './metrics.js'

/** Options of {@link serveMetrics}. */
export interface ServeMetricsOptions {
  /** What to expose (from `createMetrics`). */
  metrics: Pick<DnsHaMetrics, 'text' | 'contentType'>
  /** Address to listen on (default `127.0.0.1`: loopback only). */
  address?: string
  /** Port (default 0: any free port; the bound one is in the result). */
  port?: number
  /** The path served (default `/metrics`); every other path answers 404. */
  path?: string
}

/** A running metrics listener. */
export interface MetricsServer {
  /** The address bound. */
  address: string
  /** The port bound (the chosen one when `port` was 0). */
  port: number
  /** Stops listening and closes open connections. */
  close(): Promise<void>
}

/**
 * Serves `metrics` at `GET /metrics` (and `HEAD`) in the Prometheus text format, content type
 * `text/plain; version=0.0.4`. A failing scrape answers 500 with the error; the listener goes on.
 *
 * @example
 * const http = await serveMetrics({ metrics, address: '0.0.0.0', port: 9153 })
 * @throws DnsHaError `ERR_CONFIG` for a bad port, `ERR_METRICS_LISTEN` when the port cannot be bound.
 */
export async function serveMetrics(options: ServeMetricsOptions): Promise<MetricsServer> {
  const { metrics } = options
  const path = options.path ?? '/metrics'
  const address = options.address ?? '127.0.0.1'
  const port = options.port ?? 0
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new DnsHaError('ERR_CONFIG', `serveMetrics: port must be an integer from 0 to 65535, got ${port}`)
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0]
    if (url !== path) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`not found; metrics are at ${path}\n`)
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n')
      return
    }
    metrics.text().then(
      (body) => {
        res.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' })
        res.end(req.method === 'HEAD' ? undefined : body)
      },
      (error: unknown) => {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`metrics failed: ${error instanceof Error ? error.message : String(error)}\n`)
      },
    )
  })
  const bound = await new Promise<{ address: string; port: number }>((resolve, reject) => {
    server.once('error', (cause: Error) => reject(new DnsHaError('ERR_METRICS_LISTEN', `serveMetrics: cannot listen on ${address}:${port}: ${cause.message}`, { cause })))
    server.listen(port, address, () => {
      const a = server.address()
      resolve(typeof a === 'object' && a !== null ? { address: a.address, port: a.port } : { address, port })
    })
  })
  let closed: Promise<void> | undefined
  return {
    ...bound,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })),
  }
}
