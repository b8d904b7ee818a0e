/**
 * The line syntax dnsmasq.conf, its includes and servers-files share: comments, `option=value`
 * with columns, comma fields (quoted where dnsmasq allows quotes), `/domain/` lists and the
 * `server=` / `rev-server=` values, so every error can name `file:line:column`.
 */
import { addressBytes } from '../util/cidr.js'
import { ConfigSyntaxError } from '../util/errors.js'
import type { ConfigPosition } from '../util/errors.js'
import type { DomainServers } from './domain-rules.js'
import type { UpstreamServer } from './parse-resolv-conf.js'
import { parseServerAddress } from './parse-resolv-conf.js'

/** One line of configuration and where it came from. */
export interface ConfLine {
  text: string
  file: string
  line: number
}

/** Lines with comments removed: `#` at the start or after whitespace, outside double quotes (`server=ip#port` keeps its port). */
export function toLines(text: string, file: string): ConfLine[] {
  const out: ConfLine[] = []
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!
    let end = raw.length
    let quoted = false
    for (let j = 0; j < raw.length; j++) {
      const c = raw[j]
      if (c === '"') quoted = !quoted
      else if (c === '#' && !quoted && (j === 0 || /\s/.test(raw[j - 1]!))) {
        end = j
        break
      }
    }
    const content = raw.slice(0, end).trimEnd()
    if (content.trim() === '') continue
    out.push({ text: content, file, line: i + 1 })
  }
  return out
}

/** `option[=value]` with 1-based columns of the option and of the value. */
export function splitOption(line: ConfLine): { option: string; value: string | undefined; optionColumn: number; valueColumn: number } {
  const text = line.text
  const optionStart = text.length - text.trimStart().length
  const eq = text.indexOf('=')
  const option = (eq < 0 ? text : text.slice(0, eq)).trim()
  if (eq < 0) return { option, value: undefined, optionColumn: optionStart + 1, valueColumn: text.length + 1 }
  const after = text.slice(eq + 1)
  const lead = after.length - after.trimStart().length
  return { option, value: after.trim(), optionColumn: optionStart + 1, valueColumn: eq + 2 + lead }
}

/**
 * Comma-separated fields with their columns. With `quotes`, double quotes group text (commas
 * included) and are removed, and `\"`, `\\` escape inside them (txt-record, ptr-record).
 */
export function fields(value: string, column: number, quotes = false): { text: string; column: number }[] {
  const out: { text: string; column: number }[] = []
  let current = ''
  let start = 0
  let quoted = false
  // Whitespace outside quotes is kept only between other text (so fields are trimmed).
  let pending = ''
  for (let i = 0; i <= value.length; i++) {
    const c = value[i]
    if (c === undefined || (c === ',' && !quoted)) {
      const lead = current.length - current.trimStart().length
      out.push({ text: quotes ? current : current.trim(), column: column + start + (quotes ? 0 : lead) })
      current = ''
      pending = ''
      start = i + 1
      continue
    }
    if (quotes && !quoted && /\s/.test(c)) {
      if (current !== '') pending += c
      continue
    }
    current += pending
    pending = ''
    if (quotes && c === '"') {
      quoted = !quoted
      continue
    }
    if (quotes && quoted && c === '\\' && i + 1 < value.length) {
      current += value[++i]
      continue
    }
    current += c
  }
  return out
}

/** `/a.com/b.com/rest` → domains and what follows the last slash. */
export function splitDomains(value: string, column: number, fail: (message: string, column?: number) => never): { domains: string[]; rest: string; restColumn: number } {
  if (!value.startsWith('/')) fail(`expected /domain/ in "${value}"`, column)
  const last = value.lastIndexOf('/')
  if (last === 0) fail(`unterminated /domain/ in "${value}"`, column)
  const domains = value.slice(1, last).split('/').map((d) => d.trim())
  let offset = 1
  for (const d of domains) {
    if (d !== '#' && !/^[A-Za-z0-9_.-]*$/.test(d)) fail(`"${d}" is not a domain`, column + offset)
    offset += d.length + 1
  }
  return { domains: domains.map((d) => (d === '' ? '#' : d)), rest: value.slice(last + 1), restColumn: column + last + 1 }
}

