/**
 * `dns-ha pool --nginx FILE`: every `server { }` of an nginx `stream { }` block as a running
 * UdpProxyPool, listening where nginx would, with nginx's member semantics (weight, max_fails,
 * fail_timeout, backup, down). Directives we do not implement are errors with file:line:column,
 * never silently dropped.
 */
import { readFile } from 'node:fs/promises'
import { parseNginxStream, UdpProxyPool, poolOptionsFromNginx } from '../proxy/index.js'
import { ConfigFileError } from '../util/errors.js'
import type { Logger } from '../util/logger.js'
import { endpointName } from './metrics-option.js'
import type { CliIo, RunningService } from './service.js'

/** What `dns-ha pool` was asked for. */
export interface PoolSettings {
  nginx: string
  /** Overrides every server's `listen` address (a loopback trial of a production file). */
  address?: string
  /** Overrides the port when the file has one server (0 picks a free one). */
  port?: number
  /** Where the pools log (`--log-level`, `--log-format`). */
  logger?: Logger
}

/** Parses the file and starts one pool per stream server; all or none. */
export async function startPool(settings: PoolSettings, io: CliIo): Promise<RunningService> {
  const text = await readFile(settings.nginx, 'utf8').catch((cause: unknown) => {
    throw new ConfigFileError(settings.nginx, (cause as Error).message, { cause })
  })
  const config = parseNginxStream(text, { file: settings.nginx })
  if (config.servers.length === 0) throw new ConfigFileError(settings.nginx, 'no stream server { } block to run')
  if (settings.port !== undefined && config.servers.length > 1) throw new ConfigFileError(settings.nginx, `--port needs a file with one stream server; this one has ${config.servers.length}`)
  const pools: UdpProxyPool[] = []
  try {
    for (const server of config.servers) {
      const setup = poolOptionsFromNginx(server)
      const listen = { ...setup.listen, ...(settings.address === undefined ? {} : { address: settings.address }), ...(settings.port === undefined ? {} : { port: settings.port }) }
      const pool = new UdpProxyPool({ ...setup.options, ...(settings.logger === undefined ? {} : { logger: settings.logger }) })
      pools.push(pool)
      const bound = await pool.listen(listen)
      const members = setup.options.members.map((m) => `${m.address}:${m.port}${m.weight !== undefined && m.weight !== 1 ? ` weight=${m.weight}` : ''}${m.backup ? ' backup' : ''}${m.down ? ' down' : ''}`)
      io.out(`pool on ${bound.address}#${bound.port} (${[listen.udp ? 'udp' : '', listen.tcp ? 'tcp' : ''].filter(Boolean).join(', ')}; ${setup.options.policy ?? 'round-robin'}) -> ${members.join(', ')}`)
    }
  } catch (error) {
    await Promise.all(pools.map((p) => p.close()))
    throw error
  }
  return {
    watch(metrics) {
      for (const pool of pools) metrics.watch(endpointName(pool), pool)
    },
    async close() {
      await Promise.all(pools.map((p) => p.close()))
    },
  }
}
