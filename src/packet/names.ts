/**
 * Domain names in presentation form, the one implementation every module uses: absolute with a
 * trailing dot, original case, RFC 1035 §5.1 escapes (`\.` and `\\` inside labels, `\DDD` for
 * bytes outside printable ASCII and for characters that are special in master files). Names are
 * compared through {@link canonicalName} and written to the wire by {@link nameToWire}.
 */
import { DnsHaError } from '../util/errors.js'

/**
 * The lower-case absolute form of `name`, used as the key everywhere names are compared.
 * Only ASCII letters are folded (RFC 4343); a relative name gets its trailing dot added.
 *
 * @example canonicalName('WWW.Example.COM') // 'www.example.com.'
 */
export function canonicalName(name: string): string {
  const lower = hasUpper(name) ? name.toLowerCase() : name
  return isAbsolute(lower) ? lower : lower + '.'
}

/** True when `name` ends with an unescaped dot (the root `.` included). */
export function isAbsolute(name: string): boolean {
  const n = name.length
  if (n === 0 || name.charCodeAt(n - 1) !== 0x2e) return false
  let backslashes = 0
  for (let i = n - 2; i >= 0 && name.charCodeAt(i) === 0x5c; i--) backslashes++
  return backslashes % 2 === 0
}

/** The parent of an absolute name (`a.b.` → `b.`); the root's parent is `undefined`. */
export function parentName(name: string): string | undefined {
  if (name === '.') return undefined
  const n = name.length
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i)
    if (c === 0x5c) i++
    else if (c === 0x2e) return i + 1 >= n ? '.' : name.slice(i + 1)
  }
  return '.'
}

/** Number of labels of an absolute name, the root label not counted (`a.b.` → 2, `.` → 0). */
export function labelCount(name: string): number {
  if (name === '.') return 0
  let count = 0
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c === 0x5c) i++
    else if (c === 0x2e) count++
  }
  return count
}

/** True when `name` is `ancestor` or below it (case-insensitive, both absolute). */
export function isSubdomain(name: string, ancestor: string): boolean {
  return isCanonicalSubdomain(canonicalName(name), canonicalName(ancestor))
}

/**
 * {@link isSubdomain} for names already in {@link canonicalName} form: the hot-path form for
 * callers that keep their names canonical (the authority's lookups).
 */
export function isCanonicalSubdomain(n: string, a: string): boolean {
  if (a === '.') return true
  if (n === a) return true
  if (!n.endsWith(a) || n.length <= a.length) return false
  // The character before the suffix must be an unescaped label separator.
  const cut = n.length - a.length - 1
  if (n.charCodeAt(cut) !== 0x2e) return false
  let backslashes = 0
  for (let i = cut - 1; i >= 0 && n.charCodeAt(i) === 0x5c; i--) backslashes++
  return backslashes % 2 === 0
}

/**
 * The labels of an absolute name as byte strings (one char per byte, escapes decoded),
 * leftmost first, without the root label.
 */
export function nameLabels(name: string): string[] {
  const labels: string[] = []
  if (name === '.') return labels
  let label = ''
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c === 0x5c) {
      const d = name.charCodeAt(i + 1)
      if (isDigit(d) && isDigit(name.charCodeAt(i + 2)) && isDigit(name.charCodeAt(i + 3))) {
        label += String.fromCharCode((d - 48) * 100 + (name.charCodeAt(i + 2) - 48) * 10 + name.charCodeAt(i + 3) - 48)
        i += 3
      } else {
        label += name.charAt(i + 1)
        i++
      }
    } else if (c === 0x2e) {
      labels.push(label)
      label = ''
    } else {
      label += name.charAt(i)
    }
  }
  if (label !== '') labels.push(label)
  return labels
}

/**
 * A string whose ordinary comparison (`<`) gives the canonical DNS name order of RFC 4034 §6.1:
 * labels compared right to left as lower-cased bytes, a label sorting before any longer label
 * it is a prefix of.
 */
export function canonicalSortKey(name: string): string {
  const labels = nameLabels(name)
  let key = ''
  for (let i = labels.length - 1; i >= 0; i--) {
    const label = labels[i] as string
    for (let j = 0; j < label.length; j++) {
      let c = label.charCodeAt(j)
      if (c >= 0x41 && c <= 0x5a) c += 32
      key += String.fromCharCode(c + 1)
    }
    key += '\u0000'
  }
  return key
}

