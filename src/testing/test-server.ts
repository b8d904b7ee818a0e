/**
 * {@link createTestServer}: a {@link DnsServer} on 127.0.0.1 port 0 with a query helper, for
 * integration tests of handlers over real sockets.
 */
import { query } from '../client/query.js'
import type { QueryOptions, QueryResult } from '../client/query.js'
import type { DnsServerOptions } from '../server/dns-server.js'
import { DnsServer } from '../server/dns-server.js'
import type { HandlerLike } from '../server/handler.js'

/** A running test server. */
export interface TestServer {
  server: DnsServer
  address: string
  port: number
  /** Asks the server `name`/`type` (UDP unless `options.tcp`). */
  query(name: string, type?: string, options?: QueryOptions): Promise<QueryResult>
  close(): Promise<void>
}

/** Starts a server for `handler` on 127.0.0.1, port 0. */
export async function createTestServer(handler: HandlerLike, options: Omit<DnsServerOptions, 'handler'> = {}): Promise<TestServer> {
  const server = new DnsServer({ ...options, handler })
  const bound = await server.listen({ port: 0, address: '127.0.0.1' })
  const target = { address: bound.address, port: bound.port }
  return {
    server,
    address: bound.address,
    port: bound.port,
    query: (name, type = 'A', queryOptions = {}) =>
      query(target, { name, type }, { timeoutMs: 1000, retries: 1, ...(options.network ? { network: options.network } : {}), ...queryOptions }),
    close: () => server.close(),
  }
}
