/**
 * Names in the canonical wire form TSIG digests (RFC 8945 §4.3.3: lower case, uncompressed).
 * Key and algorithm names are turned into bytes once, when a keyring is built, so signing and
 * verifying only copy them.
 */
import { DnsHaError } from '../util/errors.js'

/**
 * The canonical wire form of a presentation-form name (`Key.Example.` → `\x03key\x07example\x00`):
 * labels lower-cased (ASCII only, RFC 4034 §6.2), `\.` and `\DDD` escapes decoded. Throws
 * `ERR_CONFIG` for an empty label, a label over 63 bytes or a name over 255.
 */
export function canonicalNameWire(name: string): Buffer {
  const bytes: number[] = []
  let label: number[] = []
  const endLabel = (): void => {
    if (label.length === 0) throw new DnsHaError('ERR_CONFIG', `name ${JSON.stringify(name)} has an empty label`)
    if (label.length > 63) throw new DnsHaError('ERR_CONFIG', `name ${JSON.stringify(name)} has a label longer than 63 bytes`)
    bytes.push(label.length, ...label)
    label = []
  }
  const text = name === '.' ? '' : name
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i)
    if (c === 0x5c) {
      const digits = text.slice(i + 1, i + 4)
      if (/^\d{3}$/.test(digits)) {
        c = Number(digits)
        i += 3
      } else {
        c = text.charCodeAt(++i)
      }
      if (!(c >= 0 && c <= 255)) throw new DnsHaError('ERR_CONFIG', `name ${JSON.stringify(name)} has a bad escape`)
    } else if (c === 0x2e) {
      endLabel()
      continue
    }
    // Names are bytes: anything past Latin-1 must be written as \DDD escapes, not guessed at.
    if (c > 0xff) throw new DnsHaError('ERR_CONFIG', `name ${JSON.stringify(name)} has a character that is not a byte; use \\DDD escapes`)
    label.push(c >= 0x41 && c <= 0x5a ? c + 0x20 : c)
  }
  if (label.length > 0) endLabel()
  bytes.push(0)
  if (bytes.length > 255) throw new DnsHaError('ERR_CONFIG', `name ${JSON.stringify(name)} is longer than 255 bytes`)
  return Buffer.from(bytes)
}

/** A name in the form keyrings compare: lower case with a trailing dot. */
export function canonicalKeyName(name: string): string {
  const lower = name.toLowerCase()
  return lower.endsWith('.') ? lower : lower + '.'
}