/** `server=` / `local=` values: a default upstream, or `/domains/[ADDR|#]`. */
export function serverLine(
  value: string,
  column: number,
  at: (column: number) => ConfigPosition,
  servers: UpstreamServer[],
  domainServers: DomainServers[],
  option: string,
): void {
  const fail = (message: string, c = column): never => {
    throw new ConfigSyntaxError(message, at(c), { details: { option } })
  }
  if (!value.startsWith('/')) {
    servers.push(parseUpstream(value, at(column)))
    return
  }
  const { domains, rest, restColumn } = splitDomains(value, column, fail)
  const target = rest.trim()
  for (const d of domains) {
    if (target === '') domainServers.push({ domain: d, servers: [] })
    else if (target === '#') domainServers.push({ domain: d, servers: 'default' })
    else domainServers.push({ domain: d, servers: [parseUpstream(target, at(restColumn))] })
  }
}

/**
 * `rev-server=ADDR[/LEN][,SERVER]`: `server=/<reverse zone>/SERVER`. Prefix lengths on an octet
 * (IPv4) or nibble (IPv6) boundary only: the zone is then one name.
 */
export function revServer(value: string, column: number, at: (column: number) => ConfigPosition): DomainServers[] {
  const [range, server, extra] = fields(value, column)
  const fail = (message: string, c = column): never => {
    throw new ConfigSyntaxError(message, at(c), { details: { option: 'rev-server' } })
  }
  if (extra) fail('rev-server takes ADDRESS[/LENGTH][,SERVER]', extra.column)
  const [address, lengthText] = range!.text.split('/')
  const bytes = addressBytes(address!)
  if (!bytes) return fail(`"${address}" is not an IP address`, range!.column)
  const bits = bytes.length * 8
  const length = lengthText === undefined ? bits : /^\d+$/.test(lengthText) ? Number(lengthText) : NaN
  if (!(length >= 1 && length <= bits)) fail(`prefix length must be 1..${bits}, got "${lengthText}"`, range!.column)
  const step = bytes.length === 4 ? 8 : 4
  if (length % step !== 0) fail(`rev-server prefix lengths must be a multiple of ${step} here (got /${length})`, range!.column)
  let zone: string
  if (bytes.length === 4) zone = `${[...bytes.subarray(0, length / 8)].reverse().join('.')}.in-addr.arpa`
  else {
    const nibbles: string[] = []
    for (let i = 0; i < length / 4; i++) nibbles.push(((bytes[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 0xf).toString(16))
    zone = `${nibbles.reverse().join('.')}.ip6.arpa`
  }
  if (server === undefined || server.text === '') return [{ domain: zone, servers: [] }]
  if (server.text === '#') return [{ domain: zone, servers: 'default' }]
  return [{ domain: zone, servers: [parseUpstream(server.text, at(server.column))] }]
}

/** `ip[#port][@source]`: the source address/interface part is accepted and not used. */
export function parseUpstream(text: string, position: ConfigPosition): UpstreamServer {
  const at = text.indexOf('@')
  return parseServerAddress(at < 0 ? text : text.slice(0, at), position)
}

/** Repeated `server=/d/ip` lines for one domain add upstreams to that domain, as in dnsmasq. */
export function mergeRoutes(routes: DomainServers[]): DomainServers[] {
  const byDomain = new Map<string, DomainServers>()
  for (const r of routes) {
    const key = r.domain.toLowerCase()
    const existing = byDomain.get(key)
    if (existing && Array.isArray(existing.servers) && Array.isArray(r.servers) && existing.servers.length > 0 && r.servers.length > 0) {
      existing.servers.push(...r.servers)
    } else {
      byDomain.set(key, { domain: r.domain, servers: Array.isArray(r.servers) ? [...r.servers] : r.servers })
    }
  }
  return [...byDomain.values()]
}

export function mergeServers(servers: UpstreamServer[]): UpstreamServer[] {
  const seen = new Set<string>()
  return servers.filter((s) => {
    const key = `${s.address}#${s.port ?? 53}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
