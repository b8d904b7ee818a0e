/**
 * The RR type numbers zone code compares against, by name: packet's `TYPE`, plus the types only
 * the zone's codecs and formatter care about, read from the one registry (`typeNumber`).
 */
import { TYPE } from '../packet/constants.js'
import { typeNumber } from '../packet/types.js'

function code(mnemonic: string): number {
  const n = typeNumber(mnemonic)
  if (n === undefined) throw new TypeError(`${mnemonic} is not in the type registry`)
  return n
}

/** Type numbers by mnemonic. */
export const RR = {
  ...TYPE,
  RP: code('RP'),
  SSHFP: code('SSHFP'),
  TLSA: code('TLSA'),
  NSEC3PARAM: code('NSEC3PARAM'),
  SPF: code('SPF'),
  CDS: code('CDS'),
} as const

/** Meta types (RFC 6895 §3.1): query and transfer types, and the message-only OPT, TKEY, TSIG, none of which a zone file may hold. */
export const META_TYPES: ReadonlySet<number> = new Set(['OPT', 'TKEY', 'TSIG', 'IXFR', 'AXFR', 'MAILB', 'MAILA', 'ANY'].map(code))
