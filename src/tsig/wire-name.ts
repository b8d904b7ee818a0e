/**
 * Names in the canonical wire form TSIG digests (RFC 8945 §4.3.3: lower case, uncompressed).
 * Key and algorithm names are turned into bytes once, when a keyring is built, so signing and
 * verifying only copy them.
 */
import { DnsHaError } from '../util/errors.js'
import { nameLabels } from '../zone/names.js'

/**
 * The canonical wire form of a presentation-form name (`Key.Example.` → `\x03key\x07example\x00`):
 * labels read by the zone's `nameLabels` (escapes decoded), then lower-cased in ASCII only
 * (RFC 4034 §6.2). Throws `ERR_CONFIG` for an empty label, a label over 63 bytes, a name over
 * 255, or a character that is not a byte.
 */
export function canonicalNameWire(name: string): Buffer {
  const fail = (why: string): never => {
    throw new DnsHaError('ERR_CONFIG', `name ${JSON.stringify(name)} ${why}`)
  }
  const bytes: number[] = []
  for (const label of nameLabels(name)) {
    if (label.length === 0) fail('has an empty label')
    if (label.length > 63) fail('has a label longer than 63 bytes')
    bytes.push(label.length)
    for (let i = 0; i < label.length; i++) {
      const c = label.charCodeAt(i)
      // Names are bytes: \DDD over 255, or text past Latin-1, is not a name DNS can carry.
      if (c > 0xff) fail('has a bad escape or a character that is not a byte (use \\DDD escapes)')
      bytes.push(c >= 0x41 && c <= 0x5a ? c | 0x20 : c)
    }
  }
  bytes.push(0)
  if (bytes.length > 255) fail('is longer than 255 bytes')
  return Buffer.from(bytes)
}
