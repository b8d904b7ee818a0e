/**
 * The pool's `clientSubnet` option checked once, at construction: prefixes are whole numbers
 * within their family's address length, so a typo is an `ERR_CONFIG` rather than a silently
 * clamped prefix on every query.
 */
import type { ClientSubnetOptions } from '../packet/client-subnet.js'
import { DnsHaError } from '../util/errors.js'

/** A checked copy of `options`; throws `ERR_CONFIG` for a prefix that is not a whole number in 0..32 (IPv4) or 0..128 (IPv6). */
export function checkClientSubnetOptions(options: ClientSubnetOptions): ClientSubnetOptions {
  if (typeof options !== 'object' || options === null) throw new DnsHaError('ERR_CONFIG', 'clientSubnet must be an object ({ ipv4Prefix?, ipv6Prefix?, override? })')
  prefix(options.ipv4Prefix, 32, 'clientSubnet.ipv4Prefix')
  prefix(options.ipv6Prefix, 128, 'clientSubnet.ipv6Prefix')
  return { ...options }
}

function prefix(value: number | undefined, max: number, name: string): void {
  if (value === undefined) return
  if (!Number.isInteger(value) || value < 0 || value > max) throw new DnsHaError('ERR_CONFIG', `${name} must be a whole number in 0..${max}, got ${value}`)
}
