/** Checks of the forwarder's numeric and rcode options: a bad value throws `ERR_CONFIG` at construction. */
import type { RcodeName } from '../packet/constants.js'
import { RCODE } from '../packet/constants.js'
import { DnsHaError } from '../util/errors.js'

/** An rcode given by name or number, as a number. */
export function rcodeNumber(r: RcodeName | number): number {
  if (typeof r === 'number') return r
  const n = RCODE[r]
  if (n === undefined) throw new DnsHaError('ERR_CONFIG', `unknown rcode "${String(r)}" in fallbackRcodes`)
  return n
}

/** `value` checked to be an integer in `min..max`, or `fallback` when not given. */
export function intOption(value: number | undefined, fallback: number, min: number, max: number, name: string): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < min || value > max) throw new DnsHaError('ERR_CONFIG', `${name} must be an integer in ${min}..${max}, got ${value}`)
  return value
}
