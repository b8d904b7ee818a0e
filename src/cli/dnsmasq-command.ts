/**
 * `dns-ha dnsmasq -C dnsmasq.conf`: a drop-in run of a dnsmasq configuration's DNS side (the
 * forwarder with its hosts overlay, local records and upstream rules). It listens where the file
 * says (`listen-address`, `port`), SIGHUP re-reads the hosts, resolv and servers files as dnsmasq
 * does, and the lines dnsmasq would use for DHCP or TFTP are listed once as ignored.
 */
import { dirname, resolve } from 'node:path'
import { Forwarder, readDnsmasqConf } from '../forwarder/index.js'
import { DnsServer } from '../server/index.js'
import type { DnsServerEngine } from '../server/index.js'
import type { Logger } from '../util/logger.js'
import { endpointName } from './metrics-option.js'
import { logOptions } from './serve-command.js'
import type { CliIo, RunningService } from './service.js'

/** What `dns-ha dnsmasq` was asked for. */
export interface DnsmasqSettings {
  config: string
  /** Overrides the file's `port`. */
  port?: number
  /** Overrides the file's `listen-address` lines. */
  addresses?: string[]
  engine: DnsServerEngine | 'auto'
  /** Where the forwarder and the servers log (`--log-level`, `--log-format`). */
  logger?: Logger
  /** The query log's sink (`--query-log`, dnsmasq's `log-queries`). */
  queryLog?: Logger
}

/** Reads the configuration, starts the forwarder, listens; the file's errors carry file:line:column. */
export async function startDnsmasq(settings: DnsmasqSettings, io: CliIo): Promise<RunningService> {
  // Relative paths inside the file (addn-hosts=hosts) are read beside it, as the seed's layout expects.
  const file = resolve(settings.config)
  const config = await readDnsmasqConf(file, { baseDir: dirname(file) })
  for (const line of config.ignored) io.err(`${line.file}:${line.line}: ${line.option} ignored: ${line.reason}`)
  const forwarder = new Forwarder({ ...config, ...(settings.logger === undefined ? {} : { logger: settings.logger }) })
  await forwarder.start()
  // dnsmasq without listen-address answers on every address; so do we (IPv4 wildcard).
  const addresses = settings.addresses ?? (config.listen.addresses.length > 0 ? config.listen.addresses : ['0.0.0.0'])
  const port = settings.port ?? config.listen.port
  const servers: DnsServer[] = []
  try {
    for (const address of addresses) {
      const server = new DnsServer({ handler: forwarder, engine: settings.engine, ...logOptions(settings) })
      servers.push(server)
      const bound = await server.listen({ address, port })
      io.out(`listening on ${bound.address}#${bound.port} (udp, tcp; engine ${server.snapshot().engine})`)
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.close()))
    await forwarder.close()
    throw error
  }
  const snapshot = forwarder.snapshot()
  io.out(`forwarding to ${describeUpstreams(snapshot.upstreams)}; cache ${config.cacheSize ?? 150} entries`)

  return {
    watch(metrics) {
      metrics.watch('main', forwarder)
      for (const server of servers) metrics.watch(endpointName(server), server)
    },
    async reload() {
      const result = await forwarder.reload()
      const lines = [`reloaded: ${result.hostsEntries} hosts entries, ${result.defaultServers} default servers`]
      for (const e of result.errors) lines.push(`${e.file}: kept the old data: ${e.message}`)
      return lines
    },
    async close() {
      await Promise.all(servers.map((s) => s.close()))
      await forwarder.close()
    },
  }
}

function describeUpstreams(upstreams: readonly { address: string; port: number }[]): string {
  return upstreams.length === 0 ? 'no upstream (local answers only)' : upstreams.map((u) => `${u.address}#${u.port}`).join(', ')
}
