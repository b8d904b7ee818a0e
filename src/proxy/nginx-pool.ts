/**
 * From an nginx `stream` server to a running pool: {@link poolOptionsFromNginx} turns one entry of
 * `parseNginxStream(text).servers` into the pool's options and where to listen, keeping nginx's
 * meaning of `listen` (`listen 53 udp;` serves UDP only, `listen 53;` TCP only, both directives
 * both), and {@link startNginxPool} builds and starts it, so a configuration moves in one line.
 */
import type { UdpProxyPoolOptions } from './options.js'
import type { NginxStreamServer } from './parse-nginx-stream.js'
import type { ProxyListenOptions } from './udp-proxy-pool.js'
import { UdpProxyPool } from './udp-proxy-pool.js'

/** What {@link poolOptionsFromNginx} returns: the pool's options and its `listen()` argument. */
export interface NginxPoolSetup {
  options: UdpProxyPoolOptions
  listen: Required<ProxyListenOptions>
}

/**
 * The pool options and listen address of one parsed nginx `server { }`. `overrides` are merged
 * over the options (seams such as `clock` and `network`, or DNS-mode settings nginx has no word
 * for); the members are copied, so the parsed configuration is never changed by the pool.
 */
export function poolOptionsFromNginx(server: NginxStreamServer, overrides: Partial<UdpProxyPoolOptions> = {}): NginxPoolSetup {
  const options: UdpProxyPoolOptions = { ...server.options, members: server.options.members.map((m) => ({ ...m })), ...overrides }
  const { address, port, udp, tcp } = server.listen
  return { options, listen: { address, port, udp, tcp } }
}

/** Builds the pool of one parsed nginx `server { }` and starts it listening where nginx would; resolves with the running pool. */
export async function startNginxPool(server: NginxStreamServer, overrides: Partial<UdpProxyPoolOptions> = {}): Promise<UdpProxyPool> {
  const setup = poolOptionsFromNginx(server, overrides)
  const pool = new UdpProxyPool(setup.options)
  try {
    await pool.listen(setup.listen)
  } catch (error) {
    await pool.close()
    throw error
  }
  return pool
}