/** Compares two absolute names in canonical DNS order (RFC 4034 §6.1): negative, 0 or positive. */
export function compareNames(a: string, b: string): number {
  const ka = canonicalSortKey(a)
  const kb = canonicalSortKey(b)
  return ka < kb ? -1 : ka > kb ? 1 : 0
}

/**
 * The presentation form of one label given as a byte string: letters, digits, `-`, `_`, `*`
 * and other printable ASCII stay, `.` `\` `"` `(` `)` `;` `@` `$` and space are backslash-escaped,
 * other bytes become `\DDD`.
 */
export function escapeLabel(bytes: string): string {
  let out = ''
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i)
    if (c <= 0x20 || c >= 0x7f) out += '\\' + String(c).padStart(3, '0')
    else if (c === 0x2e || c === 0x5c || c === 0x22 || c === 0x28 || c === 0x29 || c === 0x3b || c === 0x40 || c === 0x24) out += '\\' + bytes.charAt(i)
    else out += bytes.charAt(i)
  }
  return out
}

/** True when `name` contains a backslash escape (dns-packet's name encoder cannot write those). */
export function hasEscapes(name: string): boolean {
  return name.indexOf('\\') !== -1
}

/**
 * The labels of an absolute name, leftmost first, escapes kept (`a\.b.example.` → `['a\.b',
 * 'example']`); the root has none. Pair with {@link labelBytes} for the wire form of each.
 */
export function splitLabels(name: string): string[] {
  if (name === '.' || name === '') return []
  if (name.indexOf('\\') < 0) {
    const labels = name.split('.')
    if (labels[labels.length - 1] === '') labels.pop()
    return labels
  }
  const labels: string[] = []
  let start = 0
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c === 0x5c) {
      i++ // the escaped character (or the first digit of \DDD; the others are not dots)
      continue
    }
    if (c === 0x2e) {
      labels.push(name.slice(start, i))
      start = i + 1
    }
  }
  if (start < name.length) labels.push(name.slice(start))
  return labels
}

/** The wire bytes of one presentation-form label, escapes decoded (`a\.b` → `61 2e 62`). */
export function labelBytes(label: string): Uint8Array {
  if (label.indexOf('\\') < 0) return Buffer.from(label, 'latin1')
  const bytes = nameLabels(label + '.')[0] ?? ''
  return Buffer.from(bytes, 'latin1')
}

/** Options for {@link nameToWire}. */
export interface NameToWireOptions {
  /** Fold ASCII letters to lower case: the canonical wire form of RFC 4034 §6.2 (TSIG, DNSSEC). */
  lowerCase?: boolean
}

/** The most bytes a name takes on the wire (RFC 1035 §2.3.4). */
export const MAX_NAME_WIRE_LENGTH = 255

/** The most bytes one label holds (RFC 1035 §2.3.4). */
export const MAX_LABEL_LENGTH = 63

/**
 * The uncompressed wire form of an absolute presentation-form name (`www.Example.` →
 * `03 www 07 Example 00`), escapes decoded. Throws a {@link DnsHaError} `ERR_NAME` for an empty
 * label, a label over 63 bytes, a name over 255 bytes, or a character that is not a byte (text
 * past Latin-1 must come as `\DDD` escapes of its UTF-8 bytes).
 */
export function nameToWire(name: string, options: NameToWireOptions = {}): Buffer {
  const fail = (why: string): never => {
    throw new DnsHaError('ERR_NAME', `name ${JSON.stringify(name)} ${why}`)
  }
  const labels = nameLabels(name)
  let length = 1
  for (const label of labels) length += label.length + 1
  if (length > MAX_NAME_WIRE_LENGTH) fail(`is longer than ${MAX_NAME_WIRE_LENGTH} bytes`)
  const out = Buffer.allocUnsafe(length)
  let pos = 0
  for (const label of labels) {
    if (label.length === 0) fail('has an empty label')
    if (label.length > MAX_LABEL_LENGTH) fail(`has a label longer than ${MAX_LABEL_LENGTH} bytes`)
    out[pos++] = label.length
    for (let i = 0; i < label.length; i++) {
      let c = label.charCodeAt(i)
      if (c > 0xff) fail('has a bad escape or a character that is not a byte (use \\DDD escapes)')
      if (options.lowerCase && c >= 0x41 && c <= 0x5a) c |= 0x20
      out[pos++] = c
    }
  }
  out[pos] = 0
  return out
}

function hasUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x41 && c <= 0x5a) return true
  }
  return false
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}
