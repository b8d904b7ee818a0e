/**
 * {@link parseResolvConf}: the `nameserver` lines of a resolv.conf-format file, as upstreams.
 */
import { addressBytes } from '../util/cidr.js'
import { DnsHaError } from '../util/errors.js'

/** An upstream resolver. */
export interface UpstreamServer {
  address: string
  /** Default 53. */
  port?: number
}

/** Options for {@link parseResolvConf}. */
export interface ParseResolvConfOptions {
  /** Named in error messages (`file:line`). */
  fileName?: string
}

/**
 * Parses resolv.conf text into upstreams. `nameserver ADDR` lines are read, with a port allowed
 * as `ADDR#PORT` (dnsmasq's spelling) or `[ADDR]:PORT`; `search`, `domain`, `options` and
 * `sortlist` lines and comments (`#`, `;`) are ignored. A malformed nameserver throws
 * `ERR_CONFIG` with `file:line`.
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
    const [keyword, value, ...rest] = content.split(/\s+/)
    if (keyword !== 'nameserver') continue
    const where = `${fileName}:${i + 1}`
    if (value === undefined || rest.length > 0) throw new DnsHaError('ERR_CONFIG', `${where}: expected "nameserver ADDRESS"`, { details: { fileName, line: i + 1 } })
    servers.push(parseServerAddress(value, where))
  }
  return servers
}

/**
 * Parses `ADDR`, `ADDR#PORT` or `[ADDR]:PORT` into an upstream; throws `ERR_CONFIG` mentioning
 * `where` when it is not an IP address with an optional port in 1..65535.
 */
export function parseServerAddress(text: string, where: string): UpstreamServer {
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
  if (!addressBytes(address)) throw new DnsHaError('ERR_CONFIG', `${where}: "${text}" is not an IP address`)
  if (portText === undefined) return { address }
  const port = Number(portText)
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw new DnsHaError('ERR_CONFIG', `${where}: "${portText}" is not a port`)
  return { address, port }
}
