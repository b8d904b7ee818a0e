/**
 * {@link parseResolvConf}: the `nameserver` lines of a resolv.conf-format file, as upstreams.
 */
import { addressBytes } from '../util/cidr.js'
import { ConfigSyntaxError, DnsHaError } from '../util/errors.js'
import type { ConfigPosition } from '../util/errors.js'

/** An upstream resolver. */
export interface UpstreamServer {
  address: string
  /** Default 53. */
  port?: number
}

/** Options for {@link parseResolvConf}. */
export interface ParseResolvConfOptions {
  /** Named in errors (`file`; default `<resolv.conf>`). */
  fileName?: string
}

/**
 * Parses resolv.conf text into upstreams. `nameserver ADDR` lines are read, with a port allowed
 * as `ADDR#PORT` (dnsmasq's spelling) or `[ADDR]:PORT`; `search`, `domain`, `options` and
 * `sortlist` lines and comments (`#`, `;`) are ignored. A malformed nameserver throws a
 * `ConfigSyntaxError` (`ERR_CONFIG`) with `file`, `line` and `column`.
 */
export function parseResolvConf(text: string, options: ParseResolvConfOptions = {}): UpstreamServer[] {
  const fileName = options.fileName ?? '<resolv.conf>'
  const servers: UpstreamServer[] = []
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    // Whole-line comments, and trailing ones after whitespace (`#` inside `ADDR#PORT` is a port).
    const trimmed = lines[i]!.trim()
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue
    const content = trimmed.replace(/\s[#;].*$/, '')
    const words = [...content.matchAll(/\S+/g)]
    if (words[0]?.[0] !== 'nameserver') continue
    const lead = lines[i]!.length - lines[i]!.trimStart().length
    const at = (w: RegExpMatchArray): ConfigPosition => ({ file: fileName, line: i + 1, column: lead + w.index! + 1 })
    if (words.length !== 2) throw new ConfigSyntaxError('expected "nameserver ADDRESS"', at(words[2] ?? words[0]!))
    servers.push(parseServerAddress(words[1]![0], at(words[1]!)))
  }
  return servers
}

/**
 * Parses `ADDR`, `ADDR#PORT` or `[ADDR]:PORT` into an upstream. When it is not an IP address
 * with an optional port in 1..65535 it throws `ERR_CONFIG`: a `ConfigSyntaxError` when `where`
 * is a position, else a `DnsHaError` whose message starts with `where`.
 */
export function parseServerAddress(text: string, where: string | ConfigPosition): UpstreamServer {
  const fail = (reason: string): never => {
    throw typeof where === 'string' ? new DnsHaError('ERR_CONFIG', `${where}: ${reason}`) : new ConfigSyntaxError(reason, where)
  }
  let address = text
  let portText: string | undefined
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text)
  if (bracket) {
    address = bracket[1]!
    portText = bracket[2]
  } else {
    const hash = text.indexOf('#')
    if (hash >= 0) {
      address = text.slice(0, hash)
      portText = text.slice(hash + 1)
    }
  }
  const pct = address.indexOf('%')
  if (pct >= 0) address = address.slice(0, pct)
  if (!addressBytes(address)) fail(`"${text}" is not an IP address`)
  if (portText === undefined) return { address }
  const port = Number(portText)
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) fail(`"${portText}" is not a port`)
  return { address, port }
}
