/**
 * `serveAdmin`: the records HTTP API and admin page on their own listener. hono and its Node
 * adapter are loaded here, on the first call, so importing `dns-ha/records` for DNS alone never
 * loads an HTTP stack.
 */
import type { Authority } from '../authority/authority.js'
import { realClock } from '../util/clock.js'
import type { Clock } from '../util/clock.js'
import { DnsHaError } from '../util/errors.js'
import type { AdminMetrics, AdminStore, AdminToken } from './admin-store.js'

/** Options of {@link serveAdmin}. */
export interface AdminOptions {
  /** The store whose zones the API reads and edits (a `ZoneStore`). */
  store: AdminStore
  /** Address to listen on (default `127.0.0.1`: loopback only). */
  address?: string
  /** Port (default 0: any free port; the bound one is in the result). */
  port?: number
  /** The tokens accepted; at least one. Tokens shorter than 16 characters are refused. */
  tokens: AdminToken[]
  /** The Authority serving the store, to report each secondary's NOTIFY and transfer state. */
  authority?: Pick<Authority, 'transfer'>
  /** The largest request body accepted, in bytes (default 1 MiB; larger: 413). */
  maxBodyBytes?: number
  /** Clock for the replication timestamps (default the real one). */
  clock?: Clock
  /**
   * Also serve these Prometheus metrics at `GET /metrics` (a `DnsHaMetrics` from `createMetrics`),
   * behind the same bearer tokens as the API (any access).
   */
  metrics?: AdminMetrics
}

/** A running admin listener. */
export interface AdminServer {
  address: string
  port: number
  /** Stops listening and closes open connections. */
  close(): Promise<void>
}

/** Default {@link AdminOptions.maxBodyBytes}: 1 MiB, room for a zone of some ten thousand records. */
export const DEFAULT_MAX_BODY_BYTES = 1 << 20

/**
 * Serves the records HTTP API (`/api/...`) and the admin page (`/`) for a store. JSON in and
 * out, bearer tokens, no cookies. See docs/records.md, "HTTP API and admin page".
 *
 * @example
 * const admin = await serveAdmin({ store, port: 8053, tokens: [{ token: process.env.ADMIN_TOKEN!, name: 'ops', access: 'write' }] })
 * // curl -H "Authorization: Bearer $ADMIN_TOKEN" http://127.0.0.1:8053/api/zones
 * @throws DnsHaError `ERR_CONFIG` for bad options, `ERR_RECORDS_LISTEN` when the port cannot be bound.
 */
export async function serveAdmin(options: AdminOptions): Promise<AdminServer> {
  const tokens = options.tokens ?? []
  if (tokens.length === 0) throw new DnsHaError('ERR_CONFIG', 'serveAdmin: at least one token is required')
  for (const t of tokens) {
    if (typeof t.token !== 'string' || t.token.length < 16) throw new DnsHaError('ERR_CONFIG', `serveAdmin: token '${t.name}' is shorter than 16 characters`)
    if (t.access !== 'read' && t.access !== 'write') throw new DnsHaError('ERR_CONFIG', `serveAdmin: token '${t.name}' has access '${String(t.access)}' (read or write)`)
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) throw new DnsHaError('ERR_CONFIG', `serveAdmin: maxBodyBytes must be a positive integer: ${maxBodyBytes}`)
  const [{ createAdminApp }, { createAdaptorServer }] = await Promise.all([import('./admin-app.js'), import('@hono/node-server')])
  const app = createAdminApp({ store: options.store, tokens, maxBodyBytes, transfer: options.authority?.transfer, clock: options.clock ?? realClock, metrics: options.metrics })
  const server = createAdaptorServer({ fetch: app.fetch })
  const address = options.address ?? '127.0.0.1'
  const bound = await new Promise<{ address: string; port: number }>((resolve, reject) => {
    server.once('error', (cause: Error) => reject(new DnsHaError('ERR_RECORDS_LISTEN', `serveAdmin: cannot listen on ${address}:${options.port ?? 0}: ${cause.message}`, { cause })))
    // A deep accept queue: a burst of clients (a deploy script's parallel edits) queues rather
    // than being reset at Node's default of 511.
    server.listen(options.port ?? 0, address, 4096, () => {
      const a = server.address()
      resolve(typeof a === 'object' && a !== null ? { address: a.address, port: a.port } : { address, port: options.port ?? 0 })
    })
  })
  let closed: Promise<void> | undefined
  return {
    ...bound,
    close: () => (closed ??= new Promise<void>((resolve) => {
      app.close()
      server.close(() => resolve())
      // Keep-alive connections would hold close() open until they idle out.
      const s = server as { closeAllConnections?: () => void }
      s.closeAllConnections?.()
    })),
  }
}
