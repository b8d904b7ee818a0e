/**
 * `dns-ha serve --zone FILE[:ORIGIN]...`: an authoritative server from zone files, as `named`
 * with a few `zone { type primary; file ...; }` blocks or `nsd` with its zone list. SIGHUP
 * reloads every zone (`rndc reload`): a raised serial is swapped in whole, a zone that no longer
 * parses keeps serving its old copy.
 */
import { Authority } from '../authority/index.js'
import type { ZoneErrorEvent } from '../authority/index.js'
import { DnsServer } from '../server/index.js'
import type { DnsServerEngine } from '../server/index.js'
import { DnsHaError } from '../util/errors.js'
import type { Logger } from '../util/logger.js'
import { endpointName } from './metrics-option.js'
import type { CliIo, RunningService } from './service.js'
import type { ZoneArgument } from './zone-argument.js'

/** What `dns-ha serve` was asked for. */
export interface ServeSettings {
  zones: ZoneArgument[]
  addresses: string[]
  port: number
  engine: DnsServerEngine | 'auto'
  /** Where the authority and the servers log (`--log-level`, `--log-format`). */
  logger?: Logger
  /** The query log's sink (`--query-log`). */
  queryLog?: Logger
}

/** Loads every zone (failing on the first that does not load), then listens on each address. */
export async function startServe(settings: ServeSettings, io: CliIo): Promise<RunningService> {
  const failures: ZoneErrorEvent[] = []
  let starting = true
  const logger = settings.logger === undefined ? undefined : quietWhile(settings.logger, () => starting)
  const authority = new Authority({ zones: settings.zones.map(({ file, origin }) => ({ file, origin })), ...(logger === undefined ? {} : { logger }) })
  authority.on('zone-error', (event) => failures.push(event))
  await authority.start()
  starting = false
  if (failures.length > 0) throw failures[0]!.error instanceof Error ? failures[0]!.error : new DnsHaError('ERR_ZONE_FILE', String(failures[0]!.error))

  const servers: DnsServer[] = []
  try {
    for (const address of settings.addresses) {
      const server = new DnsServer({ handler: authority, engine: settings.engine, ...logOptions(settings) })
      servers.push(server)
      const bound = await server.listen({ address, port: settings.port })
      io.out(`listening on ${bound.address}#${bound.port} (udp, tcp; engine ${server.snapshot().engine})`)
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.close()))
    throw error
  }
  for (const zone of authority.snapshot().views[0]!.zones) io.out(`zone ${zone.origin} serial ${zone.serial ?? '-'} from ${zone.file ?? 'memory'}`)

  return {
    watch(metrics) {
      metrics.watch('main', authority)
      for (const server of servers) metrics.watch(endpointName(server), server)
    },
    async reload() {
      const lines: string[] = []
      for (const { origin } of settings.zones) {
        try {
          const result = await authority.reloadZone(origin)
          lines.push(result.loaded ? `zone ${origin} reloaded: serial ${result.previousSerial ?? '-'} -> ${result.serial ?? '-'}` : `zone ${origin} unchanged (serial ${result.serial ?? '-'})${result.warning ? `: ${result.warning}` : ''}`)
        } catch (error) {
          lines.push(`zone ${origin} kept its old copy: ${error instanceof Error ? error.message : String(error)}`)
        }
      }
      return lines
    },
    async close() {
      await Promise.all(servers.map((s) => s.close()))
    },
  }
}

/** The DnsServer's `logger` and `queryLog` options from the settings (absent ones left out). */
export function logOptions(settings: { logger?: Logger; queryLog?: Logger }): { logger?: Logger; queryLog?: Logger } {
  return { ...(settings.logger === undefined ? {} : { logger: settings.logger }), ...(settings.queryLog === undefined ? {} : { queryLog: settings.queryLog }) }
}

/**
 * `logger` without its error lines while `quiet()` holds: a zone that fails at start is the
 * command's one failure line (and exit status), not a log line as well.
 */
function quietWhile(logger: Logger, quiet: () => boolean): Logger {
  return {
    debug: (message, meta) => logger.debug?.(message, meta),
    info: (message, meta) => logger.info?.(message, meta),
    warn: (message, meta) => logger.warn?.(message, meta),
    error: (message, meta) => {
      if (!quiet()) logger.error?.(message, meta)
    },
  }
}
