/**
 * {@link parseServersFile}: dnsmasq's `servers-file`, the one part of its configuration it
 * re-reads on SIGHUP; the forwarder reads it on every reload.
 */
import { ConfigSyntaxError } from '../util/errors.js'
import type { ConfigPosition } from '../util/errors.js'
import type { DomainServers } from './domain-rules.js'
import { mergeRoutes, mergeServers, revServer, serverLine, splitOption, toLines } from './dnsmasq-syntax.js'
import type { UpstreamServer } from './parse-resolv-conf.js'

/** What a servers-file holds: default upstreams (`server=ADDR`) and domain routes (`server=/d/ADDR`, `rev-server=`). */
export interface ServersFileContent {
  servers: UpstreamServer[]
  domainServers: DomainServers[]
}

/**
 * Parses a dnsmasq `servers-file`: only `server=` and `rev-server=` lines (and comments), as
 * dnsmasq allows there. Errors are {@link ConfigSyntaxError}s.
 */
export function parseServersFile(text: string, options: { fileName?: string } = {}): ServersFileContent {
  const servers: UpstreamServer[] = []
  const domainServers: DomainServers[] = []
  for (const line of toLines(text, options.fileName ?? '<servers-file>')) {
    const { option, value, optionColumn, valueColumn } = splitOption(line)
    const at = (column: number): ConfigPosition => ({ file: line.file, line: line.line, column })
    if (option !== 'server' && option !== 'rev-server') throw new ConfigSyntaxError(`only server= and rev-server= are allowed in a servers-file, not "${option}"`, at(optionColumn))
    if (value === undefined || value === '') throw new ConfigSyntaxError(`${option} needs a value`, at(valueColumn))
    if (option === 'server') serverLine(value, valueColumn, at, servers, domainServers, 'server')
    else domainServers.push(...revServer(value, valueColumn, at))
  }
  return { servers: mergeServers(servers), domainServers: mergeRoutes(domainServers) }
}
