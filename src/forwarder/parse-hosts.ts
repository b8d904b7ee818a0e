/**
 * {@link parseHosts}: /etc/hosts text to entries. Pure: reading files is the forwarder's
 * business (through its file seam), so this runs on strings in tests and in the browser alike.
 */
import { addressBytes } from '../util/cidr.js'
import { DnsHaError } from '../util/errors.js'

/** One address line of a hosts file: an address and the names it carries, first name first. */
export interface HostsEntry {
  /** The address as written (IPv4 or IPv6, zone id dropped). */
  address: string
  /** 4 or 6. */
  family: 4 | 6
  /** Names as written, without a trailing dot (the first is the canonical one, the rest are aliases). */
  names: string[]
  /** Where the line came from, for messages. */
  fileName?: string
  line?: number
}

/** Options for {@link parseHosts}. */
export interface ParseHostsOptions {
  /** Named in error messages (`file:line`). */
  fileName?: string
}

const LABEL = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/

/**
 * Parses /etc/hosts-format text: `address name [alias...]` lines, `#` comments (whole line or
 * trailing), blank lines, IPv4 and IPv6. Unlike dnsmasq, which logs and skips a bad line, a line
 * with a malformed address or name throws `ERR_CONFIG` naming `file:line`: the forwarder keeps
 * the previous contents of a file that fails to parse, which is safer than serving half of it.
 */
export function parseHosts(text: string, options: ParseHostsOptions = {}): HostsEntry[] {
  const fileName = options.fileName ?? '<hosts>'
  const entries: HostsEntry[] = []
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!
    const hash = raw.indexOf('#')
    const content = (hash >= 0 ? raw.slice(0, hash) : raw).trim()
    if (content === '') continue
    const fields = content.split(/\s+/)
    const where = `${fileName}:${i + 1}`
    const address = stripZone(fields[0]!)
    const bytes = addressBytes(address)
    if (!bytes) throw new DnsHaError('ERR_CONFIG', `${where}: "${fields[0]}" is not an IPv4 or IPv6 address`, { details: { fileName, line: i + 1 } })
    const names = fields.slice(1).map((n) => (n.endsWith('.') ? n.slice(0, -1) : n))
    if (names.length === 0) throw new DnsHaError('ERR_CONFIG', `${where}: address ${address} has no names`, { details: { fileName, line: i + 1 } })
    for (const name of names) {
      if (!validHostName(name)) throw new DnsHaError('ERR_CONFIG', `${where}: "${name}" is not a valid host name`, { details: { fileName, line: i + 1 } })
    }
    entries.push({ address, family: bytes.length === 4 ? 4 : 6, names, fileName, line: i + 1 })
  }
  return entries
}

/** Host names as hosts files allow them: letters, digits, `-` and `_`, labels up to 63, names up to 253. */
function validHostName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false
  return name.split('.').every((label) => LABEL.test(label))
}

function stripZone(address: string): string {
  const pct = address.indexOf('%')
  return pct < 0 ? address : address.slice(0, pct)
}
