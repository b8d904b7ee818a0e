/**
 * {@link parseHosts}: /etc/hosts text to entries. Pure: reading files is the forwarder's
 * business (through its file seam), so this runs on strings in tests and in the browser alike.
 */
import { addressBytes } from '../util/cidr.js'
import { ConfigSyntaxError } from '../util/errors.js'

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
  /** Named in errors (`file`; default `<hosts>`). */
  fileName?: string
}

const LABEL = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/

/**
 * Parses /etc/hosts-format text: `address name [alias...]` lines, `#` comments (whole line or
 * trailing), blank lines, IPv4 and IPv6. Unlike dnsmasq, which logs and skips a bad line, a line
 * with a malformed address or name throws a `ConfigSyntaxError` (`ERR_CONFIG`) with `file`,
 * `line` and `column`: the forwarder keeps
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
    // Each field with its 1-based column, for errors.
    const fields: { text: string; column: number }[] = []
    for (const m of raw.slice(0, hash >= 0 ? hash : raw.length).matchAll(/\S+/g)) fields.push({ text: m[0], column: m.index! + 1 })
    const fail = (reason: string, column: number): never => {
      throw new ConfigSyntaxError(reason, { file: fileName, line: i + 1, column })
    }
    const address = stripZone(fields[0]!.text)
    const bytes = addressBytes(address)
    if (!bytes) fail(`"${fields[0]!.text}" is not an IPv4 or IPv6 address`, fields[0]!.column)
    if (fields.length === 1) fail(`address ${address} has no names`, fields[0]!.column)
    const names: string[] = []
    for (const field of fields.slice(1)) {
      const name = field.text.endsWith('.') ? field.text.slice(0, -1) : field.text
      if (!validHostName(name)) fail(`"${name}" is not a valid host name`, field.column)
      names.push(name)
    }
    entries.push({ address, family: bytes!.length === 4 ? 4 : 6, names, fileName, line: i + 1 })
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
