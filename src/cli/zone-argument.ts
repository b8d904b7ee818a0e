/**
 * `--zone FILE[:ORIGIN]`: the zone files `dns-ha serve` loads. Without an origin it is taken from
 * the file's name as BIND users name them (`example.com.zone`, `db.example.com`,
 * `example.com.db`, `example.com`), since a zone file alone does not say which zone it is.
 */
import { basename } from 'node:path'
import { canonicalName } from '../packet/names.js'
import { DnsHaError } from '../util/errors.js'

/** One `--zone` argument, split. */
export interface ZoneArgument {
  file: string
  origin: string
}

/** Splits `FILE[:ORIGIN]`; throws a usage error when no origin is given and the file name does not spell one. */
export function parseZoneArgument(value: string): ZoneArgument {
  const colon = value.lastIndexOf(':')
  if (colon > 0 && colon < value.length - 1) return { file: value.slice(0, colon), origin: canonicalName(value.slice(colon + 1)) }
  const file = colon === value.length - 1 ? value.slice(0, -1) : value
  const name = basename(file)
    .replace(/^db\./, '')
    .replace(/\.(zone|db|hosts)$/, '')
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+\.?$/.test(name)) {
    throw new DnsHaError('ERR_USAGE', `--zone ${value}: cannot tell the zone's origin from the file name; write it as ${file}:example.com`)
  }
  return { file, origin: canonicalName(name) }
}
